"""Linking spots to numbered assets, the distances between spots, and blurring."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from pipeline.core.errors import CRSError, DataError
from pipeline.core.schema import CATEGORY, KIND, LABEL, NAME, SEQ, SOURCE_ID
from store.geo import blur_lonlat, haversine_m, nearest_asset, nearest_assets, spots_frame

UTM = "EPSG:32650"
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
X0, Y0 = 441_000.0, 4_429_000.0  # near 116.31 E, 40.01 N


def lonlat(dx: float, dy: float) -> tuple[float, float]:
    """WGS-84 position of the point ``dx`` m east and ``dy`` m north of the origin O."""
    return TO_LONLAT.transform(X0 + dx, Y0 + dy)


@pytest.fixture
def assets() -> gpd.GeoDataFrame:
    """Four numbered assets around O (metres, UTM 50N)::

                 7 畅乐园 (0, 12)
        11 (-12, 0)   O       [ 3 ]  square x 20..30, y -5..5 (no name)
                                        9 (-45, 0) is further west, off this sketch

    From O: 7 and 11 are both 12 m away (7 wins: lower number); 3 is 20 m; 9 is 45 m.
    """
    rows = [
        (7, "7", "畅乐园", "public_space", "playground", "way/1", Point(X0, Y0 + 12)),
        (11, "11", "幼儿园", "institution", "kindergarten", "way/2", Point(X0 - 12, Y0)),
        (3, "3", None, "facility", "substation", "way/3", box(X0 + 20, Y0 - 5, X0 + 30, Y0 + 5)),
        (9, "9", "垃圾站", "facility", "waste", "node/4", Point(X0 - 45, Y0)),
    ]
    cols = [SEQ, LABEL, NAME, CATEGORY, KIND, SOURCE_ID, "geometry"]
    return gpd.GeoDataFrame([dict(zip(cols, r, strict=True)) for r in rows], crs=UTM)


@pytest.mark.parametrize(
    ("dx", "dy", "expected"),
    [
        (0, 0, ("7", "畅乐园", 12.0, "近 7 · 畅乐园", "near 7 · 畅乐园")),
        (25, 0, ("3", "", 0.0, "近 3", "near 3")),
        (35, 0, ("3", "", 5.0, "近 3", "near 3")),
        (-40, 0, ("9", "垃圾站", 5.0, "近 9 · 垃圾站", "near 9 · 垃圾站")),
        (-12, -29.5, ("11", "幼儿园", 29.5, "近 11 · 幼儿园", "near 11 · 幼儿园")),
    ],
)
def test_nearest_numbered_asset_within_30_m(assets, dx, dy, expected):
    near = nearest_asset(*lonlat(dx, dy), assets)
    assert near is not None
    assert (near.label, near.name, near.dist_m, near.text("zh"), near.text("en")) == (
        expected[0], expected[1], pytest.approx(expected[2], abs=0.01), expected[3], expected[4],
    )  # fmt: skip


def test_nothing_beyond_30_m_and_row_order_does_not_matter(assets):
    assert nearest_asset(*lonlat(0, -40), assets) is None
    assert nearest_asset(*lonlat(-12, -30.5), assets) is None
    shuffled = assets.iloc[::-1]
    points = [lonlat(0, 0), lonlat(25, 0), lonlat(0, -40)]
    lons, lats = zip(*points, strict=True)
    labels = [n.label if n else None for n in nearest_assets(lons, lats, shuffled)]
    assert labels == ["7", "3", None]


def test_assets_in_degrees_or_without_columns_are_refused(assets):
    with pytest.raises(CRSError, match="linking spots needs the inventory's projected metric CRS") as crs:
        nearest_asset(116.31, 40.01, assets.to_crs("EPSG:4326"))
    assert crs.value.text("zh") == (
        "资产的坐标系是 EPSG:4326（经纬度）：把问题点关联到资产需要清单的米制投影坐标系，"
        "请先转换到小区所在的 UTM 带。"
    )
    with pytest.raises(DataError, match=r"lacks the inventory columns \['label'\]"):
        nearest_asset(116.31, 40.01, assets.drop(columns=[LABEL]))


def test_haversine_matches_the_projected_distance():
    a, b = lonlat(0, 0), lonlat(30, 40)
    assert haversine_m(a[0], a[1], b[0], b[1]) == pytest.approx(50.0, abs=0.05)


def test_blur_snaps_to_cell_centres_of_a_metric_grid():
    """Cells of 50 m in UTM 50N: (10, 10) and (40, 45) share the cell centred at (25, 25);
    (60, 10) is in the next cell east, centred at (75, 25)."""
    pts = [lonlat(10, 10), lonlat(40, 45), lonlat(60, 10)]
    lons, lats = (np.array(v) for v in zip(*pts, strict=True))
    blon, blat = blur_lonlat(lons, lats, cell_m=50, crs=UTM)
    x, y = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(blon, blat)
    assert np.allclose(np.array(x) - X0, [25, 25, 75], atol=0.01)
    assert np.allclose(np.array(y) - Y0, [25, 25, 25], atol=0.01)
    # Without a CRS the grid is the points' UTM zone: the same answer here.
    assert np.allclose(blur_lonlat(lons, lats, cell_m=50)[0], blon)
    with pytest.raises(DataError, match="Blur cell size 0 m must be a positive number") as cell:
        blur_lonlat(lons, lats, cell_m=0)
    assert cell.value.text("zh") == "模糊网格大小 0 米必须是正数。"


def test_spots_frame_for_the_map(store, compound):
    from store import add_spot, list_spots
    from tests.helpers.db import resident

    add_spot(store, compound, resident(), *lonlat(10, 10), "lighting", "<b>dark</b>")
    add_spot(store, compound, resident(), *lonlat(40, 45), "parking", "cars")
    spots = list_spots(store, compound)
    exact = spots_frame(spots)
    assert list(exact.columns) == [
        "id", "category", "category_label", "text", "author", "supports", "status",
        "has_photo", "near", "created_at", "geometry",
    ]  # fmt: skip
    assert exact.crs == "EPSG:4326"
    assert list(exact["category_label"]) == ["照明", "停车"]
    assert list(exact["text"]) == ["<b>dark</b>", "cars"]
    blurred = spots_frame(spots, blur_m=50, crs=UTM, lang="en")
    assert blurred.geometry.iloc[0].equals_exact(blurred.geometry.iloc[1], 1e-9)
    assert list(blurred["category_label"]) == ["Lighting", "Parking"]


def test_spots_from_store_count_a_closed_sessions_dots_as_votes(store, db_url, compound, planner):
    """A topic's dots count for each of its spots; a spot outside the vote has none."""
    from store import (
        add_spot,
        add_topics_from_spots,
        cast_ballot,
        close_session,
        merge_topics,
        open_session,
        spots_from_store,
        support_spot,
    )
    from tests.helpers.db import code, resident

    lon, lat = 116.33, 40.01
    s1 = add_spot(store, compound, resident("A"), lon, lat, "parking", "fire lane blocked")
    s2 = add_spot(store, compound, resident("B"), lon + 0.001, lat, "parking", "cars on the fire lane")
    s3 = add_spot(store, compound, resident("C"), lon, lat + 0.001, "lighting", "lamp out")
    support_spot(store, s1.id, resident("D"))
    vote = open_session(store, compound, planner, "s", dots=5)
    t1, t2 = add_topics_from_spots(store, vote.id, planner, [s1.id, s2.id])
    merge_topics(store, t1.id, [t2.id], planner)
    cast_ballot(store, vote.id, resident("E"), {t1.id: 3}, code=code(store, vote.id))
    cast_ballot(store, vote.id, resident("F"), {t1.id: 1}, code=code(store, vote.id))
    close_session(store, vote.id, planner)
    frame = spots_from_store(db_url, compound, session_id=vote.id)
    assert dict(zip(frame["id"], frame["votes"], strict=True)) == {s1.id: 4, s2.id: 4, s3.id: 0}
    assert dict(zip(frame["id"], frame["supports"], strict=True))[s1.id] == 1
    assert set(spots_from_store(db_url, compound)["votes"]) == {0}


