"""Where candidate sites come from: open land wide enough, clusters of residents' spots, the spots input."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from pipeline.core.errors import CRSError, DataError
from pipeline.core.words import reason_text
from pipeline.inventory.build import build_inventory
from pipeline.sites.candidates import candidate_sites, read_spots
from pipeline.sites.rank import find_sites
from tests.helpers.walk_scene import LAWN_SPOTS, LOCAL_CRS, Scene, at, box, lawn_sites, line


@pytest.fixture(scope="module")
def lawn():
    return lawn_sites()



def test_a_3_m_grass_strip_is_not_a_candidate(lawn):
    _, _, sites = lawn
    assert "way/41" not in set(sites["source_id"])
    assert (sites["width_m"] >= 8).all()


@pytest.mark.parametrize(("north_block_from", "expected"), [(11.5, 0), (25.0, 1)])
def test_leftover_corner_needs_8_m_of_width(north_block_from, expected):
    """A 100 x 30 m compound: a footway along y=5 (corridor to y=6.5), a building from y=north_block_from.

    At 11.5 the open land between the footway corridor and the building (kept 1 m clear) is 4 m wide:
    no site. At 25 it is 17.5 m wide and 1,700 m² or so: one leftover corner.
    """
    s = Scene()
    s.add("way/1", box(0, 0, 100, 30), landuse="residential")
    s.add("node/2", shapely.Point(50, 0), barrier="gate")
    s.add("way/3", line((50, -20), (50, 0), (50, 5)), highway="footway")
    s.add("way/4", line((0, 5), (50, 5), (100, 5)), highway="footway")
    s.add("way/5", line((-20, -20), (120, -20)), highway="residential")
    s.add("way/6", box(0, north_block_from, 100, 30), "1号楼", building="residential")
    s.add("node/7", shapely.Point(10, 8), amenity="waste_disposal")
    features = s.frame()
    inventory = build_inventory(features, compound="way/1")
    coverage, sites = find_sites(inventory, features)
    found = candidate_sites(coverage.area, inventory.assets)
    assert list(found["type"]) == ["leftover"] * expected
    assert len(sites) == expected
    if expected:
        assert found["width_m"].iloc[0] == pytest.approx(17.5, abs=0.1)


def test_a_cluster_of_spots_away_from_other_sites_is_a_site(lawn):
    """Three spots 5–10 m apart south of the lawn, more than 50 m from any candidate: a site of their own.

    The six spots along the lawn stay the lawn's demand and make no second site.
    """
    inventory, coverage, _ = lawn
    cluster = gpd.GeoDataFrame(
        {"supports": [1, 0, 0]}, geometry=[at(200, 50), at(210, 55), at(205, 45)], crs=LOCAL_CRS
    )
    spots = pd.concat([LAWN_SPOTS, cluster], ignore_index=True)
    _, sites = find_sites(inventory, spots=spots, coverage=coverage)
    found = sites[sites["type"] == "spots"]
    assert len(found) == 1
    assert (found["spots"].iloc[0], found["supports"].iloc[0]) == (3, 1)
    assert "3 spots nearby" in reason_text(found["reason"].iloc[0], "en")
    assert sites.set_index("source_id").loc["way/40", "spots"] == 6


def test_spots_input():
    plain = pd.DataFrame({"lon": [116.35], "lat": [39.99], "supports": [4]})
    spots = read_spots(plain, LOCAL_CRS)
    assert list(spots[["supports", "votes", "demand"]].iloc[0]) == [4, 0, 5]
    with pytest.raises(DataError, match="needs `lon` and `lat` columns"):
        read_spots(pd.DataFrame({"x": [1]}), LOCAL_CRS)
    with pytest.raises(CRSError, match="The spots have no CRS"):
        read_spots(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), LOCAL_CRS)


def test_spots_without_coordinates_are_said_in_chinese():
    with pytest.raises(DataError) as caught:
        read_spots(pd.DataFrame({"x": [1]}), LOCAL_CRS)
    assert caught.value.text("zh") == "问题点表需要 `lon`、`lat` 两列（WGS-84 经纬度）或点几何。"
