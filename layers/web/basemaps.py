"""Tile base maps (online only) and the lon/lat a map is drawn in.

OpenStreetMap, Tianditu (with the user's key) and Gaode/AMap. Gaode's tiles are in GCJ-02, so with Gaode
every overlay is shifted to GCJ-02 too (``pipeline.core.coords.wgs84_to_gcj02``), and a click is shifted
back; offline, the inventory's own context layers are the base map.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import shapely

from layers.web.html import escape_text
from pipeline.core import schema as S
from pipeline.core.coords import gcj02_to_wgs84, wgs84_to_gcj02
from pipeline.core.errors import DataError
from pipeline.core.words import word

#: Maximum distance in metres between a click and a marker for the click to pick that marker.
CLICK_TOLERANCE_M = 3.0


@dataclass(frozen=True)
class Basemap:
    """A tile base map: its key, tile URL templates, credit, and datum."""

    key: str
    tiles: tuple[str, ...] = ()
    attribution: str = ""
    subdomains: str = "abc"
    gcj02: bool = False
    needs_key: bool = False

    def name(self, lang: str = "zh") -> str:
        """Return the base map's name in ``lang`` (the catalogue's ``map.basemap.<key>``)."""
        return word(f"map.basemap.{self.key}", lang)


_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}"
)
BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none"),
    "osm": Basemap(
        "osm",
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
        "© OpenStreetMap contributors",
    ),
    "tianditu": Basemap(
        "tianditu",
        (_TIANDITU.format(layer="vec"), _TIANDITU.format(layer="cva")),
        "© 天地图 Tianditu",
        subdomains="01234567",
        needs_key=True,
    ),
    "gaode": Basemap(
        "gaode",
        ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
        "© 高德地图 AutoNavi",
        subdomains="1234",
        gcj02=True,
    ),
}


def _shift(basemap: str) -> Callable[[np.ndarray], np.ndarray]:
    """Return the function from WGS-84 (N×2 lon, lat) to the base map's datum, rounded to 1e-7°."""
    if not BASEMAPS[basemap].gcj02:
        return lambda xy: np.round(xy, 7)

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 7)

    return shift


def to_display(frame: gpd.GeoDataFrame, basemap: str = "none") -> gpd.GeoSeries:
    """Return the frame's geometries in the base map's lon/lat (WGS-84, or GCJ-02 for Gaode)."""
    wgs = frame.geometry.to_crs(S.WGS84)
    return gpd.GeoSeries(shapely.transform(wgs.values, _shift(basemap)), index=frame.index, crs=S.WGS84)


def display_to_wgs84(lon: float, lat: float, basemap: str = "none") -> tuple[float, float]:
    """Return WGS-84 lon/lat of a point clicked on a map drawn over ``basemap``."""
    if not BASEMAPS[basemap].gcj02:
        return lon, lat
    x, y = gcj02_to_wgs84(lon, lat)
    return float(x), float(y)


def point_at(
    frame: gpd.GeoDataFrame,
    lat: float,
    lon: float,
    basemap: str = "none",
    tolerance_m: float = CLICK_TOLERANCE_M,
) -> int | None:
    """Return the position in ``frame`` of the feature whose marker is at a clicked point, or ``None``.

    Markers stand on each feature's representative point, and a click on a marker reports the
    marker's own position, so the tolerance is small.
    """
    if frame.empty:
        return None
    points = to_display(
        gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=frame.crs), basemap
    )
    dx = (points.x.to_numpy() - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (points.y.to_numpy() - lat) * 110_540
    dist = np.hypot(dx, dy)
    i = int(np.argmin(dist))
    return i if dist[i] <= tolerance_m else None


def tile_layers(basemap: str, tianditu_key: str, lang: str) -> list[folium.TileLayer]:
    """Return the tile layers of ``basemap`` (none offline); Tianditu needs the user's 32-hex key."""
    spec = BASEMAPS[basemap]
    if spec.needs_key and not (
        len(tianditu_key) == 32 and all(c in "0123456789abcdefABCDEF" for c in tianditu_key)
    ):
        raise DataError("error.map.tianditu_key")
    layers = []
    for i, url in enumerate(spec.tiles):
        layers.append(
            folium.TileLayer(
                tiles=url.replace("{tk}", tianditu_key),
                attr=escape_text(spec.attribution),
                name=escape_text(spec.name(lang)) if i == 0 else f"{escape_text(spec.name(lang))} ·",
                subdomains=spec.subdomains,
                max_zoom=20,
                max_native_zoom=18,
                overlay=i > 0,
                control=i == 0,
            )
        )
    return layers
