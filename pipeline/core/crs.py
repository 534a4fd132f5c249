"""The compound's local metric CRS, and the guard that keeps degrees out of metric steps."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS

from pipeline.core.errors import CRSError


def utm_crs(geometry: shapely.Geometry) -> CRS:
    """Return the WGS-84 UTM zone CRS of a WGS-84 geometry's centre (EPSG:326xx or 327xx)."""
    centre = geometry.centroid
    if not (-180 <= centre.x <= 180 and -90 <= centre.y <= 90):
        raise CRSError(
            f"The centre ({centre.x:.1f}, {centre.y:.1f}) is not a longitude/latitude; "
            "the geometry must be in WGS-84 (EPSG:4326) to pick its UTM zone."
        )
    zone = int((centre.x + 180) // 6) % 60 + 1
    return CRS.from_epsg((32600 if centre.y >= 0 else 32700) + zone)


def require_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> None:
    """Raise :class:`CRSError` unless ``frame`` is in a projected CRS whose unit is the metre.

    Metric steps (distances, bearings, the clockwise walk) give nonsense on degrees, so they
    call this first instead of guessing.
    """
    crs = frame.crs
    if crs is None:
        raise CRSError(
            f"The {what} have no CRS; set one (e.g. `frame.set_crs('EPSG:4326')`) before numbering."
        )
    if not crs.is_projected:
        raise CRSError(
            f"The {what} are in geographic coordinates ({crs.name}); a metric step needs metres. "
            "Project them first, e.g. `frame.to_crs(pipeline.core.crs.utm_crs(boundary))`, or use the CLI, "
            "which does it for you."
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError(f"The {what} are in {crs.name}, measured in {unit}; reproject to a metric CRS.")


def same_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise :class:`CRSError` when the frames are not all in one CRS, naming both values."""
    first = frames[0].crs
    for other in frames[1:]:
        if other.crs != first:
            raise CRSError(
                f"Inputs are in different CRSs ({first} and {other.crs}); reproject them to one "
                "with `to_crs` before numbering."
            )
