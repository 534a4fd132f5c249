"""Chinese throughout: every page in zh, on the demo compound, error paths included, shows no English and no internals.

Each page is run with AppTest (the map replaced by :class:`FakeMap`); every word the page gives the
browser is collected from the element tree: titles, texts, captions, alerts, widget labels, help texts,
placeholders and options, table columns and cells. The words are then checked:

- a Latin word must be in :data:`ALLOWED` (file formats, units, the few names Streamlit or the data
  bring: see README "What stays in English"), or a name from the data (the extract's file name, asset
  and gate names, words of the uploaded files);
- nothing path-like: no server folder, no ``.json`` file, no OSM id (``way/``, ``node/``).

The error paths are the ones residents and planners meet: a wrong password, a file that is not a photo,
a profile whose resource has no name, an edits file that is not JSON.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.city.batch import BatchOptions, run_batch
from pipeline.core import schema as S
from pipeline.inventory.build import DEFAULT_RADIUS_M, MAX_RADIUS_M, Inventory
from pipeline.osm.read import read_osm
from pipeline.workspace import edits as E
from pipeline.workspace.edits import edits_path
from pipeline.workspace.profile import profile_path
from store import (
    Planner,
    Resident,
    Store,
    add_spot,
    add_topic,
    cast_ballot,
    close_session,
    hash_password,
    new_resident_key,
    open_session,
)
from tests.helpers.app import APP, PARK, PARK_LABEL, FakeMap
from tests.helpers.chinese import ALLOWED, data_names, leaks, page_words
from tests.helpers.db import code
from tests.helpers.testdata import EXTRACTS
from ui.state import K_GATE, K_SCHEME

TIMEOUT = 120
PASSWORD = "correct horse battery"
EXTRACT = "beijing_haidian_qinghua-east-rd.osm"
COMPOUND = "way/595108678"
#: Latin words a Chinese page may show: formats, units, standards, the language switch's own name.
@pytest.fixture
def sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_map: FakeMap, demo_inventory: Inventory
) -> Iterator[Any]:
    """A store and a planner of this test; a function that runs a page in zh and returns its leaks."""
    url = f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    monkeypatch.setenv("MAPPER_DB_URL", url)
    monkeypatch.setenv("MAPPER_PLANNERS", f"wang={hash_password(PASSWORD)}")
    monkeypatch.delenv("MAPPER_PLANNERS_FILE", raising=False)
    monkeypatch.setenv("MAPPER_BUILD_DIR", str(tmp_path / "build"))
    allowed = ALLOWED | data_names(demo_inventory) | {"wang"}  # the planner's name

    def check(at: AppTest, also: frozenset[str] = frozenset()) -> None:
        assert not at.exception, at.exception
        found = leaks(at, allowed | also)
        assert not found, "\n".join(found)

    with Store(url):
        yield check


def _lonlat(inventory: Inventory, point: Any) -> dict[str, float]:
    """A point of the inventory's CRS as the map reports a click."""
    wgs = gpd.GeoSeries([point], crs=inventory.crs).to_crs(S.WGS84).iloc[0]
    return {"lat": wgs.y, "lng": wgs.x}


def _page(page: str) -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page(page)


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


@pytest.mark.parametrize(
    "page",
    [
        "views/layout.py",
        "views/inventory.py",
        "views/profile.py",
        "views/spots.py",
        "views/vote.py",
        "views/results.py",
        "views/sites.py",
        "views/export.py",
        "views/import_survey.py",
        "views/city.py",
    ],
)
def test_every_page_is_chinese_throughout(sweep: Any, page: str) -> None:
    sweep(_page(page).run())


def test_a_wrong_password_is_refused_in_chinese(sweep: Any) -> None:
    at = _page("views/vote.py").run()
    at.text_input(key="_signin_name").input("wang")
    at.text_input(key="_signin_password").input("wrong password")
    at = _button(at, "规划师登录").click().run()
    assert "规划师姓名或密码不正确：请检查后重试。" in _texts(at)
    sweep(at)


