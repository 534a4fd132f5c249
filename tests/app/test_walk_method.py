"""The sidebar offers the walk method, and the layout's markers follow it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers.app import APP, PARK, PARK_LABEL, FakeMap, marker_labels
from ui.state import K_METHOD


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def test_a_planner_numbers_the_demo_by_walking_its_paths(fake_map: FakeMap) -> None:
    at = _app().run()
    assert marker_labels(fake_map.maps[-1])[PARK] == PARK_LABEL  # auto: perimeter on the demo
    radio = at.sidebar.radio(key=K_METHOD)
    assert radio.options[-1] == "沿小区内部道路行走"  # shown in the page's language
    at = radio.set_value("walk").run()
    assert not at.exception
    # 畅乐园 is the second asset met walking the paths from 东南门 (tests/pipeline/inventory/test_walkorder.py).
    assert marker_labels(fake_map.maps[-1])[PARK] == "2"
    assert at.query_params["method"] == "walk"  # the link reproduces the view


def test_the_layout_says_which_assets_the_walk_does_not_reach(fake_map: FakeMap) -> None:
    at = _app(method="walk").run()
    assert not at.exception
    # 石科院小卖部 and one car park lie 31 and 35 m from the walked paths (test_walkorder.py).
    assert "2 项离道路超过 30 米，按其在边界上的位置编号。" in [c.value for c in at.caption]


def test_the_layout_says_when_there_are_no_paths_to_walk(fake_map: FakeMap) -> None:
    # 静淑苑 (tests/golden/jingshu.toml) has no path mapped inside.
    at = _app(osm="beijing_haidian_wudaokou-2017.osm", compound="way/860342589", method="walk", lang="en").run()
    assert not at.exception
    assert at.session_state[K_METHOD] == "walk"
    captions = [c.value for c in at.caption]
    assert "No paths inside the compound reach the main gate; numbered along the boundary instead." in captions
