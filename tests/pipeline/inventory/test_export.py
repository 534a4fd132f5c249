"""Exports of the demo inventory, read back with the libraries a user's tools use (GDAL, openpyxl, ezdxf)."""

from __future__ import annotations

import ezdxf
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from pipeline.core import schema as S
from pipeline.core.errors import CRSError, DataError
from pipeline.core.words import word
from pipeline.inventory.build import build_inventory, read_inventory, write_inventory
from pipeline.inventory.export import (
    COMPOUND_SHEET,
    DXF_BOUNDARY,
    cgcs2000_gk_crs,
    export_bytes,
    export_inventory,
    format_of,
    gk_zone,
)
from tests.helpers.testdata import DEMO_ID

TOL_M = 0.01


@pytest.fixture(scope="module")
def inventory_dir(tmp_path_factory, demo_features):
    """The demo inventory folder, built and written as `python -m pipeline build` does."""
    return write_inventory(
        build_inventory(demo_features, compound=DEMO_ID), tmp_path_factory.mktemp("inv") / "shikeyuan"
    )


@pytest.fixture(scope="module")
def inventory(inventory_dir):
    return read_inventory(inventory_dir)


def _reps(frame, crs) -> np.ndarray:
    return shapely.get_coordinates(frame.geometry.representative_point().to_crs(crs).to_numpy())


def _coords(frame) -> np.ndarray:
    return shapely.get_coordinates(frame.geometry.to_numpy())


def test_cgcs2000_zone_of_beijing():
    assert cgcs2000_gk_crs(116.35) == CRS.from_epsg(4548)
    assert cgcs2000_gk_crs(116.35, zone_prefix=True) == CRS.from_epsg(4527)
    with pytest.raises(CRSError, match="outside China"):
        cgcs2000_gk_crs(24.9)


def test_china_s_zones_run_from_75_to_135_degrees_east():
    """Zone n's central meridian is 3n°E: Kashgar (75.99°E) is in zone 25, Fuyuan (134.3°E) in 45."""
    assert [gk_zone(lon) for lon in (75.99, 116.35, 121.47, 134.3)] == [25, 39, 40, 45]
    assert [gk_zone(lon) for lon in (24.9, 73.4, 136.6, -0.1)] == [None, None, None, None]


def test_format_from_suffix_or_option():
    assert format_of("a.GPKG") == "gpkg"
    assert format_of("a.json") == "geojson"
    assert format_of("a.bin", "dxf") == "dxf"
    with pytest.raises(DataError, match="Cannot tell the format"):
        format_of("a.shp")


def test_gpkg_in_cgcs2000(inventory, tmp_path):
    out = export_inventory(inventory, tmp_path / "x.gpkg", crs="EPSG:4548")
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"assets", "boundary", "gates", "buildings", "roads", "green", "water"} <= layers
    assets = pyogrio.read_dataframe(out, layer="assets")
    assert assets.crs == CRS.from_epsg(4548)
    assert assets[S.LABEL].tolist() == inventory.assets[S.LABEL].tolist()
    expected = _coords(inventory.assets.to_crs(4548))
    assert np.abs(_coords(assets) - expected).max() < TOL_M
    boundary = pyogrio.read_dataframe(out, layer="boundary")
    assert np.abs(_coords(boundary) - _coords(inventory.boundary.to_crs(4548))).max() < TOL_M


def test_geojson_is_wgs84_within_a_centimetre(inventory, tmp_path):
    out = export_inventory(inventory, tmp_path / "x.geojson")
    back = pyogrio.read_dataframe(out)
    assert back.crs == CRS.from_epsg(4326)
    assert back[S.LABEL].tolist() == inventory.assets[S.LABEL].tolist()
    assert back[S.NAME].fillna("").tolist() == inventory.assets[S.NAME].fillna("").tolist()
    local = back.to_crs(inventory.crs)
    assert np.abs(_coords(local) - _coords(inventory.assets)).max() < TOL_M
    with pytest.raises(CRSError, match="always WGS-84") as caught:
        export_inventory(inventory, tmp_path / "y.geojson", crs="EPSG:4548")
    assert not (tmp_path / "y.geojson").exists()
    assert caught.value.text("zh") == (
        "GeoJSON 只能用 WGS-84 坐标（RFC 7946），不能用 CGCS2000 3度带高斯-克吕格投影，中央经线东经 117°："
        "请改选 WGS-84，或导出 GeoPackage 以使用其他坐标系。"
    )
    assert "not CGCS2000 / 3-degree Gauss-Krüger, central meridian 117°E;" in str(caught.value)


