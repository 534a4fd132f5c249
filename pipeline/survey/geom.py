"""Geometry work on survey features: repair, labels to names, boundary rings.

Repair follows ``docs/reliability.md``, "Geometry and file inputs": no location → refused; invalid →
``make_valid`` with ``method="structure"`` (holes stay holes, a bow-tie keeps both lobes), else the default
``linework`` method, else refused; only parts of the feature's own dimension are kept (a spike
polygon does not turn into a line), and a feature with none left is refused. Each repair is a
warning naming the feature and GEOS's reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from pipeline.core import schema as S
from pipeline.core.taxonomy import Taxonomy
from pipeline.survey.base import TEXT, ReadItem
from pipeline.survey.layers import ROLE

log = logging.getLogger(__name__)

_MULTI = {0: shapely.MultiPoint, 1: shapely.MultiLineString, 2: shapely.MultiPolygon}


@dataclass(frozen=True)
class Repair:
    """What :func:`repair_geometries` did: warnings for repairs, items for refusals."""

    warnings: tuple[str, ...]
    refused: tuple[ReadItem, ...]


def _dimension(geom: shapely.Geometry) -> int:
    parts = shapely.get_parts(geom)
    return int(max(shapely.get_dimensions(parts))) if len(parts) else -1


def _keep_dimension(geom: shapely.Geometry, dim: int) -> shapely.Geometry | None:
    """Return the parts of ``geom`` of dimension ``dim`` (single or Multi*), or ``None``."""
    parts = shapely.get_parts(geom)
    while any(p.geom_type == "GeometryCollection" or p.geom_type.startswith("Multi") for p in parts):
        parts = shapely.get_parts(parts)
    keep = [p for p in parts if shapely.get_dimensions(p) == dim and not p.is_empty]
    if not keep:
        return None
    return keep[0] if len(keep) == 1 else _MULTI[dim](keep)


def _make_valid(geom: shapely.Geometry) -> shapely.Geometry | None:
    for method in ("structure", "linework"):
        try:
            fixed = (
                shapely.make_valid(geom, method=method, keep_collapsed=False)
                if method == "structure"
                else shapely.make_valid(geom)
            )
        except GEOSException as exc:
            log.debug("make_valid(method=%s) failed: %s", method, exc)
            continue
        if fixed is not None and not fixed.is_empty and fixed.is_valid:
            return fixed
    return None


def repair_geometries(frame: gpd.GeoDataFrame, *, where: str) -> tuple[gpd.GeoDataFrame, Repair]:
    """Return a copy of ``frame`` with every geometry valid and located, and what was done.

    Parameters
    ----------
    frame
        Features with ``source_id`` and geometry (any CRS).
    where
        The file, named in warnings.

    Returns
    -------
    (GeoDataFrame, Repair)
        The kept features (index kept) and the warnings and refusals.
    """
    geoms = frame.geometry.to_numpy().copy()
    ids = frame[S.SOURCE_ID].to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    warnings: list[str] = []
    refused: list[ReadItem] = []
    for i, geom in enumerate(geoms):
        sid = ids[i]
        if geom is None or geom.is_empty:
            keep[i] = False
            refused.append(ReadItem(f"feature {sid}", 1, "no location: empty or missing geometry"))
            continue
        coords = shapely.get_coordinates(geom)
        if not np.isfinite(coords).all():
            keep[i] = False
            refused.append(ReadItem(f"feature {sid}", 1, "no location: coordinates not numbers"))
            continue
        dim = _dimension(geom)
        if geom.geom_type == "GeometryCollection":
            flat = _keep_dimension(geom, dim)
            warnings.append(
                f"`{where}` feature {sid}: a collection of mixed types; kept its "
                f"{flat.geom_type if flat is not None else 'nothing'} part(s)."
            )
            geom = flat
        if geom is not None and not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            fixed = _make_valid(geom)
            fixed = _keep_dimension(fixed, dim) if fixed is not None else None
            if fixed is None:
                keep[i] = False
                refused.append(ReadItem(f"feature {sid}", 1, f"invalid ({reason}) and could not be repaired"))
                continue
            change = (
                f"area {geom.area:.6g} → {fixed.area:.6g}"
                if dim == 2
                else f"length {geom.length:.6g} → {fixed.length:.6g}"
            )
            warnings.append(f"`{where}` feature {sid}: {reason}; repaired with make_valid ({change}).")
            geom = fixed
        if geom is None:
            keep[i] = False
            refused.append(ReadItem(f"feature {sid}", 1, "nothing of its own dimension left"))
            continue
        geoms[i] = geom
    out = frame.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return out[keep], Repair(tuple(warnings), tuple(refused))


def attach_labels(
    shapes: gpd.GeoDataFrame,
    labels: gpd.GeoDataFrame,
    *,
    taxonomy: Taxonomy,
    max_distance: float,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Give shapes without a name the text that labels them.

    A text labels the smallest polygon containing it (boundaries and roads excluded), else the
    nearest shape within ``max_distance`` (boundaries excluded), else the boundary containing it
    (unless the text names a taxonomy kind: such a text is a point of its own, see
    :func:`pipeline.survey.read.read_survey`).
    A shape with several texts takes the one that names a taxonomy kind, then the one nearest
    its representative point. Both frames must be in the same metric CRS.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame)
        ``shapes`` with ``name`` filled, and the labels that labelled nothing.
    """
    out = shapes.copy()
    if labels.empty or shapes.empty:
        return out, labels.copy()
    geoms = shapes.geometry.to_numpy()
    roles = shapes[ROLE].to_numpy()
    points = labels.geometry.to_numpy()
    areas = shapely.area(geoms)
    polygonal = shapely.get_dimensions(geoms) == 2
    target = np.full(len(labels), -1)
    inner = polygonal & ~np.isin(roles, ["boundary", "road"])
    tree = shapely.STRtree(geoms)
    li, si = tree.query(points, predicate="within")
    for label, shape in sorted(zip(li, si, strict=True), key=lambda p: (p[0], areas[p[1]])):
        if inner[shape] and target[label] < 0:
            target[label] = shape
    not_boundary = np.flatnonzero(roles != "boundary")
    if not_boundary.size:
        near_tree = shapely.STRtree(geoms[not_boundary])
        open_ = np.flatnonzero(target < 0)
        if open_.size:
            (lj, sj), dist = near_tree.query_nearest(
                points[open_], max_distance=max_distance, return_distance=True, all_matches=False
            )
            for label, shape, d in zip(open_[lj], not_boundary[sj], dist, strict=True):
                if d <= max_distance:
                    target[label] = shape
    texts = labels[TEXT].to_numpy()
    names_kind = np.array([taxonomy.match({}, t) is not None for t in texts], dtype=bool)
    for label, shape in zip(li, si, strict=True):
        if target[label] < 0 and not names_kind[label] and roles[shape] == "boundary" and polygonal[shape]:
            target[label] = shape
    reps = shapely.point_on_surface(geoms)
    names = out[S.NAME].to_numpy().copy()
    chosen: dict[int, tuple[bool, float, str]] = {}
    for label in np.flatnonzero(target >= 0):
        shape = int(target[label])
        if names[shape]:
            continue
        key = (not names_kind[label], float(shapely.distance(points[label], reps[shape])), texts[label])
        if shape not in chosen or key < chosen[shape]:
            chosen[shape] = key
    for shape, (_, _, text) in chosen.items():
        names[shape] = text
    out[S.NAME] = names
    unused = labels[target < 0].copy()
    log.info(
        "Attached %d of %d texts as names; %d labelled nothing",
        int((target >= 0).sum()),
        len(labels),
        len(unused),
    )
    return out, unused


