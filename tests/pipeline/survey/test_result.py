"""A survey result: its report, and writing it to a GeoPackage."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
import shapely

from pipeline.core import schema as S
from pipeline.core.errors import InputFileError
from pipeline.survey.read import read_survey
from pipeline.survey.result import write_survey
from tests.helpers.survey_files import CASS_ORIGIN, write_cass_sheet, write_dxf, write_geojson


def test_write_survey_gpkg_with_report(tmp_path):
    result = read_survey(write_dxf(tmp_path / "a.dxf"), crs="EPSG:4548")
    out = write_survey(result, tmp_path / "out" / "survey.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"survey", "survey_report"}
    back = pyogrio.read_dataframe(out, layer="survey")
    assert sorted(back[S.NAME].fillna("")) == sorted(result.features[S.NAME])
    report = pyogrio.read_dataframe(out, layer="survey_report")
    assert set(report["section"]) == {"read", "not_read", "crs"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["survey.gpkg"]
    with pytest.raises(InputFileError, match="GeoPackage"):
        write_survey(result, tmp_path / "x.shp")


def test_report_frame_and_text_are_consistent(tmp_path):
    result = read_survey(write_geojson(tmp_path / "pts.geojson"))
    frame = result.report_frame()
    assert list(frame.columns) == ["section", "what", "count", "note"]
    text = result.report()
    for what in frame.loc[frame["section"] != "crs", "what"]:
        assert what in text
    assert result.counts() == {"asset": 4}
    assert np.all(shapely.is_valid(result.features.geometry.to_numpy()))


def test_texts_that_name_nothing_are_reported_in_the_pages_language(tmp_path):
    """Layer, text and drawing position (as CAD shows it) of each text that names no shape."""
    result = read_survey(write_cass_sheet(tmp_path / "cass.dxf"), crs="EPSG:4548")
    e0, n0 = CASS_ORIGIN
    zh, en = result.stray_lines("zh"), result.stray_lines("en")
    assert zh[0] == "未标注任何图形的文字（2 处）：" and en[0] == "Texts that label no shape (2):"
    assert (
        zh[1]
        == f"图层 ZJ：「老槐树」，位于 ({e0 + 43:.2f}, {n0 + 60.15:.2f})：2 倍字高范围内没有图形，未作为资产导入"
    )
    assert en[
        1
    ] == f"layer ZJ: “老槐树” at ({e0 + 43:.2f}, {n0 + 60.15:.2f}): no shape within 2 × its text height; " + (
        "not imported as an asset"
    )
    assert "「配电室」" in zh[2] and "已有更近的标注" in zh[2]
    assert "“配电室”" in en[2] and "nearer label" in en[2]
    assert "未标注任何图形的文字" not in result.report("en") and en[2] in result.report("en")
    both = result.report()
    assert zh[1] in both and en[1] in both
    out = write_survey(result, tmp_path / "cass.gpkg")
    report = pyogrio.read_dataframe(out, layer="survey_report")
    strays = report[report["section"] == "stray_label"]
    assert strays["what"].tolist() == ["老槐树", "配电室"]
    assert strays["note"].iloc[0] == f"layer ZJ at ({e0 + 43:.3f}, {n0 + 60.15:.3f})"


def test_a_survey_written_to_another_format_is_refused_in_chinese(tmp_path):
    result = read_survey(write_dxf(tmp_path / "a.dxf"), crs="EPSG:4548")
    with pytest.raises(InputFileError) as info:
        write_survey(result, tmp_path / "x.shp")
    assert info.value.text("zh") == "测绘图只能写成 GeoPackage（`.gpkg`）文件，不能是 `x.shp`。"
