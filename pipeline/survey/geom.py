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
from pipeline.core.errors import Listed, Words
from pipeline.core.taxonomy import Taxonomy
from pipeline.survey.base import ANCHOR_X, ANCHOR_Y, HEIGHT, TEXT, ReadItem
from pipeline.survey.layers import ROLE

log = logging.getLogger(__name__)

_MULTI = {0: shapely.MultiPoint, 1: shapely.MultiLineString, 2: shapely.MultiPolygon}


@dataclass(frozen=True)
class Repair:
    """What :func:`repair_geometries` did: warnings for repairs, items for refusals."""

    warnings: tuple[Words, ...]
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
    warnings: list[Words] = []
    refused: list[ReadItem] = []
    for i, geom in enumerate(geoms):
        sid = ids[i]
        if geom is None or geom.is_empty:
            keep[i] = False
            refused.append(
                ReadItem(Words("survey.item.feature", id=sid), 1, Words("survey.item.no_geometry"))
            )
            continue
        coords = shapely.get_coordinates(geom)
        if not np.isfinite(coords).all():
            keep[i] = False
            refused.append(
                ReadItem(Words("survey.item.feature", id=sid), 1, Words("survey.item.not_numbers"))
            )
            continue
        dim = _dimension(geom)
        if geom.geom_type == "GeometryCollection":
            flat = _keep_dimension(geom, dim)
            warnings.append(
                Words("survey.warning.mixed", where=where, id=sid, kept=flat.geom_type)
                if flat is not None
                else Words("survey.warning.mixed_none", where=where, id=sid)
            )
            geom = flat
        if geom is not None and not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            fixed = _make_valid(geom)
            fixed = _keep_dimension(fixed, dim) if fixed is not None else None
            if fixed is None:
                keep[i] = False
                refused.append(
                    ReadItem(
                        Words("survey.item.feature", id=sid),
                        1,
                        Words("survey.item.unrepaired", detail=reason),
                    )
                )
                continue
            change = (
                Words("survey.warning.area_change", before=geom.area, after=fixed.area)
                if dim == 2
                else Words("survey.warning.length_change", before=geom.length, after=fixed.length)
            )
            warnings.append(Words("survey.warning.repaired", where=where, id=sid, detail=reason, change=change))
            geom = fixed
        if geom is None:
            keep[i] = False
            refused.append(
                ReadItem(Words("survey.item.feature", id=sid), 1, Words("survey.item.nothing_left"))
            )
            continue
        geoms[i] = geom
    out = frame.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return out[keep], Repair(tuple(warnings), tuple(refused))


#: How far a text's box may be from the shape it names, in text heights. A CASS symbol and its
#: label are each about one text height across (2–3 mm at 1:500), and a label is written about a
#: height from its symbol's edge, so the symbol's insertion point lies within 2 heights of the box;
#: farther than that the text stands nearer to empty paper than to the symbol.
REACH = 2.0
#: Shapes whose distances differ by less than this share of the text height are a tie, which the
#: shape on the text's anchor side wins: the far end of the box is an estimate, the anchor is not.
TIE = 0.25
#: Roles a text that names a taxonomy kind never names (they are not re-classified by name).
_NO_KIND = frozenset({"boundary", "road", "gate"})


