"""Number assets clockwise from the main gate, as ``docs/design.md`` defines it.

Two methods give each asset a clockwise key, in a local metric CRS with north up:

- ``polar``: the bearing of the asset seen from the compound's centre, minus the gate's bearing,
  modulo 360°. The centre is the centroid when it lies inside the boundary, else the pole of
  inaccessibility.
- ``perimeter``: the distance walked clockwise along the boundary, from where the gate meets it
  to the boundary point nearest the asset. It follows concave and long compounds.

Smallest key first; ties go to the asset nearer the centre (polar) or the boundary (perimeter),
then by name, then by ``source_id``, so the order never depends on the input's row order.
Two schemes print the numbers: ``global`` (``1``…``N``) and ``category`` (``A01``, ``B01``…, one
count per category, in the same clockwise order). :class:`PreviousLabels` keeps numbers stable
across rebuilds.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from pipeline.core import schema as S
from pipeline.core.crs import require_projected
from pipeline.core.errors import DataError, GateError, GeometryError
from pipeline.inventory.order import choose_method

log = logging.getLogger(__name__)

#: A gate farther than this from the boundary is refused unless forced.
MAX_GATE_DIST_M = 50.0

# Keys are rounded so that floating-point noise does not break ties that are exact on paper.
_KEY_DECIMALS = 6

Boundary: TypeAlias = shapely.Polygon | shapely.MultiPolygon

#: Rings with at least this many vertices are walked with an STRtree (see :func:`locate_on_ring`).
STRTREE_MIN_VERTICES = 256


def compound_centre(boundary: Boundary) -> shapely.Point:
    """Return the centroid if it lies inside the boundary, else the pole of inaccessibility."""
    centroid = boundary.centroid
    if boundary.contains(centroid):
        return centroid
    part = max(getattr(boundary, "geoms", [boundary]), key=lambda g: g.area)
    return polylabel(part, tolerance=max(part.length / 1e4, 1e-6))


def bearing_deg(origin: shapely.Point, xy: np.ndarray) -> np.ndarray:
    """Bearing clockwise from north, in [0, 360), of each point of ``xy`` (N×2) seen from ``origin``."""
    dx = xy[:, 0] - origin.x
    dy = xy[:, 1] - origin.y
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def clockwise_ring(boundary: Boundary) -> shapely.LinearRing:
    """Return the boundary's outer ring, oriented clockwise (the largest part of a multipolygon)."""
    part = max(getattr(boundary, "geoms", [boundary]), key=lambda g: g.area)
    if isinstance(boundary, shapely.MultiPolygon) and len(boundary.geoms) > 1:
        log.warning("The boundary has %d parts; the perimeter walk follows the largest.", len(boundary.geoms))
    oriented = shapely.orient_polygons(part, exterior_cw=True)
    return oriented.exterior


