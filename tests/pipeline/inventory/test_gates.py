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
    assert gate_rule_text(main.rule, "en") == "the vehicle gate facing the highest-class road (a tertiary road)"
    assert gate_rule_text(main.rule, "zh") == "面向最高等级道路（支路）的车行出入口"


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
    assert main.rule == "facing_road:tertiary"
    assert gate_rule_text(main.rule, "en") == "no gate mapped: the middle of the side facing a tertiary road"
    assert main.point.y == pytest.approx(0)


def test_nothing_mapped_uses_the_southernmost_point():
    scene = features([("node/9", "", {"amenity": "bench"}, shapely.Point(50, 50))])
    tilted = shapely.Polygon([(0, 10), (100, 0), (100, 100), (0, 100)])
    main = choose_main_gate(find_gates(tilted, scene), tilted, roads_of(scene))
    assert main.rule == "southernmost"
    assert gate_rule_text(main.rule, "en") == "no gate or road mapped: the southernmost boundary point"
    assert (main.point.x, main.point.y) == (100, 0)


def test_demo_gates_and_main_gate(demo_inventory):
    """石科院工作区南门 is in the wall shared with the institute (石油化工科学研究院): it leads into
    the work area, not out. 东南门, a foot gate, is the only one that opens outward."""
    gates = demo_inventory.gates.set_index("source_id")
    assert set(gates.index) == {"node/5671590330", "node/5671677877"}
    assert gates.loc["node/5671590330", "name"] == "东南门"
    assert not gates.loc["node/5671590330", "vehicle"]  # access=foot
    main = demo_inventory.main_gate
    assert gates.loc["node/5671677877", "opens_to"] == "neighbour"
    assert gates.loc["node/5671677877", "neighbour"] == "石油化工科学研究院"
    assert (main.source_id, main.name) == ("node/5671590330", "东南门")
    assert main.rule == "outward_gate_no_road"
    assert gate_rule_text(main.rule, "en") == (
        "the gate that opens outward (no road mapped nearby); a gate in a shared wall leads into a neighbour"
    )


def test_xitucheng_named_south_gate_is_main():
    inventory = build_inventory(read_osm(EXTRACTS["xitucheng"]), compound="way/1376112785")
    assert inventory.main_gate.name == "南门"
    assert inventory.main_gate.source_id == "node/12753716514"


@pytest.mark.parametrize(
    ("rule", "en", "zh"),
    [
        ("tagged_main", "tagged entrance=main", "地图数据标注为主入口"),
        ("vehicle_gate_road:living_street", "the vehicle gate facing the highest-class road (a living street)", "面向最高等级道路（生活街道）的车行出入口"),
        ("nearest_road:tertiary", "no gate mapped: the boundary point nearest a tertiary road", "未标注出入口：边界上离支路最近的点"),
        ("only_vehicle_gate_road:secondary", "the only vehicle gate (facing a secondary road)", "唯一的车行出入口（面向次干路）"),
        ("outward_gate_road:primary", "the gate that opens outward (facing a primary road); a gate in a shared wall leads into a neighbour", "朝外的出入口（面向主干路）；与相邻单位或小区共用围墙的出入口通向邻院"),
        ("user", "chosen by the user", "用户指定"),
    ],
)
def test_rules_read_in_chinese(rule, en, zh):
    assert gate_rule_text(rule, "zh") == zh
    assert gate_rule_text(rule, "en") == en


def test_a_rule_recorded_as_a_sentence_still_reads_in_either_language():
    """Inventories written before rules had ids recorded the English words; they still read in Chinese."""
    old = "the vehicle gate facing the highest-class road (highway=tertiary)"
    assert gate_rule_text(old, "zh") == "面向最高等级道路（支路）的车行出入口"
    assert gate_rule_text(old, "en") == "the vehicle gate facing the highest-class road (a tertiary road)"
    assert gate_rule_text("the only gate (no road mapped nearby)", "zh") == "唯一的出入口（附近未标注道路）"
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


# --------------------------------------------------------------------------- scenes that bite
#
# The 100 m square again. A primary road runs 20 m west of it, a residential street 20 m south.
#
#          |                          |
#  primary |  foot gate (0, 60)       |
#  x = -20 |  ◇ access=foot           |
#          |                          |
#          +-------------▲ lift gate (80, 0)
#  ------------------------------------------ residential street, y = -20
#
# The foot gate faces the higher road (primary, 20 m off); the lift gate, 100 m from the primary, faces
# only the residential street. Expected: the lift gate, because a vehicle gate comes before the class
# of the road (rule 3, second criterion).
FOOT_VS_VEHICLE = [
    ("way/1", "学院路", {"highway": "primary"}, shapely.LineString([(-20, -50), (-20, 150)])),
    ("way/2", "", {"highway": "residential"}, shapely.LineString([(-50, -20), (150, -20)])),
    ("way/3", "", {"highway": "service"}, shapely.LineString([(80, -20), (80, 50)])),
    ("node/1", "", {"barrier": "gate", "access": "foot"}, shapely.Point(0, 60)),
    ("node/2", "", {"barrier": "lift_gate"}, shapely.Point(80, 0)),
]


