"""The walking area of a compound: refused without a residential building or a gate on the network."""

from __future__ import annotations

import pytest
import shapely

from pipeline.core.errors import DataError, GateError
from pipeline.inventory.build import build_inventory
from pipeline.inventory.naming import CompoundName
from pipeline.osm.read import read_osm
from pipeline.sites.area import prepare_area
from tests.helpers.testdata import EXTRACTS
from tests.helpers.walk_scene import box, line, walled_scene


def inventory_of(scene):
    return build_inventory(scene.frame(), compound="way/1")


def test_no_residential_building():
    scene = walled_scene()
    scene.rows = [r for r in scene.rows if r["tags"].get("building") != "residential"]
    scene.add("way/60", box(160, 100, 180, 120), "锅炉房", building="yes")
    with pytest.raises(
        DataError, match=r"No residential building inside the compound \(1 buildings inside, 1 of them assets"
    ):
        prepare_area(inventory_of(scene), scene.frame())


def test_no_gate_on_the_network():
    """The only gate is on the east wall, 60 m from the spine, which no longer reaches the ring."""
    scene = walled_scene()
    scene.rows = [r for r in scene.rows if r["source_id"] not in ("node/10", "way/20")]
    scene.add("node/10", shapely.Point(210, 100), "东门", barrier="gate")
    scene.add("way/20", line((150, 5), (150, 150), (150, 195)), highway="service")
    with pytest.raises(
        GateError, match=r"No gate of `围墙小区` is on the walking network: node/10 \(60 m from a path"
    ):
        prepare_area(inventory_of(scene), scene.frame())


def test_no_residential_building_is_said_in_chinese():
    """The scene's one other building, a boiler house, is a facility asset: 1 building inside, 1 of them an asset."""
    scene = walled_scene()
    scene.rows = [r for r in scene.rows if r["tags"].get("building") != "residential"]
    scene.add("way/60", box(160, 100, 180, 120), "锅炉房", building="yes")
    with pytest.raises(DataError) as caught:
        prepare_area(inventory_of(scene), scene.frame())
    assert caught.value.text("zh") == (
        "小区内没有找到住宅楼（内有 1 栋建筑，其中 1 栋是资产或其他用途；没有一栋标为 building=residential/apartments "
        "或名为“3号楼”之类）：请在地图数据中标出住宅楼，或用测绘图给出楼栋。"
    )


def test_a_compound_without_paths_is_named_as_the_app_names_it_never_by_its_osm_id():
    """Helsinki's unnamed block way/37290066 has no footpath inside: the error calls it by the title the
    app shows (from the street beside it, west of Uudenmaankatu), in the reader's language."""
    features = read_osm(EXTRACTS["helsinki"])
    inventory = build_inventory(features, compound="way/37290066")
    with pytest.raises(DataError) as caught:
        prepare_area(inventory, features)
    assert caught.value.text("zh") == (
        "`Uudenmaankatu西侧小区` 内没有标注步行道路：请在地图数据中补画小区内的道路（highway=footway/service），"
        "或在测绘图中画出。"
    )
    assert str(caught.value).startswith("No walking path is mapped inside `compound west of Uudenmaankatu`;")


def test_a_compound_nothing_names_is_the_compound():
    assert CompoundName({"source_id": "way/1", "name": "", "title_zh": "", "title_en": ""}).text("zh") == "本小区"
    assert CompoundName({"name": "荷清苑"}).text("en") == "荷清苑"
