"""Polygons repaired or refused, naming what they are."""

from __future__ import annotations

import pytest
import shapely

from pipeline.core.errors import GeometryError
from pipeline.core.geometry import repair_polygon


def test_zero_area_polygon_is_refused():
    spike = shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    with pytest.raises(GeometryError, match="no area once repaired"):
        repair_polygon(spike, "boundary")
    with pytest.raises(GeometryError, match="no location"):
        repair_polygon(shapely.Polygon(), "boundary")


def test_a_refused_boundary_is_said_in_chinese_and_named_on_the_command_line():
    with pytest.raises(GeometryError) as empty:
        repair_polygon(shapely.Polygon(), "boundary of way/1376112785")
    assert empty.value.text("zh") == "小区边界没有位置（几何为空）：请绘制边界，或在地图上标出轮廓。"
    assert str(empty.value) == (
        "The boundary of way/1376112785 has no location (empty geometry); draw or map the outline."
    )
    with pytest.raises(GeometryError) as point:
        repair_polygon(shapely.Point(116.3, 40.0), "boundary")
    assert point.value.text("zh") == "小区边界是 Point 几何，不是多边形：请给出小区闭合的轮廓。"