def test_a_vehicle_gate_beats_a_foot_gate_on_a_higher_road():
    scene = features(FOOT_VS_VEHICLE)
    gates = find_gates(SQUARE, scene).set_index("source_id")
    assert gates.loc["node/1", "road"] == "primary" and not gates.loc["node/1", "vehicle"]
    assert gates.loc["node/2", "road"] == "residential" and gates.loc["node/2", "vehicle"]
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert main.source_id == "node/2"
    assert main.rule == "vehicle_gate_road:residential"


# Two lift gates in the south side, both on service roads from the same tertiary road 20 m south.
# They differ only by name: node/1 is unnamed, node/2 is 南门. Expected: 南门, named before unnamed
# (rule 3, fourth criterion), although node/1 has the smaller id.
TWIN_GATES = [
    ("way/1", "成府路", {"highway": "tertiary"}, shapely.LineString([(-50, -20), (150, -20)])),
    ("way/2", "", {"highway": "service"}, shapely.LineString([(30, -20), (30, 40)])),
    ("way/3", "", {"highway": "service"}, shapely.LineString([(70, -20), (70, 40)])),
    ("node/1", "", {"barrier": "lift_gate"}, shapely.Point(30, 0)),
    ("node/2", "南门", {"barrier": "lift_gate"}, shapely.Point(70, 0)),
]


def test_of_two_vehicle_gates_alike_the_named_one_is_main():
    scene = features(TWIN_GATES)
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert (main.source_id, main.name) == ("node/2", "南门")
    assert main.rule == "named_vehicle_gate_road:tertiary"
    assert gate_rule_text(main.rule, "zh") == "面向最高等级道路（支路）的有名称车行出入口"


# The square's north side is a wall shared with a research institute's grounds (office=research,
# the box 0–100 × 100–200), whose own living street runs through a gate in that wall (50, 100):
# a vehicle gate facing a living street. The south side has a foot gate (50, 0) onto a residential
# street 10 m south. Expected: the foot gate — it opens outward; the north gate leads into the
# institute (rule 3, first criterion), though it is a vehicle gate.
#
#   +------------------------------+ (100, 200)
#   |  研究所 office=research       |
#   |          | living street      |
#   +----------▲-------------------+ (100, 100)  ← shared wall, gate (50, 100)
#   |          compound             |
#   +----------◇-------------------+  foot gate (50, 0)
#   ------------------------------------ residential street, y = -10
SHARED_WALL = [
    ("way/10", "研究所", {"office": "research"}, shapely.box(0, 100, 100, 200)),
    ("way/11", "", {"highway": "living_street"}, shapely.LineString([(50, 60), (50, 190)])),
    ("way/12", "", {"highway": "residential"}, shapely.LineString([(-50, -10), (150, -10)])),
    ("node/1", "", {"entrance": "yes", "access": "permissive"}, shapely.Point(50, 100)),
    ("node/2", "", {"barrier": "gate", "access": "foot"}, shapely.Point(50, 0)),
]


def test_a_gate_that_opens_outward_beats_one_in_a_shared_wall():
    scene = features(SHARED_WALL)
    gates = find_gates(SQUARE, scene).set_index("source_id")
    assert gates.loc["node/1", "vehicle"] and gates.loc["node/1", "opens_to"] == "neighbour"
    assert gates.loc["node/1", "neighbour"] == "研究所"
    assert gates.loc["node/2", "opens_to"] == "road" and not gates.loc["node/2", "vehicle"]
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert main.source_id == "node/2"
    assert main.rule == "outward_gate_road:residential"
    assert gate_rule_text(main.rule, "en") == (
        "the gate that opens outward (facing a residential street); a gate in a shared wall leads into a neighbour"
    )
    assert gate_rule_text(main.rule, "zh") == (
        "朝外的出入口（面向居住区道路）；与相邻单位或小区共用围墙的出入口通向邻院"
    )
    assert (main.title("zh"), main.title("en")) == ("南侧入口", "south entrance")
    assert gates.loc["node/1", "title_zh"] == "北侧入口（通研究所）"
    assert gates.loc["node/1", "title_en"] == "north entrance (to 研究所)"