def test_a_file_that_is_not_a_photo_is_refused_in_chinese(
    sweep: Any, fake_map: FakeMap, demo_inventory: Inventory
) -> None:
    park = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK].geometry.iloc[0]
    fake_map.returns = {"last_clicked": _lonlat(demo_inventory, park.representative_point())}
    at = _page("views/spots.py").run()
    at.text_input(key="_pseudonym_spots").input("李大爷")
    at.text_area(key="spots_text").input("台阶没有坡道")
    at.file_uploader(key="spots_photo_0").set_value(("photo.jpg", b"\x87\x75\xa0 not a photo", "image/jpeg"))
    at = _button(at, "提交问题点").click().run()
    assert "文件 `photo.jpg` 不是 JPEG、PNG 或 HEIC 图片：请发送用手机或相机拍摄的照片。" in _texts(at)
    sweep(at, also=frozenset({"photo", "jpg"}))  # the resident's own file name


def test_a_resource_without_a_name_is_refused_in_chinese(sweep: Any, runtime: Path) -> None:
    path = profile_path(runtime, COMPOUND)
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"compound": COMPOUND, "resources": [{"kind": "fund", "name": ""}]}), encoding="utf-8"
    )
    at = _page("views/profile.py").run()
    assert "基本情况文件有误：第 1 项资源没有名称：请填写项目、资金或组织的名称。" in _texts(at)
    sweep(at)


def test_a_broken_edits_file_is_named_without_its_folder(sweep: Any, runtime: Path) -> None:
    path = edits_path(runtime, COMPOUND)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    at = _page("views/inventory.py").run()
    assert "修正记录文件不是有效的 JSON：请手工修正，或将其移走后重新开始。" in _texts(at)
    sweep(at)


def test_an_inventory_with_hidden_added_and_published_assets(
    sweep: Any, runtime: Path, demo_inventory: Inventory
) -> None:
    edits = E.publish(E.Edits(COMPOUND), demo_inventory, "2026-11-30")
    edits = E.hide(edits, demo_inventory.assets[S.SOURCE_ID].iloc[4])
    edits, _ = E.add_asset(edits, kind="seating", lon=116.3502, lat=39.9990)
    E.write_edits(edits, edits_path(runtime, COMPOUND))
    at = _page("views/inventory.py").run()
    assert any(t.startswith("编号已于 2026-11-30 发布") for t in _texts(at))
    sweep(at)
    at.radio(key=K_SCHEME).set_value("category").run()  # the published numbering is global
    assert at.warning and "已发布的是“统一编号 1…N”" in at.warning[0].value
    sweep(at)


def test_a_point_picked_on_the_boundary_is_named_in_chinese(sweep: Any, demo_inventory: Inventory) -> None:
    outline = max(demo_inventory.boundary.geometry.iloc[0].boundary.geoms, key=lambda line: line.length)
    point = _lonlat(demo_inventory, outline.interpolate(0.3, normalized=True))
    at = _page("views/layout.py")
    gate = f"{point['lng']:.7f},{point['lat']:.7f}"
    at.query_params["gate"] = gate
    at = at.run()
    assert at.selectbox(key=K_GATE).value == gate
    sweep(at)
    at = _page("views/layout.py")
    at.query_params["gate"] = "116.3400000,39.9900000"  # a kilometre away
    at = at.run()
    assert any(t.startswith("所选的点距小区边界") for t in _texts(at))
    sweep(at)


def test_supervision_zones_are_said_in_chinese(sweep: Any) -> None:
    at = _page("views/sites.py").run()
    works = at.multiselect(key="sites_works")
    at = works.set_value(works.options[:2]).run()
    columns = [c for d in at.dataframe for c in d.value.columns]
    assert {"片区", "住宅楼", "距离（米）", "量法"} <= set(columns)
    sweep(at)


