"""Merging survey assets into OSM's, and choosing the survey's boundary and gates."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from pipeline.core import schema as S
from pipeline.core.errors import CRSError, DataError
from pipeline.inventory.merge import OTHER_IDS, choose_boundary, choose_gates, merge_survey
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import write_dxf

UTM = "EPSG:32650"
E0, N0 = 444_300.0, 4_427_600.0  # near 石科院生活区 in UTM 50N


def _osm() -> gpd.GeoDataFrame:
    """OSM assets, metres from (E0, N0)::

    parking P  = box(0,0,40,20)   way/1  "停车场"
    kindergarten K at (100, 0)     node/2 "幼儿园"
    shop S at (200, 0)             node/3 "小卖部"
    parking Q at (300, 0)          node/4 ""
    """
    return gpd.GeoDataFrame(
        {
            S.KIND: ["parking", "kindergarten", "convenience", "parking"],
            S.CATEGORY: ["facility", "institution", "facility", "facility"],
            S.NAME: ["停车场", "幼儿园", "小卖部", ""],
            S.SOURCE: "osm",
            S.SOURCE_ID: ["way/1", "node/2", "node/3", "node/4"],
            S.TAGS: [
                {"amenity": "parking"},
                {"amenity": "kindergarten"},
                {"shop": "convenience"},
                {"amenity": "parking"},
            ],
        },
        geometry=[
            box(E0, N0, E0 + 40, N0 + 20),
            Point(E0 + 100, N0),
            Point(E0 + 200, N0),
            Point(E0 + 300, N0),
        ],
        crs=UTM,
    )


def _survey() -> gpd.GeoDataFrame:
    """Survey features::

    parking     box(-35,0,35,20)   overlaps 35/40 of P, centres 20 m apart (> 15) → merge
    kindergarten at (108, 0)       8 m from K → merge; its name wins
    convenience at (240, 0)        40 m from S → kept apart
    parking      at (303, 4)       5 m from Q, no name → merge, Q keeps nothing to lose
    substation   at (150, 50)      survey only
    boundary     box(-50,-50,400,100) not an asset → skipped
    """
    return gpd.GeoDataFrame(
        {
            S.KIND: ["parking", "kindergarten", "convenience", "parking", "substation", ""],
            S.CATEGORY: ["facility", "institution", "facility", "facility", "facility", ""],
            S.NAME: ["原幼儿园停车场", "石科院幼儿园", "便利店", "", "配电室", "石科院生活区"],
            S.SOURCE: "survey",
            S.SOURCE_ID: ["停车场:3E", "幼儿园:41", "商业:42", "停车:43", "配电:48", "小区边界:39"],
            "role": ["asset", "asset", "asset", "asset", "asset", "boundary"],
        },
        geometry=[
            box(E0 - 35, N0, E0 + 35, N0 + 20),
            Point(E0 + 108, N0),
            Point(E0 + 240, N0),
            Point(E0 + 303, N0 + 4),
            Point(E0 + 150, N0 + 50),
            box(E0 - 50, N0 - 50, E0 + 400, N0 + 100),
        ],
        crs=UTM,
    )


def test_merge_keeps_both_ids_and_the_survey_wins():
    merged, report = merge_survey(_osm(), _survey())
    assert merged[S.SOURCE_ID].tolist() == [
        "停车场:3E",
        "幼儿园:41",
        "node/3",
        "停车:43",
        "商业:42",
        "配电:48",
    ]
    assert merged[OTHER_IDS].tolist() == ["osm:way/1", "osm:node/2", "", "osm:node/4", "", ""]
    assert merged[S.SOURCE].tolist() == ["survey", "survey", "osm", "survey", "survey", "survey"]
    assert merged[S.NAME].tolist() == ["原幼儿园停车场", "石科院幼儿园", "小卖部", "", "便利店", "配电室"]
    assert merged.geometry.iloc[0].equals(box(E0 - 35, N0, E0 + 35, N0 + 20))
    assert merged.geometry.iloc[1].equals(Point(E0 + 108, N0))
    assert merged[S.TAGS].iloc[0] == {"amenity": "parking"}  # OSM's other columns are kept
    assert merged["role"].tolist() == ["asset", "asset", None, "asset", "asset", "asset"]
    assert merged.index.tolist() == list(range(6))
    assert merged.crs == UTM
    table = report.merged.sort_values("survey_id")
    assert table[["survey_id", "osm_id", "how"]].values.tolist() == [
        ["停车:43", "node/4", "distance"],
        ["停车场:3E", "way/1", "overlap"],
        ["幼儿园:41", "node/2", "distance"],
    ]
    assert table["dist_m"].round(2).tolist() == [5.0, 20.0, 8.0]
    assert table["overlap"].round(3).tolist() == [0.0, 0.875, 0.0]
    assert report.survey_only == ("商业:42", "配电:48")
    assert report.osm_only == ("node/3",)
    assert report.skipped == ("小区边界:39",)
    assert "Merged 3 survey assets" in report.summary()


def test_merge_name_falls_back_to_osm_when_the_survey_has_none():
    survey = _survey()
    survey.loc[1, S.NAME] = ""
    merged, _ = merge_survey(_osm(), survey)
    assert merged.loc[merged[S.SOURCE_ID] == "幼儿园:41", S.NAME].item() == "幼儿园"


def test_merge_is_one_to_one_nearest_first_and_independent_of_row_order():
    """Two survey kindergartens 3 m and 6 m from K: the nearer merges, the other stays."""
    survey = gpd.GeoDataFrame(
        {
            S.KIND: ["kindergarten", "kindergarten"],
            S.NAME: ["远", "近"],
            S.SOURCE: "survey",
            S.SOURCE_ID: ["a:1", "a:2"],
        },
        geometry=[Point(E0 + 106, N0), Point(E0 + 103, N0)],
        crs=UTM,
    )
    osm = _osm()
    first, r1 = merge_survey(osm, survey)
    second, r2 = merge_survey(osm.iloc[::-1], survey.iloc[::-1])
    assert r1.merged[["survey_id", "osm_id"]].values.tolist() == [["a:2", "node/2"]]
    assert r2.merged[["survey_id", "osm_id"]].values.tolist() == [["a:2", "node/2"]]
    assert r1.survey_only == r2.survey_only == ("a:1",)
    assert sorted(first[S.SOURCE_ID]) == sorted(second[S.SOURCE_ID])


def test_tolerance_is_respected():
    merged, report = merge_survey(_osm(), _survey(), tolerance_m=4.0)
    assert sorted(report.merged["survey_id"]) == ["停车场:3E"]  # overlap does not need distance
    assert len(merged) == 8


def test_merge_refuses_degrees_mixed_crs_and_missing_columns():
    osm, survey = _osm(), _survey()
    with pytest.raises(CRSError, match="geographic coordinates"):
        merge_survey(osm.to_crs(4326), survey.to_crs(4326))
    with pytest.raises(CRSError, match="different CRSs"):
        merge_survey(osm, survey.to_crs("EPSG:4548"))
    with pytest.raises(DataError, match="lack the columns kind"):
        merge_survey(osm.drop(columns=S.KIND), survey)
    with pytest.raises(DataError, match="tolerance must be ≥ 0"):
        merge_survey(osm, survey, tolerance_m=-1)


def test_choose_boundary():
    survey = _survey()
    osm_boundary = box(E0 - 45, N0 - 45, E0 + 395, N0 + 95)
    choice = choose_boundary(osm_boundary, survey, osm_id="way/595108678")
    assert (choice.source, choice.source_id) == ("survey", "小区边界:39")
    assert "replaces OSM's way/595108678 (overlap 91% of the union; 67,500 m² vs 61,600 m²)" in choice.reason
    far = choose_boundary(shapely.affinity.translate(osm_boundary, 5000), survey, osm_id="way/9")
    assert (far.source, far.source_id) == ("osm", "way/9")
    assert "does not overlap it" in far.reason
    none = choose_boundary(osm_boundary, survey[survey["role"] != "boundary"])
    assert none.source == "osm" and none.reason == "the survey has no boundary polygon"
    alone = choose_boundary(None, survey)
    assert alone.source == "survey"


def test_choose_gates():
    """A survey gate drawn as a 6 m line across the opening; OSM has a named node 2 m away."""
    survey = pd.concat(
        [
            _survey(),
            gpd.GeoDataFrame(
                {S.KIND: [""], S.NAME: [""], S.SOURCE: "survey", S.SOURCE_ID: ["大门:45"], "role": ["gate"]},
                geometry=[LineString([(E0 + 397, N0 + 10), (E0 + 403, N0 + 10)])],
                crs=UTM,
            ),
        ],
        ignore_index=True,
    )
    osm_gates = gpd.GeoDataFrame(
        {S.SOURCE_ID: ["node/5671590330"], S.NAME: ["东南门"]}, geometry=[Point(E0 + 400, N0 + 12)], crs=UTM
    )
    choice = choose_gates(osm_gates, survey)
    assert choice.source == "survey"
    gates = choice.gates
    assert gates[[S.SOURCE_ID, S.NAME, OTHER_IDS]].values.tolist() == [
        ["大门:45", "东南门", "osm:node/5671590330"]
    ]
    assert gates.geometry.iloc[0].equals(Point(E0 + 400, N0 + 10))
    assert choice.matched == {"大门:45": "node/5671590330"}
    fallback = choose_gates(osm_gates, _survey())
    assert fallback.source == "osm" and fallback.gates.equals(osm_gates)


def test_merge_with_the_demo_extract(tmp_path, demo_features):
    """The survey DXF of 石科院生活区 against the real OSM extract: canteen and parking merge."""
    from pipeline.inventory.classify import classify_features

    osm = classify_features(demo_features)
    osm = osm[osm[S.KIND] != ""].to_crs(UTM)
    survey = read_survey(write_dxf(tmp_path / "s.dxf"), crs="EPSG:4548").features.to_crs(UTM)
    merged, report = merge_survey(osm, survey)
    pairs = dict(zip(report.merged["survey_id"], report.merged["osm_id"], strict=True))
    assert pairs["建筑:3C"] == "way/594889495"  # 石科院职工食堂
    assert pairs["停车场:3E"] == "way/594882341"  # 原幼儿园停车场
    assert len(merged) == len(osm) + len(report.survey_only)
    row = merged.loc[merged[S.SOURCE_ID] == "建筑:3C"].iloc[0]
    assert row[OTHER_IDS] == "osm:way/594889495"
    boundary = osm_boundary = (
        demo_features.loc[demo_features[S.SOURCE_ID] == "way/595108678"].to_crs(UTM).geometry.iloc[0]
    )
    choice = choose_boundary(osm_boundary, survey, osm_id="way/595108678")
    assert choice.source == "survey"
    assert shapely.hausdorff_distance(choice.geometry, boundary) < 0.5


def test_survey_assets_without_their_columns_are_said_in_chinese():
    with pytest.raises(DataError) as caught:
        merge_survey(_osm(), _survey().drop(columns=[S.SOURCE, S.SOURCE_ID]))
    assert caught.value.text("zh") == (
        "测绘图资产缺少 source, source_id 列：请用本工具的读取函数（read_osm 加 classify、read_survey）读入。"
    )
    assert str(caught.value).startswith("The survey assets lack the columns source, source_id;")
