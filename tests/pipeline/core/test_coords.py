"""China's coordinate systems: GCJ-02/BD-09 against published values, CRS parsing and suggestion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.coords import (
    INVERSE_TOL_DEG,
    bd09_to_gcj02,
    bd09_to_wgs84,
    check_fits,
    check_in_china,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    missing_crs_error,
    outside_china,
    parse_crs,
    suggest_crs,
    to_wgs84_geometries,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from pipeline.core.errors import CRSError

# --------------------------------------------------------------------------- reference values

#: (wgs_lat, wgs_lng, gcj_lat, gcj_lng) from googollee/eviltransform, ``python/test.py`` (the
#: same vectors are in its Go ``transform_test.go`` and PHP tests): Shanghai, Shenzhen, Beijing.
#: eviltransform asserts the forward result to 6 decimal places and the exact inverse to 0.5 m.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]

#: The example in wandergis/coordtransform's README (``index.js`` results for lng 116.404,
#: lat 39.915). Its ``gcj02towgs84`` and ``bd09togcj02`` are the one-step approximate
#: inverses, so they are compared with a tolerance; the forward ones exactly.
COORDTRANSFORM_IN = (116.404, 39.915)
COORDTRANSFORM = {
    "wgs84togcj02": (116.41024449916938, 39.91640428150164),
    "gcj02tobd09": (116.41036949371029, 39.92133699351021),
    "gcj02towgs84": (116.39775550083061, 39.91359571849836),
    "bd09togcj02": (116.39762729119315, 39.90865673957631),
}


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(pyproj.Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_wgs_to_gcj_matches_eviltransform(wlat, wlng, glat, glng):
    lon, lat = wgs84_to_gcj02(wlng, wlat)
    assert float(lon) == pytest.approx(glng, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_gcj_to_wgs_is_exact_where_eviltransform_allows_half_a_metre(wlat, wlng, glat, glng):
    lon, lat = gcj02_to_wgs84(glng, glat)
    assert _metres(lon, lat, wlng, wlat) < 0.001
    back = wgs84_to_gcj02(lon, lat)
    assert np.abs(np.subtract(back, (glng, glat))).max() < 1e-7


def test_forward_values_match_coordtransform():
    assert np.allclose(wgs84_to_gcj02(*COORDTRANSFORM_IN), COORDTRANSFORM["wgs84togcj02"], rtol=0, atol=1e-9)
    assert np.allclose(gcj02_to_bd09(*COORDTRANSFORM_IN), COORDTRANSFORM["gcj02tobd09"], rtol=0, atol=1e-9)


def test_inverses_refine_coordtransforms_one_step_values():
    """The iterative inverses stay within the one-step values' error and are exact themselves."""
    lon, lat = gcj02_to_wgs84(*COORDTRANSFORM_IN)
    assert _metres(lon, lat, *COORDTRANSFORM["gcj02towgs84"]) < 1.0
    assert np.abs(np.subtract(wgs84_to_gcj02(lon, lat), COORDTRANSFORM_IN)).max() < 1e-7
    lon, lat = bd09_to_gcj02(*COORDTRANSFORM_IN)
    assert _metres(lon, lat, *COORDTRANSFORM["bd09togcj02"]) < 0.05
    assert np.abs(np.subtract(gcj02_to_bd09(lon, lat), COORDTRANSFORM_IN)).max() < 1e-7


def test_round_trips_on_a_grid_over_china_are_within_1e7_degrees():
    lon, lat = np.meshgrid(np.linspace(75, 134, 60), np.linspace(5, 53, 50))
    for fwd, inv in ((wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)):
        x, y = inv(*fwd(lon, lat))
        assert x.shape == lon.shape
        assert np.abs(x - lon).max() < 1e-7
        assert np.abs(y - lat).max() < 1e-7
        x, y = fwd(*inv(lon, lat))
        assert np.abs(x - lon).max() < 1e-7
        assert np.abs(y - lat).max() < 1e-7
    assert INVERSE_TOL_DEG <= 1e-7


