"""Sites on the web map: the sunlight spacing ground drawn where it lies, with its words."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import pytest
import shapely

from layers.web.sites import add_spacing
from tests.helpers.walk_scene import LOCAL_CRS, ORIGIN


def test_spacing_ground_is_drawn_where_it_lies_with_its_tooltip():
    """A 40 x 30.6 m box 444,000 E 4,427,000 N (UTM 50N) lies at about 116.345° E, 39.991° N (pyproj)."""
    ground = shapely.box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + 40, ORIGIN[1] + 30.6)
    m = folium.Map()
    layer = add_spacing(m, gpd.GeoSeries([ground], crs=LOCAL_CRS), label="日照间距：只宜室外场地")
    assert layer is not None
    feature = json.loads(layer.data) if isinstance(layer.data, str) else layer.data
    feature = feature["features"][0]
    assert feature["properties"]["tip"] == "日照间距：只宜室外场地"
    lon, lat = shapely.geometry.shape(feature["geometry"]).centroid.coords[0]
    expected = gpd.GeoSeries([ground.centroid], crs=LOCAL_CRS).to_crs("EPSG:4326").iloc[0]
    assert (lon, lat) == (pytest.approx(expected.x, abs=1e-7), pytest.approx(expected.y, abs=1e-7))
    assert 116.33 < lon < 116.36 and 39.98 < lat < 40.0
    html = m.get_root().render()
    assert "日照间距" in html or json.dumps("日照间距")[1:-1] in html  # the page's JSON may escape it


def test_no_spacing_ground_draws_nothing():
    m = folium.Map()
    assert add_spacing(m, gpd.GeoSeries([shapely.Polygon()], crs=LOCAL_CRS), label="x") is None
    assert "geo_json" not in m.get_root().render()


def test_ground_clipped_to_slivers_draws_only_its_polygons_and_the_map_can_be_bounded():
    """Clipped to a compound, the ground can be a collection: a 40 m square, a 10 m square in a multi-part,
    a line where it only touches the wall, and a point. Only the two squares are drawn, and the map's
    bounds (what streamlit-folium asks for first) come out where the squares lie."""
    x, y = ORIGIN
    big, small = shapely.box(x, y, x + 40, y + 40), shapely.box(x + 60, y, x + 70, y + 10)
    clipped = shapely.GeometryCollection(
        [big, shapely.MultiPolygon([small]), shapely.LineString([(x, y + 50), (x + 40, y + 50)]), shapely.Point(x, y)]
    )
    m = folium.Map()
    layer = add_spacing(m, gpd.GeoSeries([clipped], crs=LOCAL_CRS), label="日照间距")
    assert layer is not None
    data = json.loads(layer.data) if isinstance(layer.data, str) else layer.data
    drawn = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    assert sorted(g.geom_type for g in drawn) == ["Polygon", "Polygon"]
    (south, west), (north, east) = m.get_bounds()
    expected = gpd.GeoSeries([big, small], crs=LOCAL_CRS).to_crs("EPSG:4326").total_bounds
    assert [west, south, east, north] == pytest.approx(list(expected), abs=1e-6)
