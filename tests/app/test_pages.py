"""AppTest of every page: runs without exception and shows what it should.

The map component cannot run inside AppTest, so ``streamlit_folium.st_folium`` is replaced by
:class:`FakeMap`, which keeps the folium map the page drew and returns the clicks a test sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from layers.web import to_display
from pipeline.core import schema as S
from pipeline.core.errors import InputFileError
from pipeline.inventory.build import Inventory
from pipeline.workspace.edits import Edits, apply_edits, edits_path
from pipeline.workspace.profile import profile_path
from tests.helpers.app import (
    APP,
    PARK,
    PARK_LABEL,
    PARK_LABEL_FROM_WORK_AREA_GATE,
    ROOT,
    SOUTH_EAST_GATE,
    WORK_AREA_GATE,
    FakeMap,
    marker_labels,
    markers,
)
from tests.helpers.testdata import DEMO_ASSETS
from ui import data
from ui.settings import Settings
from ui.state import K_EXTRACT, K_GATE, K_LANG, K_METHOD

TIMEOUT = 60


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _gate_click(inventory: Inventory, gate: str) -> dict[str, float]:
    point = to_display(inventory.gates[inventory.gates[S.SOURCE_ID] == gate]).iloc[0]
    return {"lat": point.y, "lng": point.x}


def test_layout_shows_every_asset_as_a_numbered_marker(fake_map: FakeMap, demo_inventory: Inventory) -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "布局"
    assert at.text[0].value == "石科院生活区 · beijing_haidian_qinghua-east-rd.osm"  # no id shown
    rows = markers(fake_map.maps[-1], "assets")
    assert len(rows) == len(demo_inventory.assets) == DEMO_ASSETS
    assert marker_labels(fake_map.maps[-1])[PARK] == PARK_LABEL
    gates = markers(fake_map.maps[-1], "gates")
    assert sum('data-main="1"' in row[2] for row in gates) == 1


def test_clicking_another_gate_renumbers(fake_map: FakeMap, demo_inventory: Inventory) -> None:
    fake_map.returns = {"last_object_clicked": _gate_click(demo_inventory, WORK_AREA_GATE)}
    at = _app().run()
    assert not at.exception
    assert at.session_state[K_GATE] == WORK_AREA_GATE
    assert at.query_params["gate"] == WORK_AREA_GATE
    expected = apply_edits(
        demo_inventory, Edits("way/595108678"), gate=data.main_gate(demo_inventory, WORK_AREA_GATE)
    )
    park = expected.assets.set_index(S.SOURCE_ID).loc[PARK, S.LABEL]
    assert park == PARK_LABEL_FROM_WORK_AREA_GATE
    assert marker_labels(fake_map.maps[-1])[PARK] == park


def test_a_point_near_the_boundary_becomes_the_main_gate(
    fake_map: FakeMap, demo_inventory: Inventory
) -> None:
    outline = demo_inventory.boundary.geometry.iloc[0].boundary
    near = outline.interpolate(0.3, normalized=True)  # on the outline, then 10 m inwards
    inside = (
        demo_inventory.boundary.geometry.iloc[0]
        .buffer(-10)
        .boundary.interpolate(demo_inventory.boundary.geometry.iloc[0].buffer(-10).boundary.project(near))
    )
    point = to_display(gpd.GeoDataFrame(geometry=[inside], crs=demo_inventory.crs)).iloc[0]
    fake_map.returns = {"last_clicked": {"lat": point.y, "lng": point.x}}
    at = _app()
    at.session_state["pick_boundary"] = True
    at.run()
    assert not at.exception
    assert at.session_state[K_GATE] == f"{point.x:.7f},{point.y:.7f}"
    gates = markers(fake_map.maps[-1], "gates")
    main = [row for row in gates if 'data-main="1"' in row[2]]
    assert len(main) == 1 and 'data-sid="user-point"' in main[0][2]


def test_the_map_always_reports_clicks_and_one_made_before_picking_picks_nothing(
    fake_map: FakeMap, demo_inventory: Inventory
) -> None:
    corner = demo_inventory.boundary.geometry.iloc[0].boundary.interpolate(0.6, normalized=True)
    point = to_display(gpd.GeoDataFrame(geometry=[corner], crs=demo_inventory.crs)).iloc[0]
    fake_map.returns = {"last_clicked": {"lat": point.y, "lng": point.x}}
    at = _app().run()
    assert not at.exception and at.session_state[K_GATE] == ""  # picking is off
    assert fake_map.kwargs[-1]["returned_objects"] == ["last_object_clicked", "last_clicked"]
    at.session_state["pick_boundary"] = True
    at.run()
    assert not at.exception and at.session_state[K_GATE] == ""  # the old click is not taken as a pick


def test_a_point_far_from_the_boundary_is_refused(fake_map: FakeMap, demo_inventory: Inventory) -> None:
    centre = demo_inventory.boundary.geometry.iloc[0].centroid
    point = to_display(gpd.GeoDataFrame(geometry=[centre], crs=demo_inventory.crs)).iloc[0]
    fake_map.returns = {"last_clicked": {"lat": point.y, "lng": point.x}}
    at = _app()
    at.session_state["pick_boundary"] = True
    at.run()
    assert not at.exception
    assert at.session_state[K_GATE] == ""
    assert "米（超过 50 米）" in at.warning[0].value


def test_clicking_an_asset_shows_it_beside_the_map(fake_map: FakeMap, demo_inventory: Inventory) -> None:
    park = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK]
    point = to_display(gpd.GeoDataFrame(geometry=park.geometry.representative_point(), crs=park.crs)).iloc[0]
    fake_map.returns = {"last_object_clicked": {"lat": point.y, "lng": point.x}}
    at = _app().run()
    assert not at.exception
    assert "选中的资产" in [s.value for s in at.subheader]
    assert ["名称", "畅乐园"] in at.dataframe[1].value.to_numpy().tolist()


def test_the_url_reproduces_a_view(fake_map: FakeMap) -> None:
    at = _app(gate=SOUTH_EAST_GATE, method="perimeter", scheme="category", lang="en").run()
    assert not at.exception
    assert (at.session_state[K_GATE], at.session_state[K_METHOD], at.session_state[K_LANG]) == (
        SOUTH_EAST_GATE,
        "perimeter",
        "en",
    )
    assert at.title[0].value == "Layout"
    assert all(label[0] in "ABC" for label in marker_labels(fake_map.maps[-1]).values())


def test_switching_language_changes_titles(fake_map: FakeMap) -> None:
    at = _app().run()
    assert at.title[0].value == "布局"
    at.sidebar.radio(key=K_LANG).set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Layout"
    assert "Numbered assets" in fake_map.maps[-1].get_root().render()


def test_a_bad_link_falls_back_to_what_exists(fake_map: FakeMap) -> None:
    at = _app(osm="nothing.osm", method="sideways").run()
    assert not at.exception
    assert at.session_state[K_METHOD] == "auto"
    assert at.title[0].value == "布局"


def test_inventory_table_starts_at_label_1(fake_map: FakeMap) -> None:
    at = _app().switch_page("views/inventory.py").run()
    assert not at.exception
    assert at.title[0].value == "清单"
    table = at.dataframe[0].value
    assert table.iloc[0]["编号"] == "1"
    assert table["编号"].tolist() == [str(i) for i in range(1, DEMO_ASSETS + 1)]


def test_inventory_search_filters_the_table(fake_map: FakeMap) -> None:
    at = _app().switch_page("views/inventory.py").run()
    at.text_input(key="inventory_search").input("畅乐园").run()
    assert at.dataframe[0].value["名称"].tolist() == ["畅乐园"]


def test_hiding_an_asset_is_kept_and_renumbers(fake_map: FakeMap, runtime: Path) -> None:
    at = _app().switch_page("views/inventory.py").run()
    next(c for c in at.checkbox if c.label.startswith("隐藏")).check()
    next(b for b in at.button if b.label == "保存修正").click().run()
    assert not at.exception
    saved = json.loads(edits_path(runtime, "way/595108678").read_text(encoding="utf-8"))
    first = next(iter(saved["changes"]))
    assert saved["changes"][first] == {"hidden": True}
    assert at.dataframe[0].value["编号"].tolist() == [str(i) for i in range(1, DEMO_ASSETS)]


def test_adding_an_asset_by_clicking_the_map(fake_map: FakeMap, runtime: Path) -> None:
    fake_map.returns = {"last_clicked": {"lat": 39.99775, "lng": 116.3520}}
    at = _app().switch_page("views/inventory.py").run()
    at.text_input(key="add_name").input("新公厕")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception
    saved = json.loads(edits_path(runtime, "way/595108678").read_text(encoding="utf-8"))
    assert [(a["name"], a["lon"], a["lat"]) for a in saved["added"]] == [("新公厕", 116.352, 39.99775)]
    assert len(at.dataframe[0].value) == DEMO_ASSETS + 1
    assert "新公厕" in at.dataframe[0].value["名称"].tolist()


def test_profile_is_saved_per_compound(fake_map: FakeMap, runtime: Path) -> None:
    at = _app().switch_page("views/profile.py").run()
    assert not at.exception
    assert at.title[0].value == "基本情况"
    next(n for n in at.number_input if n.label == "户数").set_value(1200)
    next(n for n in at.number_input if n.label == "人口").set_value(3100)
    next(t for t in at.text_input if t.label == "物业公司").input("某物业")
    next(b for b in at.button if b.label == "保存基本情况").click().run()
    assert not at.exception
    saved = json.loads(profile_path(runtime, "way/595108678").read_text(encoding="utf-8"))
    assert (saved["households"], saved["population"], saved["property_company"]) == (1200, 3100, "某物业")
    at.switch_page("views/layout.py").run()
    shown = at.dataframe[-1].value
    assert ["户数", "1200"] in shown.to_numpy().tolist()


def test_a_bad_profile_is_refused_and_nothing_is_written(fake_map: FakeMap, runtime: Path) -> None:
    at = _app().switch_page("views/profile.py").run()
    next(n for n in at.number_input if n.label == "户数").set_value(1200)
    next(n for n in at.number_input if n.label == "人口").set_value(100)
    next(b for b in at.button if b.label == "保存基本情况").click().run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    assert any(t.value.startswith("人口（") and "少于户数" in t.value for t in at.text)
    assert not profile_path(runtime, "way/595108678").exists()


@pytest.mark.parametrize("page", ["views/layout.py", "views/inventory.py", "views/profile.py"])
def test_every_page_runs_in_english(fake_map: FakeMap, page: str) -> None:
    at = _app(lang="en").switch_page(page).run()
    assert not at.exception
    assert at.title[0].value in {"Layout", "Inventory", "Profile"}


def test_uploads_are_size_checked_and_kept_by_hash(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "none", runtime_dir=tmp_path, max_upload_mb=1)
    with pytest.raises(InputFileError, match="over the 1 MB limit"):
        data.save_upload("big.osm", b"x" * (2**20 + 1), settings)
    with pytest.raises(InputFileError, match=r"not an \.osm or \.osm\.pbf file"):
        data.save_upload("map.geojson", b"{}", settings)
    extract = data.save_upload("小区.osm.pbf", b"pbf bytes", settings)
    assert extract.startswith("upload:") and extract.endswith(".osm.pbf")
    assert data.extract_path(extract, settings).read_bytes() == b"pbf bytes"
    for bad in ("upload:../../etc/passwd", "upload:0123456789abcdef.osm", "../data.osm"):
        with pytest.raises(InputFileError, match="no extract"):
            data.extract_path(bad, settings)


def test_an_upload_shows_its_name_in_a_new_session_too(fake_map: FakeMap, runtime: Path) -> None:
    settings = Settings(data_dir=ROOT / "data" / "osm", runtime_dir=runtime, max_upload_mb=50)
    osm = (ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm").read_bytes()
    extract = data.save_upload("C:\\下载\\清华东路.osm", osm, settings)
    assert data.source_name(extract, settings) == "清华东路.osm"
    assert data.source_name(extract.removeprefix("upload:"), settings) == "清华东路.osm"  # as a report has it
    assert data.source_name("beijing_haidian_qinghua-east-rd.osm", settings) == "beijing_haidian_qinghua-east-rd.osm"
    at = _app(osm=extract, compound="way/595108678").run()  # a link: this session did not upload it
    assert not at.exception
    assert at.text[0].value.endswith(" · 清华东路.osm")
    box = at.selectbox(key=K_EXTRACT)
    assert box.format_func(extract) == "清华东路.osm" and "清华东路.osm" in box.options


def test_an_extract_without_compounds_says_so(
    fake_map: FakeMap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "osm"
    folder.mkdir()
    (folder / "bench.osm").write_text(
        '<osm version="0.6"><node id="1" lat="39.9" lon="116.4" version="1">'
        '<tag k="amenity" v="bench"/></node></osm>',
        encoding="utf-8",
    )
    monkeypatch.setenv("MAPPER_DATA_DIR", str(folder))
    at = _app().run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    assert at.text[0].value.startswith("`bench.osm` 中没有居住小区")


def test_no_extract_at_all_asks_for_an_upload(
    fake_map: FakeMap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPPER_DATA_DIR", str(tmp_path / "nothing"))
    at = _app().run()
    assert not at.exception
    assert "请在上方上传一个 .osm 或 .osm.pbf 文件" in at.text[0].value
