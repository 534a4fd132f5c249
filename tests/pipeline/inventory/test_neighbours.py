"""Neighbours the right size: parts of one institution merged, each placed where it meets the compound."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.inventory.classify import classify_features, select_assets
from pipeline.inventory.neighbours import locate_neighbours, merge_parts, merges_frame

UTM = "EPSG:32650"
SQUARE = shapely.box(0, 0, 100, 100)


def scene(rows):
    return gpd.GeoDataFrame(
        {"source": "osm", "source_id": [r[0] for r in rows], "name": [r[1] for r in rows], "tags": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs=UTM,
    )


# The 100 m square compound (0–100 × 0–100) and its neighbours, all outside it:
#
#   north: 大学, a campus 2 km wide (0–2000 × 130–2130), mapped as one polygon; inside it the
#          school 附中 (0–60 × 130–170, a middle school of its own) holding a building 实验楼
#          (building=school) and an unnamed pitch.
#   east:  某中学 (a school, 120–220 × 0–100) with a gate in its west wall at (120, 50); inside
#          it a building also named 某中学 and a pitch; an unnamed pitch 10 m beyond its east
#          wall (225–245 × 40–60); two bus-stop platforms named 五道口 south of the compound, one
#          10 m off (node/11), one 40 m off across the street (node/10).
#   in:    a playground inside the compound.
#
# Expected, by hand: 大学 alone (the pitch and 实验楼 stand in 附中, the smaller grounds); 附中
# with 实验楼 and the pitch; 某中学 with its building and both pitches; one 五道口, at the platform
# on the compound's side (node/11); the playground: five assets. 某中学 is placed at its gate (120, 50), 8 m into its grounds: (128, 50);
# 大学 and 附中 where they face the compound, on y = 130.
ROWS = [
    ("way/1", "大学", {"amenity": "university"}, shapely.box(0, 130, 2000, 2130)),
    ("way/2", "附中", {"amenity": "school"}, shapely.box(0, 130, 60, 170)),
    ("way/3", "实验楼", {"building": "school"}, shapely.box(10, 140, 20, 150)),
    ("way/4", "", {"leisure": "pitch"}, shapely.box(30, 140, 50, 160)),
    ("way/5", "某中学", {"amenity": "school"}, shapely.box(120, 0, 220, 100)),
    ("way/6", "某中学", {"building": "school"}, shapely.box(150, 60, 180, 90)),
    ("way/7", "", {"leisure": "pitch"}, shapely.box(150, 10, 200, 40)),
    ("way/8", "", {"leisure": "pitch"}, shapely.box(225, 40, 245, 60)),
    ("node/9", "", {"barrier": "gate"}, shapely.Point(120, 50)),
    ("node/10", "五道口", {"highway": "bus_stop"}, shapely.Point(20, -40)),
    ("node/11", "五道口", {"highway": "bus_stop"}, shapely.Point(60, -10)),
    ("node/12", "", {"leisure": "playground"}, shapely.Point(50, 50)),
]


@pytest.fixture
def selected():
    features = scene(ROWS)
    assets, _, _ = select_assets(classify_features(features), SQUARE, radius_m=200)
    return features, assets


def test_parts_of_one_institution_become_one_asset(selected):
    _, assets = selected
    merged, records = merge_parts(assets)
    assert set(merged["source_id"]) == {"way/1", "way/2", "way/5", "node/11", "node/12"}
    table = merges_frame(records).set_index("merged")
    assert table.loc["way/3", ["kept", "why"]].tolist() == ["way/2", "inside its grounds"]
    assert table.loc["way/4", ["kept", "why"]].tolist() == ["way/2", "inside its grounds"]
    assert table.loc["way/6", ["kept", "why"]].tolist() == ["way/5", "same name"]
    assert table.loc["way/7", ["kept", "why"]].tolist() == ["way/5", "inside its grounds"]
    assert table.loc["way/8", ["kept", "why"]].tolist() == ["way/5", "a school's pitch"]
    assert table.loc["node/10", ["kept", "why"]].tolist() == ["node/11", "same name"]
    assert "way/2" not in table.index  # 附中 is an institution of its own inside the campus
    kept = merged.set_index("source_id")
    assert kept.loc["way/5", "other_ids"] == "osm:way/6; osm:way/7; osm:way/8"


def test_neighbours_are_placed_where_they_meet_the_compound(selected):
    features, assets = selected
    merged, _ = merge_parts(assets)
    placed, records = locate_neighbours(merged, SQUARE, features, radius_m=50)
    by_id = placed.set_index("source_id")
    assert by_id.loc["way/5"].geometry.equals(shapely.Point(128, 50))  # 8 m behind its gate (120, 50)
    assert by_id.loc["way/5", "located"] == "gate"
    for sid in ("way/1", "way/2"):
        point = by_id.loc[sid].geometry
        assert point.geom_type == "Point" and point.y == pytest.approx(130) and 0 <= point.x <= 100
        assert by_id.loc[sid, "located"] == "boundary"
    # The campus faces the compound along its south edge from x = 0 to 126.5 (within 30 + 10 m of
    # the compound's corner (100, 100)) and its west edge up to y = 140: the middle of those
    # 136.5 m lies at x = 126.5 × 63.2 / 136.5 = 58.6, opposite the middle of the north side.
    assert by_id.loc["way/1"].geometry.x == pytest.approx(58.6, abs=1)
    assert by_id.loc["node/12", "located"] == ""  # inside: left where it is
    assert {r["source_id"] for r in records} == {"way/1", "way/2", "way/5"}
    assert next(r for r in records if r["source_id"] == "way/1")["area_m2"] == pytest.approx(2000 * 2000)


def test_a_huge_neighbour_does_not_widen_the_figure(selected, tmp_path):
    """The campus is 2 km across; the figure's map stays within the compound plus the radius."""
    from layers.figure.layout import _content_bounds
    from pipeline.inventory.build import build_inventory

    features = scene(ROWS).to_crs("EPSG:4326").set_geometry(
        scene(ROWS).geometry.translate(444000, 4427000).set_crs(UTM, allow_override=True).to_crs("EPSG:4326")
    )
    square = gpd.GeoSeries([shapely.box(444000, 4427000, 444100, 4427100)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    inventory = build_inventory(features, boundary=square, boundary_name="方院")
    x0, y0, x1, y1 = _content_bounds(inventory)
    assert x1 - x0 <= 100 + 2 * 50 + 1 and y1 - y0 <= 100 + 2 * 50 + 1
    assert inventory.report["merged_parts"] and inventory.report["neighbours_placed"]


def test_the_figure_never_spans_more_than_the_compound_and_the_radius(selected):
    """Even an asset left 900 m off (by a survey, an edit) does not widen the map."""
    from layers.figure.layout import _content_bounds
    from pipeline.inventory.build import build_inventory

    features = scene(ROWS).set_geometry(scene(ROWS).geometry.translate(444000, 4427000)).to_crs("EPSG:4326")
    square = gpd.GeoSeries([shapely.box(444000, 4427000, 444100, 4427100)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    inventory = build_inventory(features, boundary=square, boundary_name="方院")
    far = inventory.assets.copy()
    far.loc[far.index[0], "geometry"] = shapely.Point(444950, 4427050)
    x0, y0, x1, y1 = _content_bounds(type(inventory)(far, inventory.boundary, inventory.gates, inventory.context, inventory.report))
    assert x1 == pytest.approx(444100 + 50)  # the far asset is cut off at the radius
    assert x0 >= 444000 - 50 and y0 >= 4427000 - 50 and y1 <= 4427100 + 50