# --------------------------------------------------------------------------- names people can read
#
# The square with 成府路 (name:en Chengfu Road) 15 m north and an unnamed residential street 15 m
# east; two unnamed gates in the middle of the north side, (40, 100) and (60, 100); one unnamed gate
# low in the east side, (100, 30).
#
# Expected: 北侧入口1（成府路）/north entrance 1 (Chengfu Rd) for the western of the two north
# gates, 北侧入口2（成府路） for the eastern; 东侧入口/east entrance for the east gate, whose street
# has no name, with 成府路 farther than the 60 m a gate looks for its road.
NAMES = [
    ("way/1", "成府路", {"highway": "secondary", "name:en": "Chengfu Road"}, shapely.LineString([(-50, 115), (150, 115)])),
    ("way/2", "", {"highway": "residential"}, shapely.LineString([(115, -50), (115, 150)])),
    ("node/1", "", {"barrier": "gate"}, shapely.Point(60, 100)),
    ("node/2", "", {"barrier": "gate"}, shapely.Point(40, 100)),
    ("node/3", "", {"barrier": "gate"}, shapely.Point(100, 30)),
]


def test_unnamed_gates_are_named_from_their_side_and_road():
    gates = find_gates(SQUARE, features(NAMES)).set_index("source_id")
    assert gates.loc["node/2", "title_zh"] == "北侧入口1（成府路）"
    assert gates.loc["node/1", "title_zh"] == "北侧入口2（成府路）"
    assert gates.loc["node/2", "title_en"] == "north entrance 1 (Chengfu Rd)"
    # (100, 30): east of the centre and a little south, 21.8° from east: the east sector.
    assert gates.loc["node/3", "side"] == "east"
    # 成府路 is 85 m away, beyond the 60 m a gate looks for its road; the street is unnamed.
    assert (gates.loc["node/3", "title_zh"], gates.loc["node/3", "title_en"]) == ("东侧入口", "east entrance")


def test_no_gate_title_or_rule_holds_an_internal_id(demo_features):
    """Titles and rules of every gate of every compound of the demo extract are free of ids."""
    import re

    from pipeline.inventory.build import build_inventory
    from pipeline.inventory.compound import find_compounds

    ids = re.compile(r"(?:node|way|relation|crossing)/|\d{6,}")
    for compound in find_compounds(demo_features, count_gates=False)["source_id"]:
        inventory = build_inventory(demo_features, compound=compound)
        for column in ("title_zh", "title_en"):
            assert not inventory.gates[column].fillna("").str.contains(ids).any(), (compound, column)
        for lang in ("zh", "en"):
            assert not ids.search(inventory.main_gate.title(lang)), compound


# Two unnamed lift gates on the south side, each with a service road to the tertiary road south.
# The road bends: 12 m from node/2 (80, 0), 40 m from node/1 (20, 0). Expected: node/2, the one
# nearer its road (rule 3, last criterion), though node/1 has the smaller id.
NEARER = [
    ("way/1", "", {"highway": "tertiary"}, shapely.LineString([(-50, -40), (60, -40), (100, -12), (150, -12)])),
    ("way/2", "", {"highway": "service"}, shapely.LineString([(20, -40), (20, 30)])),
    ("way/3", "", {"highway": "service"}, shapely.LineString([(80, -12), (80, 30)])),
    ("node/1", "", {"barrier": "lift_gate"}, shapely.Point(20, 0)),
    ("node/2", "", {"barrier": "lift_gate"}, shapely.Point(80, 0)),
]


def test_of_two_gates_alike_the_one_nearer_its_road_is_main():
    scene = features(NEARER)
    main = choose_main_gate(find_gates(SQUARE, scene), SQUARE, roads_of(scene))
    assert (main.source_id, main.rule) == ("node/2", "nearer_vehicle_gate_road:tertiary")


def test_shop_doors_and_doors_in_building_walls_are_not_gates():
    """On the square's outline: a shop door (entrance=shop), a staircase door, and an entrance=yes on
    the outline of a building that forms the east wall; only the gate (barrier=gate) is a gate."""
    scene = features([
        ("way/5", "", {"building": "yes"}, shapely.box(80, 20, 100, 80)),
        ("node/1", "", {"entrance": "shop"}, shapely.Point(0, 50)),
        ("node/2", "", {"entrance": "staircase"}, shapely.Point(50, 100)),
        ("node/3", "", {"entrance": "yes"}, shapely.Point(100, 50)),
        ("node/4", "", {"barrier": "gate"}, shapely.Point(50, 0)),
    ])
    assert list(find_gates(SQUARE, scene)["source_id"]) == ["node/4"]
