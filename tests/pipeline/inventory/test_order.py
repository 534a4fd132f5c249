"""The auto numbering method: polar for compact compounds, perimeter for long or concave ones."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core.errors import DataError
from pipeline.inventory.numbering import number_assets
from pipeline.inventory.order import MAX_ELONGATION, MIN_SOLIDITY, choose_method, shape_measures

UTM = "EPSG:32650"
# The L of the numbering tests: 20,400 m²; its hull cuts the inner corner off the 200 m square,
# 40,000 − 140 × 140 / 2 = 30,200 m²; solidity 20,400 / 30,200 = 0.675.
L_SHAPE = shapely.Polygon([(0, 0), (200, 0), (200, 60), (60, 60), (60, 200), (0, 200)])


@pytest.mark.parametrize(
    ("boundary", "solidity", "elongation", "method"),
    [
        (shapely.box(0, 0, 100, 100), 1.0, 1.0, "polar"),
        (shapely.box(0, 0, 200, 100), 1.0, 2.0, "polar"),
        (shapely.box(0, 0, 300, 100), 1.0, 3.0, "perimeter"),
        (shapely.affinity.rotate(shapely.box(0, 0, 300, 100), 30), 1.0, 3.0, "perimeter"),
        (L_SHAPE, 20400 / 30200, 1.0, "perimeter"),
    ],
)
def test_measures_and_choice(boundary, solidity, elongation, method):
    assert shape_measures(boundary) == pytest.approx((solidity, elongation), rel=1e-6)
    assert choose_method(boundary).method == method


def test_thresholds_are_the_documented_ones():
    assert (MIN_SOLIDITY, MAX_ELONGATION) == (0.85, 2.5)
    assert choose_method(shapely.box(0, 0, 250, 100)).method == "polar"  # 2.5 : 1 is still compact


def test_auto_numbers_an_l_shape_by_the_perimeter():
    assets = gpd.GeoDataFrame(
        {"name": list("abcdf"), "category": "facility"},
        geometry=[shapely.Point(180, 30), shapely.Point(30, 180), shapely.Point(20, 30),
                  shapely.Point(100, 50), shapely.Point(70, 120)],
        crs=UTM,
    )
    numbered = number_assets(assets, L_SHAPE, shapely.Point(100, 0), method="auto")
    assert list(numbered["name"]) == ["c", "b", "f", "d", "a"]  # the walk worked out in test_numbering


def test_the_demo_is_numbered_by_the_perimeter_and_says_why(demo_inventory):
    choice = demo_inventory.report["method_choice"]
    assert demo_inventory.report["method"] == choice["method"] == "perimeter"
    assert choice["asked"] == "auto"
    assert choice["solidity"] < MIN_SOLIDITY and choice["elongation"] > MAX_ELONGATION
    assert choice["reason"].startswith("the compound is long")


def test_auto_walks_a_long_compound_where_polar_would_jump():
    """A 400 × 80 m compound (elongation 5), gate in the middle of the south side. R (250, 45) stands
    35 m from the north wall at x = 250; P (300, 75) against the north wall at x = 300. Walking the wall
    clockwise (west, up, east along the north side) reaches R's wall point first (530 m) and P's
    after (580 m). From the centre (200, 40), P is at 71° and R at 84°: polar would put P first."""
    box = shapely.box(0, 0, 400, 80)
    assets = gpd.GeoDataFrame(
        {"name": ["P", "R"]}, geometry=[shapely.Point(300, 75), shapely.Point(250, 45)], crs=UTM
    )
    assert list(number_assets(assets, box, shapely.Point(200, 0), method="polar")["name"]) == ["P", "R"]
    assert list(number_assets(assets, box, shapely.Point(200, 0), method="auto")["name"]) == ["R", "P"]


def test_a_boundary_without_area_is_said_in_chinese():
    with pytest.raises(DataError) as caught:
        shape_measures(shapely.LineString([(0, 0), (100, 0)]))
    assert caught.value.text("zh") == "小区边界没有面积，无法为它选择编号方法：请检查边界是否画成了封闭的面。"
    assert str(caught.value) == "The boundary has no area; cannot choose a numbering method for it."