@settings(max_examples=300, deadline=None)
@given(st.floats(73.7, 135.0), st.floats(3.9, 53.5))
def test_gcj_wgs_gcj_returns_within_a_centimetre(lon, lat):
    """docs/reliability.md, "Proving nothing is lost": gcj → wgs → gcj comes back within a centimetre."""
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert _metres(back[0], back[1], lon, lat) < 0.01


def test_offsets_near_the_demo_compound_are_hundreds_of_metres():
    lon, lat = 116.347, 39.997
    gcj = wgs84_to_gcj02(lon, lat)
    bd = wgs84_to_bd09(lon, lat)
    assert 300 < _metres(lon, lat, *gcj) < 700
    assert 700 < _metres(lon, lat, *bd) < 1500


def test_outside_china_is_refused_with_the_points_named():
    assert outside_china([116.3, 2.35], [39.9, 48.85]).tolist() == [False, True]
    with pytest.raises(CRSError, match=r"1 of 2 points lie outside China.*#2 \(2\.350000, 48\.850000\)"):
        wgs84_to_gcj02([116.3, 2.35], [39.9, 48.85])
    with pytest.raises(CRSError, match="outside China"):
        bd09_to_wgs84(np.nan, 39.9)


def test_swapped_lat_lon_gets_a_hint():
    with pytest.raises(CRSError, match="longitude and latitude swapped"):
        gcj02_to_wgs84(39.997, 116.347)


# --------------------------------------------------------------------------- --crs values


@pytest.mark.parametrize(
    ("value", "epsg", "offset"),
    [
        (4548, 4548, None),
        ("4548", 4548, None),
        ("EPSG:4527", 4527, None),
        ("wgs84", 4326, None),
        ("CGCS2000", 4490, None),
        ("gcj02", 4326, "gcj02"),
        ("GCJ-02", 4326, "gcj02"),
        ("高德", 4326, "gcj02"),
        ("bd09", 4326, "bd09"),
        ("Baidu", 4326, "bd09"),
    ],
)
def test_parse_crs_reads_codes_and_words(value, epsg, offset):
    source = parse_crs(value)
    assert source.crs.to_epsg() == epsg
    assert source.offset == offset


def test_parse_crs_reads_a_proj_string():
    source = parse_crs("+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m")
    lon, lat = source.to_wgs84(444235.1587, 4429400.1810)
    assert float(lon) == pytest.approx(116.347, abs=1e-6)
    assert float(lat) == pytest.approx(39.997, abs=1e-6)


def test_parse_crs_refuses_unknown_values():
    with pytest.raises(CRSError, match=r"`EPSG:99999` is not a coordinate system.*`gcj02`"):
        parse_crs("EPSG:99999")
    with pytest.raises(CRSError, match="Baidu Mercator"):
        parse_crs("bd09mc")


def test_gauss_kruger_zone_numbers_near_the_compound():
    """Checked with pyproj: lon 116.35° is in 3° zone 39, central meridian 117°E."""
    params = {
        c: {p.name: p.value for p in pyproj.CRS.from_epsg(c).coordinate_operation.params}
        for c in (4527, 4548, 4549)
    }
    assert params[4527]["Longitude of natural origin"] == 117
    assert params[4527]["False easting"] == 39_500_000
    assert params[4548]["Longitude of natural origin"] == 117
    assert params[4548]["False easting"] == 500_000
    assert params[4549]["Longitude of natural origin"] == 120
    east, north = parse_crs(4527).from_wgs84(116.347, 39.997)
    assert (round(float(east)), round(float(north))) == (39_444_235, 4_429_400)


def test_gcj02_source_round_trips():
    source = parse_crs("gcj02")
    x, y = source.from_wgs84([116.347, 116.35], [39.997, 39.998])
    lon, lat = source.to_wgs84(x, y)
    assert np.allclose(lon, [116.347, 116.35], atol=1e-9)
    assert np.allclose(lat, [39.997, 39.998], atol=1e-9)
    assert "Gaode" in source.label


