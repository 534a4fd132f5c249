"""Control-point registration of drawings in local coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.core.coords import parse_crs, transformer
from pipeline.core.errors import DataError
from pipeline.survey.read import read_survey
from pipeline.survey.register import fit_registration, read_control_points, residual_table
from tests.helpers.survey_files import control_points_for, write_dxf

UTM = "EPSG:32650"
#: Ground truth: five corners of 石科院生活区 (OSM way/595108678), WGS-84.
GROUND = np.array(
    [
        (116.3471433, 39.9971235),
        (116.3501944, 39.9964865),
        (116.3559289, 39.9972838),
        (116.3551319, 39.9987759),
        (116.3498387, 39.9981763),
    ]
)
NAMES = ["西北角", "西南角", "东南角", "东北角", "食堂角"]


def _drawing(angle_deg: float, scale: float, shift=(1234.5, -678.9), *, shear: float = 0.0):
    """Drawing coordinates of GROUND: UTM metres rotated, sheared, scaled to drawing units.

    ``local = R(angle) · S · (utm - origin) / scale + shift``; the registration must give back
    ``scale`` metres per unit and the angle with the opposite sign.
    """
    e, n = transformer("EPSG:4326", UTM).transform(GROUND[:, 0], GROUND[:, 1])
    xy = np.column_stack([np.asarray(e) - 444000.0, np.asarray(n) - 4427000.0])
    xy = xy @ np.array([[1.0, 0.0], [shear, 1.0]]).T
    a = np.radians(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    local = (xy @ rot.T) / scale + np.asarray(shift)
    return pd.DataFrame(
        {
            "name": NAMES,
            "local_x": local[:, 0],
            "local_y": local[:, 1],
            "lon": GROUND[:, 0],
            "lat": GROUND[:, 1],
        }
    )


def _error_m(reg, points: pd.DataFrame) -> np.ndarray:
    lon, lat = reg.to_wgs84(points["local_x"], points["local_y"])
    e1, n1 = transformer("EPSG:4326", UTM).transform(lon, lat)
    e2, n2 = transformer("EPSG:4326", UTM).transform(points["lon"], points["lat"])
    return np.hypot(np.asarray(e1) - e2, np.asarray(n1) - n2)


def test_similarity_recovers_scale_rotation_and_places_points_exactly():
    """A drawing in millimetres rotated 30°: scale 0.001 m/unit, rotation -30°."""
    points = _drawing(30.0, 0.001)
    reg = fit_registration(points.iloc[:3])
    assert reg.method == "similarity"
    assert reg.crs == UTM
    assert reg.scale == pytest.approx(0.001, rel=1e-9)
    assert reg.rotation_deg == pytest.approx(-30.0, abs=1e-7)
    assert reg.rms_m < 1e-6
    assert _error_m(reg, points).max() < 1e-3  # the two points not used in the fit too
    assert list(reg.residuals.columns) == [
        "name",
        "local_x",
        "local_y",
        "lon",
        "lat",
        "dx_m",
        "dy_m",
        "residual_m",
    ]


def test_affine_recovers_shear_that_similarity_cannot():
    points = _drawing(12.0, 1.0, shear=0.02)
    with pytest.raises(DataError, match="over the tolerance"):
        fit_registration(points, tolerance_m=0.5)
    reg = fit_registration(points, method="affine", tolerance_m=0.01)
    assert reg.rms_m < 1e-6
    assert _error_m(reg, points).max() < 1e-3


def test_residuals_show_a_bad_point_and_the_rms():
    """Moving 东北角 by 3 m east: its residual is the largest, RMS is √(Σr²/5)."""
    points = _drawing(0.0, 1.0)
    points.loc[3, "local_x"] += 3.0
    reg = fit_registration(points, tolerance_m=5.0)
    res = reg.residuals.set_index("name")["residual_m"]
    assert res.idxmax() == "东北角"
    assert reg.rms_m == pytest.approx(np.sqrt((reg.residuals["residual_m"] ** 2).mean()), rel=1e-12)
    assert 1.0 < reg.max_residual_m < 3.0
    assert "东北角" in reg.describe()
    with pytest.raises(DataError, match=r"(?s)RMS \d+\.\d{3} m, over the tolerance of 1 m.*东北角"):
        fit_registration(points, tolerance_m=1.0)


def test_residual_table_lines():
    points = _drawing(0.0, 1.0)
    reg = fit_registration(points)
    lines = residual_table(reg.residuals).splitlines()
    assert len(lines) == 6
    assert lines[1].split()[0] == "西北角"


def test_too_few_points():
    with pytest.raises(DataError, match="have 2 points; the similarity fit needs at least 3"):
        fit_registration(_drawing(0, 1).iloc[:2])
    with pytest.raises(
        DataError,
        match=r"^The control points have 3 points; the affine fit needs at least 4: add control points",
    ):
        fit_registration(_drawing(0, 1).iloc[:3], method="affine")


def test_collinear_duplicate_and_missing_points():
    points = _drawing(0, 1).iloc[:3].copy()
    points["local_x"] = [0.0, 10.0, 20.0]
    points["local_y"] = [0.0, 10.0, 20.0]
    with pytest.raises(DataError, match="lie on one line"):
        fit_registration(points, method="similarity")
    dup = _drawing(0, 1)
    dup.loc[1, ["local_x", "local_y"]] = dup.loc[0, ["local_x", "local_y"]].to_numpy()
    with pytest.raises(DataError, match="西北角, 西南角 share the same drawing position"):
        fit_registration(dup)
    with pytest.raises(DataError, match="lack the columns `lon`, `lat`"):
        fit_registration(_drawing(0, 1).drop(columns=["lon", "lat"]))
    bad = _drawing(0, 1)
    bad.loc[2, "lat"] = np.nan
    with pytest.raises(DataError, match="东南角 have a missing or non-numeric"):
        fit_registration(bad)
    with pytest.raises(DataError, match="method `helmert` is unknown"):
        fit_registration(_drawing(0, 1), method="helmert")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="tolerance must be positive"):
        fit_registration(_drawing(0, 1), tolerance_m=0)


def test_read_control_points_lon_lat_utf8_bom(tmp_path):
    path = tmp_path / "cp.csv"
    _drawing(10, 0.001).to_csv(path, index=False, encoding="utf-8-sig")
    table = read_control_points(path)
    assert list(table.columns) == ["name", "local_x", "local_y", "lon", "lat"]
    assert table["name"].tolist() == NAMES
    assert fit_registration(table).rms_m < 1e-6


def test_read_control_points_projected_with_crs_column_gbk(tmp_path):
    """Surveyors' ground coordinates in CGCS2000 GK zone 39 (EPSG:4527), names as 点号, GBK."""
    points = _drawing(0, 1)
    x, y = parse_crs(4527).from_wgs84(points["lon"], points["lat"])
    table = pd.DataFrame(
        {
            "点号": NAMES,
            "local_x": points["local_x"],
            "local_y": points["local_y"],
            "x": x,
            "y": y,
            "crs": "EPSG:4527",
        }
    )
    path = tmp_path / "cp.csv"
    table.to_csv(path, index=False, encoding="gbk")
    got = read_control_points(path)
    assert got["name"].tolist() == NAMES
    assert np.allclose(got["lon"], GROUND[:, 0], atol=1e-8)
    assert np.allclose(got["lat"], GROUND[:, 1], atol=1e-8)


