"""Finding compounds in every shipped extract and choosing one."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
import shapely

from pipeline.core.crs import utm_crs
from pipeline.core.errors import CompoundNotFoundError, CRSError, GeometryError, InputFileError
from pipeline.inventory import compound as compound_module
from pipeline.inventory.compound import find_compounds, gates_near, read_boundary_file, select_compound
from pipeline.inventory.gates import find_gates
from pipeline.osm.read import read_osm
from tests.helpers.testdata import EXTRACTS

EXPECTED = {
    # extract: (count of residential polygons, names that must be listed)
    "qinghua": (10, {"石科院生活区", "富润家园", "农大小区-北区", "清华东路27号院", "静淑苑", "中建壹品·学府公馆",
                     "双泉嘉苑", "学士居", "大华花园别墅"}),
    "wudaokou": (6, {"新林院", "荷清苑教师住宅区", "西院", "西王庄小区", "清华大学西北小区", "华清嘉园小区"}),
    "xitucheng": (3, set()),
    # 26 landuse=residential ways, 13 of them cut by the extract's box (nodes missing): skipped.
    "helsinki": (13, {"Pääskynen"}),
}


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_compounds_of_every_extract(name):
    compounds = find_compounds(read_osm(EXTRACTS[name]))
    count, names = EXPECTED[name]
    assert len(compounds) == count
    assert names <= set(compounds["name"])
    assert (compounds["area_m2"] > 0).all()
    assert list(compounds["area_m2"]) == sorted(compounds["area_m2"], reverse=True)


def test_demo_compound_row(demo_features):
    compounds = find_compounds(demo_features)
    row = compounds[compounds["source_id"] == "way/595108678"].iloc[0]
    assert row["name"] == "石科院生活区"
    assert row["area_m2"] == pytest.approx(113205, rel=0.001)
    assert row["gates"] == 2


def test_select_by_id_and_by_name(demo_features):
    compounds = find_compounds(demo_features)
    assert select_compound(compounds, "way/595108678")["name"] == "石科院生活区"
    assert select_compound(compounds, " 石科院生活区 ")["source_id"] == "way/595108678"


def test_unknown_name_lists_close_matches(demo_features):
    compounds = find_compounds(demo_features)
    with pytest.raises(CompoundNotFoundError, match=r"Close matches: 石科院生活区 \(way/595108678\)"):
        select_compound(compounds, "石科院")
    with pytest.raises(CompoundNotFoundError, match="No compound `way/1`.*python -m pipeline compounds"):
        select_compound(compounds, "way/1")


def test_ambiguous_name_lists_the_ids(demo_features):
    compounds = find_compounds(demo_features)
    twins = compounds.copy()
    twins.loc[twins.index[:2], "name"] = "同名小区"
    with pytest.raises(CompoundNotFoundError, match=r"Several compounds are named `同名小区` \(way/\d+, way/\d+\)"):
        select_compound(twins, "同名小区")


def test_extract_without_compounds(demo_features):
    none = find_compounds(demo_features[demo_features["source_id"] == "node/5671590330"])
    assert none.empty
    with pytest.raises(CompoundNotFoundError, match="no residential compound.*--boundary"):
        select_compound(none, "x")


def _geojson(path, geometry, crs=True):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}]}
    if not crs:
        data["crs"] = None
    path.write_text(json.dumps(data))
    return path


def test_boundary_file_bow_tie_is_repaired_with_a_warning(tmp_path, caplog):
    bow_tie = shapely.Polygon([(116.340, 39.990), (116.342, 39.992), (116.342, 39.990), (116.340, 39.992)])
    with caplog.at_level(logging.WARNING):
        fixed = read_boundary_file(_geojson(tmp_path / "b.geojson", bow_tie))
    assert fixed.is_valid and fixed.area > 0
    assert "Self-intersection" in caplog.text and "Repaired the boundary" in caplog.text


def test_boundary_file_that_is_a_line_is_refused(tmp_path):
    line = shapely.LineString([(116.34, 39.99), (116.35, 39.99)])
    with pytest.raises(GeometryError, match="is a LineString, not a polygon"):
        read_boundary_file(_geojson(tmp_path / "l.geojson", line))


def test_boundary_file_missing_or_without_crs(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_boundary_file(tmp_path / "none.geojson")
    import geopandas as gpd

    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)]).to_file(shp)
    with pytest.raises(CRSError, match="no CRS.*\\.prj"):
        read_boundary_file(shp)


def test_unnamed_compounds_are_listed_with_a_title():
    """The three xitucheng compounds have no name; each gets one from the street it lies along.
    The BUPT housing lies east of 西土城路, which runs down its west side."""
    from pipeline.osm.read import read_osm
    from tests.helpers.testdata import EXTRACTS

    found = find_compounds(read_osm(EXTRACTS["xitucheng"]), count_gates=False).set_index("source_id")
    assert (found["name"] == "").all()
    assert tuple(found.loc["way/1376112785", ["title_zh", "title_en"]]) == ("西土城路东侧小区", "compound east of Xitucheng Rd")
    assert found["title_zh"].str.endswith("侧小区").all() and not found["title_en"].str.contains("way/").any()


def test_a_named_compound_is_titled_by_its_name(demo_features):
    found = find_compounds(demo_features, count_gates=False).set_index("source_id")
    assert tuple(found.loc["way/595108678", ["title_zh", "title_en"]]) == ("石科院生活区", "石科院生活区")


@pytest.fixture(scope="module")
def extract_frames():
    return {name: read_osm(path) for name, path in EXTRACTS.items()}


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_gates_per_compound_are_those_of_a_search_over_the_whole_extract(name, extract_frames):
    """Each compound's gates come from its neighbourhood; a search over every feature finds the same."""
    features = extract_frames[name]
    compounds = find_compounds(features)
    crs = utm_crs(shapely.union_all(compounds.geometry.values))
    local = features.to_crs(crs)
    found = 0
    for sid, count in zip(compounds["source_id"], compounds["gates"], strict=True):
        boundary = shapely.make_valid(local.loc[local["source_id"] == sid].geometry.iloc[0])
        whole = find_gates(boundary, local)  # every feature of the extract, no index
        near = gates_near(local, boundary)
        # A road's English name may be mapped on a far piece of it only: English words can differ.
        english = [c for c in ("road_name_en", "title_en") if c in whole]
        pd.testing.assert_frame_equal(pd.DataFrame(near).drop(columns=english), pd.DataFrame(whole).drop(columns=english))
        assert count == len(whole)
        found += count
    assert found > 0


