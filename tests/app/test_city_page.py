"""The City page (城市总览): a batch result's compounds, their map, and opening one.

The batch runs once per module over the Xitucheng extract (three compounds) on a one-worker local
cluster. AppTest drives the page with :class:`FakeMap`; one test clicks a compound on the real map in
headless Chromium.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.city.batch import folder_name, run_batch
from pipeline.city.city import coverage_columns, read_city
from pipeline.inventory.build import read_inventory
from pipeline.osm.read import read_osm
from tests.helpers.app import APP, FakeMap, map_frame, markers, open_page, serve, shot
from tests.helpers.testdata import EXTRACTS

TIMEOUT = 60
#: The three residential compounds of the Xitucheng extract, in the batch's order.
COMPOUNDS = ["way/1376112785", "way/1377379914", "way/1378574613"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder holding one batch result, ``xitucheng/``."""
    root = tmp_path_factory.mktemp("build")
    run_batch(read_osm(EXTRACTS["xitucheng"]), root / "xitucheng", workers=1)
    return root


@pytest.fixture
def build_dir(builds: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAPPER_BUILD_DIR", str(builds))
    return builds


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page("views/city.py")


def _frame(at: AppTest, column: str):
    """The first table the page shows with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _variant(builds: Path, tmp_path: Path, name: str) -> tuple[Path, gpd.GeoDataFrame]:
    """A copy of the batch result to change, and its compounds table."""
    folder = tmp_path / name
    shutil.copytree(builds / "xitucheng", folder)
    return folder, pyogrio.read_dataframe(folder / "city.gpkg", layer="compounds")


def test_the_table_lists_the_three_compounds(fake_map: FakeMap, build_dir: Path) -> None:
    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "城市总览"
    assert at.selectbox(key="city_folder").value == str(build_dir / "xitucheng")
    table = _frame(at, "状态")
    assert table["序号"].tolist() == [1, 2, 3]
    assert "小区编号" not in table.columns  # no OSM id on a page
    assert table["状态"].tolist() == ["已完成"] * 3
    # The BUPT housing as labelled in tests/golden/bupt_housing.toml; the other two each hold one
    # sports ground, a canteen and the campus facilities along their walls.
    assert table["资产数"].tolist() == [16, 11, 11]
    assert table["主入口"].tolist()[0] == "南门"
    assert "3 个小区：3 个已完成，0 个失败" in [c.value for c in at.caption]
    assert "已完成 (3)" in fake_map.maps[-1].get_root().render()


def test_choosing_a_compound_shows_its_assets_on_the_layout_map(fake_map: FakeMap, build_dir: Path) -> None:
    at = _page().run()
    at.selectbox(key="city_open").set_value(COMPOUNDS[2]).run()
    assert not at.exception
    expected = read_inventory(build_dir / "xitucheng" / "compounds" / folder_name(COMPOUNDS[2]))
    assert at.header[0].value == "3. 师大北路南侧小区"  # unnamed in OSM: titled from the nearest street
    assets = _frame(at, "编号")
    assert assets["编号"].tolist() == [str(i) for i in range(1, 12)]
    assert assets["来源"].tolist() == ["OSM"] * len(expected.assets)  # where each comes from, never its id
    assert len(markers(fake_map.maps[-1], "assets")) == 11


def test_a_click_on_the_city_map_opens_that_compound(fake_map: FakeMap, build_dir: Path) -> None:
    city = read_city(build_dir / "xitucheng")
    inside = city.compounds.geometry.iloc[1].representative_point()
    fake_map.returns = {"last_object_clicked": {"lat": inside.y, "lng": inside.x}}
    at = _page().run()
    assert not at.exception
    assert at.session_state["city_open"] == COMPOUNDS[1]
    assert at.header[0].value.startswith("2. ")
    assert len(_frame(at, "编号")) == 11


def test_colouring_by_a_count_draws_its_classes(fake_map: FakeMap, build_dir: Path) -> None:
    at = _page().run()
    at.selectbox(key="city_color_by").set_value("assets").run()
    assert not at.exception
    html = fake_map.maps[-1].get_root().render()
    assert "资产数" in html
    # 11, 11 and 16 assets: six whole values in classes of two.
    assert [c in html for c in ("11–12", "13–14", "15–16")] == [True] * 3


def test_the_page_runs_in_english(fake_map: FakeMap, build_dir: Path) -> None:
    at = _page(lang="en").run()
    assert not at.exception
    assert at.title[0].value == "City overview"
    assert _frame(at, "Status")["Status"].tolist() == ["Built"] * 3


def test_coverage_columns_and_a_failed_compound_are_shown(
    fake_map: FakeMap, build_dir: Path, tmp_path: Path
) -> None:
    """Coverage columns of any name are shown; these stand in for what the batch writes."""
    folder, compounds = _variant(build_dir, tmp_path, "with-coverage")
    compounds = compounds.drop(columns=coverage_columns(compounds))
    compounds["coverage_kindergarten"] = [0.5, None, 0.25]
    compounds["gap_kinds"] = [1, None, 0]
    compounds["gaps"] = ["kindergarten, toilets", None, ""]
    compounds.loc[1, ["status", "reason"]] = ["failed", "DataError: the boundary is a zero-area spike"]
    pyogrio.write_dataframe(compounds, folder / "city.gpkg", layer="compounds")
    at = _page().run()
    at.selectbox(key="city_folder").set_value("__other__").run()
    at.text_input(key="city_path").input(str(folder)).run()
    assert not at.exception
    assert "覆盖缺口" in [s.value for s in at.subheader]
    gaps = _frame(at, "缺口类数")
    assert gaps["缺口"].tolist() == ["幼儿园、公共厕所", "", ""]
    shares = _frame(at, "覆盖率：幼儿园")
    assert shares["覆盖率：幼儿园"].tolist()[::2] == [0.5, 0.25]
    table = _frame(at, "状态")
    assert table["状态"].tolist() == ["已完成", "失败", "已完成"]
    assert table["原因"].tolist()[1] == "DataError: the boundary is a zero-area spike"
    assert "coverage_kindergarten" in at.selectbox(key="city_color_by").options or any(
        o == "覆盖率：幼儿园" for o in at.selectbox(key="city_color_by").options
    )
    at.selectbox(key="city_color_by").set_value("coverage_kindergarten").run()
    assert "覆盖率：幼儿园" in fake_map.maps[-1].get_root().render()
    assert "25%–30%" in fake_map.maps[-1].get_root().render()
    at.selectbox(key="city_open").set_value(COMPOUNDS[1]).run()
    assert not at.exception
    assert at.error[0].value == "该小区在批处理中失败："
    assert at.text[-1].value == "DataError: the boundary is a zero-area spike"


def test_a_folder_without_a_batch_result_says_what_to_do(
    fake_map: FakeMap, build_dir: Path, tmp_path: Path
) -> None:
    at = _page().run()
    at.selectbox(key="city_folder").set_value("__other__").run()
    at.text_input(key="city_path").input(str(tmp_path)).run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    assert at.text[-1].value == "所选文件夹中没有 `city.gpkg`：请选择批量处理输出的文件夹，或先运行批量处理。"


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture
def app_url(tmp_path: Path, builds: Path) -> Iterator[str]:
    yield from serve(tmp_path, MAPPER_BUILD_DIR=str(builds))


@pytest.mark.browser
def test_clicking_a_compound_on_the_city_map_opens_it(app_url: str, builds: Path) -> None:
    city = read_city(builds / "xitucheng")
    inside = city.compounds.geometry.iloc[0].representative_point()
    page, outside, close = open_page(app_url, "city")
    try:
        page.get_by_role("heading", name="城市总览").wait_for(timeout=45_000)
        frame = map_frame(page, "path.leaflet-interactive")
        assert frame.locator("path.leaflet-interactive").count() == 3
        shot(page, "city.png")
        content = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first.locator("body")
        x, y = (
            content.element_handle()
            .owner_frame()
            .evaluate(
                f"() => {{ const p = window.map.latLngToContainerPoint([{inside.y}, {inside.x}]); return [p.x, p.y]; }}"
            )
        )
        frame.locator(".leaflet-container").first.click(position={"x": x, "y": y})
        page.get_by_role("heading", name="1. 西土城路东侧小区").wait_for(timeout=45_000)
        opened = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').nth(1)
        opened.locator(".am-num:visible").first.wait_for(timeout=45_000)
        # Every asset of the compound's inventory, as the batch counted them.
        assert opened.locator(".am-num").count() == int(city.compounds["assets"].iloc[0])
        assert page.locator('[data-testid="stException"]').count() == 0
        shot(page, "city-opened.png")
    finally:
        close()
    assert outside == [], f"requests left localhost: {outside}"


def test_the_city_page_is_chinese_throughout(fake_map: FakeMap, build_dir: Path) -> None:
    """A batch result open, a compound opened: no English word, no path, no OSM id (tests/app/test_chinese.py)."""
    from tests.helpers.chinese import ALLOWED, leaks

    at = _page().run()
    at.selectbox(key="city_open").set_value(COMPOUNDS[0]).run()
    assert not at.exception
    names = {w for d in at.dataframe for c in d.value.columns for w in str(c).split()}
    data = {"xitucheng", "build"}  # the batch result's folder, as the planner named it
    offered = " ".join(p.name for p in EXTRACTS.values())  # the extracts the sidebar offers
    data |= set(re.findall(r"[A-Za-z]+", offered))
    found = leaks(at, ALLOWED | data | names)
    assert not found, "\n".join(found)
