"""OpenStreetMap in: extracts read with pyosmium, or fetched from Overpass through osmnx when asked."""

from pipeline.osm.read import OnlineSettings, ReadStats, fetch_osm, from_osmnx, read_osm, read_osm_with_stats

__all__ = [
    "OnlineSettings",
    "ReadStats",
    "fetch_osm",
    "from_osmnx",
    "read_osm",
    "read_osm_with_stats",
]
