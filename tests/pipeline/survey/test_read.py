"""Reading a survey file as a whole: the checks on the file before any reader runs.

Each reader has its own module in ``formats/`` (DXF, GIS files, tables, zip archives); placing
the result on the ground is tested in ``test_georef.py``. The files are written by
``tests/helpers/survey_files.py`` from one WGS-84 truth, which every reader must give back
within 0.5 m, with every name in Chinese.
"""

from __future__ import annotations

import pytest

from pipeline.core.errors import InputFileError
from pipeline.survey.read import SurveyLimits, read_survey


def test_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_survey(tmp_path / "missing.dxf")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"`empty.csv` is empty \(0 bytes\)"):
        read_survey(empty)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputFileError, match="over the 1,000-byte limit"):
        read_survey(big, limits=SurveyLimits(max_file_bytes=1000))
    odd = tmp_path / "survey.pdf"
    odd.write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="not a survey format the mapper reads"):
        read_survey(odd)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf")
    with pytest.raises(InputFileError, match=r"old .xls workbook: save it as .xlsx"):
        read_survey(xls)
