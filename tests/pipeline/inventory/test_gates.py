"""Gates on the outline and the main-gate rules, on hand-drawn scenes and the real extracts."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core.words import gate_rule_text
from pipeline.inventory.build import build_inventory
from pipeline.inventory.gates import RULES, choose_main_gate, find_gates, roads_of
from pipeline.osm.read import read_osm
from tests.helpers.testdata import EXTRACTS

UTM = "EPSG:32650"
SQUARE = shapely.box(0, 0, 100, 100)


def features(rows: list[tuple[str, str, dict[str, str], shapely.Geometry]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"source": "osm", "source_id": [r[0] for r in rows], "name": [r[1] for r in rows], "tags": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs=UTM,
    )


# The 100 m square with:
#   a tertiary road along the south, 20 m out; a residential street along the east, 20 m out;
#   a foot gate in the west side, a lift gate in the south side, a gate in the east side;
#   a building door (entrance=staircase) inside; a service road crossing the north side, unmapped gate.
SCENE = [
    ("way/1", "学院路", {"highway": "tertiary"}, shapely.LineString([(-50, -20), (150, -20)])),
    ("way/2", "", {"highway": "residential"}, shapely.LineString([(120, -50), (120, 150)])),
    ("way/3", "", {"highway": "service"}, shapely.LineString([(40, 50), (40, 150)])),
    ("way/4", "", {"highway": "service"}, shapely.LineString([(60, -20), (60, 50)])),
    ("node/10", "西门", {"barrier": "gate", "access": "foot"}, shapely.Point(0, 50)),
    ("node/11", "", {"barrier": "lift_gate"}, shapely.Point(60, 0)),
    ("node/12", "东门", {"barrier": "gate"}, shapely.Point(100, 60)),
    ("node/13", "", {"entrance": "staircase"}, shapely.Point(50, 50)),
    ("node/14", "", {"barrier": "gate"}, shapely.Point(50, 130)),  # 30 m off: not on the outline
]


def test_gates_on_the_outline_and_unmapped_crossings():
    scene = features(SCENE)
    gates = find_gates(SQUARE, scene)
    assert list(gates["source_id"]) == ["crossing/way/3/0", "node/10", "node/11", "node/12"]
    by_id = gates.set_index("source_id")
    assert by_id.loc["crossing/way/3/0"].geometry.equals(shapely.Point(40, 100))
    assert by_id.loc["node/11", "road"] == "tertiary"
    assert by_id.loc["node/12", "road"] == "residential"
    assert list(gates["vehicle"]) == [True, False, True, False]  # node/12: no road for cars runs through it


def test_main_gate_is_the_vehicle_gate_facing_the_highest_road():
    scene = features(SCENE)
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert main.source_id == "node/11"
    assert main.rule == "vehicle_gate_road:tertiary"
    assert gate_rule_text(main.rule, "en") == "the vehicle gate facing the highest-class road (highway=tertiary)"


def test_entrance_main_beats_names_and_names_beat_roads():
    scene = features([*SCENE, ("node/20", "北大门", {"barrier": "gate"}, shapely.Point(30, 100))])
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert (main.source_id, main.rule) == ("node/20", "named_main")
    assert gate_rule_text(main.rule, "en") == "named as the main gate (正门/大门/主入口)"
    scene = features([*SCENE, ("node/20", "北大门", {"barrier": "gate"}, shapely.Point(30, 100)),
                      ("node/21", "", {"entrance": "main"}, shapely.Point(0, 20))])
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert (main.source_id, main.rule) == ("node/21", "tagged_main")
    assert gate_rule_text(main.rule, "en") == "tagged entrance=main"


def test_emergency_exits_are_gates_but_never_main():
    scene = features([("node/1", "", {"entrance": "emergency"}, shapely.Point(50, 0)),
                      ("node/2", "", {"barrier": "gate"}, shapely.Point(100, 50))])
    gates = find_gates(SQUARE, scene)
    assert len(gates) == 2
    assert choose_main_gate(gates, SQUARE, roads_of(scene)).source_id == "node/2"


def test_no_gate_uses_the_boundary_point_nearest_the_highest_road():
    scene = features([SCENE[0], SCENE[1]])
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert main.rule == "nearest_road:tertiary"
    assert gate_rule_text(main.rule, "en") == "no gate mapped: the boundary point nearest highway=tertiary"
    assert main.point.y == pytest.approx(0)


def test_nothing_mapped_uses_the_southernmost_point():
    scene = features([("node/9", "", {"amenity": "bench"}, shapely.Point(50, 50))])
    tilted = shapely.Polygon([(0, 10), (100, 0), (100, 100), (0, 100)])
    main = choose_main_gate(find_gates(tilted, scene), tilted, roads_of(scene))
    assert main.rule == "southernmost"
    assert gate_rule_text(main.rule, "en") == "no gate or road mapped: the southernmost boundary point"
    assert (main.point.x, main.point.y) == (100, 0)


def test_demo_gates_and_main_gate(demo_inventory):
    gates = demo_inventory.gates.set_index("source_id")
    assert set(gates.index) == {"node/5671590330", "node/5671677877"}
    assert gates.loc["node/5671590330", "name"] == "东南门"
    assert not gates.loc["node/5671590330", "vehicle"]  # access=foot
    main = demo_inventory.main_gate
    assert (main.source_id, main.name) == ("node/5671677877", "石科院工作区南门")
    assert main.rule == "vehicle_gate_road:living_street"
    assert gate_rule_text(main.rule, "en") == "the vehicle gate facing the highest-class road (highway=living_street)"


def test_xitucheng_named_south_gate_is_main():
    inventory = build_inventory(read_osm(EXTRACTS["xitucheng"]), compound="way/1376112785")
    assert inventory.main_gate.name == "南门"
    assert inventory.main_gate.source_id == "node/12753716514"


@pytest.mark.parametrize(
    ("rule", "en", "zh"),
    [
        ("tagged_main", "tagged entrance=main", "标注为主入口（entrance=main）"),
        ("vehicle_gate_road:living_street", "the vehicle gate facing the highest-class road (highway=living_street)", "面向最高等级道路（highway=living_street）的车行出入口"),
        ("nearest_road:tertiary", "no gate mapped: the boundary point nearest highway=tertiary", "未标注出入口：边界上离 highway=tertiary 最近的点"),
        ("user", "chosen by the user", "用户指定"),
    ],
)
def test_rules_read_in_chinese(rule, en, zh):
    assert gate_rule_text(rule, "zh") == zh
    assert gate_rule_text(rule, "en") == en


def test_a_rule_recorded_as_a_sentence_still_reads_in_either_language():
    """Inventories written before rules had ids recorded the English words; they still read in Chinese."""
    old = "the vehicle gate facing the highest-class road (highway=tertiary)"
    assert gate_rule_text(old, "zh") == "面向最高等级道路（highway=tertiary）的车行出入口"
    assert gate_rule_text(old, "en") == old
    assert gate_rule_text("chosen by the user", "zh") == "用户指定"
    assert gate_rule_text("something else", "zh") == "something else"


def test_every_rule_the_chooser_records_has_chinese(demo_features):
    """Each rule choose_main_gate can record has its words (none falls through as recorded)."""
    scenes = [
        features(SCENE),
        features([*SCENE, ("node/20", "北大门", {"barrier": "gate"}, shapely.Point(30, 100))]),
        features([*SCENE, ("node/21", "", {"entrance": "main"}, shapely.Point(0, 20))]),
        features([SCENE[0]]),
        features([("node/9", "", {"amenity": "bench"}, shapely.Point(50, 50))]),
        features([("node/1", "", {"barrier": "gate"}, shapely.Point(50, 0))]),
    ]
    for scene in scenes:
        rule = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene)).rule
        assert rule.partition(":")[0] in RULES, rule
        assert gate_rule_text(rule, "zh") != rule, rule
        assert gate_rule_text(rule, "en") != rule, rule
