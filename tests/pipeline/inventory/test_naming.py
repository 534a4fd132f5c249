"""Names for what OSM leaves unnamed: a gate's side and road, a compound's street, never an id."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.inventory.gates import describe_gates
from pipeline.inventory.naming import (
    compound_title,
    compound_titles,
    english_road,
    road_latin_names,
    side_of,
    title_of,
)

UTM = "EPSG:32650"
# A long compound, 400 m east–west and 100 m north–south.
LONG = shapely.box(0, 0, 400, 100)


@pytest.mark.parametrize(
    ("point", "side"),
    [
        ((200, 100), "north"),
        ((200, 0), "south"),
        ((400, 50), "east"),
        ((0, 50), "west"),
        # In the south wall but near the east end: offsets (+0.8, −1) of the half sizes, 141°: 东南.
        ((360, 0), "south-east"),
        ((40, 100), "north-west"),
        ((400, 100), "north-east"),
        ((0, 0), "south-west"),
    ],
)
def test_a_gate_is_named_for_where_it_is_in_the_compound(point, side):
    assert side_of(shapely.Point(point), LONG) == side


def test_english_road_names_are_shortened_as_on_a_map():
    assert english_road("成府路", "Chengfu Road") == "Chengfu Rd"
    assert english_road("中关村北大街", "Zhongguancun North Street") == "Zhongguancun North St"
    assert english_road("西土城路", "") == "西土城路"  # no English: the name itself


def _roads(rows):
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "tags": [r[1] for r in rows]}, geometry=[r[2] for r in rows], crs=UTM
    )


def test_an_unnamed_compound_is_titled_from_its_address():
    tags = {"landuse": "residential", "addr:street": "学清路", "addr:housenumber": "8"}
    titles = compound_titles(tags, LONG, _roads([]))
    assert (titles.zh, titles.en) == ("学清路8号院", "No. 8 学清路")


def test_else_from_the_nearest_named_street_and_its_side_of_it():
    """成府路 runs 20 m north of the compound, 林业大学北路 80 m south: the compound lies south of 成府路."""
    roads = _roads([
        ("成府路", {"highway": "secondary", "name:en": "Chengfu Road"}, shapely.LineString([(-50, 120), (450, 120)])),
        ("林业大学北路", {"highway": "tertiary"}, shapely.LineString([(-50, -80), (450, -80)])),
        ("", {"highway": "service"}, shapely.LineString([(-50, -5), (450, -5)])),
    ])
    titles = compound_titles({"landuse": "residential"}, LONG, roads)
    assert (titles.zh, titles.en) == ("成府路南侧小区", "compound south of Chengfu Rd")
    pinyin = _roads([("成府路", {"name:zh_pinyin": "chéngfǔ lù"}, shapely.LineString([(-50, 120), (450, 120)]))])
    assert compound_titles({}, LONG, pinyin).en == "compound south of Chengfu Lu"  # no name:en: pinyin
    far = _roads([("成府路", {}, shapely.LineString([(-50, 400), (450, 400)]))])  # 300 m: too far
    assert compound_titles({}, LONG, far) == ("", "")


def test_what_people_read_is_a_name_or_a_title_never_an_id():
    gate = {"source_id": "crossing/way/136867403/0", "name": "", "title_zh": "西北侧入口（成府路）",
            "title_en": "north-west entrance (Chengfu Rd)"}
    assert title_of(gate, "zh") == "西北侧入口（成府路）"
    assert title_of(gate, "en") == "north-west entrance (Chengfu Rd)"
    assert title_of({"source_id": "node/1", "name": "南门"}, "en") == "南门"
    assert title_of({"source_id": "node/1", "name": ""}, "zh") == "入口"  # an old inventory without titles
    compound = {"source_id": "way/609225889", "name": "", "title_zh": "学清路东南侧小区", "title_en": "x"}
    assert compound_title(compound, "zh") == "学清路东南侧小区"
    assert compound_title({"name": "石科院生活区"}, "en") == "石科院生活区"


def test_a_road_is_named_in_latin_letters_from_english_else_pinyin_else_its_international_name():
    """The tags as the shipped extracts carry them (成府路 has name:en and name:zh_pinyin, 学清路 name:en and
    name:zh-Latn-pinyin, 荷清路 name:en and int_name); the expected forms are written by hand."""
    roads = _roads([
        ("成府路", {"name:zh_pinyin": "chéngfǔ lù"}, shapely.LineString([(0, 0), (1, 0)])),
        ("成府路", {"name:en": "Chengfu Road", "name:zh_pinyin": "chéngfǔ lù"}, shapely.LineString([(1, 0), (2, 0)])),
        ("中关村北大街", {"name:zh_pinyin": "Zhōngguāncūn běidàjiē"}, shapely.LineString([(0, 1), (1, 1)])),
        ("学清路", {"name:zh-Latn-pinyin": "xuéqīng lù"}, shapely.LineString([(0, 2), (1, 2)])),
        ("荷清路", {"int_name": "Heqing Lu"}, shapely.LineString([(0, 3), (1, 3)])),
        ("石板房南路", {"int_name": "石板房南路"}, shapely.LineString([(0, 4), (1, 4)])),  # not Latin: ignored
        ("茗悦路", {"highway": "residential"}, shapely.LineString([(0, 5), (1, 5)])),
    ])
    assert road_latin_names(roads) == {
        "成府路": "Chengfu Road",  # name:en on one piece beats the pinyin on another
        "中关村北大街": "Zhongguancun Beidajie",
        "学清路": "Xueqing Lu",
        "荷清路": "Heqing Lu",
    }


def test_english_gate_titles_carry_the_roads_latin_name_else_its_chinese_one():
    """Three gates on LONG, each facing a road 10 m outside: one with only pinyin, one with only int_name,
    one with no Latin name at all (as 石板房南路 in the qinghua extract)."""
    roads = _roads([
        ("成府路", {"name:zh_pinyin": "chéngfǔ lù"}, shapely.LineString([(-50, 110), (450, 110)])),
        ("荷清路", {"int_name": "Heqing Lu"}, shapely.LineString([(-50, -10), (450, -10)])),
        ("石板房南路", {}, shapely.LineString([(-10, -50), (-10, 150)])),
    ]).assign(road=["secondary", "secondary", "residential"])
    gates = gpd.GeoDataFrame(
        {"source_id": ["node/1", "node/2", "node/3"], "name": ["", "", ""], "gate_type": ["gate"] * 3},
        geometry=[shapely.Point(200, 100), shapely.Point(200, 0), shapely.Point(0, 50)],
        crs=UTM,
    )
    titled = describe_gates(gates, LONG, roads)
    assert titled["title_en"].tolist() == [
        "north entrance (Chengfu Lu)", "south entrance (Heqing Lu)", "west entrance (石板房南路)"
    ]
    assert titled["title_zh"].tolist() == ["北侧入口（成府路）", "南侧入口（荷清路）", "西侧入口（石板房南路）"]
