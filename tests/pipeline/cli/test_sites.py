"""The ``sites`` command: the files it writes, spots from the store, the extract ``build`` recorded."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.cli.main import main
from pipeline.inventory.build import read_inventory, write_inventory
from pipeline.sites.candidates import read_spots
from tests.helpers.testdata import DEMO_OSM
from tests.helpers.walk_scene import LOCAL_CRS


def test_cli_writes_sites_coverage_and_zones(demo_inventory, tmp_path, capsys):
    inventory_dir = write_inventory(demo_inventory, tmp_path / "inventory")
    spots = tmp_path / "spots.csv"
    spots.write_text("lon,lat,supports\n116.3505,39.9985,3\n", encoding="utf-8")
    out = tmp_path / "sites"
    args = [
        "-q",
        "sites",
        "--inventory",
        str(inventory_dir),
        "--osm",
        str(DEMO_OSM),
        "--out",
        str(out),
        "--spots",
        str(spots),
    ]
    assert main([*args, "--works", "S01,S02"]) == 0
    said = capsys.readouterr().out
    assert "candidate sites, first" in said
    # The demo maps 8 residential buildings on 11.3 ha: kinds none reaches are not mapped, not gaps.
    assert "13 of 21 kinds with none mapped within their radius (a thin map: survey the compound" in said
    coverage = pd.read_csv(out / "coverage.csv", encoding="utf-8-sig")
    assert len(coverage) == 21 and set(coverage["status"]) == {"met", "partial", "unmapped"}
    sites = pd.read_csv(out / "sites.csv", encoding="utf-8-sig")
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    assert sites["reason_zh"].str.len().min() > 0
    assert "options" not in sites.columns  # the ranking's working data stays out of the files
    assert sites["uses_zh"].str.count("；").max() <= 2  # three uses at most
    zones = pd.read_csv(out / "zones.csv", encoding="utf-8-sig")
    assert len(zones) == 8 and set(zones["work"]) <= {"S01", "S02"}
    layers = set(gpd.list_layers(out / "sites.gpkg")["name"])
    assert layers == {"sites", "service_areas", "buildings", "zones", "zone_buildings"}
    assert main([*args, "--works", "S99"]) == 2
    assert "`--works` names ['S99']" in capsys.readouterr().err


def test_spots_come_from_the_store_with_their_supports(tmp_path):
    """The store's reader behind ``sites --db``, on a real SQLite store: two spots, one supported by a neighbour."""
    from store import Resident, Store, add_spot, new_resident_key, spots_from_store, support_spot

    url = f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    store = Store(url)
    first = add_spot(
        store, "way/1", Resident(new_resident_key(), "张阿姨"), 116.35, 39.99, "seating", "没有座椅"
    )
    add_spot(store, "way/1", Resident(new_resident_key(), "李师傅"), 116.351, 39.99, "lighting", "路灯坏了")
    support_spot(store, first.id, Resident(new_resident_key(), "王奶奶"))
    frame = spots_from_store(url, "way/1")
    assert sorted(zip(frame["text"], frame["supports"], frame["votes"], strict=True)) == [
        ("没有座椅", 1, 0),
        ("路灯坏了", 0, 0),
    ]
    assert sorted(read_spots(frame, LOCAL_CRS)["demand"]) == [1, 2]


def test_cli_finds_the_extract_build_recorded(tmp_path, capsys):
    """Without --osm, `sites` reads the extract `build` recorded: the same coverage as with it."""
    inventory_dir = tmp_path / "inventory"
    assert main(["-q", "build", "--osm", str(DEMO_OSM), "--compound", "way/595108678", "--out", str(inventory_dir)]) == 0
    assert read_inventory(inventory_dir).report["osm_path"] == str(DEMO_OSM.resolve())
    assert main(["-q", "sites", "--inventory", str(inventory_dir), "--out", str(tmp_path / "a")]) == 0
    assert main(["-q", "sites", "--inventory", str(inventory_dir), "--osm", str(DEMO_OSM), "--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_csv(tmp_path / d / "coverage.csv", encoding="utf-8-sig") for d in "ab")
    pd.testing.assert_frame_equal(a, b)


def test_cli_weights_coverage_by_the_households_given(tmp_path):
    inventory = tmp_path / "inv"
    assert main(["-q", "build", "--osm", str(DEMO_OSM), "--compound", "way/595108678", "--out", str(inventory)]) == 0
    households = tmp_path / "households.csv"
    households.write_text("source_id,households\nway/594886651,60\n", encoding="utf-8")
    out = tmp_path / "sites"
    assert main(["-q", "sites", "--inventory", str(inventory), "--households", str(households), "--out", str(out)]) == 0
    buildings = gpd.read_file(out / "sites.gpkg", layer="buildings").set_index("source_id")
    assert buildings.loc["way/594886651", "weight"] == 60
    assert buildings.loc["way/594886651", "weight_basis"] == "households"
    assert main(["-q", "sites", "--inventory", str(inventory), "--households", str(tmp_path / "no.csv"),
                 "--out", str(out)]) == 2


def test_every_sites_table_goes_through_the_escaping_writer(demo_inventory, tmp_path, monkeypatch):
    from unittest import mock

    from pipeline.core import cells
    from pipeline.core.fileio import read_stamp

    inventory_dir = write_inventory(demo_inventory, tmp_path / "inventory")
    with mock.patch("pipeline.core.cells.csv_bytes", wraps=cells.csv_bytes) as spy:
        assert main(["-q", "sites", "--inventory", str(inventory_dir), "--osm", str(DEMO_OSM),
                     "--out", str(tmp_path / "s")]) == 0  # fmt: skip
    assert spy.call_count == 3  # coverage.csv, access.csv, sites.csv
    assert read_stamp(tmp_path / "s")["kind"] == "sites"
