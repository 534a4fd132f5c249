"""Context layers drawn around the assets: buildings, roads and paths, green space, water.

Later stages draw them (the app's base map, the print figure) and route on them (the walking
network), so the inventory keeps them in its GeoPackage.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from pipeline.core import schema as S

#: How far around the boundary context is kept, in metres.
CONTEXT_MARGIN_M = 150.0

_GREEN: dict[str, set[str] | None] = {
    "leisure": {"park", "garden", "playground", "pitch", "common", "nature_reserve"},
    "landuse": {"grass", "forest", "meadow", "village_green", "recreation_ground", "flowerbed"},
    "natural": {"wood", "grassland", "scrub", "heath"},
}
_WATER: dict[str, set[str] | None] = {"natural": {"water"}, "landuse": {"reservoir", "basin"}, "waterway": None}


def _matches(tags: dict[str, str], table: dict[str, set[str] | None]) -> bool:
    return any(k in tags and (values is None or tags[k] in values) for k, values in table.items())


def context_layers(features: gpd.GeoDataFrame, boundary: shapely.Geometry) -> dict[str, gpd.GeoDataFrame]:
    """Return ``buildings``, ``roads``, ``green`` and ``water`` near the boundary.

    Parameters
    ----------
    features
        The feature frame in the compound's metric CRS.
    boundary
        The compound's polygon in the same CRS.
    """
    near = features[features.intersects(boundary.buffer(CONTEXT_MARGIN_M))]
    tags = near[S.TAGS]
    polygons = near.geom_type.isin(["Polygon", "MultiPolygon"])
    lines = near.geom_type.isin(["LineString", "MultiLineString"])
    masks = {
        "buildings": polygons & tags.map(lambda t: "building" in t or "building:part" in t),
        "roads": lines & tags.map(lambda t: "highway" in t),
        "green": polygons & tags.map(lambda t: _matches(t, _GREEN)),
        "water": (polygons | lines) & tags.map(lambda t: _matches(t, _WATER)),
    }
    layers = {}
    for layer, mask in masks.items():
        part = near[mask.astype(bool)]
        frame = gpd.GeoDataFrame(
            {
                S.SOURCE_ID: part[S.SOURCE_ID].to_numpy(),
                S.NAME: part[S.NAME].fillna("").to_numpy(),
                "type": part[S.TAGS].map(lambda t, layer=layer: _type_of(t, layer)).to_numpy(),
                "levels": pd.to_numeric(
                    part[S.TAGS].map(lambda t: t.get("building:levels")), errors="coerce"
                ).to_numpy(),
            },
            geometry=part.geometry.to_numpy(),
            crs=features.crs,
        )
        if layer != "buildings":
            frame = frame.drop(columns="levels")
        layers[layer] = frame.reset_index(drop=True)
    return layers


def _type_of(tags: dict[str, str], layer: str) -> str:
    keys = {
        "buildings": ("building", "building:part"),
        "roads": ("highway",),
        "green": ("leisure", "landuse", "natural"),
        "water": ("natural", "waterway", "landuse"),
    }[layer]
    return next((tags[k] for k in keys if k in tags), "")