def test_csv_has_a_bom_and_projected_points(inventory, tmp_path):
    out = export_inventory(inventory, tmp_path / "x.csv", crs="EPSG:4527")
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    back = pd.read_csv(out, encoding="utf-8-sig", dtype={S.LABEL: str})
    assert back[S.LABEL].tolist() == inventory.assets[S.LABEL].tolist()
    assert set(back["crs"]) == {"EPSG:4527"}
    xy = back[["x", "y"]].to_numpy()
    assert np.abs(xy - _reps(inventory.assets, 4527)).max() < TOL_M
    assert (xy[:, 0] > 39_000_000).all()  # the zone number leads the easting
    assert "石科院小卖部" in back[S.NAME].tolist()


def test_xlsx_one_sheet_per_category_and_the_compound(inventory, tmp_path):
    out = export_inventory(inventory, tmp_path / "x.xlsx", crs="EPSG:4548")
    book = openpyxl.load_workbook(out, read_only=True)
    names = [word(f"category.{c}", "zh") for c in S.Category]
    assert names == ["公共区域", "公共设施", "公共单位"]
    assert book.sheetnames == [*names, COMPOUND_SHEET]
    reps = dict(zip(inventory.assets[S.LABEL], _reps(inventory.assets, 4548), strict=True))
    for category, name in zip(S.Category, names, strict=True):
        rows = list(book[name].iter_rows(values_only=True))
        head, body = rows[0], rows[1:]
        expected = inventory.assets[inventory.assets[S.CATEGORY] == category]
        assert len(body) == len(expected)
        labels = [str(r[head.index(S.LABEL)]) for r in body]
        assert labels == expected[S.LABEL].tolist()
        for row in body:
            x, y = row[head.index("x")], row[head.index("y")]
            assert np.hypot(*(np.array([x, y]) - reps[str(row[head.index(S.LABEL)])])) < TOL_M
    profile = dict(book[COMPOUND_SHEET].iter_rows(min_row=2, values_only=True))
    assert profile["name"] == "石科院生活区"
    assert profile["assets"] == len(inventory.assets)
    assert profile["export_crs"] == "EPSG:4548"


@pytest.mark.parametrize("epsg", [4548, 4527])
def test_dxf_layers_blocks_labels_and_boundary(inventory, tmp_path, epsg):
    out = export_inventory(inventory, tmp_path / "x.dxf", crs=f"EPSG:{epsg}")
    doc = ezdxf.readfile(out)
    msp = doc.modelspace()
    assert doc.header.custom_vars.get("CRS") == f"EPSG:{epsg}"
    assert doc.units == ezdxf.units.M
    reps = dict(zip(inventory.assets[S.LABEL], _reps(inventory.assets, epsg), strict=True))
    for category in S.Category:
        inserts = msp.query(f'INSERT[layer=="{category.value}"]')
        expected = inventory.assets[inventory.assets[S.CATEGORY] == category]
        assert len(inserts) == len(expected)
        texts = sorted(t.dxf.text for t in msp.query(f'TEXT[layer=="{category.value}"]'))
        assert texts == sorted(expected[S.LABEL])
        for insert in inserts:
            label = insert.get_attrib_text("LABEL")
            assert np.hypot(*(np.array(insert.dxf.insert.vec2) - reps[label])) < TOL_M
    names = {i.get_attrib_text("NAME") for i in msp.query("INSERT")}
    assert "石科院小卖部" in names
    (ring,) = msp.query(f'LWPOLYLINE[layer=="{DXF_BOUNDARY}"]')
    assert ring.closed
    outline = np.array([p[:2] for p in ring.get_points()])
    expected = _coords(inventory.boundary.to_crs(epsg))[:-1]
    assert outline.shape == expected.shape and np.abs(outline - expected).max() < TOL_M


def test_dxf_refuses_a_geographic_crs_and_leaves_nothing(inventory, tmp_path):
    with pytest.raises(CRSError, match="DXF needs a projected CRS"):
        export_inventory(inventory, tmp_path / "x.dxf", crs="EPSG:4490")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_crs_is_refused(inventory, tmp_path):
    with pytest.raises(CRSError, match="not a coordinate reference system"):
        export_inventory(inventory, tmp_path / "x.gpkg", crs="EPSG:999999")


def test_a_failed_export_keeps_the_previous_file(inventory, tmp_path):
    target = tmp_path / "x.dxf"
    target.write_text("previous")
    with pytest.raises(CRSError):
        export_inventory(inventory, target, crs="EPSG:4326")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.dxf"]


def test_export_bytes_matches_the_file(inventory, tmp_path):
    data = export_bytes(inventory, "csv")
    assert data == export_inventory(inventory, tmp_path / "x.csv").read_bytes()


def test_a_longitude_outside_china_s_zones_is_said_in_chinese():
    with pytest.raises(CRSError) as caught:
        cgcs2000_gk_crs(24.9)
    assert caught.value.text("zh") == "经度 24.900 不在中国的高斯-克吕格投影带（第 25–45 带，东经 75°–135°）内。"
    with pytest.raises(DataError) as caught:
        format_of("a.bin", "pdf")
    assert caught.value.text("zh") == "导出格式 `pdf` 不可用：请选 gpkg, geojson, csv, xlsx, dxf 之一。"
