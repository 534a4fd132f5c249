"""An uploaded survey refused before it is kept, and an accepted survey of another compound, in Chinese."""

from __future__ import annotations

import pytest

from pipeline.core.errors import DataError, InputFileError
from pipeline.survey.read import read_survey
from pipeline.workspace.surveys import read_accepted, save_upload, survey_path, write_accepted
from tests.helpers.survey_files import write_dxf


def test_uploads_that_cannot_be_kept_are_refused_in_chinese(tmp_path):
    with pytest.raises(InputFileError) as none:
        save_upload([], tmp_path, max_bytes=2**20)
    assert none.value.text("zh") == "没有上传测绘图文件：请选择 DXF、压缩的 SHP、GPKG、GeoJSON、KML 或 CSV 文件。"
    with pytest.raises(InputFileError) as several:
        save_upload([("b.kml", b"<kml/>"), ("a.dxf", b"0\nEOF\n")], tmp_path, max_bytes=2**20)
    assert several.value.text("zh") == (
        "上传了 2 个文件（a.dxf, b.kml）。每次只能导入一份测绘图：一个文件，"
        "或同一个 Shapefile 的各个部分（同名的 .shp、.shx、.dbf、.prj）。"
    )
    with pytest.raises(InputFileError) as big:
        save_upload([("图纸.dxf", b"0" * (3 * 2**19))], tmp_path, max_bytes=2**20)
    assert big.value.text("zh") == "`图纸.dxf` 共 1.5 MB，超过 1 MB 的上限：请拆分图纸，或压缩 Shapefile。"
    assert str(big.value) == "`图纸.dxf` has 1.5 MB, over the 1 MB limit; split the drawing, or zip a Shapefile."
    with pytest.raises(InputFileError) as folder:
        save_upload([("../a.dxf", b"0")], tmp_path, max_bytes=2**20)
    assert folder.value.text("zh") == "“../a.dxf”不是单纯的文件名：请重命名文件（不含文件夹，不以点开头）。"


def test_the_survey_of_another_compound_is_refused_in_chinese(tmp_path):
    result = read_survey(write_dxf(tmp_path / "a.dxf"), crs="EPSG:4548")
    write_accepted(result, tmp_path, "way/1")
    with pytest.raises(DataError) as info:
        read_accepted(survey_path(tmp_path, "way/1"), "way/2")
    assert info.value.text("zh") == (
        "文件 `survey.gpkg` 是小区 `way/1` 的测绘图，不是本小区（`way/2`）的：请在导入页面重新导入本小区的测绘图。"
    )
