"""The Import page (导入测绘): upload a survey, choose its CRS or register it from map clicks, accept it.

AppTest drives the page with :class:`FakeMap` standing in for the map component; one test drives the
running app in headless Chromium: a drawing in local coordinates is registered from three control
points clicked on the real map, and accepted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import folium
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from layers.web import escape_text
from layers.web.survey import SURVEY_COLOR, control_point_group
from pipeline.core.errors import MapperError
from pipeline.inventory.build import Inventory
from pipeline.survey.read import read_survey
from pipeline.workspace import surveys as store
from tests.helpers.app import APP, MAP_FRAME, FakeMap, map_frame, markers, open_page, serve, shot
from tests.helpers.survey_files import CASS_ORIGIN, control_points_for, write_cass_sheet, write_dxf
from tests.helpers.testdata import DEMO_ASSETS
from ui.state import K_LANG

TIMEOUT = 60
DEMO = "way/595108678"
SURVEY_ASSETS = ["石科院职工食堂", "原幼儿园停车场", "配电室", "垃圾分类驿站"]
#: The local drawing: the compound on its own grid, rotated 12°, in metres.
ANGLE, SCALE = 12.0, 1.0


@pytest.fixture(scope="module")
def dxf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The demo compound as a surveyor's DXF in CGCS2000 3° Gauss-Krüger CM 117°E (EPSG:4548)."""
    return write_dxf(tmp_path_factory.mktemp("dxf") / "测绘.dxf", epsg="EPSG:4548").read_bytes()