def test_geometries_convert_and_drop_z():
    geoms = np.array([shapely.Point(444235.1587, 4429400.1810, 50.0)], dtype=object)
    out = to_wgs84_geometries(geoms, parse_crs(4548))
    assert not out[0].has_z
    assert (round(out[0].x, 6), round(out[0].y, 6)) == (116.347, 39.997)


# --------------------------------------------------------------------------- fit and suggest


def test_check_fits_refuses_degrees_read_as_gauss_kruger():
    with pytest.raises(CRSError, match=r"cannot be in EPSG:4548.*outside its area of use"):
        check_fits([116.347, 116.35], [39.997, 39.998], parse_crs(4548), where="a.csv")


def test_check_fits_refuses_a_zone_prefix_read_without_one():
    with pytest.raises(CRSError, match=r"(?s)cannot be in EPSG:4548.*`--crs EPSG:4527`"):
        check_fits([39_444_235.0], [4_429_400.0], parse_crs(4548), where="a.dxf")


def test_check_fits_refuses_values_beyond_degrees_and_nan():
    with pytest.raises(CRSError, match="not longitude/latitude degrees"):
        check_fits([444235.0], [4429400.0], parse_crs(4326), where="a.csv")
    with pytest.raises(CRSError, match="not numbers"):
        check_fits([np.nan], [1.0], parse_crs(4326), where="a.csv")


def test_check_fits_accepts_a_neighbouring_zone():
    """A Beijing drawing in EPSG:4549 (CM 120°E) is 2.2° outside its area: within one zone."""
    x, y = parse_crs(4549).from_wgs84(116.347, 39.997)
    check_fits(x, y, parse_crs(4549), where="a.dxf")


def test_suggest_reads_the_zone_prefix():
    got = suggest_crs([39_444_235.2, 39_444_300.0], [4_429_400.2, 4_429_500.0])
    assert [(s.crs, s.swap_xy) for s in got] == [("EPSG:4527", False)]
    assert got[0].lon == pytest.approx(116.3474, abs=1e-3)


def test_suggest_flags_swapped_axes():
    got = suggest_crs([4_429_400.2, 4_429_500.0], [39_444_235.2, 39_444_300.0])
    assert [(s.crs, s.swap_xy) for s in got] == [("EPSG:4527", True)]
    assert "--swap-xy" in str(got[0])
    got = suggest_crs([39.997], [116.347])
    assert {s.swap_xy for s in got} == {True}
    assert [s.crs for s in got] == ["EPSG:4326", "gcj02", "bd09", "EPSG:4490"]


def test_suggest_without_prefix_lists_zones_and_near_picks_the_compound():
    x, y = [444_235.2, 444_300.0], [4_429_400.2, 4_429_500.0]
    everywhere = suggest_crs(x, y)
    codes = {s.crs for s in everywhere}
    assert {"EPSG:4548", "EPSG:4534", "EPSG:4509", "EPSG:32650"} <= codes
    assert len(everywhere) > 20
    near = suggest_crs(x, y, near=(116.348, 39.997))
    assert [s.crs for s in near] == ["EPSG:4548", "EPSG:4509", "EPSG:32650"]
    assert near[0].dist_m < 100
    assert 1500 < near[2].dist_m < 2500  # UTM's scale 0.9996 puts it 1.8 km north


def test_suggest_ranks_gcj02_first_for_gaode_coordinates_near_the_compound():
    lon, lat = wgs84_to_gcj02(116.3501544, 39.9977046)
    got = suggest_crs([lon], [lat], near=(116.3515, 39.9975))
    assert got[0].crs == "gcj02"
    assert got[0].dist_m < 200
    assert all(s.dist_m > 400 for s in got[1:])


def test_suggest_local_drawing_coordinates():
    got = suggest_crs([0.0, 120.5, 60.0], [0.0, 80.25, 40.0])
    assert [s.crs for s in got] == ["local"]
    assert "control points" in str(got[0])


