"""The compound's local metric CRS, and the guard that keeps degrees out of metric steps."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS

from pipeline.core.errors import CRSError
from pipeline.core.words import CRSName


def utm_crs(geometry: shapely.Geometry) -> CRS:
    """Return the WGS-84 UTM zone CRS of a WGS-84 geometry's centre (EPSG:326xx or 327xx)."""
    centre = geometry.centroid
    if not (-180 <= centre.x <= 180 and -90 <= centre.y <= 90):
        raise CRSError("error.crs.not_lonlat", x=centre.x, y=centre.y)
    zone = int((centre.x + 180) // 6) % 60 + 1
    return CRS.from_epsg((32600 if centre.y >= 0 else 32700) + zone)


def require_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> None:
    """Raise :class:`CRSError` unless ``frame`` is in a projected CRS whose unit is the metre.

    Metric steps (distances, bearings, the clockwise walk) give nonsense on degrees, so they
    call this first instead of guessing. ``what`` names the input for the command line.
    """
    crs = frame.crs
    if crs is None:
        raise CRSError("error.crs.none", detail=what)
    if not crs.is_projected:
        raise CRSError("error.crs.geographic", detail=what, crs=CRSName(crs.name))
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError("error.crs.unit", detail=what, crs=CRSName(crs.name), unit=unit)


def same_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise :class:`CRSError` when the frames are not all in one CRS, naming both values."""
    first = frames[0].crs
    for other in frames[1:]:
        if other.crs != first:
            raise CRSError("error.crs.different", first=first, other=other.crs)
