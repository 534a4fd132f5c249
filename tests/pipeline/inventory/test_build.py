"""End to end on the demo compound, through the functions and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from pipeline.cli.main import main
from pipeline.core.words import gate_rule_text
from pipeline.inventory.build import read_inventory
from tests.helpers.testdata import DEMO_ID, DEMO_OSM, ROOT

NAMED_INSIDE = {"地下停车场", "科技活动中心", "社区健身器材", "畅乐园", "原幼儿园停车场", "二食堂", "石科院小卖部",
                "多用厅", "石科院职工食堂"}


def polar_order(assets, boundary, gate) -> list[str]:
    """The named assets inside, by bearing from the centroid clockwise from the gate's: worked out here
    with atan2, apart from the numbering code."""
    import math

    centre = boundary.centroid
    assert boundary.contains(centre)

    def bearing(p):
        return math.degrees(math.atan2(p.x - centre.x, p.y - centre.y)) % 360

    start = bearing(gate)
    inside = assets[assets["inside"] & (assets["name"] != "")]
    return [n for _, n in sorted(
        ((bearing(g.representative_point()) - start) % 360, n) for g, n in zip(inside.geometry, inside["name"], strict=True)
    )]


def test_demo_inventory_assets(demo_inventory):
    assets = demo_inventory.assets
    assert list(assets["seq"]) == list(range(1, len(assets) + 1))
    assert list(assets["label"]) == [str(i) for i in assets["seq"]]
    by_name = assets.set_index("name")
    assert tuple(by_name.loc["畅乐园", ["category", "kind", "inside"]]) == ("public_space", "park", True)
    assert tuple(by_name.loc["原幼儿园停车场", ["category", "kind", "rule"]]) == ("facility", "parking", "tag amenity=parking")
    assert tuple(by_name.loc["社区健身器材", ["category", "kind"]]) == ("public_space", "fitness")
    inside_named = [n for n, i in zip(assets["name"], assets["inside"], strict=True) if n and i]
    assert set(inside_named) == NAMED_INSIDE
    boundary = demo_inventory.boundary.geometry.iloc[0]
    if demo_inventory.report["method"] == "polar":
        assert inside_named == polar_order(assets, boundary, demo_inventory.main_gate.point)
    assert (assets[assets["category"] == "facility"]["kind"] == "parking").sum() == 6
    assert assets.crs.to_epsg() == 32650


def test_demo_perimeter_category_from_the_other_gate(demo_features):
    from pipeline.inventory.build import GateOverride, build_inventory

    inventory = build_inventory(
        demo_features, compound="石科院生活区", gate=GateOverride(source_id="node/5671590330"),
        method="perimeter", scheme="category",
    )
    assert inventory.main_gate.name == "东南门"
    assert inventory.main_gate.rule == "user"
    assert gate_rule_text(inventory.main_gate.rule, "en") == "chosen by the user"
    labels = inventory.assets.set_index("name")["label"]
    assert labels["畅乐园"].startswith("A") and labels["原幼儿园停车场"].startswith("B")
    assert inventory.assets["label"].is_unique


def test_build_writes_gpkg_csv_and_report(tmp_path):
    out = tmp_path / "shikeyuan"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--out", str(out)]) == 0
    assert set(pyogrio.list_layers(out / "inventory.gpkg")[:, 0]) == {
        "assets", "boundary", "gates", "buildings", "roads", "green", "water"}
    assets = gpd.read_file(out / "inventory.gpkg", layer="assets")
    assert assets.crs.to_epsg() == 32650
    raw = (out / "inventory.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Chinese
    csv = pd.read_csv(out / "inventory.csv", encoding="utf-8-sig", dtype={"label": str})
    assert list(csv.columns[:8]) == ["seq", "label", "category", "kind", "name", "source", "source_id", "inside"]
    assert list(csv["label"]) == list(assets["label"])
    park = csv[csv["name"] == "畅乐园"].iloc[0]
    lonlat = gpd.GeoSeries([assets[assets["name"] == "畅乐园"].geometry.iloc[0].representative_point()],
                           crs=assets.crs).to_crs(4326).iloc[0]
    assert (park["lon"], park["lat"]) == pytest.approx((lonlat.x, lonlat.y), abs=1e-6)
    assert 116.34 < park["lon"] < 116.36 and 39.99 < park["lat"] < 40.01
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["compound"] == {"source_id": DEMO_ID, "name": "石科院生活区", "area_m2": pytest.approx(113205, rel=1e-3),
                                  "title_zh": "石科院生活区", "title_en": "石科院生活区"}
    assert report["crs"] == "EPSG:32650"
    assert report["main_gate"]["name"] == "东南门"
    assert "opens outward" in gate_rule_text(report["main_gate"]["rule"], "en")
    assert sum(report["counts_by_category"].values()) == len(assets)
    assert report["counts_by_kind"]["parking"] == 6
    assert {r["source_id"] for r in report["review"]} >= {"way/297483973"}
    assert report["credit"] == "© OpenStreetMap contributors"
    back = read_inventory(out)
    assert list(back.assets["label"]) == list(assets["label"])
    assert back.main_gate.source_id == "node/5671590330"


def test_keep_labels_through_the_cli(tmp_path, demo_features):
    """Rebuild from an extract where one asset is gone: labels stay, the gone one is retired."""
    first, second = tmp_path / "v1", tmp_path / "v2"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--out", str(first)]) == 0
    v1 = read_inventory(first).assets.set_index("source_id")["label"]
    gone = v1.index[v1 == "4"][0]
    text = DEMO_OSM.read_text(encoding="utf-8")
    osm_type, osm_id = gone.split("/")
    edited = tmp_path / "edited.osm"
    start = text.index(f'<{osm_type} id="{osm_id}"')
    end = text.index(f"</{osm_type}>", start) + len(f"</{osm_type}>")
    edited.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(["build", "--osm", str(edited), "--compound", DEMO_ID, "--keep-labels", str(first), "--out", str(second)]) == 0
    v2 = read_inventory(second)
    labels = v2.assets.set_index("source_id")["label"]
    assert gone not in labels.index
    assert labels.to_dict() == v1.drop(gone).to_dict()
    assert v2.report["labels_retired"] == ["4"]


# Halfway between 7 (石科院小卖部, 116.350154, 39.997705) and 8 (the car park at 116.350216, 39.997641):
# projected on the boundary ring, clockwise from the main gate, 7 is at 1116.5 m, 8 at 1121.6 m and this
# point at 1119.0 m (shapely's ``project`` on the ring oriented clockwise, worked out apart from the code).
BETWEEN_7_AND_8 = (116.350185, 39.997673)
LIBRARY = "node/5672735859"  # 图书馆, number 5 of the demo


def test_keep_labels_and_a_published_numbering_follow_one_rule(tmp_path):
    """Asset 5 gone, a toilet added between 7 and 8: on the command line (``build --keep-labels``) and in the
    app (published, 5 hidden, the toilet added by hand) every other label stays, 5 is unused, the toilet is 7.1."""
    from pipeline.workspace import edits as E

    first, second = tmp_path / "v1", tmp_path / "v2"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--out", str(first)]) == 0
    v1 = read_inventory(first)
    labels1 = v1.assets.set_index("source_id")["label"].to_dict()
    assert labels1[LIBRARY] == "5" and sorted(labels1.values(), key=int) == [str(i) for i in range(1, 18)]
    expected = {sid: label for sid, label in labels1.items() if sid != LIBRARY}

    text = DEMO_OSM.read_text(encoding="utf-8")
    start = text.index(f'<node id="{LIBRARY.split("/")[1]}"')
    end = text.index("</node>", start) + len("</node>")
    lon, lat = BETWEEN_7_AND_8
    toilet = (
        f'<node id="99999999999" version="1" lat="{lat}" lon="{lon}">'
        '<tag k="amenity" v="toilets"/><tag k="name" v="新公厕"/></node>'
    )
    edited = tmp_path / "edited.osm"
    edited.write_text(text[:start] + toilet + text[end:], encoding="utf-8")
    assert main(["build", "--osm", str(edited), "--compound", DEMO_ID, "--keep-labels", str(first),
                 "--out", str(second)]) == 0
    v2 = read_inventory(second)
    cli = v2.assets.set_index("source_id")["label"].to_dict()
    assert cli.pop("node/99999999999") == "7.1"
    assert cli == expected
    assert v2.report["labels_retired"] == ["5"]

    published = E.publish(E.Edits(DEMO_ID), E.apply_edits(v1, E.Edits(DEMO_ID)), "2026-11-30")
    edits, new = E.add_asset(E.hide(published, LIBRARY), kind="toilets", lon=lon, lat=lat, name="新公厕")
    out = E.apply_edits(v1, edits)
    app = out.assets.set_index("source_id")["label"].to_dict()
    assert app.pop(new) == "7.1"
    assert app == expected
    assert out.report["labels_retired"] == ["5"]
    # the same clockwise order on both paths, the new asset in the same place
    assert [cli.get(s, "new") for s in v2.assets["source_id"]] == [app.get(s, "new") for s in out.assets["source_id"]]


def test_empty_inventory_is_refused(tmp_path, capsys):
    """A compound with nothing around it (tiny boundary in a field) says what to do."""
    boundary = tmp_path / "field.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(116.3560, 40.0080, 116.3562, 40.0082)], crs=4326).to_file(boundary)
    assert main(["build", "--osm", str(DEMO_OSM), "--boundary", str(boundary), "--radius", "1",
                 "--out", str(tmp_path / "o")]) == 2
    assert "inventory is empty" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_failed_rebuild_keeps_the_previous_inventory(tmp_path):
    out = tmp_path / "inv"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--out", str(out)]) == 0
    before = (out / "inventory.csv").read_bytes()
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--gate", "node/1", "--out", str(out)]) == 2
    assert (out / "inventory.csv").read_bytes() == before


def test_pipeline_does_not_import_streamlit():
    code = "import sys, pipeline.cli.main, pipeline.inventory.build, layers.definitions; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_build_with_a_survey_drawing(tmp_path, capsys):
    """A CAD survey in CGCS2000 GK zone 39: its gate and boundary replace OSM's, its assets merge."""
    from tests.helpers.survey_files import write_dxf

    dxf = write_dxf(tmp_path / "测绘图.dxf", epsg="EPSG:4548")
    out = tmp_path / "inv"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--survey", str(dxf),
                 "--survey-crs", "EPSG:4548", "--out", str(out)]) == 0
    inventory = read_inventory(out)
    assets = inventory.assets.set_index("name")
    assert assets.loc["配电室", "source"] == "survey" and assets.loc["配电室", "kind"] == "substation"
    assert assets.loc["垃圾分类驿站", "kind"] == "waste_point"
    assert assets.loc["原幼儿园停车场", "source"] == "survey"
    assert assets.loc["原幼儿园停车场", "other_ids"] == "osm:way/594882341"
    assert assets.loc["畅乐园", "source"] == "osm"  # not in the survey: kept from OSM
    assert inventory.main_gate.name == "东南门" and inventory.gates["source"].eq("survey").all()
    report = inventory.report
    assert report["survey"]["boundary"].startswith("the survey boundary")
    assert {m["osm_id"] for m in report["survey"]["merged"]} >= {"way/594882341", "way/594889495"}
    assert report["credit"] == "© OpenStreetMap contributors; survey: 测绘图.dxf"
    assert list(inventory.assets["seq"]) == list(range(1, len(inventory.assets) + 1))
    assert "测绘图.dxf" in capsys.readouterr().out  # what was read is printed


def test_build_with_a_survey_in_the_wrong_crs_is_refused(tmp_path, capsys):
    from tests.helpers.survey_files import write_dxf

    dxf = write_dxf(tmp_path / "survey.dxf", epsg="EPSG:4548")
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--survey", str(dxf),
                 "--survey-crs", "EPSG:32650", "--out", str(tmp_path / "o")]) == 2
    assert "survey.dxf" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_writing_leaves_gdal_settings_as_they_were(tmp_path, demo_inventory):
    """GeoPackage writes skip SQLite's own fsyncs (the folder is synced once); the setting is put back."""
    from pipeline.inventory.build import write_inventory

    before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    try:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL"})
        folder = write_inventory(demo_inventory, tmp_path / "inv")
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == "NORMAL"
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})
    back = read_inventory(folder)
    assert list(back.assets["source_id"]) == list(demo_inventory.assets["source_id"])
    assert set(pyogrio.list_layers(folder / "inventory.gpkg")[:, 0]) >= {"assets", "boundary", "gates"}