def test_a_planner_signed_in_and_a_spot_placed(
    sweep: Any, fake_map: FakeMap, demo_inventory: Inventory
) -> None:
    at = _page("views/vote.py").run()
    at.text_input(key="_signin_name").input("wang")
    at.text_input(key="_signin_password").input(PASSWORD)
    at = _button(at, "规划师登录").click().run()
    assert "已登录：wang" in _texts(at)
    sweep(at)
    park = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK].geometry.iloc[0]
    fake_map.returns = {"last_clicked": _lonlat(demo_inventory, park.representative_point())}
    at.switch_page("views/spots.py").run()
    assert f"近 {PARK_LABEL} · 畅乐园" in _texts(at)
    columns = [c for d in at.dataframe for c in d.value.columns]
    assert {"经度", "纬度"} <= set(columns) and not {"lon", "lat"} & set(columns)
    sweep(at)


def test_the_pages_words_are_collected(sweep: Any) -> None:
    """The collector sees titles, table columns and cells: the data's own Latin names count without their list."""
    at = _page("views/layout.py").run()
    words = page_words(at)
    assert "布局" in words and "类别" in words  # the title, and the category table's column
    assert any("beijing" in problem for problem in leaks(at, ALLOWED))


# --- the paths the last sweep missed: a closed vote, survey files refused, a failed compound -------------


def _open_store() -> Store:
    return Store(os.environ["MAPPER_DB_URL"])


def _picker(at: AppTest) -> Any:
    return next(s for s in at.selectbox if s.key and s.key.startswith("vote_session_"))


def test_a_closed_vote_and_a_code_of_another_vote_are_said_in_chinese(sweep: Any) -> None:
    """Votes go by their number in the compound (never the database id); a stranger's code is refused in Chinese."""
    with _open_store() as store:
        planner = Planner("wang")
        elsewhere = open_session(store, "way/1", planner, "别的小区的议事会")  # takes a database id first
        first = open_session(store, COMPOUND, planner, "第一次议事会")
        topic = add_topic(store, first.id, planner, "自行车乱停")
        cast_ballot(
            store, first.id, Resident(new_resident_key(), "钱叔"), {topic.id: 3}, code=code(store, first.id)
        )
        close_session(store, first.id, planner)
        second = open_session(store, COMPOUND, planner, "第二次议事会")
        add_topic(store, second.id, planner, "路灯太暗")
        stranger = code(store, elsewhere.id)
    assert (first.id, second.id) == (elsewhere.id + 1, elsewhere.id + 2)
    at = _page("views/vote.py")
    at.query_params["vote"] = "1"  # the compound's first vote, as its slips and links name it
    at = at.run()
    picker = _picker(at)
    assert picker.value == first.id
    assert picker.options == [
        "#2 · 第二次议事会 · 进行中 · 记名",
        "#1 · 第一次议事会 · 已公布 · 记名",
    ]
    sweep(at)
    at = _page("views/results.py")
    at.query_params["vote"] = "1"
    sweep(at.run())
    at = _page("views/vote.py")
    at.query_params["vote"] = "2"
    at.query_params["code"] = stranger
    at = at.run()
    assert f"参与码 {stranger} 不属于这场投票：请核对纸条，或向规划师索取这场投票的参与码。" in _texts(at)
    # the code's own letters, and the letters codes leave out (不含 0、O、1、I、L)
    sweep(at, also=frozenset(re.findall(r"[A-Za-z]+", stranger)) | {"O", "I", "L"})


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="imp_files").set_value((name, data, "application/octet-stream"))
    return at.run()


