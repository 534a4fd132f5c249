"""The walking network: noding, walls and gates, healed gaps, exact joins, and scipy against networkx."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from pipeline.core.errors import DataError, GateError
from pipeline.walk.network import (
    LINK,
    OUTSIDE,
    Wall,
    attach,
    build_network,
    check_gates,
    distances_from,
    walkable_lines,
)
from tests.helpers.walk_scene import box, line

CRS = "EPSG:32650"


def lines_frame(
    *geoms: shapely.LineString, road: str = "footway", layers: list[int] | None = None
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "source_id": [f"way/{i}" for i in range(len(geoms))],
            "road": road,
            "layer": layers or [0] * len(geoms),
        },
        geometry=list(geoms),
        crs=CRS,
    )


def walk(net, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Walking distance between two points joined to the network."""
    net, nodes, _ = attach(net, [shapely.Point(a), shapely.Point(b)])
    dist, _ = distances_from(net, nodes[:1])
    return float(dist[nodes[1]])


# The walled compound of tests/helpers/walk_scene.py, drawn directly in metres:
# a 120 x 200 m box, gate G at (150, 0); the spine runs from the ring road (y=-20) through G to
# (150, 195); a stub (150, 195)-(150, 205) crosses the north wall where there is no gate.
COMPOUND = box(90, 0, 210, 200)
RING = line((150, -20), (80, -20), (80, 220), (150, 220), (220, 220), (220, -20), (150, -20))
SPINE = line((150, -20), (150, 0), (150, 150), (150, 195))
STUB = line((150, 195), (150, 205))
NORTH = line((150, 205), (150, 220), (150, 350), (150, 400))


def test_wall_is_passed_only_at_its_gate():
    """Door (160,150) to the point (160,350): 200 m straight, 700 m via the gate.

    10 (door to spine) + 150 (spine to G) + 20 (G to ring) + 70 + 240 + 70 (round the ring)
    + 130 (up the north footway) + 10 = 700 m. Without the wall the stub is a shortcut: 10 + 200 + 10.
    """
    lines = lines_frame(SPINE, STUB, NORTH, RING)
    walled = build_network(lines, walls=(Wall(COMPOUND, (shapely.Point(150, 0),), ("node/10",)),))
    open_net = build_network(lines)
    assert walk(walled, (160, 150), (160, 350)) == pytest.approx(700.0, abs=0.01)
    assert walk(open_net, (160, 150), (160, 350)) == pytest.approx(220.0, abs=0.01)
    check_gates(walled, 0)


def test_points_join_on_their_side_of_the_wall():
    """Points 2 m from the spine (inside) and the north footway (outside) join their own side.

    Between them: 2 + 190 down the spine + 20 to the ring + 380 round it + 10 down the footway + 2.
    """
    lines = lines_frame(SPINE, NORTH, RING)
    net = build_network(lines, walls=(Wall(COMPOUND, (shapely.Point(150, 0),)),))
    inside, outside = shapely.Point(152, 190), shapely.Point(152, 210)
    assert list(net.zone_of(np.array([inside, outside], dtype=object))) == [0, OUTSIDE]
    joined, nodes, snap = attach(net, [inside, outside])
    assert list(snap) == pytest.approx([2.0, 2.0])
    dist, _ = distances_from(joined, nodes[:1])
    assert dist[nodes[1]] == pytest.approx(2 + 190 + 20 + 380 + 10 + 2, abs=0.01)


def test_no_gate_on_the_network_is_reported():
    """A gate 60 m from every path cannot open the wall: the message names the gate and the fix."""
    lines = lines_frame(line((150, 20), (150, 180)), RING)
    net = build_network(lines, walls=(Wall(COMPOUND, (shapely.Point(210, 100),), ("node/99",), "测试小区"),))
    with pytest.raises(GateError, match=r"No gate of `测试小区` is on the walking network: node/99 \(60 m"):
        check_gates(net, 0)


def test_no_path_inside_is_reported():
    net = build_network(
        lines_frame(RING), walls=(Wall(COMPOUND, (shapely.Point(150, 0),), ("g",), "空小区"),)
    )
    with pytest.raises(DataError, match="No walking path is mapped inside `空小区`"):
        check_gates(net, 0)


def test_crossing_lines_join_unless_on_another_layer():
    """Two footways crossing at (50,0) meet there; a bridge over them does not."""
    a, b = line((0, 0), (100, 0)), line((50, -50), (50, 50))
    assert walk(build_network(lines_frame(a, b)), (0, 0), (50, 50)) == pytest.approx(100.0)
    bridge = build_network(lines_frame(a, b, layers=[0, 1]))
    assert walk(bridge, (0, 0), (50, 50)) == np.inf


