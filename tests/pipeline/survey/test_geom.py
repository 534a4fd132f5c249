"""Geometry work on survey features: repairs and refusals, wall lines joined into a boundary, CAD labels."""

from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import pytest

from pipeline.core import schema as S
from pipeline.survey.base import say
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import CASS_ORIGIN, CASS_SHAPES, CASS_STRAYS, cass_table, write_cass_sheet


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
    warnings = "\n".join(str(w) for w in result.warnings)
    assert re.search(r"feature shapes:bowtie: Self-intersection.*repaired with make_valid", warnings)
    assert "feature shapes:coll: a collection of mixed types; kept its Polygon" in warnings
    said = [w.text("zh") for w in result.warnings]
    assert "`shapes.geojson` 的要素 shapes:coll 是多种几何类型的集合：只保留了其中的 Polygon 部分。" in said
    assert any(re.fullmatch(r"`shapes.geojson` 的要素 shapes:bowtie 几何无效，已自动修复（面积 0 → [\d.e-]+）：请在预览中核对它的形状。", w) for w in said), said
    assert [say(i.what, "en") for i in result.not_read] == ["feature shapes:spike"]
    assert say(result.not_read[0].note, "en").startswith("invalid (Too few points")
    assert say(result.not_read[0].note, "en").endswith("could not be repaired")


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
    assert [w.text("zh") for w in result.warnings] == ["已把 4 条边界线连接成 1 个边界面。"]
    assert "Joined 4 boundary lines into 1 boundary polygon(s)." in [str(w) for w in result.warnings]
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
    assert any("do not close into a ring" in str(w) for w in result.warnings)
    assert (result.features["role"] == "boundary").sum() == 3


def test_cass_labels_name_the_shape_nearest_their_box(tmp_path):
    """Every symbol of the CASS-like sheet gets the label drawn beside it (see CASS_SHAPES).

    Hand labelled by construction. By the text's centre (the rule before boxes), 8 of the 19 come
    out wrong and the two ties go either way: the long label is lost to the circle below its
    middle, the top-left MTEXT goes to the decoy, the lawn's pavilion label to nothing, the
    waste bin's label to the road.
    """
    result = read_survey(write_cass_sheet(tmp_path / "cass.dxf"), crs="EPSG:4548")
    assert cass_table(result) == {key: (name, kind) for key, _, _, name, kind in CASS_SHAPES}
    f = result.features
    assert f.loc[f[S.NAME] == "3号楼", "role"].item() == "building"
    assert sorted(f.loc[f[S.NAME] == "", "role"]) == ["other"] * 5 + ["road"]
    # The texts that name nothing are reported, with where they are, and make no feature.
    e0, n0 = CASS_ORIGIN
    assert [(s.layer, s.text, s.alone) for s in result.strays] == [("ZJ", t, a) for t, a, _, _ in CASS_STRAYS]
    for stray, (_, _, x, y) in zip(result.strays, CASS_STRAYS, strict=True):
        assert (stray.x, stray.y) == pytest.approx((e0 + x, n0 + y), abs=0.01)
    assert not set(f[S.NAME]) & {t for t, *_ in CASS_STRAYS}
    assert len(f) == len(CASS_SHAPES)


def test_a_text_beside_a_named_symbol_makes_no_second_asset(tmp_path):
    """A block whose attribute names it keeps that name; the text written beside it is used up.

    A kind-naming text alone on the paper (nothing within twice its height) is still a point.
    """
    import ezdxf

    from pipeline.core.coords import parse_crs

    e0, n0 = parse_crs(4548).from_wgs84(116.350, 39.997)
    doc = ezdxf.new("R2018")
    block = doc.blocks.new("PD")
    block.add_circle((0, 0), radius=0.4)
    block.add_attdef("NAME", (0, 0))
    msp = doc.modelspace()
    msp.add_blockref("PD", (e0, n0), dxfattribs={"layer": "DLDW"}).add_auto_attribs({"NAME": "2号配电室"})
    msp.add_text("配电室", height=1.0, dxfattribs={"layer": "ZJ", "insert": (e0 + 0.8, n0 - 0.35)})
    msp.add_text("快递柜", height=1.0, dxfattribs={"layer": "ZJ", "insert": (e0 + 30, n0)})
    doc.saveas(tmp_path / "named.dxf")
    result = read_survey(tmp_path / "named.dxf", crs="EPSG:4548")
    f = result.features
    assert sorted(zip(f[S.NAME], f[S.KIND], strict=True)) == [
        ("2号配电室", "substation"),
        ("快递柜", "parcel_locker"),
    ]
    assert result.strays == ()
    assert [say(i.what, "en") for i in result.read][-1] == "texts as points"
