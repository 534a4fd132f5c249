"""Candidate sites: the lawn with spots ranks first, strips are never sites, weights re-rank, zones, CLI."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from pipeline.cli.main import main
from pipeline.core.errors import CRSError, DataError
from pipeline.inventory.build import build_inventory, read_inventory, write_inventory
from pipeline.sites.rank import (
    SiteWeights,
    candidate_sites,
    find_sites,
    rank_sites,
    read_spots,
    supervision_zones,
)
from tests.helpers.testdata import DEMO_OSM
from tests.helpers.walk_scene import LOCAL_CRS, Scene, at, box, lawn_scene, line

#: Six spots along the lawn's north edge (y = 172, 7 m off it), with 6 supports between them.
SPOTS = gpd.GeoDataFrame(
    {"supports": [2, 0, 1, 3, 0, 0], "votes": 0},
    geometry=[at(185 + 8 * i, 172) for i in range(6)],
    crs=LOCAL_CRS,
)


@pytest.fixture(scope="module")
def lawn():
    features = lawn_scene().frame()
    inventory = build_inventory(features, compound="way/1")
    coverage, sites = find_sites(inventory, features, spots=SPOTS)
    return inventory, coverage, sites


def test_lawn_with_spots_and_no_playground_ranks_first(lawn):
    """The 2,000 m² lawn (way/40) has all six spots beside it and no playground within 300 m.

    It can hold one (170 m² needed) and would bring every building within 300 m: demand 1, gap 1.
    """
    _, coverage, sites = lawn
    assert coverage.table.set_index("kind").loc["playground", "status"] == "gap"
    first = sites.iloc[0]
    assert (first["rank"], first["source_id"], first["type"]) == (1, "way/40", "green")
    assert (first["spots"], first["supports"], first["demand"], first["gap"]) == (6, 6, 1.0, 1.0)
    assert first["reason_en"] == (
        "fills: children's and elderly activity ground, none within 300 m; 6 spots nearby; 2,000 m²"
    )
    assert first["reason_zh"] == "补缺：儿童、老年人活动场地（300米内没有）；附近6个问题点；2,000平方米"
    assert first["uses_en"].startswith("children's and elderly activity ground (improvement)")
    assert first["uses_zh"].startswith("儿童、老年人活动场地（完善类）")
    assert first["renovation_class"] == "improvement"
    assert first["score"] > sites.iloc[1]["score"]


def test_a_3_m_grass_strip_is_not_a_candidate(lawn):
    _, _, sites = lawn
    assert "way/41" not in set(sites["source_id"])
    assert (sites["width_m"] >= 8).all()


@pytest.mark.parametrize(("north_block_from", "expected"), [(11.5, 0), (25.0, 1)])
def test_leftover_corner_needs_8_m_of_width(north_block_from, expected):
    """A 100 x 30 m compound: a footway along y=5 (corridor to y=6.5), a building from y=north_block_from.

    At 11.5 the open land between the footway corridor and the building (kept 1 m clear) is 4 m wide:
    no site. At 25 it is 17.5 m wide and 1,700 m² or so: one leftover corner.
    """
    s = Scene()
    s.add("way/1", box(0, 0, 100, 30), landuse="residential")
    s.add("node/2", shapely.Point(50, 0), barrier="gate")
    s.add("way/3", line((50, -20), (50, 0), (50, 5)), highway="footway")
    s.add("way/4", line((0, 5), (50, 5), (100, 5)), highway="footway")
    s.add("way/5", line((-20, -20), (120, -20)), highway="residential")
    s.add("way/6", box(0, north_block_from, 100, 30), "1号楼", building="residential")
    s.add("node/7", shapely.Point(10, 8), amenity="waste_disposal")
    features = s.frame()
    inventory = build_inventory(features, compound="way/1")
    coverage, sites = find_sites(inventory, features)
    found = candidate_sites(coverage.area, inventory.assets)
    assert list(found["type"]) == ["leftover"] * expected
    assert len(sites) == expected
    if expected:
        assert found["width_m"].iloc[0] == pytest.approx(17.5, abs=0.1)


def test_weights_re_rank_without_touching_the_input():
    """Two sites: A is wanted (demand), B fits better; the weights decide which comes first."""
    assessed = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B"],
            "demand": [1.0, 0.0],
            "gap": [0.5, 0.5],
            "suitability": [0.2, 0.9],
            "profile": 0.0,
        },
        geometry=[shapely.Point(0, 0), shapely.Point(1, 0)],
        crs=LOCAL_CRS,
    )
    default = rank_sites(assessed)
    assert list(default["site_id"]) == ["A", "B"]
    assert list(default["score"]) == [
        100 * (0.30 + 0.35 * 0.5 + 0.25 * 0.2) / 1.0,
        100 * (0.35 * 0.5 + 0.25 * 0.9),
    ]
    fit_first = rank_sites(assessed, SiteWeights(demand=0, gap=1, suitability=1, profile=0))
    assert list(fit_first["site_id"]) == ["B", "A"]
    assert list(fit_first["score"]) == [70.0, 35.0]
    assert "score" not in assessed.columns
    with pytest.raises(DataError, match="Site weights must be non-negative with a positive sum"):
        SiteWeights(demand=-1)
    with pytest.raises(DataError, match="positive sum"):
        SiteWeights(demand=0, gap=0, suitability=0, profile=0)


def test_share_aged_60_plus_weights_elderly_uses(lawn):
    inventory, coverage, _ = lawn
    features = lawn_scene().frame()
    _, sites = find_sites(inventory, features, spots=SPOTS, aged_60_plus_pct=40, coverage=coverage)
    lawn_row = sites.set_index("source_id").loc["way/40"]
    assert lawn_row["profile"] == pytest.approx(0.4)


def test_supervision_zones_group_works_by_walking(lawn):
    """Lawn and car park are far apart on foot: two zones; with a 1 km join, one. Every building is in one."""
    _, coverage, sites = lawn
    works = sites[sites["source_id"].isin(["way/40", "way/42"])]
    zones, buildings = supervision_zones(coverage.area, works, join_m=150)
    assert len(zones) == 2
    assert set(buildings["source_id"]) == set(coverage.area.buildings["source_id"])
    by_building = buildings.set_index("name")
    lawn_zone = zones[zones["works"] == works.set_index("source_id").loc["way/40", "site_id"]]["zone"].iloc[0]
    assert by_building.loc["4号楼", "zone"] == lawn_zone
    assert (buildings["by"] == "walk").all()
    one, _ = supervision_zones(coverage.area, works, join_m=1000)
    assert list(one["zone"]) == ["Z1"] and one["buildings"].iloc[0] == 4
    with pytest.raises(DataError, match="No works chosen"):
        supervision_zones(coverage.area, works.iloc[:0])


def test_spots_input():
    plain = pd.DataFrame({"lon": [116.35], "lat": [39.99], "supports": [4]})
    spots = read_spots(plain, LOCAL_CRS)
    assert list(spots[["supports", "votes", "demand"]].iloc[0]) == [4, 0, 5]
    with pytest.raises(DataError, match="needs `lon` and `lat` columns"):
        read_spots(pd.DataFrame({"x": [1]}), LOCAL_CRS)
    with pytest.raises(CRSError, match="The spots have no CRS"):
        read_spots(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), LOCAL_CRS)


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
    assert "candidate sites, first" in capsys.readouterr().out
    coverage = pd.read_csv(out / "coverage.csv", encoding="utf-8-sig")
    assert len(coverage) == 21 and set(coverage["status"]) <= {"met", "partial", "gap"}
    sites = pd.read_csv(out / "sites.csv", encoding="utf-8-sig")
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    assert sites["reason_zh"].str.len().min() > 0
    zones = pd.read_csv(out / "zones.csv", encoding="utf-8-sig")
    assert len(zones) == 8 and set(zones["work"]) <= {"S01", "S02"}
    layers = set(gpd.list_layers(out / "sites.gpkg")["name"])
    assert layers == {"sites", "service_areas", "buildings", "zones", "zone_buildings"}
    assert main([*args, "--works", "S99"]) == 2
    assert "`--works` names ['S99']" in capsys.readouterr().err


def test_spots_come_from_the_store_with_their_supports(tmp_path):
    """The CLI's ``--db`` reader on a real SQLite store: two spots, one supported by a neighbour."""
    from pipeline.cli.sites import spots_from_store
    from store import Resident, Store, add_spot, new_resident_key, support_spot

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


