"""Metric steps refuse degrees and missing CRSs, in the reader's language."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core.crs import require_projected, same_crs, utm_crs
from pipeline.core.errors import CRSError


def test_degrees_in_a_metric_step_are_refused_in_chinese():
    frame = gpd.GeoSeries([shapely.Point(116.35, 39.99)], crs="EPSG:4326")
    with pytest.raises(CRSError) as info:
        require_projected(frame, "assets")
    assert info.value.text("zh") == (
        "数据是经纬度坐标（WGS 84），而按米计算的步骤需要平面坐标：请先投影到以米为单位的坐标系。"
    )
    assert str(info.value).startswith("The assets are in geographic coordinates (WGS 84); a metric step")


def test_metres_given_for_a_utm_zone_are_refused_in_chinese():
    with pytest.raises(CRSError) as info:
        utm_crs(shapely.Point(444235.0, 4429400.0))
    assert info.value.text("zh") == (
        "中心点（444235.0，4429400.0）不是经纬度：几何须为 WGS-84（EPSG:4326）坐标，才能确定所在的 UTM 投影带。"
    )


def test_inputs_in_two_crss_are_refused_in_chinese():
    metres = gpd.GeoSeries([shapely.Point(444235.0, 4429400.0)], crs="EPSG:32650")
    degrees = gpd.GeoSeries([shapely.Point(116.35, 39.99)], crs="EPSG:4326")
    with pytest.raises(CRSError) as info:
        same_crs(metres, degrees)
    assert info.value.text("zh") == "输入数据的坐标系不同（EPSG:32650 与 EPSG:4326）：编号前请统一投影到同一个坐标系。"
