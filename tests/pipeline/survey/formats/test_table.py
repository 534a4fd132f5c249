"""Points from spreadsheets: CSV in the encodings Chinese tools write, and XLSX."""

from __future__ import annotations

import pytest

from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.survey.base import say
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import BOUNDARY, POINTS, TOL_M, error_m, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("system", "encoding"), [("gcj02", "utf-8-sig"), ("bd09", "gbk"), ("gcj02", "gb18030")]
)
def test_csv_from_chinese_map_apps(tmp_path, system, encoding):
    path = write_csv(tmp_path / f"{system}.csv", system=system, encoding=encoding)
    result = read_survey(path, crs=system, near=BOUNDARY)
    f = result.features
    assert f[S.NAME].tolist() == [n for n, _, _ in POINTS]
    assert f[S.KIND].tolist() == [k for _, k, _ in POINTS]
    assert f[S.SOURCE_ID].tolist() == [f"{system}:{r}" for r in range(2, 6)]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_csv_bad_rows(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("名称,经度,纬度\n配电室,116.351,39.9975\n垃圾站,116.35x,39.99\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 3: `116.35x` is not a number"):
        read_survey(path, crs="wgs84")
    path.write_text("名称,经度,纬度\n配电室,１１６.３５１,39.9975°\n空,,\n", encoding="utf-8")
    result = read_survey(path, crs="wgs84")
    assert result.features.geometry.iloc[0].x == pytest.approx(116.351)
    assert [(say(i.what, "en"), i.count) for i in result.not_read] == [("`pts.csv` rows 3", 1)]
    assert "no location" in say(result.not_read[0].note, "en")
    path.write_text("名称,a,b\n配电室,1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="name the coordinate columns lon/lat"):
        read_survey(path, crs="wgs84")
    path.write_text("名称,经度,纬度\n空,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"Nothing in `pts.csv` can be imported \(`pts.csv` rows 2"):
        read_survey(path, crs="wgs84")


def test_xlsx_points(tmp_path):
    result = read_survey(write_xlsx(tmp_path / "测绘.xlsx"), crs="wgs84")
    f = result.features
    assert f[S.NAME].tolist() == [n for n, _, _ in POINTS]
    assert f[S.SOURCE_ID].tolist() == [f"设施:{r}" for r in range(2, 6)]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M
    assert [(say(i.what, "en"), say(i.note, "en")) for i in result.not_read] == [
        ("`测绘.xlsx` sheet 说明", "no coordinate columns")
    ]
