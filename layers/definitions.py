"""The layer definitions shared by the web map and the print figure.

A :class:`LayerDef` says which part of an inventory a layer shows and how it looks; what it is called
is the catalogue's ``map.layer.<key>`` (:mod:`pipeline.core.words`, like every word). Colours are hex
strings both folium and matplotlib accept.
Category colours come from ColorBrewer's qualitative "Set1" scheme so they stay distinct in print
and for common colour-vision deficiencies (red/green are not used together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd

from pipeline.core import schema as S
from pipeline.core.words import word
from pipeline.inventory.build import Inventory


@dataclass(frozen=True)
class Style:
    """How a layer is drawn: stroke, fill, widths in points (print) / pixels (web), z-order."""

    color: str
    fill: str | None = None
    weight: float = 1.0
    opacity: float = 1.0
    fill_opacity: float = 0.0
    dash: str | None = None  # e.g. "6 4"
    zorder: int = 1


@dataclass(frozen=True)
class LayerDef:
    """One thematic layer: a key, how to get its data, and its style."""

    key: str
    data: Callable[[Inventory], gpd.GeoDataFrame]
    style: Style
    on_by_default: bool = True

    def name(self, lang: str = "zh") -> str:
        """Return the layer's name in ``lang`` (the catalogue's ``map.layer.<key>``)."""
        return word(f"map.layer.{self.key}", lang)


def _context(layer: str) -> Callable[[Inventory], gpd.GeoDataFrame]:
    def get(inventory: Inventory) -> gpd.GeoDataFrame:
        return inventory.context.get(layer, gpd.GeoDataFrame(geometry=[], crs=inventory.crs))

    return get


#: Marker colour of each category (Set1: blue, orange, purple).
CATEGORY_COLORS: dict[S.Category, str] = {
    S.Category.PUBLIC_SPACE: "#377eb8",
    S.Category.FACILITY: "#ff7f00",
    S.Category.INSTITUTION: "#984ea3",
}
#: Marker shape of each category in print (matplotlib marker codes), so a grey print still tells them apart.
CATEGORY_MARKERS: dict[S.Category, str] = {
    S.Category.PUBLIC_SPACE: "o",
    S.Category.FACILITY: "s",
    S.Category.INSTITUTION: "D",
}
GATE_COLOR = "#4d4d4d"
MAIN_GATE_COLOR = "#e41a1c"

#: Base layers, bottom to top. Assets and gates are drawn above them by each renderer.
BASE_LAYERS: tuple[LayerDef, ...] = (
    LayerDef(
        "green",
        _context("green"),
        Style(color="#7fbf7b", fill="#d9f0d3", weight=0.5, fill_opacity=0.8, zorder=1),
    ),
    LayerDef(
        "water",
        _context("water"),
        Style(color="#6baed6", fill="#c6dbef", weight=0.8, fill_opacity=0.9, zorder=2),
    ),
    LayerDef(
        "roads",
        _context("roads"),
        Style(color="#bdbdbd", weight=1.6, zorder=3),
    ),
    LayerDef(
        "buildings",
        _context("buildings"),
        Style(color="#969696", fill="#e0e0e0", weight=0.5, fill_opacity=0.9, zorder=4),
    ),
    LayerDef(
        "boundary",
        lambda inv: inv.boundary,
        Style(color="#e41a1c", weight=2.2, dash="8 4", zorder=5),
    ),
)

#: Line weight of a road class (OSM ``highway``) relative to the ``roads`` style; other classes 1.
#: Wide classes read as roads, thin ones as paths, in print and on the web map alike.
ROAD_CLASS_WEIGHT: dict[str, float] = {
    "motorway": 3.0,
    "trunk": 3.0,
    "primary": 2.6,
    "secondary": 2.3,
    "tertiary": 2.0,
    "motorway_link": 1.8,
    "trunk_link": 1.8,
    "primary_link": 1.7,
    "secondary_link": 1.6,
    "tertiary_link": 1.4,
    "residential": 1.4,
    "unclassified": 1.3,
    "living_street": 1.2,
    "service": 0.9,
    "pedestrian": 0.8,
    "track": 0.6,
    "footway": 0.45,
    "path": 0.45,
    "cycleway": 0.45,
    "steps": 0.45,
}

ASSETS = LayerDef(
    "assets",
    lambda inv: inv.assets,
    Style(color="#ffffff", weight=1.0, zorder=8),
)
GATES = LayerDef("gates", lambda inv: inv.gates, Style(color=GATE_COLOR, weight=1.0, zorder=7))

LAYERS: tuple[LayerDef, ...] = (*BASE_LAYERS, GATES, ASSETS)
