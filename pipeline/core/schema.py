"""Column names, categories and other words of the inventory contract (``docs/design.md``).

Every module uses these constants instead of string literals, so a renamed column is renamed
once. Units are in the names (``dist_m``, ``bearing_deg``, ``area_m2``). What people read (a category's
name, ``category.<key>``) is in the catalogue of words, :mod:`pipeline.core.words`.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """The seed's three classes of what the expert stage numbers."""

    PUBLIC_SPACE = "public_space"
    FACILITY = "facility"
    INSTITUTION = "institution"


#: Prefix of a label in the ``category`` numbering scheme, e.g. ``A03``.
CATEGORY_PREFIX: dict[Category, str] = {
    Category.PUBLIC_SPACE: "A",
    Category.FACILITY: "B",
    Category.INSTITUTION: "C",
}

# Inventory columns (layer ``assets``).
SEQ = "seq"
LABEL = "label"
CATEGORY = "category"
KIND = "kind"
NAME = "name"
SOURCE = "source"
SOURCE_ID = "source_id"
INSIDE = "inside"
GEOMETRY = "geometry"

# Columns the pipeline adds beside the contract.
RULE = "rule"  # the taxonomy rule that classified the asset
TAGS = "tags"  # OSM tags (dict in memory, JSON text in files)
DIST_M = "dist_m"  # distance to the boundary, 0 inside
KEY = "order_key"  # the clockwise key (degrees for polar, metres for perimeter)
LON = "lon"
LAT = "lat"

INVENTORY_COLUMNS = [SEQ, LABEL, CATEGORY, KIND, NAME, SOURCE, SOURCE_ID, INSIDE]

# Sources.
SOURCE_OSM = "osm"
SOURCE_SURVEY = "survey"
SOURCE_MANUAL = "manual"

# Numbering methods (``auto`` picks polar or perimeter from the shape; ``walk`` follows the paths) and schemes.
METHODS = ("auto", "polar", "perimeter", "walk")
SCHEMES = ("global", "category")

WGS84 = "EPSG:4326"
