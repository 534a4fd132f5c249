"""Ranking candidate sites: the lawn with spots ranks first, weights re-rank, the profile weighs in."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core.errors import DataError
from pipeline.core.words import reason_text, uses_text
from pipeline.sites.rank import SiteWeights, find_sites, rank_sites
from tests.helpers.walk_scene import LAWN_SPOTS, LOCAL_CRS, lawn_scene, lawn_sites


@pytest.fixture(scope="module")
def lawn():
    return lawn_sites()


def test_lawn_with_spots_and_no_playground_ranks_first(lawn):
    """The 2,000 m² lawn (way/40) has all six spots beside it and no playground within 300 m.

    It can hold one (170 m² needed) and would bring every building within 300 m: demand 1, gap 1.
    """
    _, coverage, sites = lawn
    assert coverage.table.set_index("kind").loc["playground", "status"] == "gap"
    first = sites.iloc[0]
    assert (first["rank"], first["source_id"], first["type"]) == (1, "way/40", "green")
    assert (first["spots"], first["supports"], first["demand"], first["gap"]) == (6, 6, 1.0, 1.0)
    assert reason_text(first["reason"], "en") == (
        "fills: children's and elderly activity ground, none mapped within 300 m; 6 spots nearby; 2,000 m²"
    )
    assert reason_text(first["reason"], "zh") == "补缺：儿童、老年人活动场地（地图上300米内没有）；附近6个问题点；2,000平方米"
    assert uses_text(first["uses"], "en").startswith("children's and elderly activity ground (improvement)")
    assert uses_text(first["uses"], "zh").startswith("儿童、老年人活动场地（完善类）")
    assert first["renovation_class"] == "improvement"
    assert first["score"] > sites.iloc[1]["score"]


def test_weights_re_rank_without_touching_the_input():
    """Two sites: A is wanted (demand), B fits better; the weights decide which comes first."""
    assessed = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B"],
            "demand": [1.0, 0.0],
            "gap": [0.5, 0.5],
            "suitability": [0.2, 0.9],
            "profile": 0.0,
        },
        geometry=[shapely.Point(0, 0), shapely.Point(1, 0)],
        crs=LOCAL_CRS,
    )
    default = rank_sites(assessed)
    assert list(default["site_id"]) == ["A", "B"]
    assert list(default["score"]) == [
        100 * (0.30 + 0.35 * 0.5 + 0.25 * 0.2) / 1.0,
        100 * (0.35 * 0.5 + 0.25 * 0.9),
    ]
    fit_first = rank_sites(assessed, SiteWeights(demand=0, gap=1, suitability=1, profile=0))
    assert list(fit_first["site_id"]) == ["B", "A"]
    assert list(fit_first["score"]) == [70.0, 35.0]
    assert "score" not in assessed.columns
    with pytest.raises(DataError, match="Site weights must be non-negative with a positive sum"):
        SiteWeights(demand=-1)
    with pytest.raises(DataError, match="positive sum"):
        SiteWeights(demand=0, gap=0, suitability=0, profile=0)


def test_share_aged_60_plus_weights_elderly_uses(lawn):
    inventory, coverage, _ = lawn
    features = lawn_scene().frame()
    _, sites = find_sites(inventory, features, spots=LAWN_SPOTS, aged_60_plus_pct=40, coverage=coverage)
    lawn_row = sites.set_index("source_id").loc["way/40"]
    assert lawn_row["profile"] == pytest.approx(0.4)


def test_weights_that_are_all_zero_are_said_in_chinese():
    """The app's sliders all at zero: the Chinese says what to do without the command line."""
    with pytest.raises(DataError) as caught:
        SiteWeights(demand=0, gap=0, suitability=0, profile=0)
    assert caught.value.text("zh") == (
        "各项权重不能为负，且总和须大于 0（现为 居民需求 0、补缺 0、场地条件 0、老龄化 0）：请至少把一项调到大于 0。"
    )
    with pytest.raises(DataError) as caught:
        SiteWeights(demand=-0.5)
    assert str(caught.value) == (
        "Site weights must be non-negative with a positive sum; "
        "got Demand -0.5, Gap filled 0.35, Suitability 0.25, Profile (aged 60+) 0.1."
    )
