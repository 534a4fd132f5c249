"""Supervision zones: the chosen works grouped by walking distance, every building in one."""

from __future__ import annotations

import pytest
import shapely.affinity

from pipeline.core.errors import DataError
from pipeline.sites.zones import supervision_zones
from tests.helpers.walk_scene import lawn_sites


@pytest.fixture(scope="module")
def lawn():
    return lawn_sites()



def test_supervision_zones_group_works_by_walking(lawn):
    """Lawn and car park are far apart on foot: two zones; with a 1 km join, one. Every building is in one."""
    _, coverage, sites = lawn
    works = sites[sites["source_id"].isin(["way/40", "way/42"])]
    zones, buildings = supervision_zones(coverage.area, works, join_m=150)
    assert len(zones) == 2
    assert set(buildings["source_id"]) == set(coverage.area.buildings["source_id"])
    by_building = buildings.set_index("name")
    lawn_zone = zones[zones["works"] == works.set_index("source_id").loc["way/40", "site_id"]]["zone"].iloc[0]
    assert by_building.loc["4号楼", "zone"] == lawn_zone
    assert (buildings["by"] == "walk").all()
    one, _ = supervision_zones(coverage.area, works, join_m=1000)
    assert list(one["zone"]) == ["Z1"] and one["buildings"].iloc[0] == 4
    with pytest.raises(DataError, match="No works chosen"):
        supervision_zones(coverage.area, works.iloc[:0])


def test_no_works_chosen_is_said_in_chinese(lawn):
    _, coverage, sites = lawn
    with pytest.raises(DataError) as caught:
        supervision_zones(coverage.area, sites.iloc[:0])
    assert caught.value.text("zh") == "没有选择工程：请选出居民投票选中的点位。"


def test_works_far_from_every_path_are_named_in_both_languages(lawn):
    """A chosen site moved 5 km away: no path reaches it, and the error names its site id as people read it."""
    _, coverage, sites = lawn
    works = sites[sites["source_id"].isin(["way/40", "way/42"])].copy()
    far = works["site_id"].iloc[1]
    works.loc[works.index[1], "geometry"] = shapely.affinity.translate(works.geometry.iloc[1], 5000, 0)
    with pytest.raises(DataError) as caught:
        supervision_zones(coverage.area, works)
    assert str(caught.value) == f"Works {far} are not near any path; check their location."
    assert caught.value.text("zh") == f"工程 {far} 附近没有道路：请检查它们的位置。"
