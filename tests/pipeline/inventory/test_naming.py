"""Names for what OSM leaves unnamed: a gate's side and road, a compound's street, never an id."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.inventory.naming import compound_title, compound_titles, english_road, side_of, title_of

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