def attach_labels(
    shapes: gpd.GeoDataFrame,
    labels: gpd.GeoDataFrame,
    *,
    taxonomy: Taxonomy,
    reach: float = REACH,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Give shapes the texts that label them, by the distance from each text's box.

    A text names, in this order of preference: the shape whose drawn lines lie nearest its box
    (a point, a line, a polygon's outline; boundaries excluded) within ``reach`` × its height, ties
    within :data:`TIE` going to the shape on the anchor's side; else the smallest polygon holding
    the box's centre (boundaries and roads excluded); else the boundary holding it. A text that
    names a taxonomy kind never names a boundary, road or gate. Pairs are matched nearest first, so
    a shape takes at most one text, its nearest, and a text whose nearest shape went to a nearer
    text names its next nearest within reach. A shape with a name keeps it (the text is used up).

    Both frames are in the drawing's coordinates: ``labels`` has the text boxes as geometry and
    the columns of :data:`pipeline.survey.base.LABEL_COLUMNS`.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame)
        ``shapes`` with ``name`` filled, and the labels that named nothing, with a column
        ``alone``: no shape that could take the text lies within reach of its box.
    """
    out = shapes.copy()
    unused = labels.copy()
    unused["alone"] = True
    if labels.empty or shapes.empty:
        return out, unused
    geoms = shapes.geometry.to_numpy()
    roles = shapes[ROLE].to_numpy()
    boxes = labels.geometry.to_numpy()
    heights = labels[HEIGHT].to_numpy(dtype=float)
    texts = labels[TEXT].to_numpy()
    names_kind = np.array([taxonomy.match({}, t) is not None for t in texts], dtype=bool)
    centres = shapely.centroid(boxes)
    anchors = shapely.points(labels[ANCHOR_X].to_numpy(dtype=float), labels[ANCHOR_Y].to_numpy(dtype=float))
    polygonal = shapely.get_dimensions(geoms) == 2
    areas = shapely.area(geoms)
    reps = shapely.point_on_surface(geoms)

    def allowed(label: np.ndarray, shape: np.ndarray) -> np.ndarray:
        return (roles[shape] != "boundary") & ~(names_kind[label] & np.isin(roles[shape], list(_NO_KIND)))

    # Each candidate pair gets a key (stage, distance or area, tie-breaks); the smallest key wins.
    pairs: list[tuple[tuple[float, ...], int, int]] = []
    drawn = np.where(polygonal, shapely.boundary(geoms), geoms)
    li, si = shapely.STRtree(drawn).query(boxes, predicate="dwithin", distance=reach * heights)
    keep = allowed(li, si)
    li, si = li[keep], si[keep]
    near = shapely.shortest_line(boxes[li], drawn[si])
    dist = shapely.length(near)
    ends = shapely.get_point(near, 1)
    mirrors = shapely.points(2 * shapely.get_coordinates(centres[li]) - shapely.get_coordinates(anchors[li]))
    anchor_side = shapely.distance(ends, anchors[li]) < shapely.distance(ends, mirrors) - 1e-9 * heights[li]
    for label, shape, d, side in zip(li, si, dist, anchor_side, strict=True):
        pairs.append(((0, d - TIE * heights[label] * side, d, label), label, shape))
    li, si = shapely.STRtree(geoms).query(centres, predicate="within")
    inner = polygonal[si] & allowed(li, si) & (roles[si] != "road")
    boundary = polygonal[si] & (roles[si] == "boundary") & ~names_kind[li]
    for label, shape, stage in zip(li, si, np.where(inner, 1, np.where(boundary, 2, -1)), strict=True):
        if stage > 0:
            to_rep = float(shapely.distance(centres[label], reps[shape]))
            pairs.append(((stage, areas[shape], not names_kind[label], to_rep, label), label, shape))
    alone = np.ones(len(labels), dtype=bool)
    li, si = shapely.STRtree(geoms).query(boxes, predicate="dwithin", distance=reach * heights)
    alone[li[allowed(li, si)]] = False
    names = out[S.NAME].to_numpy().copy()
    named = np.zeros(len(labels), dtype=bool)
    taken = np.zeros(len(shapes), dtype=bool)
    for _, label, shape in sorted(pairs, key=lambda p: p[0]):
        if named[label] or taken[shape]:
            continue
        named[label], taken[shape] = True, True
        if not names[shape]:
            names[shape] = texts[label]
    out[S.NAME] = names
    unused["alone"] = alone
    unused = unused[~named]
    log.info(
        "Attached %d of %d texts as names; %d labelled nothing", int(named.sum()), len(labels), len(unused)
    )
    return out, unused


def close_boundaries(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Words]]:
    """Join boundary lines into polygons when the survey has no boundary polygon.

    Walls are often drawn as separate segments; :func:`shapely.polygonize` joins those that
    close. The new polygon's ``source_id`` is the first line's id plus ``+N`` for the others.

    Returns
    -------
    (GeoDataFrame, list of Words)
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
        layers = Listed(sorted(set(lines["layer"])))
        return frame.copy(), [Words("survey.warning.boundary_open", n=len(lines), layers=layers)]
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
    return out, [Words("survey.warning.boundary_joined", n=len(lines), polygons=len(polygons))]