def test_a_cluster_of_spots_away_from_other_sites_is_a_site(lawn):
    """Three spots 5–10 m apart south of the lawn, more than 50 m from any candidate: a site of their own.

    The six spots along the lawn stay the lawn's demand and make no second site.
    """
    inventory, coverage, _ = lawn
    cluster = gpd.GeoDataFrame(
        {"supports": [1, 0, 0]}, geometry=[at(200, 50), at(210, 55), at(205, 45)], crs=LOCAL_CRS
    )
    spots = pd.concat([SPOTS, cluster], ignore_index=True)
    _, sites = find_sites(inventory, spots=spots, coverage=coverage)
    found = sites[sites["type"] == "spots"]
    assert len(found) == 1
    assert (found["spots"].iloc[0], found["supports"].iloc[0]) == (3, 1)
    assert "3 spots nearby" in found["reason_en"].iloc[0]
    assert sites.set_index("source_id").loc["way/40", "spots"] == 6


def test_cli_finds_the_extract_build_recorded(tmp_path, capsys):
    """Without --osm, `sites` reads the extract `build` recorded: the same coverage as with it."""
    inventory_dir = tmp_path / "inventory"
    assert main(["-q", "build", "--osm", str(DEMO_OSM), "--compound", "way/595108678", "--out", str(inventory_dir)]) == 0
    assert read_inventory(inventory_dir).report["osm_path"] == str(DEMO_OSM.resolve())
    assert main(["-q", "sites", "--inventory", str(inventory_dir), "--out", str(tmp_path / "a")]) == 0
    assert main(["-q", "sites", "--inventory", str(inventory_dir), "--osm", str(DEMO_OSM), "--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_csv(tmp_path / d / "coverage.csv", encoding="utf-8-sig") for d in "ab")
    pd.testing.assert_frame_equal(a, b)