@pytest.fixture(scope="module")
def local_dxf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo compound as a drawing on its own grid (no CRS), rotated 12°."""
    return write_dxf(tmp_path_factory.mktemp("dxf") / "本地坐标.dxf", epsg=None, angle_deg=ANGLE, scale=SCALE)


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page("views/import_survey.py")


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="imp_files").set_value((name, data, "application/octet-stream"))
    return at.run()


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first table the page shows with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _crs_box(at: AppTest):
    return next(s for s in at.selectbox if s.key and s.key.startswith("imp_crs_"))


def _choose(at: AppTest, start: str) -> AppTest:
    box = _crs_box(at)
    return box.select_index(next(i for i, label in enumerate(box.options) if label.startswith(start))).run()


def test_page_runs_in_both_languages_before_an_upload(fake_map: FakeMap) -> None:
    for code, title in (("zh", "导入测绘"), ("en", "Import a survey")):
        at = _page(lang=code).run()
        assert not at.exception
        assert at.title[0].value == title
        assert at.file_uploader(key="imp_files").accept_multiple_files


def test_a_dxf_in_epsg_4548_is_previewed_then_accepted(fake_map: FakeMap, runtime: Path, dxf: bytes) -> None:
    at = _upload(_page().run(), "测绘.dxf", dxf)
    assert not at.exception
    box = _crs_box(at)
    assert box.value is None  # the file states no CRS: the mapper does not guess
    assert box.options[0].startswith(
        "EPSG:4548 · CGCS2000 3度带高斯-克吕格投影，中央经线东经 117°"
    )  # nearest the compound
    at = _choose(at, "EPSG:4548")
    assert not at.exception
    assert "测绘中的资产（4 项）" in [s.value for s in at.subheader]
    table = at.dataframe[-1].value
    assert table["名称"].tolist() == SURVEY_ASSETS
    assert table["类型"].tolist() == ["社区食堂", "机动车停车场", "变配电室", "生活垃圾收集点"]
    html = fake_map.maps[-1].get_root().render()
    assert "测绘图（预览）" in html and SURVEY_COLOR in html
    assert not store.survey_path(runtime, DEMO).exists()  # nothing kept before accepting

    at.button(key="imp_accept").click().run()
    assert not at.exception
    assert store.survey_path(runtime, DEMO).is_file()
    assert at.success[0].value.startswith("已采用测绘")
    at.switch_page("views/inventory.py").run()
    assert not at.exception
    names = at.dataframe[0].value["名称"].tolist()
    assert "配电室" in names and "垃圾分类驿站" in names
    assert len(names) == DEMO_ASSETS + 2  # two survey-only; the canteen and the parking merged
    at.switch_page("views/layout.py").run()
    sources = [row[2].split('data-sid="')[1].split('"')[0] for row in markers(fake_map.maps[-1], "assets")]
    assert "配电:48" in sources


def test_accepting_then_removing_goes_back_to_osm(fake_map: FakeMap, runtime: Path, dxf: bytes) -> None:
    at = _choose(_upload(_page().run(), "测绘.dxf", dxf), "EPSG:4548")
    at.button(key="imp_accept").click().run()
    assert [t.value for t in at.text][1].startswith("测绘.dxf · EPSG:4548")
    at.button(key="imp_remove").click().run()
    assert not at.exception
    assert not store.survey_path(runtime, DEMO).exists()
    assert at.success[0].value.startswith("已移除测绘")
    at.switch_page("views/inventory.py").run()
    assert len(at.dataframe[0].value) == DEMO_ASSETS


def test_texts_that_name_nothing_are_reported_in_the_pages_language(
    fake_map: FakeMap, tmp_path: Path
) -> None:
    """The CASS-like sheet: 12 assets from their labels; the two stray texts listed in the report."""
    data = write_cass_sheet(tmp_path / "注记.dxf").read_bytes()
    e0, n0 = CASS_ORIGIN
    at = _choose(_upload(_page().run(), "注记.dxf", data), "EPSG:4548")
    assert not at.exception
    assert "测绘中的资产（12 项）" in [s.value for s in at.subheader]
    report = at.text[-1].value
    assert f"图层 ZJ：「老槐树」，位于 ({e0 + 43:.2f}, {n0 + 60.15:.2f})" in report
    assert "Texts that label no shape" not in report
    at.sidebar.radio(key=K_LANG).set_value("en").run()
    assert not at.exception
    assert "Assets in the survey (12)" in [s.value for s in at.subheader]
    report = at.text[-1].value
    assert f"layer ZJ: “老槐树” at ({e0 + 43:.2f}, {n0 + 60.15:.2f})" in report
    assert "未标注任何图形的文字" not in report


def test_a_wrong_crs_shows_the_pipelines_message_in_the_pages_language(
    fake_map: FakeMap, runtime: Path, dxf: bytes, demo_inventory: Inventory
) -> None:
    at = _choose(_upload(_page().run(), "测绘.dxf", dxf), "其他坐标系")
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("imp_code_"))).input(
        "EPSG:4549"
    ).run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    saved = next(runtime.glob("uploads/survey/*/测绘.dxf"))
    outline = demo_inventory.boundary.to_crs(4326).geometry.iloc[0]
    with pytest.raises(MapperError) as expected:  # the zone east of Beijing: 190 km off
        read_survey(saved, crs="EPSG:4549", near=outline)
    assert expected.value.text("zh") in [t.value for t in at.text]  # the page says it in its language
    assert all(b.key != "imp_accept" for b in at.button)


PAYLOAD = "<img src=x onerror=alert(1)>`${x}`\\"


def test_survey_and_control_point_names_reach_the_map_escaped(fake_map: FakeMap) -> None:
    feature = {
        "type": "Feature",
        "properties": {"name": f"配电室{PAYLOAD}"},
        "geometry": {"type": "Point", "coordinates": [116.351, 39.9975]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False).encode()
    at = _choose(_upload(_page().run(), "点.geojson", data), "EPSG:4326")
    assert not at.exception
    assert _frame(at, "名称")["名称"].tolist() == [f"配电室{PAYLOAD}"]  # shown as text, as it is
    html = fake_map.maps[-1].get_root().render()
    assert "<img src=x" not in html and "${x}" not in html
    tips = [
        f["properties"]["tip"]
        for e in _walk(fake_map.maps[-1])
        if isinstance(e, folium.GeoJson)
        for f in e.data.get("features", [])
        if "tip" in f["properties"]
    ]
    assert any(escape_text(f"配电室{PAYLOAD}") in tip for tip in tips)
    group = control_point_group(
        pd.DataFrame({"name": [PAYLOAD], "lon": [116.351], "lat": [39.9975]}), clicked=(116.352, 39.9976)
    )
    rows = [row for e in group._children.values() for row in getattr(e, "rows", [])]
    assert len(rows) == 2 and all("<img" not in row[2] + row[3] for row in rows)
    assert escape_text(PAYLOAD) in rows[0][3]


def test_an_upload_over_the_limit_is_refused_and_not_kept(
    fake_map: FakeMap, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPPER_MAX_UPLOAD_MB", "1")
    at = _upload(_page().run(), "大图.dxf", b"0" * (1024 * 1024 + 1))
    assert not at.exception
    assert at.error[0].value == "文件有 1.0 MB，超过 1 MB 的上限；请裁剪出更小的范围。"
    assert not (runtime / "uploads" / "survey").exists()


def test_unrelated_files_together_are_refused(fake_map: FakeMap, runtime: Path, dxf: bytes) -> None:
    at = _page().run()
    at.file_uploader(key="imp_files").set_value(
        [("a.dxf", dxf, "application/octet-stream"), ("b.csv", b"x,y\n1,2\n", "text/csv")]
    )
    at.run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    assert at.text[-1].value == (
        "上传了 2 个文件（a.dxf, b.csv）。每次只能导入一份测绘图：一个文件，"
        "或同一个 Shapefile 的各个部分（同名的 .shp、.shx、.dbf、.prj）。"
    )


def test_control_points_clicked_on_the_map_register_a_local_drawing(
    fake_map: FakeMap, runtime: Path, local_dxf: Path
) -> None:
    points = control_points_for(angle_deg=ANGLE, scale=SCALE).head(3)
    at = _upload(_page().run(), local_dxf.name, local_dxf.read_bytes())
    assert not at.exception
    assert _crs_box(at).value == "local"  # a drawing on its own grid has no other choice
    for i, row in enumerate(points.itertuples()):
        fake_map.returns = {"last_clicked": {"lat": row.lat, "lng": row.lon}}
        at.run()
        assert not at.exception
        assert (at.number_input(key="imp_lon").value, at.number_input(key="imp_lat").value) == (
            row.lon,
            row.lat,
        )
        at.number_input(key="imp_x").set_value(row.local_x)
        at.number_input(key="imp_y").set_value(row.local_y)
        at.text_input(key=f"imp_name_{i}").input(row.name)
        next(b for b in at.button if b.label == "添加控制点").click().run()
        assert not at.exception
    residuals = at.dataframe[0].value
    assert residuals["点名"].tolist() == list(points["name"])
    assert (residuals["残差（米）"] < 0.5).all()
    assert float(at.metric[0].value.removesuffix(" m")) < 0.5
    assert "测绘中的资产（4 项）" in [s.value for s in at.subheader]
    at.button(key="imp_accept").click().run()
    accepted = store.read_accepted(store.survey_path(runtime, DEMO), DEMO)
    assert accepted is not None and accepted.placed.startswith("local drawing coordinates, registered from 3")


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    yield from serve(tmp_path)


@pytest.mark.browser
def test_control_points_clicked_in_a_browser_register_the_drawing(app_url: str, local_dxf: Path) -> None:
    page, outside, close = open_page(app_url, "import_survey")
    try:
        page.get_by_role("heading", name="导入测绘").wait_for(timeout=45_000)
        page.get_by_test_id("stMainBlockContainer").get_by_test_id(
            "stFileUploaderDropzoneInput"
        ).set_input_files(str(local_dxf))
        page.get_by_role("heading", name="控制点").wait_for(timeout=30_000)
        tolerance = page.get_by_label("允许的 RMS（米）")
        tolerance.fill("3")
        tolerance.press("Enter")
        points = control_points_for(angle_deg=ANGLE, scale=SCALE).head(3)
        for i, row in enumerate(points.itertuples()):
            frame = map_frame(page, ".am-num:visible")
            content = page.frame_locator(MAP_FRAME).first.locator("body").element_handle().owner_frame()
            x, y = content.evaluate(
                f"() => {{ const p = window.map.latLngToContainerPoint([{row.lat}, {row.lon}]); return [p.x, p.y]; }}"
            )
            frame.locator(".leaflet-container").first.click(position={"x": x, "y": y})
            # A click is good to a pixel, about a metre at this zoom: the longitude filled in is within 2e-5°.
            page.wait_for_function(
                f"""() => [...document.querySelectorAll('input[aria-label="经度"]')]
                    .some(i => i.value !== '' && Math.abs(parseFloat(i.value) - {row.lon}) < 2e-5)""",
                timeout=30_000,
            )
            page.get_by_label("点名").fill(row.name)
            page.get_by_label("图上 x").fill(f"{row.local_x:.3f}")
            page.get_by_label("图上 y").fill(f"{row.local_y:.3f}")
            page.get_by_role("button", name="添加控制点").click()
            page.wait_for_function(  # the form is emptied for the next point
                f"""() => [...document.querySelectorAll('input[aria-label="点名"]')].every(i => i.value === 'P{i + 2}')
                    && [...document.querySelectorAll('input[aria-label="经度"]')].every(i => i.value === '')""",
                timeout=30_000,
            )
        page.get_by_text("测绘中的资产（4 项）").wait_for(timeout=45_000)
        rms = float(page.locator('[data-testid="stMetricValue"]').first.inner_text().removesuffix(" m"))
        assert rms < 3.0
        frame = map_frame(page, "[data-cp]")
        assert frame.locator("[data-cp]").count() == 3
        assert page.locator('[data-testid="stException"]').count() == 0
        shot(page, "import-control-points.png")
        page.get_by_role("button", name="采用此测绘，重新生成清单").click()
        page.get_by_text("已采用测绘").first.wait_for(timeout=45_000)
        shot(page, "import-accepted.png")
    finally:
        close()
    assert outside == [], f"requests left localhost: {outside}"


@pytest.mark.browser
def test_a_dxf_preview_in_a_browser(app_url: str, dxf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "测绘.dxf"
    path.write_bytes(dxf)
    page, outside, close = open_page(app_url, "import_survey")
    try:
        page.get_by_role("heading", name="导入测绘").wait_for(timeout=45_000)
        page.get_by_test_id("stMainBlockContainer").get_by_test_id(
            "stFileUploaderDropzoneInput"
        ).set_input_files(str(path))
        main = page.get_by_test_id("stMainBlockContainer")
        main.get_by_test_id("stSelectbox").first.click(timeout=30_000)
        page.get_by_role("option").filter(has_text="EPSG:4548").first.click()
        page.get_by_text("测绘中的资产（4 项）").wait_for(timeout=45_000)
        frame = map_frame(page, ".am-num:visible")
        frame.locator(f'path[stroke="{SURVEY_COLOR}"]').first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        shot(page, "import-preview.png")
    finally:
        close()
    assert outside == [], f"requests left localhost: {outside}"
