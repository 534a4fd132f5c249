"""GIS files: zipped Shapefile, KML/KMZ, GeoJSON and GeoPackage, read back to the truth."""

from __future__ import annotations

import zipfile

import pytest

from pipeline.core import schema as S
from pipeline.core.errors import CRSError, InputFileError
from pipeline.survey.base import say
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import (
    POINTS,
    TOL_M,
    assert_positions,
    error_m,
    write_geojson,
    write_gpkg,
    write_kml,
    write_kmz,
    write_shapefile_zip,
)


def test_zipped_shapefile_in_gbk_without_cpg(tmp_path):
    result = read_survey(write_shapefile_zip(tmp_path / "测绘.zip", tmp_path))
    assert_positions(result)
    f = result.features.sort_values(S.SOURCE_ID)
    assert f[S.NAME].tolist() == [
        "1号楼",
        "石科院职工食堂",
        "石科院小卖部",
        "地下停车场",
        "配电室",
        "垃圾分类驿站",
    ]
    assert f[S.KIND].tolist() == ["", "canteen", "convenience", "parking", "substation", "waste_point"]
    assert f[S.SOURCE_ID].tolist() == ["建筑:0", "建筑:1", "设施点:0", "设施点:1", "设施点:2", "设施点:3"]
    assert sum("has no .cpg" in str(w) and "GB18030" in str(w) for w in result.warnings) == 2
    assert all("没有 .cpg 文件" in w.text("zh") for w in result.warnings if "cpg" in str(w))
    assert result.crs.startswith("EPSG:4527")


def test_shapefile_without_prj_or_dbf(tmp_path):
    path = write_shapefile_zip(tmp_path / "a.zip", tmp_path)
    for drop, error, match in (
        (".prj", CRSError, "does not say which coordinate system"),
        (".dbf", InputFileError, "`建筑.shp` has no `建筑.dbf`"),
    ):
        out = tmp_path / f"no{drop[1:]}.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if not info.filename.endswith(drop):
                    dst.writestr(info, src.read(info))
        with pytest.raises(error, match=match):
            read_survey(out)
    result = read_survey(tmp_path / "noprj.zip", crs="EPSG:4527")
    assert_positions(result)


def test_kml_from_gdal_with_z_and_html_names(tmp_path):
    result = read_survey(write_kml(tmp_path / "a.kml"))
    f = result.features
    assert not f.geometry.has_z.any()
    assert "石科院小卖部" in f[S.NAME].tolist()  # was <b>石科院小卖部</b>
    assert_positions(result)
    assert any(say(i.note, "en") == "altitude (Z) dropped" for i in result.read)


def test_kmz_with_cdata_html_names(tmp_path):
    result = read_survey(write_kmz(tmp_path / "a.kmz"))
    f = result.features
    assert f[S.NAME].tolist() == [f"{n} & 测绘" for n, _, _ in POINTS]
    assert f[S.KIND].tolist() == [k for _, k, _ in POINTS]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_geojson_duplicate_ids_and_a_feature_without_location(tmp_path):
    result = read_survey(write_geojson(tmp_path / "pts.geojson"))
    f = result.features
    assert f[S.SOURCE_ID].tolist() == ["pts:7", "pts:7", "pts:2", "pts:3"]
    assert f.index.tolist() == [0, 1, 2, 3]
    assert any("repeats feature ids (pts:7)" in str(w) for w in result.warnings)
    assert [(say(i.what, "en"), say(i.note, "en")) for i in result.not_read] == [
        ("feature pts:99", "no location: empty or missing geometry")
    ]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_geojson_not_json(tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"`a.geojson` is not valid JSON \(line 1"):
        read_survey(path)
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InputFileError, match="not GeoJSON"):
        read_survey(path)


def test_geopackage_in_a_projected_crs(tmp_path):
    result = read_survey(write_gpkg(tmp_path / "survey.gpkg"))
    f = result.features
    assert f.loc[f["role"] == "boundary", S.NAME].tolist() == ["石科院生活区"]
    assert_positions(result)
    assert result.crs.startswith("EPSG:4548")
