"""The taxonomy file and the classification rules."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core.errors import DataError
from pipeline.core.schema import Category
from pipeline.core.taxonomy import load_taxonomy
from pipeline.inventory.classify import classify_features, select_assets

UTM = "EPSG:32650"
SQUARE = shapely.box(0, 0, 100, 100)
STANDARD_KINDS = {
    "kindergarten", "childcare", "community_service", "elderly_care", "sports_ground", "fitness",
    "culture_station", "clinic", "canteen", "shop", "recycling", "waste_station", "toilets", "bus_stop",
    "bicycle_parking", "parking", "property_management", "playground", "convenience", "parcel_locker",
    "waste_point", "primary_school", "marketplace", "middle_school",
}


def test_taxonomy_covers_the_standard_and_labels_every_kind():
    taxonomy = load_taxonomy()
    assert set(taxonomy.kinds) >= STANDARD_KINDS
    for kind in taxonomy.kinds.values():
        assert kind.zh and kind.en and kind.zh != kind.en
        assert isinstance(kind.category, Category)
    first_name_rule = next(i for i, r in enumerate(taxonomy.rules) if r.tag_key is None)
    assert all(r.tag_key is None for r in taxonomy.rules[first_name_rule:])


def scene(rows):
    return gpd.GeoDataFrame(
        {"source": "osm", "source_id": [r[0] for r in rows], "name": [r[1] for r in rows], "tags": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs=UTM,
    )


ROWS = [
    ("node/1", "原幼儿园停车场", {"amenity": "parking"}, shapely.Point(10, 10)),  # tag beats name
    ("node/2", "阳光幼儿园", {"building": "yes"}, shapely.Point(20, 20)),  # name only
    ("node/3", "第一小学", {"amenity": "school"}, shapely.Point(30, 30)),  # tag + name
    ("node/4", "", {"amenity": "school"}, shapely.Point(40, 40)),
    ("node/5", "Sunny Kindergarten", {}, shapely.Point(50, 50)),
    ("way/6", "幼儿园路", {"highway": "residential"}, shapely.LineString([(0, 0), (100, 0)])),
    ("node/7", "", {"amenity": "vending_machine"}, shapely.Point(60, 60)),  # review
    ("node/8", "", {"amenity": "parking"}, shapely.Point(100 + 49, 50)),  # adjacent 49 m
    ("node/9", "", {"amenity": "parking"}, shapely.Point(100 + 51, 50)),  # too far
    ("node/10", "", {"amenity": "parking"}, shapely.Point(80, 80)),  # inside the lot way/11: merged
    ("way/11", "", {"amenity": "parking"}, shapely.box(70, 70, 90, 90)),
    ("way/12", "海淀区", {"boundary": "administrative"}, shapely.box(-500, -500, 500, 500)),
    ("node/13", "", {"building": "yes"}, shapely.Point(5, 5)),  # not an asset, not reviewed
    ("node/14", "原幼儿园停车场", {"building": "yes"}, shapely.Point(15, 15)),  # head noun last: parking
    ("node/15", "停车场旁幼儿园", {"building": "yes"}, shapely.Point(25, 25)),  # kindergarten
]


def test_rules_and_what_they_record():
    classified = classify_features(scene(ROWS)).set_index("source_id")
    expected = {
        "node/1": ("facility", "parking", "tag amenity=parking"),
        "node/2": ("institution", "kindergarten", "name 幼儿园|kindergarten"),
        "node/3": ("institution", "primary_school", "tag amenity=school + name 小学|primary"),
        "node/4": ("institution", "school", "tag amenity=school"),
        "node/5": ("institution", "kindergarten", "name 幼儿园|kindergarten"),
        "way/6": ("", "", ""),
        "node/7": ("", "", ""),
        "node/14": ("facility", "parking", "name 停车场|停车楼|车库|parking"),
        "node/15": ("institution", "kindergarten", "name 幼儿园|kindergarten"),
    }
    for sid, row in expected.items():
        assert tuple(classified.loc[sid, ["category", "kind", "rule"]]) == row, sid


def test_select_inside_adjacent_review_and_merge():
    boundary = shapely.box(0, 0, 100, 100)
    assets, review, merged = select_assets(classify_features(scene(ROWS)), boundary, radius_m=50)
    ids = set(assets["source_id"])
    assert ids == {"node/1", "node/2", "node/3", "node/4", "node/5", "node/8", "way/11", "node/14", "node/15"}
    assert assets.set_index("source_id").loc["node/8", "inside"] == False  # noqa: E712
    assert assets.set_index("source_id").loc["node/8", "dist_m"] == 49.0
    assert assets[assets["source_id"] != "node/8"]["inside"].all()
    assert review == [{"source_id": "node/7", "name": "", "tags": "amenity=vending_machine"}]
    assert merged == [{"dropped": "node/10", "kept": "way/11"}]


def test_bad_taxonomy_files(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text('[kinds.x]\ncategory = "shop"\n')
    with pytest.raises(DataError, match="Kind `x`.*needs a category among public_space"):
        load_taxonomy(bad)
    bad.write_text('[kinds.x]\ncategory = "facility"\n[[rules]]\nkind = "y"\ntag = "a=b"\n')
    with pytest.raises(DataError, match="names kind `y`"):
        load_taxonomy(bad)
    bad.write_text('[kinds.x]\ncategory = "facility"\n[[rules]]\nkind = "x"\ntag = "amenity"\n')
    with pytest.raises(DataError, match="write `key=value` or `key=\\*`"):
        load_taxonomy(bad)
    bad.write_text("[kinds.x\n")
    with pytest.raises(DataError, match="not valid TOML"):
        load_taxonomy(bad)


# The 100 m square compound with green spaces in and around it:
#
#   lawn-in    30 × 30 m lawn inside (900 m², 30 m wide)             → public space 绿地
#   strip      5 × 100 m verge inside (500 m², 5 m wide)             → too narrow: not an asset
#   bed        15 × 15 m lawn inside (225 m²)                        → too small: not an asset
#   edge       30 × 30 m lawn outside, sharing the east wall         → touches: 绿地
#   across     30 × 30 m lawn 40 m north, across a street            → not the compound's
#   named      10 × 10 m garden inside, named 小花园                  → kept by its name
GREEN = [
    ("way/1", "", {"landuse": "grass"}, shapely.box(10, 10, 40, 40)),
    ("way/2", "", {"landuse": "grass"}, shapely.box(0, 90, 100, 95)),
    ("way/3", "", {"landuse": "grass"}, shapely.box(60, 10, 75, 25)),
    ("way/4", "", {"landuse": "meadow"}, shapely.box(100, 40, 130, 70)),
    ("way/5", "", {"landuse": "grass"}, shapely.box(30, 140, 60, 170)),
    ("way/6", "小花园", {"leisure": "garden"}, shapely.box(60, 60, 70, 70)),
]


def test_usable_green_spaces_are_public_spaces_named_green():
    assets, _, _ = select_assets(classify_features(scene(GREEN)), SQUARE)
    by_id = assets.set_index("source_id")
    assert set(by_id.index) == {"way/1", "way/4", "way/6"}
    assert list(by_id.loc[["way/1", "way/4", "way/6"], "name"]) == ["绿地", "绿地", "小花园"]
    assert set(by_id["category"]) == {"public_space"}
    assert by_id.loc["way/1", "kind"] == "green" and by_id.loc["way/6", "kind"] == "garden"


def test_green_spaces_are_named_in_english_where_the_names_are_not_chinese():
    rows = [*GREEN, ("node/9", "Kotikatu", {"amenity": "bench"}, shapely.Point(50, 50)),
            ("node/10", "Puisto", {"amenity": "bench"}, shapely.Point(55, 50))]
    rows = [(sid, "" if name == "小花园" else name, tags, geom) for sid, name, tags, geom in rows]
    assets, _, _ = select_assets(classify_features(scene(rows)), SQUARE)
    assert assets.set_index("source_id").loc["way/1", "name"] == "green space"
