"""CAD drawings (DXF): what becomes a shape, a label or a name, code pages, refusals."""

from __future__ import annotations

import re

import pytest

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError
from pipeline.survey.base import say
from pipeline.survey.read import read_survey
from pipeline.survey.result import SURVEY_COLUMNS
from tests.helpers.survey_files import DXF_EXPECTED, assert_positions, feature_table, write_dxf


@pytest.mark.parametrize("epsg", ["EPSG:4548", "EPSG:4549"])
def test_dxf_in_gauss_kruger(tmp_path, epsg):
    """EPSG:4548 is the compound's own zone (CM 117°E); 4549 (CM 120°E) the neighbour east."""
    result = read_survey(write_dxf(tmp_path / "survey.dxf", epsg=epsg), crs=epsg)
    assert feature_table(result) == DXF_EXPECTED
    assert_positions(result)
    f = result.features
    assert list(f.columns) == [*SURVEY_COLUMNS, "geometry"]
    assert f.crs.to_epsg() == 4326
    assert set(f[S.SOURCE]) == {"survey"}
    assert all(re.fullmatch(r"[^:]+:[0-9A-F]+", sid) for sid in f[S.SOURCE_ID])
    green = f.loc[f["role"] == "green"].geometry.iloc[0]
    assert len(green.interiors) == 1  # the hatch's hole stays a hole
    assert result.units == "$INSUNITS 6 (Meters)"
    assert result.crs.startswith(epsg)
    not_read = {say(i.what, "en"): say(i.note, "en") for i in result.not_read}
    assert not_read["layer TK"] == "ignored by the layer mapping"
    assert not_read["layer 尺寸"] == "ignored by the layer mapping"
    assert "numbers only" in not_read["texts without words"]
    assert f.loc[f[S.NAME] == "石科院职工食堂", S.CATEGORY].item() == "facility"


def test_dxf_old_codepage_and_unicode_escapes(tmp_path):
    """An R2000 file: ezdxf writes ``\\U+XXXX``; AutoCAD in China writes GBK (ANSI_936)."""
    escaped = write_dxf(tmp_path / "escaped.dxf", version="R2000")
    raw = escaped.read_bytes()
    assert b"\\U+" in raw
    gbk = tmp_path / "gbk.dxf"
    gbk.write_bytes(
        re.sub(
            rb"\\U\+([0-9a-fA-F]{4})",
            lambda m: chr(int(m.group(1), 16)).encode("gbk"),
            raw.replace(b"ANSI_1252", b"ANSI_936"),
        )
    )
    for path in (escaped, gbk):
        result = read_survey(path, crs="EPSG:4548")
        assert feature_table(result) == DXF_EXPECTED, path.name


def test_dxf_with_only_open_lines_is_refused(tmp_path):
    import ezdxf

    doc = ezdxf.new("R2018")
    doc.modelspace().add_lwpolyline([(0, 0), (10, 0), (10, 10)], dxfattribs={"layer": "围墙"})
    doc.saveas(tmp_path / "lines.dxf")
    with pytest.raises(DataError, match=r"no closed shape, point or block insert.*PEDIT"):
        read_survey(tmp_path / "lines.dxf", crs="EPSG:4548")


def test_not_a_dxf_and_dwg(tmp_path):
    bad = tmp_path / "bad.dxf"
    bad.write_text("this is not a drawing\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"`bad\.dxf` is not a readable DXF"):
        read_survey(bad, crs="EPSG:4548")
    dwg = tmp_path / "a.dwg"
    dwg.write_bytes(b"AC1032" + b"\0" * 100)
    with pytest.raises(InputFileError, match="DWG, AutoCAD's closed binary format"):
        read_survey(dwg, crs="EPSG:4548")


def test_text_boxes_follow_alignment_height_and_rotation(tmp_path):
    """Each text's box, height and anchor, computed by hand: a Chinese character is one height wide,
    a Latin letter or digit two thirds; MTEXT lines are 5/3 heights apart.
    """
    import ezdxf
    from ezdxf.enums import TextEntityAlignment as Align
    from shapely.geometry import box

    from pipeline.survey.formats.dxf import read_dxf
    from pipeline.survey.layers import load_layer_mapping

    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    msp.add_point((0, 0))
    msp.add_text("配电室ab", height=3, dxfattribs={"insert": (10, 20)})  # 3 + 2 × 2/3 = 13/3 heights
    msp.add_text("配电室", height=2).set_placement((10, 20), align=Align.MIDDLE_RIGHT)
    msp.add_text("配电室", height=2, dxfattribs={"rotation": 90}).set_placement(
        (10, 20), align=Align.BOTTOM_LEFT
    )
    msp.add_text("配电室", height=2).set_placement((0, 0), (12, 0), align=Align.ALIGNED)  # twice as wide: h 4
    msp.add_text("配电室", height=2).set_placement((0, 0), (12, 0), align=Align.FIT)
    msp.add_text("配电室", height=2).set_placement((5, 5), align=Align.MIDDLE)
    msp.add_mtext("石科院\\P食堂", dxfattribs={"char_height": 3}).set_location((0, 0), attachment_point=1)
    msp.add_mtext("石科院", dxfattribs={"char_height": 3, "rotation": 90}).set_location(
        (0, 0), attachment_point=5
    )
    wrapped = msp.add_mtext("石科院职工食堂", dxfattribs={"char_height": 3, "width": 9})  # 21 wide → 3 lines
    wrapped.set_location((0, 0), attachment_point=9)
    doc.saveas(tmp_path / "texts.dxf")
    labels = read_dxf(tmp_path / "texts.dxf", mapping=load_layer_mapping(None)).labels
    expected = [  # (box, height, anchor)
        (box(10, 20, 23, 23), 3, (10, 21.5)),
        (box(4, 19, 10, 21), 2, (10, 20)),
        (box(8, 20, 10, 26), 2, (10, 20)),
        (box(0, 0, 12, 4), 4, (6, 2)),
        (box(0, 0, 12, 2), 2, (6, 1)),
        (box(2, 4, 8, 6), 2, (5, 5)),
        (box(0, -8, 9, 0), 3, (0, 0)),
        (box(-1.5, -4.5, 1.5, 4.5), 3, (0, 0)),
        (box(-9, 0, 0, 13), 3, (0, 0)),
    ]
    assert len(labels) == len(expected)
    for row, (want, height, anchor) in zip(labels.itertuples(), expected, strict=True):
        assert row.geometry.symmetric_difference(want).area < 1e-9, (row.text, row.geometry.wkt)
        assert row.height == pytest.approx(height)
        assert (row.anchor_x, row.anchor_y) == pytest.approx(anchor)