def test_read_control_points_in_gcj02_from_the_option(tmp_path):
    points = _drawing(0, 1)
    gx, gy = parse_crs("gcj02").from_wgs84(points["lon"], points["lat"])
    path = tmp_path / "cp.csv"
    points.assign(lon=gx, lat=gy).to_csv(path, index=False)
    got = read_control_points(path, crs="gcj02")
    assert np.allclose(got["lon"], GROUND[:, 0], atol=1e-8)


def test_read_control_points_errors(tmp_path):
    path = tmp_path / "cp.csv"
    path.write_text("name,local_x,local_y,x,y\nA,0,0,444000,4429000\n", encoding="utf-8")
    with pytest.raises(DataError, match="without saying their coordinate system"):
        read_control_points(path)
    path.write_text("name,local_x,local_y,lon,lat\nA,0,0,116.3,39.9\nB,1,x,116.4,39.9\n", encoding="utf-8")
    with pytest.raises(DataError, match="rows 3 have a missing or non-numeric"):
        read_control_points(path)
    path.write_text("name,a,b\nA,0,0\n", encoding="utf-8")
    with pytest.raises(DataError, match="need `local_x`"):
        read_control_points(path)
    path.write_text("local_x,local_y,x,y,crs\n0,0,1,1,EPSG:4548\n0,0,1,1,EPSG:4527\n")
    with pytest.raises(DataError, match="mixes coordinate systems"):
        read_control_points(path)
    with pytest.raises(FileNotFoundError, match="Cannot read the control points"):
        read_control_points(tmp_path / "missing.csv")


def test_dxf_control_points_over_tolerance_name_the_point(tmp_path):
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=10, scale=1)
    cp = control_points_for(angle_deg=10, scale=1)
    cp.loc[2, "local_x"] += 8.0  # a typo in 东南角
    with pytest.raises(DataError, match=r"(?s)over the tolerance of 1 m.*东南角"):
        read_survey(path, control_points=cp)
    result = read_survey(path, control_points=cp, tolerance_m=5.0)
    assert result.registration.residuals.set_index("name")["residual_m"].idxmax() == "东南角"


def test_control_point_errors_are_said_in_chinese(tmp_path):
    with pytest.raises(DataError) as columns:
        fit_registration(pd.DataFrame({"local_x": [0.0], "local_y": [0.0], "lon": [116.35]}))
    assert columns.value.text("zh") == (
        "控制点缺少 `lat` 列：每个控制点都需要图上坐标 `local_x`、`local_y` 和地面经纬度 `lon`、`lat`。"
    )
    path = tmp_path / "控制点.csv"
    path.write_text(
        "name,local_x,local_y,lon,lat\nA,0,0,116.3471,39.9971\nB,10,,116.3502,39.9965\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as rows:
        read_control_points(path)
    assert rows.value.text("zh") == "控制点文件 `控制点.csv` 第 3 行的坐标缺失或不是数字：请填写数字。"
    assert str(rows.value) == f"`{path}` rows 3 have a missing or non-numeric coordinate."