def clockwise_keys(
    xy: np.ndarray, boundary: Boundary, gate: shapely.Point, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return each point's clockwise key and its tie-break distance.

    Parameters
    ----------
    xy
        N×2 array of asset positions in metres.
    boundary
        The compound's boundary in the same CRS.
    gate
        The main gate in the same CRS.
    method
        ``polar`` (key in degrees, tie = distance to the centre) or ``perimeter`` (key in
        metres along the clockwise boundary, tie = distance to the boundary).
    """
    if method == "polar":
        centre = compound_centre(boundary)
        gate_bearing = bearing_deg(centre, np.array([[gate.x, gate.y]]))[0]
        key = (bearing_deg(centre, xy) - gate_bearing) % 360.0
        tie = np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y)
        period = 360.0
    elif method == "perimeter":
        ring = clockwise_ring(boundary)
        start, _ = locate_on_ring(ring, np.array([[gate.x, gate.y]]))
        period = ring.length
        along, tie = locate_on_ring(ring, xy)
        key = (along - start[0]) % period
    else:
        raise DataError(f"Unknown numbering method `{method}`; use one of {', '.join(S.METHODS)}.")
    key = np.round(key, _KEY_DECIMALS) % round(period, _KEY_DECIMALS)
    return key, np.round(tie, _KEY_DECIMALS)


def locate_on_ring(ring: shapely.LinearRing, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each point, the distance along ``ring`` to its nearest point, and how far it is.

    Small rings use ``shapely.line_locate_point`` and ``shapely.distance``. From
    :data:`STRTREE_MIN_VERTICES` vertices the nearest segment comes from an STRtree and the
    projection is done in numpy, which ``bench/bench_numbering.py`` measures at about 5× faster on
    a 1,024-vertex ring but 2× slower on a 64-vertex one. A point equally near two segments takes
    the first along the ring, as GEOS does.
    """
    coords = shapely.get_coordinates(ring)
    if len(coords) < STRTREE_MIN_VERTICES:
        line, points = shapely.LineString(coords), shapely.points(xy)
        return shapely.line_locate_point(line, points), shapely.distance(line, points)
    a, b = coords[:-1], coords[1:]
    seg_len = np.hypot(*(b - a).T)
    offset = np.r_[0.0, np.cumsum(seg_len)[:-1]]
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    (point_idx, seg_idx), dist = tree.query_nearest(shapely.points(xy), all_matches=True, return_distance=True)
    # Keep the first segment along the ring for each point (query_nearest lists every tie).
    first = np.lexsort((seg_idx, point_idx))
    point_idx, seg_idx, dist = point_idx[first], seg_idx[first], dist[first]
    keep = np.r_[True, point_idx[1:] != point_idx[:-1]]
    point_idx, seg_idx, dist = point_idx[keep], seg_idx[keep], dist[keep]
    d = b[seg_idx] - a[seg_idx]
    p = xy[point_idx] - a[seg_idx]
    length2 = np.einsum("ij,ij->i", d, d)
    t = np.clip(np.einsum("ij,ij->i", p, d) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    along = np.empty(len(xy))
    near = np.empty(len(xy))
    along[point_idx] = offset[seg_idx] + t * seg_len[seg_idx]
    near[point_idx] = dist
    return along, near


@dataclass(frozen=True)
class PreviousLabels:
    """Labels an earlier inventory printed, so a rebuild keeps them (``--keep-labels``).

    ``by_source`` maps ``source_id`` to the label it had; ``retired`` holds labels of assets
    that are gone, which are never given again.
    """

    by_source: dict[str, str]
    retired: frozenset[str] = field(default_factory=frozenset)

    @property
    def used(self) -> frozenset[str]:
        """Every label ever printed: current and retired."""
        return frozenset(self.by_source.values()) | self.retired


def _category_label(category: str, count: int, width: int) -> str:
    return f"{S.CATEGORY_PREFIX[S.Category(category)]}{count:0{width}d}"


def _fresh_labels(ordered: pd.DataFrame, scheme: str) -> list[str]:
    if scheme == "global":
        return np.arange(1, len(ordered) + 1).astype(str).tolist()
    counts = ordered[S.CATEGORY].value_counts()
    width = max(2, len(str(int(counts.max()))))
    seen: dict[str, int] = defaultdict(int)
    labels = []
    for category in ordered[S.CATEGORY]:
        seen[category] += 1
        labels.append(_category_label(category, seen[category], width))
    return labels


_SUB = re.compile(r"^(?P<base>[^.]+)\.(?P<sub>\d+)$")


def _stable_labels(ordered: pd.DataFrame, scheme: str, previous: PreviousLabels) -> list[str]:
    """Keep every label that still exists; give a new asset a sub-number after its predecessor."""
    used = set(previous.used)
    max_sub: dict[str, int] = defaultdict(int)
    for label in used:
        if match := _SUB.match(label):
            max_sub[match["base"]] = max(max_sub[match["base"]], int(match["sub"]))
    _check_scheme(previous.by_source.values(), scheme)
    labels: list[str] = []
    last_in_group: dict[str, str] = {}
    categories = ordered[S.CATEGORY] if S.CATEGORY in ordered else pd.Series("", index=ordered.index)
    for source_id, category in zip(ordered[S.SOURCE_ID], categories, strict=True):
        group = category if scheme == "category" else ""
        kept = previous.by_source.get(source_id)
        if kept is not None:
            label = kept
        else:
            predecessor = last_in_group.get(group)
            if predecessor is None:
                base = _category_label(category, 0, 2) if scheme == "category" else "0"
            else:
                base = predecessor.split(".")[0]
            max_sub[base] += 1
            label = f"{base}.{max_sub[base]}"
            while label in used:  # only if a label was hand-made with a gap
                max_sub[base] += 1
                label = f"{base}.{max_sub[base]}"
            used.add(label)
        labels.append(label)
        last_in_group[group] = label
    return labels


def _check_scheme(labels: Iterable[str], scheme: str) -> None:
    prefixes = tuple(S.CATEGORY_PREFIX.values())
    for label in labels:
        looks_category = label.startswith(prefixes)
        if looks_category != (scheme == "category"):
            raise DataError(
                f"The previous inventory has label `{label}`, which is not a `{scheme}` label; "
                f"keep the previous scheme (--scheme {'category' if looks_category else 'global'}) "
                "or number afresh without --keep-labels."
            )


def _as_geometry(value: object, crs: object, what: str) -> shapely.Geometry:
    """Accept a shapely geometry (taken to be in the assets' CRS) or a one-row GeoSeries/frame."""
    if isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        series = value.geometry if isinstance(value, gpd.GeoDataFrame) else value
        require_projected(series, what)
        if series.crs != crs:
            raise DataError(
                f"The {what} is in {series.crs} but the assets are in {crs}; reproject one with `to_crs`."
            )
        if len(series) != 1:
            raise DataError(f"The {what} must be one feature; got {len(series)}.")
        return series.iloc[0]
    if isinstance(value, shapely.Geometry):
        return value
    raise DataError(f"The {what} must be a shapely geometry or a GeoSeries, not {type(value).__name__}.")


def number_assets(
    assets: gpd.GeoDataFrame,
    boundary: Boundary | gpd.GeoSeries | gpd.GeoDataFrame,
    gate: shapely.Point | gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    method: str = "polar",
    scheme: str = "global",
    previous: PreviousLabels | None = None,
    force: bool = False,
) -> gpd.GeoDataFrame:
    """Return the assets sorted clockwise from the gate, with ``seq``, ``label`` and the key.

    Parameters
    ----------
    assets
        Assets in a projected metric CRS; ``category`` (needed by the ``category`` scheme),
        ``name`` and ``source_id`` (needed to keep earlier labels) are optional. Other columns
        are kept as they are.
    boundary, gate
        The compound's boundary polygon and main gate point, in the assets' CRS.
    method
        ``polar`` or ``perimeter`` (see the module docstring), or ``auto``
        (:func:`pipeline.inventory.order.choose_method`).
    scheme
        ``global`` (``1``…``N``) or ``category`` (``A01``…, ``B01``…, ``C01``…).
    previous
        Labels of an earlier inventory to keep (stable renumbering).
    force
        Number even when the gate is more than 50 m from the boundary.

    Returns
    -------
    GeoDataFrame
        A new frame, one row per asset, in clockwise order, index kept from the input.
    """
    if method not in S.METHODS:
        raise DataError(f"Unknown numbering method `{method}`; use one of {', '.join(S.METHODS)}.")
    if scheme not in S.SCHEMES:
        raise DataError(f"Unknown numbering scheme `{scheme}`; use one of {', '.join(S.SCHEMES)}.")
    require_projected(assets, "assets")
    if assets.empty:
        raise DataError(
            "There are no assets to number: the inventory is empty. Widen the search radius "
            "(--radius), check the compound, or add assets from a survey."
        )
    if S.CATEGORY not in assets.columns and scheme == "category":
        raise DataError(
            "The assets have no `category` column, which the `category` scheme needs; "
            "add one (public_space, facility, institution) or use `--scheme global`."
        )
    if previous is not None and S.SOURCE_ID not in assets.columns:
        raise DataError("Keeping earlier labels needs a `source_id` column that names each asset.")
    bad = sorted(set(assets.get(S.CATEGORY, pd.Series(dtype=str)).unique()) - {c.value for c in S.Category})
    if bad:
        raise DataError(f"Unknown categories {bad}; use {', '.join(c.value for c in S.Category)}.")
    poly = _as_geometry(boundary, assets.crs, "boundary")
    point = _as_geometry(gate, assets.crs, "gate")
    if not isinstance(poly, shapely.Polygon | shapely.MultiPolygon) or poly.is_empty:
        raise GeometryError(f"The boundary must be a polygon; got {poly.geom_type}.")
    if not isinstance(point, shapely.Point) or point.is_empty:
        raise GateError(f"The gate must be a point; got {point.geom_type}.")
    gate_dist = poly.boundary.distance(point)
    if gate_dist > MAX_GATE_DIST_M and not force:
        raise GateError(
            f"The gate is {gate_dist:.0f} m from the boundary (more than {MAX_GATE_DIST_M:.0f} m); "
            "check its coordinates and CRS, pick a gate on the boundary, or pass --force."
        )
    empty = assets.geometry.is_empty | assets.geometry.isna()
    if empty.any():
        rows = ", ".join(map(str, assets.loc[empty].get(S.SOURCE_ID, assets.index[empty]).head(5)))
        raise GeometryError(f"{int(empty.sum())} assets have no location ({rows}); fix or drop them.")

    if method == "auto":
        method = choose_method(poly).method
    xy = _positions(assets.geometry.values)
    key, tie = clockwise_keys(xy, poly, point, method)
    order = _clockwise_order(assets, key, tie, xy)
    ordered = assets.iloc[order]
    ordered[S.KEY] = key[order]
    ordered[S.SEQ] = np.arange(1, len(ordered) + 1)
    ordered[S.LABEL] = (
        _fresh_labels(ordered, scheme) if previous is None else _stable_labels(ordered, scheme, previous)
    )
    log.info("Numbered %d assets clockwise (%s, %s).", len(ordered), method, scheme)
    return ordered


def _positions(geometry: np.ndarray) -> np.ndarray:
    """Return N×2 positions: the point itself, or a point on the surface of a line or polygon."""
    is_point = shapely.get_type_id(geometry) == 0
    xy = np.empty((len(geometry), 2))
    xy[is_point] = shapely.get_coordinates(geometry[is_point])
    if (~is_point).any():
        xy[~is_point] = shapely.get_coordinates(shapely.point_on_surface(geometry[~is_point]))
    return xy


def _clockwise_order(assets: pd.DataFrame, key: np.ndarray, tie: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Sort by key, then tie distance; only exact ties fall back to name, id, then position.

    The id is ``source_id`` when there is one; the position is read west to east, south to north.

    Sorting strings for a million rows costs seconds, and exact ties are rare, so names are
    read only for the rows that need them.
    """
    order = np.lexsort((tie, key))
    same = (key[order][1:] == key[order][:-1]) & (tie[order][1:] == tie[order][:-1])
    if not same.any():
        return order
    names = assets[S.NAME] if S.NAME in assets else pd.Series("", index=assets.index)
    ids = assets[S.SOURCE_ID] if S.SOURCE_ID in assets else pd.Series("", index=assets.index)
    starts = np.flatnonzero(np.diff(np.r_[0, same.astype(int)]) == 1)
    for start in starts:
        end = start + 1
        while end < len(same) and same[end]:
            end += 1
        group = order[start : end + 1]
        labels = [
            (str(n) if isinstance(n, str) else "", str(sid), x, y)
            for n, sid, (x, y) in zip(names.iloc[group], ids.iloc[group], xy[group].tolist(), strict=True)
        ]
        order[start : end + 1] = group[sorted(range(len(group)), key=labels.__getitem__)]
    return order


def retired_labels(previous: PreviousLabels, numbered: pd.DataFrame) -> frozenset[str]:
    """Labels printed before that no asset carries now; they are never given again."""
    return previous.used - set(numbered[S.LABEL])
