"""Placing a survey on the ground: stated or given CRS, control points, checks against the compound."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from pipeline.core.errors import CRSError, DataError
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import (
    BOUNDARY,
    DXF_EXPECTED,
    POINTS,
    TOL_M,
    assert_positions,
    control_points_for,
    error_m,
    feature_table,
    write_csv,
    write_dxf,
    write_kml,
)


def test_dxf_in_local_millimetres_registered_from_control_points(tmp_path):
    """A drawing on its own grid, rotated 27.5°, in millimetres, placed by five control points."""
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=27.5, scale=1000, insunits=4)
    with pytest.raises(CRSError, match=r"(?s)does not say which coordinate system.*control points"):
        read_survey(path)
    cp = tmp_path / "控制点.csv"
    control_points_for(angle_deg=27.5, scale=1000).to_csv(cp, index=False, encoding="utf-8-sig")
    result = read_survey(path, control_points=cp, near=BOUNDARY)
    assert feature_table(result) == DXF_EXPECTED
    assert_positions(result)
    reg = result.registration
    assert reg is not None
    assert reg.scale == pytest.approx(0.001, rel=1e-3)
    assert reg.rms_m < 0.01
    assert result.crs.startswith("local drawing coordinates, registered from 5 control points")
    assert not result.warnings


def test_dxf_units_that_disagree_with_the_fit_are_reported(tmp_path):
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=0, scale=1000, insunits=6)
    result = read_survey(path, control_points=control_points_for(angle_deg=0, scale=1000))
    assert any("probably drawn in millimetres" in str(w) for w in result.warnings)
    assert any("图纸很可能是以毫米绘制的" in w.text("zh") for w in result.warnings)


def test_dxf_control_points_refused_for_a_georeferenced_file(tmp_path):
    cp = control_points_for(angle_deg=0, scale=1)
    with pytest.raises(DataError, match="already georeferenced"):
        read_survey(write_kml(tmp_path / "a.kml"), control_points=cp)


def test_dxf_wrong_zone_is_refused_with_the_right_one_suggested(tmp_path):
    path = write_dxf(tmp_path / "prefix.dxf", epsg="EPSG:4527")
    with pytest.raises(CRSError, match=r"(?s)cannot be in EPSG:4548.*`--crs EPSG:4527`"):
        read_survey(path, crs="EPSG:4548")
    with pytest.raises(CRSError, match=r"(?s)does not say.*`--crs EPSG:4527`"):
        read_survey(path)


def test_csv_without_crs_asks_which_app(tmp_path):
    path = write_csv(tmp_path / "gaode.csv", system="gcj02", encoding="utf-8")
    with pytest.raises(CRSError, match=r"(?s)does not say.*\n  - `--crs gcj02`.*from the compound"):
        read_survey(path, near=BOUNDARY)


def test_csv_gcj02_read_as_wgs84_is_caught_near_the_compound(tmp_path):
    path = write_csv(tmp_path / "gaode.csv", system="gcj02", encoding="utf-8")
    with pytest.raises(CRSError, match=r"(?s)probably wrong.*\n  - `--crs gcj02`"):
        read_survey(path, crs="wgs84", near=BOUNDARY)


def test_csv_outside_china_in_gcj02(tmp_path):
    path = tmp_path / "paris.csv"
    path.write_text("name,lon,lat\nLouvre,2.3376,48.8606\n", encoding="utf-8")
    with pytest.raises(CRSError, match="outside China"):
        read_survey(path, crs="gcj02")


def test_csv_with_surveyors_x_northing_first(tmp_path):
    """Chinese survey tables put X = northing first; the suggestion flags the swap."""
    from pipeline.core.coords import parse_crs

    lon = [g.x for _, _, g in POINTS]
    lat = [g.y for _, _, g in POINTS]
    east, north = parse_crs(4527).from_wgs84(lon, lat)
    path = tmp_path / "points.csv"
    pd.DataFrame({"名称": [n for n, _, _ in POINTS], "X": north, "Y": east}).to_csv(path, index=False)
    with pytest.raises(CRSError, match=r"`--crs EPSG:4527` .*with x and y swapped \(`--swap-xy`\)"):
        read_survey(path)
    result = read_survey(path, crs="EPSG:4527", swap_xy=True)
    for geom, (_, _, truth) in zip(result.features.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_crs_option_overrides_the_file_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "gcj.csv", system="gcj02", encoding="utf-8")
    frame = pd.read_csv(path)
    gj = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["经度"], frame["纬度"]), crs="EPSG:4326")
    pyogrio.write_dataframe(gj, tmp_path / "gcj.gpkg")
    result = read_survey(tmp_path / "gcj.gpkg", crs="gcj02")
    assert any("says its coordinates are WGS 84; they were read as GCJ-02" in str(w) for w in result.warnings)
    for geom, (_, _, truth) in zip(result.features.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_far_features_are_flagged(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text(
        "名称,经度,纬度\n配电室,116.3510,39.9975\n幼儿园,116.3512,39.9976\n远处,116.3700,39.9975\n",
        encoding="utf-8",
    )
    result = read_survey(path, crs="wgs84", near=BOUNDARY)
    assert any(
        str(w).startswith("1 features of `pts.csv` lie more than 50 m outside") and "pts:4" in str(w)
        for w in result.warnings
    )


def test_control_points_for_a_georeferenced_file_are_refused_in_chinese(tmp_path):
    cp = control_points_for(angle_deg=0, scale=1)
    with pytest.raises(DataError) as info:
        read_survey(write_csv(tmp_path / "gaode.csv", system="gcj02", encoding="utf-8"), control_points=cp)
    assert info.value.text("zh") == (
        "文件 `gaode.csv` 已有地理坐标（经纬度列）：控制点只用于局部坐标的 CAD 图纸。请不用控制点，或直接选择坐标系。"
    )
    assert str(info.value).startswith("`gaode.csv` is already georeferenced (longitude/latitude columns);")