def test_counting_no_gates_searches_no_gates(demo_features, monkeypatch):
    def no_search(*args, **kwargs):
        raise AssertionError("a gate search ran")

    monkeypatch.setattr(compound_module, "find_gates", no_search)
    monkeypatch.setattr(compound_module, "gates_near", no_search)
    listed = find_compounds(demo_features, count_gates=False)
    assert len(listed) == 10 and (listed["gates"] == -1).all()


def test_an_unknown_compound_is_said_in_chinese_with_the_compounds_listed():
    compounds = pd.DataFrame({"source_id": ["way/1", "way/2", "way/3"], "name": ["石科院生活区", "", "静淑苑"]})
    with pytest.raises(CompoundNotFoundError) as caught:
        select_compound(compounds, "way/9")
    assert caught.value.text("zh") == (
        "地图数据中没有小区 `way/9`。地图数据中的小区：石科院生活区（way/1）、未命名小区（way/2）、静淑苑（way/3）。"
    )
    assert str(caught.value) == (
        "No compound `way/9` in the extract. Compounds in the extract: 石科院生活区 (way/1), (no name) (way/2), "
        "静淑苑 (way/3). Run `python -m pipeline compounds FILE` to list them all."
    )


def test_a_boundary_file_without_crs_is_named_without_its_folder_in_chinese(tmp_path):
    import geopandas as gpd

    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)]).to_file(shp)
    with pytest.raises(CRSError) as caught:
        read_boundary_file(shp)
    assert caught.value.text("zh") == (
        "边界文件 `nocrs.shp` 没有坐标系：请带坐标系保存（GeoJSON 规定为 WGS-84，Shapefile 需要附带 .prj 文件）。"
    )
    assert str(tmp_path) in str(caught.value)


def test_a_boundary_in_metres_is_said_in_chinese(tmp_path):
    """A GeoJSON is WGS-84 by definition; UTM metres written into one are not degrees."""
    path = _geojson(tmp_path / "metres.geojson", shapely.box(444000, 4427000, 444100, 4427100))
    with pytest.raises(CRSError) as caught:
        read_boundary_file(path)
    assert caught.value.text("zh") == (
        "边界文件 `metres.geojson` 的坐标形如 (444000, 4427000)，不是经纬度，而文件写的坐标系是 EPSG:4326："
        "这些坐标像是投影坐标系（UTM 或高斯-克吕格）的米数。请按它真实的坐标系保存文件（GeoPackage 或 Shapefile "
        "会记下坐标系；GeoJSON 必须用 WGS-84 经纬度）。"
    )
