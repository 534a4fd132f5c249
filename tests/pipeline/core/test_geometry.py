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
