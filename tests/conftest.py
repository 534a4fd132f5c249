"""Shared fixtures: the shipped OSM extracts and the demo compound, read once per session."""

from __future__ import annotations

import os

import geopandas as gpd
import matplotlib
import pytest

from tests.helpers.testdata import DEMO_ID, DEMO_OSM

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

@pytest.fixture(scope="session")
def demo_features() -> gpd.GeoDataFrame:
    """The demo extract (Qinghua East Road, Haidian) read once."""
    from pipeline.osm.read import read_osm

    return read_osm(DEMO_OSM)


@pytest.fixture(scope="session")
def demo_inventory(demo_features):
    """石科院生活区's inventory, built with the defaults (polar, global)."""
    from pipeline.inventory.build import build_inventory

    return build_inventory(demo_features, compound=DEMO_ID)