def test_dead_end_heals_within_10_m_but_not_through_a_fence():
    """A path ending 6 m short of another joins it (6 m link); a fence between keeps them apart."""
    a, b = line((0, 0), (100, 0)), line((50, 6), (50, 60))
    assert walk(build_network(lines_frame(a, b)), (0, 0), (50, 60)) == pytest.approx(50 + 6 + 54)
    fence = gpd.GeoSeries([line((0, 3), (100, 3))], crs=CRS)
    assert walk(build_network(lines_frame(a, b), barriers=fence), (0, 0), (50, 60)) == np.inf
    far = line((50, 12), (50, 60))
    assert walk(build_network(lines_frame(a, far)), (0, 0), (50, 60)) == np.inf


def test_points_on_one_segment_measure_along_it():
    """Two points joined to the same 100 m segment are as far apart as along it, plus their offsets."""
    net = build_network(lines_frame(line((0, 0), (100, 0))))
    assert walk(net, (20, 5), (70, -3)) == pytest.approx(5 + 50 + 3)
    joined, nodes, _ = attach(net, [shapely.Point(20, 5), shapely.Point(500, 0)])
    assert nodes[1] == -1
    assert (joined.edge_zone == LINK).sum() == 1


def test_pedestrian_area_is_crossed():
    """A 40 x 40 m square (highway=pedestrian, area=yes) is crossed through its middle, not round it."""
    feats = gpd.GeoDataFrame(
        {
            "source_id": ["way/1", "way/2", "way/3"],
            "name": "",
            "tags": [
                {"highway": "pedestrian", "area": "yes"},
                {"highway": "footway"},
                {"highway": "motorway"},
            ],
        },
        geometry=[box(0, 0, 40, 40), line((-30, 0), (0, 0)), line((0, 100), (100, 100))],
        crs=CRS,
    )
    lines = walkable_lines(feats)
    assert "motorway" not in set(lines["road"])
    net = build_network(lines)
    assert walk(net, (0, 0), (40, 40)) == pytest.approx(np.hypot(40, 40), abs=0.01)


def test_scipy_and_networkx_agree_on_the_demo(demo_features, demo_inventory):
    """Multi-source Dijkstra (scipy) equals networkx's on the demo network, to the centimetre."""
    from pipeline.walk.network import wall_of

    local = demo_features.to_crs(demo_inventory.crs)
    wall = wall_of(demo_inventory.boundary.geometry.iloc[0], demo_inventory.gates)
    net = build_network(walkable_lines(local), walls=(wall,))
    sources = np.array(list(net.gate_nodes.values()))
    dist, _ = distances_from(net, sources)
    theirs = nx.multi_source_dijkstra_path_length(net.to_networkx(), set(sources.tolist()), weight="length")
    reached = np.flatnonzero(np.isfinite(dist))
    assert len(reached) == len(theirs)
    assert np.allclose(dist[reached], [theirs[i] for i in reached], atol=0.01)


def test_no_walkable_line():
    with pytest.raises(DataError, match="No walkable line"):
        build_network(lines_frame())


def test_gates_off_the_network_are_listed_in_chinese():
    """Each gate lies 60 m from the spine inside and 10 m from the ring road outside."""
    lines = lines_frame(line((150, 20), (150, 180)), RING)
    gates = (shapely.Point(210, 100), shapely.Point(90, 100))
    net = build_network(lines, walls=(Wall(COMPOUND, gates, ("node/99", "node/98"), "测试小区"),))
    with pytest.raises(GateError) as caught:
        check_gates(net, 0)
    assert caught.value.text("zh") == (
        "`测试小区` 没有一个出入口连上步行路网："
        "node/99（距内侧道路 60 米，距外侧道路 10 米）；node/98（距内侧道路 60 米，距外侧道路 10 米）。"
        "出入口内外两侧 40 米内都须有道路：请补画穿过出入口的道路，或在道路与边界相交处添加出入口。"
    )
    assert "node/99 (60 m from a path inside, 10 m outside); node/98 (60 m" in str(caught.value)


def test_an_unnamed_compound_without_paths_is_called_this_compound_in_chinese():
    net = build_network(lines_frame(RING), walls=(Wall(COMPOUND, (shapely.Point(150, 0),), ("g",)),))
    with pytest.raises(DataError) as caught:
        check_gates(net, 0)
    assert caught.value.text("zh") == (
        "`本小区` 内没有标注步行道路：请在地图数据中补画小区内的道路（highway=footway/service），或在测绘图中画出。"
    )
    assert str(caught.value).startswith("No walking path is mapped inside `the compound`;")