def test_survey_files_the_import_refuses_are_said_in_chinese(sweep: Any) -> None:
    """Wrong format, a zip without a Shapefile, a CSV with a bad row: each named with what to do, in Chinese."""
    at = _upload(_page("views/import_survey.py").run(), "测绘点.geojson", b"[1, 2]")
    assert (
        "文件 `测绘点.geojson` 是 JSON，但不是 GeoJSON（没有要素集合）：请从地图软件导出 GeoJSON。"
        in _texts(at)
    )
    sweep(at, also=frozenset({"geojson"}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("测绘说明.docx", b"not a survey")
    at = _upload(_page("views/import_survey.py").run(), "测绘.zip", buffer.getvalue())
    assert any(t.startswith("压缩包 `测绘.zip` 里没有 .shp 文件（有：测绘说明.docx）") for t in _texts(at))
    sweep(at, also=frozenset({"zip", "docx"}))
    rows = "name,x,y\n配电室,439500.0,4428700.0\n食堂,abc,4428710.0\n".encode()
    at = _upload(_page("views/import_survey.py").run(), "points.csv", rows)
    assert "文件 `points.csv` 第 3 行：坐标列 x/y 中的“abc”不是数字：请填写十进制度数或米。" in _texts(at)
    sweep(at, also=frozenset({"points", "csv", "abc"}))


def test_a_survey_without_a_crs_and_its_report_are_said_in_chinese(
    sweep: Any, demo_inventory: Inventory
) -> None:
    """A CSV in metres says no CRS: the page offers candidates in words; once one is chosen, the report is Chinese."""
    park = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK].geometry.iloc[0].centroid
    x, y = gpd.GeoSeries([park], crs=demo_inventory.crs).to_crs("EPSG:4548").iloc[0].coords[0]
    rows = f"name,x,y\n配电室,{x:.1f},{y:.1f}\n食堂,{x + 20:.1f},{y + 15:.1f}\n".encode()
    at = _upload(_page("views/import_survey.py").run(), "points.csv", rows)
    box = next(s for s in at.selectbox if s.key and s.key.startswith("imp_crs_"))
    assert "EPSG:4548 · CGCS2000 3度带高斯-克吕格投影，中央经线东经 117°" in [
        o.split(" · 距")[0] for o in box.options
    ]
    sweep(at, also=frozenset({"points", "csv"}))
    at = box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("EPSG:4548"))).run()
    assert not at.exception and not at.error
    report = next(e for e in at.expander if e.label == "读取报告")
    lines = report.text[0].value.splitlines()
    assert lines[0] == "测绘图：points.csv" and "  已读取：" in lines and "  未读取：" in lines
    sweep(at, also=frozenset({"points", "csv"}))


def test_a_compound_that_failed_in_the_batch_is_said_in_chinese(sweep: Any, tmp_path: Path) -> None:
    """A real batch whose every compound fails (a radius the build refuses): the City page's reason is Chinese."""
    folder = tmp_path / "batch"
    run_batch(
        read_osm(EXTRACTS["xitucheng"]), folder, options=BatchOptions(radius_m=MAX_RADIUS_M + 1), workers=1
    )
    at = _page("views/city.py").run()
    at.selectbox(key="city_folder").set_value("__other__").run()
    at = at.text_input(key="city_path").input(str(folder)).run()
    table = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    refused = f"搜索半径 {MAX_RADIUS_M + 1:g} 米不可用：请填 0 到 {MAX_RADIUS_M:g} 米（默认 {DEFAULT_RADIUS_M:g} 米）。"
    assert table["原因"].tolist() == [refused] * 3
    sweep(at, also=frozenset(re.findall(r"[A-Za-z]+", str(folder))))  # the folder typed in its box
    at = at.selectbox(key="city_open").set_value("way/1376112785").run()  # the first of the three
    assert refused in _texts(at)
    sweep(at, also=frozenset(re.findall(r"[A-Za-z]+", str(folder))))


def test_a_chosen_spot_and_its_stage_are_said_in_chinese(sweep: Any) -> None:
    """A spot chosen beside the map: its stage line uses the catalogue's full-width colon."""
    with _open_store() as store:
        spot = add_spot(
            store, COMPOUND, Resident(new_resident_key(), "李大爷"), 116.3502, 39.9990, "lighting", "路灯不亮"
        )
    at = _page("views/spots.py")
    at.session_state["spots_selected"] = spot.id
    at = at.run()
    assert "进展：待处理" in _texts(at)
    sweep(at)
