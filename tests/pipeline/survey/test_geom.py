"""Geometry work on survey features: repairs and refusals, wall lines joined into a boundary."""

from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import pytest

from pipeline.core import schema as S
from pipeline.survey.read import read_survey


def test_geojson_repairs_and_refusals_name_each_feature(tmp_path):
    """A bow-tie keeps both lobes; a spike (zero area) is refused; a collection keeps its polygon.

    Bow-tie (116.350..116.351, 39.997..39.998)::

        +   +
        |\\ /|      two triangles touching at the centre: area 2 × ¼ of the square
        | X |
        |/ \\|
        +   +
    """

    def sq(x0, y0, d=0.001):
        return [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]

    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[116.350, 39.997], [116.351, 39.998], [116.351, 39.997], [116.350, 39.998], [116.350, 39.997]]
        ],
    }
    spike = {"type": "Polygon", "coordinates": [[[116.352, 39.997], [116.353, 39.997], [116.352, 39.997]]]}
    coll = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "Point", "coordinates": [116.354, 39.997]},
            {"type": "Polygon", "coordinates": [sq(116.354, 39.997)]},
        ],
    }
    feats = [
        {"type": "Feature", "id": k, "properties": {"name": f"健身场地{k}"}, "geometry": g}
        for k, g in (("bowtie", bowtie), ("spike", spike), ("coll", coll))
    ]
    path = tmp_path / "shapes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    result = read_survey(path)
    f = result.features.set_index(S.SOURCE_ID)
    assert f.index.tolist() == ["shapes:bowtie", "shapes:coll"]
    bow = f.loc["shapes:bowtie"].geometry
    assert bow.is_valid and bow.geom_type == "MultiPolygon" and len(bow.geoms) == 2
    assert f.loc["shapes:coll"].geometry.geom_type == "Polygon"
    assert f[S.KIND].tolist() == ["fitness", "fitness"]
    warnings = "\n".join(result.warnings)
    assert re.search(r"feature shapes:bowtie: Self-intersection.*repaired with make_valid", warnings)
    assert "feature shapes:coll: a collection of mixed types; kept its Polygon" in warnings
    assert [i.what for i in result.not_read] == ["feature shapes:spike"]
    assert result.not_read[0].note.startswith("invalid (Too few points")
    assert result.not_read[0].note.endswith("could not be repaired")


def test_boundary_walls_drawn_as_separate_lines_are_joined(tmp_path):
    """Four wall segments on 围墙 close a 100 m square; a fifth stub does not matter::

    (0,100) +-------+ (100,100)
            |   · 配电 (50, 50)
      (0,0) +-------+ (100,0)
    """
    import ezdxf

    from pipeline.core.coords import parse_crs

    e0, n0 = parse_crs(4548).from_wgs84(116.350, 39.997)
    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    corners = [(0, 0), (100, 0), (100, 100), (0, 100)]
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        msp.add_line((e0 + x1, n0 + y1), (e0 + x2, n0 + y2), dxfattribs={"layer": "围墙"})
    msp.add_point((e0 + 50, n0 + 50), dxfattribs={"layer": "配电"})
    doc.saveas(tmp_path / "walls.dxf")
    result = read_survey(tmp_path / "walls.dxf", crs="EPSG:4548")
    f = result.features.set_index("role")
    boundary = f.loc["boundary"]
    assert boundary.geometry.geom_type == "Polygon"
    assert re.fullmatch(r"围墙:[0-9A-F]+\+3", boundary[S.SOURCE_ID])
    assert "Joined 4 boundary lines into 1 boundary polygon(s)." in result.warnings
    assert gpd.GeoSeries([boundary.geometry], crs=4326).to_crs(32650).area.item() == pytest.approx(
        10_000, rel=1e-3
    )
    # Three walls do not close: they stay lines, and the report says so.
    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    for (x1, y1), (x2, y2) in itertools.pairwise(corners):
        msp.add_line((e0 + x1, n0 + y1), (e0 + x2, n0 + y2), dxfattribs={"layer": "围墙"})
    msp.add_point((e0 + 50, n0 + 50), dxfattribs={"layer": "配电"})
    doc.saveas(tmp_path / "open.dxf")
    result = read_survey(tmp_path / "open.dxf", crs="EPSG:4548")
    assert any("do not close into a ring" in w for w in result.warnings)
    assert (result.features["role"] == "boundary").sum() == 3