def close_boundaries(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Join boundary lines into polygons when the survey has no boundary polygon.

    Walls are often drawn as separate segments; :func:`shapely.polygonize` joins those that
    close. The new polygon's ``source_id`` is the first line's id plus ``+N`` for the others.

    Returns
    -------
    (GeoDataFrame, list of str)
        The frame (boundary lines replaced when they closed) and notes for the report.
    """
    is_boundary = frame[ROLE] == "boundary"
    dims = shapely.get_dimensions(frame.geometry.to_numpy())
    if not is_boundary.any() or (is_boundary & (dims == 2)).any():
        return frame.copy(), []
    lines = frame[is_boundary & (dims == 1)]
    if lines.empty:
        return frame.copy(), []
    merged = shapely.line_merge(shapely.union_all(lines.geometry.to_numpy()))
    polygons = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(merged))))
    if not polygons:
        return frame.copy(), [
            f"The {len(lines)} boundary lines (layers {', '.join(sorted(set(lines['layer'])))}) "
            "do not close into a ring; close the compound outline in CAD to use it as boundary."
        ]
    first = lines.iloc[0]
    rows = []
    for k, poly in enumerate(sorted(polygons, key=lambda p: -p.area)):
        row = first.copy()
        suffix = f"+{len(lines) - 1}" if len(lines) > 1 else ""
        row[S.SOURCE_ID] = f"{first[S.SOURCE_ID]}{suffix}" + (f"#{k + 1}" if k else "")
        row["geometry"] = poly
        rows.append(row)
    kept = frame[~(is_boundary & (dims == 1))]
    out = gpd.GeoDataFrame(
        pd.concat([kept, gpd.GeoDataFrame(rows, crs=frame.crs)]), geometry="geometry", crs=frame.crs
    )
    return out, [f"Joined {len(lines)} boundary lines into {len(polygons)} boundary polygon(s)."]
