"""The shared flags' readers: ``--gate``, ``--layers`` and the vector files given on the command line."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.cli.options import parse_gate, parse_layers, read_gate_file, read_vector
from pipeline.core.errors import CRSError, GateError, InputFileError


def points(path, crs="EPSG:4326", **columns):
    frame = gpd.GeoDataFrame(
        columns, geometry=[shapely.Point(116.35, 39.99), shapely.Point(116.36, 39.98)], crs=crs
    )
    frame.to_file(path)
    return path


def test_a_gate_is_an_osm_id_or_lon_lat():
    assert parse_gate(None) is None
    assert parse_gate("node/5671590330").source_id == "node/5671590330"
    gate = parse_gate("116.3506,39.9983")
    assert gate.source_id is None and (gate.point.x, gate.point.y) == (116.3506, 39.9983)
    with pytest.raises(CRSError, match="not lon,lat in WGS-84"):
        parse_gate("39.9983,116.3506")


def test_a_gate_file_gives_its_main_point_in_wgs84(tmp_path):
    path = points(tmp_path / "gates.gpkg", crs="EPSG:4326", is_main=[False, True])
    assert parse_gate(str(path)).point.equals(shapely.Point(116.36, 39.98))
    utm = gpd.read_file(path).to_crs("EPSG:32650")
    utm.to_file(tmp_path / "utm.gpkg")
    assert parse_gate(str(tmp_path / "utm.gpkg")).point.equals_exact(shapely.Point(116.36, 39.98), 1e-9)


def test_a_gate_file_must_hold_one_point(tmp_path):
    with pytest.raises(GateError, match="exactly one point .* it has 2"):
        read_gate_file(points(tmp_path / "two.geojson", name=["a", "b"]))


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_a_vector_file_must_exist_be_readable_and_have_a_crs(tmp_path):
    with pytest.raises(InputFileError, match="The assets file .* does not exist"):
        read_vector(tmp_path / "missing.gpkg", "assets")
    (tmp_path / "bad.geojson").write_text("not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="Cannot read the boundary file"):
        read_vector(tmp_path / "bad.geojson", "boundary")
    gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)]).to_file(tmp_path / "nocrs.gpkg")
    with pytest.raises(CRSError, match="has no CRS"):
        read_vector(tmp_path / "nocrs.gpkg", "gate")


def test_layers_are_a_toml_file_or_pairs(tmp_path):
    assert parse_layers(None) is None
    assert parse_layers(" YEY = kindergarten ， WQ=boundary ") == {"YEY": "kindergarten", "WQ": "boundary"}
    rules = tmp_path / "rules.toml"
    rules.write_text("", encoding="utf-8")
    assert parse_layers(str(rules)) == rules
    with pytest.raises(InputFileError, match="does not exist"):
        parse_layers(str(tmp_path / "missing.toml"))
    with pytest.raises(InputFileError, match="neither a TOML file nor"):
        parse_layers("kindergarten")