def test_missing_crs_error_lists_the_suggestions():
    err = missing_crs_error([39_444_235.2], [4_429_400.2], where="survey.dxf")
    assert isinstance(err, CRSError)
    text = str(err)
    assert "`survey.dxf` does not say which coordinate system" in text
    assert "`--crs EPSG:4527`" in text
    assert "--control-points" in text


# --------------------------------------------------------------------------- said in Chinese


def test_points_outside_china_are_refused_in_chinese_with_the_swap_hint():
    """Latitude first: the point lies outside China as read, inside once swapped."""
    with pytest.raises(CRSError) as info:
        check_in_china([40.0], [116.3], system="GCJ-02", where=Path("/srv/runtime/pts.csv"))
    assert info.value.text("zh") == (
        "`pts.csv` 中有 1 个点（共 1 个）在中国范围（经度 73.66–135.05°，纬度 3.86–53.55°）以外，"
        "GCJ-02 在那里不适用：#1 (40.000000, 116.300000)。这些点把经度和纬度对调后落在中国境内：请把经度放在前面。"
        "如果数据不是从国内地图应用（高德、腾讯、百度）取得的，请改选 WGS-84（EPSG:4326）。"
    )
    assert str(info.value) == (
        "1 of 1 points in `/srv/runtime/pts.csv` lie outside China (lon 73.66–135.05°, lat 3.86–53.55°), "
        "where GCJ-02 does not apply: #1 (40.000000, 116.300000). They fit China with longitude and latitude "
        "swapped: put longitude first. If the data does not come from a Chinese map app, give "
        "`--crs EPSG:4326` instead."
    )


def test_many_points_outside_china_are_counted_in_chinese():
    lon = [2.35] * 7  # Paris, seven times
    with pytest.raises(CRSError) as info:
        check_in_china(lon, [48.85] * 7, system="BD-09")
    shown = ", ".join(f"#{i} (2.350000, 48.850000)" for i in range(1, 6))
    assert info.value.text("zh") == (
        "有 7 个点（共 7 个）在中国范围（经度 73.66–135.05°，纬度 3.86–53.55°）以外，BD-09 在那里不适用："
        f"{shown} 等（另有 2 个）。如果数据不是从国内地图应用（高德、腾讯、百度）取得的，请改选 WGS-84（EPSG:4326）。"
    )


def test_metres_read_as_degrees_are_refused_in_chinese_without_the_flags():
    with pytest.raises(CRSError) as info:
        check_fits([444235.0], [4429400.0], parse_crs(4326), where="a.csv")
    assert info.value.text("zh") == (
        "`a.csv` 的坐标不可能是 EPSG:4326 (WGS 84)：它们不是经纬度"
        "（x 444235.000–444235.000，y 4429400.000–4429400.000）。请换一个坐标系。"
    )
    assert "`--crs" in str(info.value)


def test_a_missing_crs_is_asked_for_in_chinese():
    err = missing_crs_error([39_444_235.2], [4_429_400.2], where="survey.dxf")
    assert err.text("zh") == (
        "`survey.dxf` 没有注明所用的坐标系，本工具不做猜测：请选择坐标系（EPSG 代码、GCJ-02 或 BD-09），"
        "或用控制点为局部坐标的图纸配准。"
    )


def test_a_crs_that_is_not_one_is_refused_in_chinese():
    with pytest.raises(CRSError) as unknown:
        parse_crs("EPSG:99999")
    assert unknown.value.text("zh") == (
        "“EPSG:99999”不是可识别的坐标系：请给出 EPSG 代码（如 EPSG:4548，CGCS2000 高斯-克吕格 中央经线 117°E）、"
        "PROJ 字符串，或 wgs84、gcj02（高德、腾讯）、bd09（百度）之一。"
    )
    with pytest.raises(CRSError) as mercator:
        parse_crs(" bd09mc ")
    assert mercator.value.text("zh") == (
        "“bd09mc”（百度墨卡托米制坐标）不能直接读取：请导出百度经纬度（BD-09），并选择 BD-09 坐标系。"
    )
