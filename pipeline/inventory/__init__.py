"""A compound's inventory: boundary, gates and the main gate, classified assets numbered clockwise.

``compound`` finds the compound, ``gates`` its gates and the main-gate rule, ``classify`` the assets,
``numbering`` the clockwise order, ``merge`` a survey with OSM, ``build`` puts them together and reads and
writes the inventory folder. ``export`` (GPKG, GeoJSON, CSV, XLSX, DXF) is imported on its own, since it
loads ezdxf and openpyxl.
"""

from pipeline.inventory.build import (
    GateOverride,
    Inventory,
    build_inventory,
    read_inventory,
    read_previous_labels,
    renumber,
    write_inventory,
)
from pipeline.inventory.classify import classify_features, select_assets
from pipeline.inventory.compound import find_compound, find_compounds, read_boundary_file
from pipeline.inventory.gates import MainGate, choose_main_gate, find_gates
from pipeline.inventory.merge import merge_survey
from pipeline.inventory.numbering import number_assets

__all__ = [
    "GateOverride",
    "Inventory",
    "MainGate",
    "build_inventory",
    "choose_main_gate",
    "classify_features",
    "find_compound",
    "find_compounds",
    "find_gates",
    "merge_survey",
    "number_assets",
    "read_boundary_file",
    "read_inventory",
    "read_previous_labels",
    "renumber",
    "select_assets",
    "write_inventory",
]
