"""Geometry the mapper decides once: what a bad boundary becomes, where one outline faces another."""

from __future__ import annotations

import logging

import shapely
import shapely.ops

from pipeline.core.errors import GeometryError

log = logging.getLogger(__name__)


def repair_polygon(geom: shapely.Geometry | None, what: str) -> shapely.Polygon | shapely.MultiPolygon:
    """Return a valid polygon for ``geom``, repairing it with a warning, or raise with the reason.

    ``make_valid`` is tried with ``method="structure"`` first, then the default; only the
    polygonal parts are kept (a spike or a zero-area ring becomes lines, which are dropped).

    Parameters
    ----------
    geom
        The geometry to check.
    what
        Names the input in messages, e.g. ``"boundary of way/595108678"``; the command line shows
        it, the app says the compound's boundary.
    """
    if geom is None or geom.is_empty:
        raise GeometryError("error.geometry.empty", detail=what)
    if isinstance(geom, shapely.LinearRing | shapely.LineString) and geom.is_closed:
        geom = shapely.Polygon(geom)
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon | shapely.GeometryCollection):
        raise GeometryError("error.geometry.not_polygon", detail=what, geom_type=geom.geom_type)
    if geom.is_valid and not isinstance(geom, shapely.GeometryCollection):
        return geom
    reason = shapely.is_valid_reason(geom)
    fixed: shapely.Geometry | None = None
    for method in ("structure", "linework"):
        try:
            fixed = shapely.make_valid(geom, method=method)
            break
        except shapely.errors.GEOSException:
            continue
    if fixed is None:
        raise GeometryError("error.geometry.unrepairable", detail=what, reason=reason)
    parts = [
        g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, shapely.Polygon | shapely.MultiPolygon)
    ]
    polygons = shapely.union_all(parts) if parts else None
    if polygons is None or polygons.is_empty or polygons.area == 0:
        raise GeometryError("error.geometry.no_area", detail=what, reason=reason)
    log.warning(
        "Repaired the %s: %s; area %.1f → %.1f (in its CRS's units).",
        what,
        reason,
        shapely.Polygon(geom.exterior).area if isinstance(geom, shapely.Polygon) else geom.area,
        polygons.area,
    )
    return polygons


def facing_middle(line: shapely.Geometry, other: shapely.Geometry, slack_m: float = 10.0) -> shapely.Point:
    """The middle of the stretch of ``line`` that faces ``other``: within ``slack_m`` of its nearest approach.

    Where a road runs along a whole side, or a campus faces a whole side across the road, the
    nearest point GEOS finds is whichever end of that side it meets first; the middle of the
    facing stretch is where people would put the gate, or the label.
    """
    gap = float(line.distance(other))
    stretch = line.intersection(other.buffer(gap + slack_m))
    parts = [p for p in getattr(stretch, "geoms", [stretch]) if shapely.get_dimensions(p) == 1 and p.length > 0]
    if not parts:
        return shapely.ops.nearest_points(line, other)[0]
    merged = shapely.line_merge(shapely.MultiLineString(parts))
    return shapely.ops.nearest_points(merged, merged.centroid)[0]