def test_spots_read_their_assets_current_label_and_are_linked_again_when_it_is_gone(assets, store, compound):
    from store import add_spot, list_spots
    from store.geo import with_current_labels
    from tests.helpers.db import resident

    add_spot(store, compound, resident(), *lonlat(0, 0), "lighting", "dark", assets=assets)  # near 7
    add_spot(store, compound, resident(), *lonlat(-40, 0), "waste", "bins", assets=assets)  # near 9
    add_spot(store, compound, resident(), *lonlat(100, 100), "noise", "far", assets=assets)  # near none
    made = list_spots(store, compound)
    assert [s.near() for s in made] == ["近 7 · 畅乐园", "近 9 · 垃圾站", ""]
    renumbered = assets.copy()  # a new main gate: the park is 23 now, and renamed; 9 is hidden
    renumbered.loc[renumbered[SOURCE_ID] == "way/1", [LABEL, NAME]] = ["23", "畅乐园（新）"]
    renumbered = renumbered[renumbered[SOURCE_ID] != "node/4"]
    now = with_current_labels(made, renumbered)
    assert [s.near() for s in now] == ["近 23 · 畅乐园（新）", "近 11 · 幼儿园", ""]  # 9's spot: 11 is 28 m off
    assert now[0].near_source_id == "way/1" and now[1].near_source_id == "way/2"
    assert with_current_labels(made, renumbered, max_dist_m=20)[1].near_source_id is None
    assert [s.near() for s in list_spots(store, compound)] == [s.near() for s in made]  # the store is unchanged
    assert with_current_labels(made, assets) == made
