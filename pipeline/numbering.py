"""Number assets clockwise from the main gate, as DESIGN.md defines it.

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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from pipeline import schema as S
from pipeline.crs import require_projected
from pipeline.errors import DataError, GateError, GeometryError

log = logging.getLogger(__name__)

#: A gate farther than this from the boundary is refused unless forced.
MAX_GATE_DIST_M = 50.0

# Keys are rounded so that floating-point noise does not break ties that are exact on paper.
_KEY_DECIMALS = 6

Boundary = shapely.Polygon | shapely.MultiPolygon


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
        ring = shapely.LineString(clockwise_ring(boundary).coords)
        points = shapely.points(xy)
        start = shapely.line_locate_point(ring, gate)
        period = ring.length
        key = (shapely.line_locate_point(ring, points) - start) % period
        tie = shapely.distance(ring, points)
    else:
        raise DataError(f"Unknown numbering method `{method}`; use one of {', '.join(S.METHODS)}.")
    key = np.round(key, _KEY_DECIMALS) % round(period, _KEY_DECIMALS)
    return key, np.round(tie, _KEY_DECIMALS)


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
        return [str(i) for i in range(1, len(ordered) + 1)]
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
    for source_id, category in zip(ordered[S.SOURCE_ID], ordered[S.CATEGORY], strict=True):
        group = category if scheme == "category" else ""
        label = previous.by_source.get(source_id)
        if label is None:
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
        Assets in a projected metric CRS with ``source_id`` and ``category``; ``name`` optional.
        Other columns are kept as they are.
    boundary, gate
        The compound's boundary polygon and main gate point, in the assets' CRS.
    method
        ``polar`` or ``perimeter`` (see the module docstring).
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
    for column in (S.SOURCE_ID, S.CATEGORY):
        if column not in assets.columns:
            raise DataError(f"The assets have no `{column}` column; it is required for numbering.")
    bad = sorted(set(assets[S.CATEGORY]) - {c.value for c in S.Category})
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
        rows = ", ".join(map(str, assets.loc[empty, S.SOURCE_ID].head(5)))
        raise GeometryError(f"{int(empty.sum())} assets have no location ({rows}); fix or drop them.")

    reps = shapely.point_on_surface(assets.geometry.values)
    xy = shapely.get_coordinates(reps)
    key, tie = clockwise_keys(xy, poly, point, method)
    names = assets[S.NAME].fillna("").astype(str) if S.NAME in assets else pd.Series("", index=assets.index)
    order_frame = pd.DataFrame(
        {"key": key, "tie": tie, "name": names.to_numpy(), "sid": assets[S.SOURCE_ID].astype(str).to_numpy()}
    )
    order = order_frame.sort_values(["key", "tie", "name", "sid"], kind="mergesort").index.to_numpy()
    ordered = assets.iloc[order].copy()
    ordered[S.KEY] = key[order]
    ordered[S.SEQ] = np.arange(1, len(ordered) + 1)
    ordered[S.LABEL] = (
        _fresh_labels(ordered, scheme) if previous is None else _stable_labels(ordered, scheme, previous)
    )
    log.info("Numbered %d assets clockwise (%s, %s).", len(ordered), method, scheme)
    return ordered


def retired_labels(previous: PreviousLabels, numbered: pd.DataFrame) -> frozenset[str]:
    """Labels printed before that no asset carries now; they are never given again."""
    return previous.used - set(numbered[S.LABEL])
