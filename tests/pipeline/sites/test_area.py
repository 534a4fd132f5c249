"""The walking area of a compound: refused without a residential building or a gate on the network."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from pipeline.core.errors import DataError, GateError
from pipeline.inventory.build import build_inventory
from pipeline.inventory.naming import Titled
from pipeline.osm.read import read_osm
from pipeline.sites.area import courtyard_lines, prepare_area
from tests.helpers.testdata import EXTRACTS
from tests.helpers.walk_scene import box, line, walled_scene


@pytest.fixture(scope="module")
def helsinki():
    return read_osm(EXTRACTS["helsinki"])


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
    """The only gate is on the east wall, 60 m from the spine, which no longer reaches the ring: the
    message calls it by its name, 东门, not by its OSM id."""
    scene = walled_scene()
    scene.rows = [r for r in scene.rows if r["source_id"] not in ("node/10", "way/20")]
    scene.add("node/10", shapely.Point(210, 100), "东门", barrier="gate")
    scene.add("way/20", line((150, 5), (150, 150), (150, 195)), highway="service")
    with pytest.raises(
        GateError, match=r"No gate of `围墙小区` is on the walking network: 东门 \(60 m from a path"
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


def test_a_compound_without_paths_inside_is_crossed_in_straight_lines_from_each_home_to_the_gates(helsinki):
    """Helsinki's block way/37290066 maps no footpath inside: each home reaches a gate across the courtyard.

    Every building joins the network, and its walk to the nearest gate is at least the straight line from
    where it joins (nothing is shorter) and at most the line from its centre point plus the way out to
    where it joins (the courtyard line it stands on), both measured here with shapely.
    """
    inventory = build_inventory(helsinki, compound="way/37290066")
    area = prepare_area(inventory, helsinki)
    assert area.courtyard and len(area.buildings) == 5
    assert (area.building_nodes >= 0).all()
    net = area.network
    gates = list(net.gate_nodes.values())
    walked = dijkstra(net.csgraph, directed=False, indices=gates).min(axis=0)
    for node, row in zip(area.building_nodes, area.building_of, strict=True):
        anchor = shapely.Point(net.xy[node])
        centre = area.buildings.geometry.iloc[row].representative_point()
        straight = min(anchor.distance(shapely.Point(net.xy[g])) for g in gates)
        via_centre = min(centre.distance(shapely.Point(net.xy[g])) for g in gates) + centre.distance(anchor)
        assert straight - 0.05 <= walked[node] <= via_centre + 0.05  # nodes sit on a 1 cm grid


def test_a_gate_no_path_reaches_is_named_as_the_app_names_it(helsinki):
    """Pääskynen's one gate, inferred on its north-west side, is 63 m from the path inside: the error
    calls the gate what the app calls it, never ``boundary``, the id the inventory gives it."""
    inventory = build_inventory(helsinki, compound="way/37286930")
    with pytest.raises(GateError) as caught:
        prepare_area(inventory, helsinki)
    said = caught.value.text("zh")
    assert said.startswith("`Pääskynen` 没有一个出入口连上步行路网：西北侧入口（Eerikinkatu）（距内侧道路 63 米，")
    assert "boundary" not in said and "boundary" not in str(caught.value)
    assert "north-west entrance (Eerikinkatu) (63 m from a path inside" in str(caught.value)


def test_a_compound_nothing_names_is_the_compound():
    assert Titled({"source_id": "way/1", "name": "", "title_zh": "", "title_en": ""}).text("zh") == "本小区"
    assert Titled({"name": "荷清苑"}).text("en") == "荷清苑"


def test_courtyard_lines_stay_inside_a_concave_compound():
    """An L-shaped compound: the straight line from a home in the east arm to the gate at the top of the
    north arm cuts across the missing corner, outside the wall; only its two inside pieces are kept."""
    ell = shapely.Polygon([(0, 0), (100, 0), (100, 40), (40, 40), (40, 100), (0, 100)])
    home = gpd.GeoDataFrame(geometry=[shapely.box(85, 10, 95, 20)], crs="EPSG:32650")
    gate = shapely.Point(20, 100)
    lines = courtyard_lines(ell, home, (gate,))
    assert len(lines) == 2 and set(lines["road"]) == {"courtyard"}
    assert all(ell.buffer(1e-6).covers(g) for g in lines.geometry)
    straight = shapely.LineString([home.geometry.iloc[0].representative_point(), gate])
    assert lines.length.sum() == pytest.approx(straight.intersection(ell).length)
    assert lines.length.sum() < straight.length - 1
