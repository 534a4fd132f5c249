"""Read points from a spreadsheet: CSV (UTF-8 with or without BOM, GBK, GB18030) or XLSX.

Coordinates come from columns named like ``lon``/``lng``/``longitude``/``经度`` and
``lat``/``latitude``/``纬度`` (degrees; WGS-84, GCJ-02 or BD-09 depending on the app they were
copied from, so the user must say which) or ``x``/``y`` (any CRS). Full-width digits and a
trailing ``°`` are accepted. A row with both coordinates empty is refused as "no location" and
reported; a row with a value that is not a number stops the import, naming the row (as the
spreadsheet numbers it, header = row 1) and the value.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from pipeline.core import schema as S
from pipeline.core.cells import unescape_frame
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.survey.base import RAW_COLUMNS, RawSurvey, ReadItem, clean_text, pick_column
from pipeline.survey.formats.archive import ZipLimits, check_zip
from pipeline.survey.layers import HINT, LAYER

log = logging.getLogger(__name__)


def _where(path: Path, sheet: str | None) -> Words:
    """The file, or the sheet of a workbook, an error names."""
    return (
        Words("error.survey.where_sheet", name=path.name, sheet=sheet)
        if sheet
        else Words("error.survey.where_file", name=path.name)
    )


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode a text file as UTF-8 (BOM stripped) or else GB18030 (which covers GBK).

    Returns
    -------
    (str, str)
        The text and the encoding used.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), ("UTF-8" if encoding == "utf-8-sig" else "GB18030")
        except UnicodeDecodeError:
            continue
    raise InputFileError(  # pragma: no cover - GB18030 decodes almost any byte string
        "error.survey.encoding", name=path.name
    )


def _number(value: str) -> float | None:
    text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("°").strip()
    if text == "" or text.lower() in ("nan", "none"):
        return None
    return float(text)


def _points(path: Path, sheet: str, table: pd.DataFrame, raw: RawSurvey) -> gpd.GeoDataFrame:
    columns = [str(c) for c in table.columns]
    table.columns = columns
    lon_c, lat_c = pick_column(columns, "lon"), pick_column(columns, "lat")
    x_c, y_c = pick_column(columns, "x"), pick_column(columns, "y")
    if lon_c and lat_c:
        cx, cy, raw.degrees = lon_c, lat_c, True
    elif x_c and y_c:
        cx, cy = x_c, y_c
    else:
        raise DataError(
            "error.survey.no_coord_columns", where=_where(path, sheet), columns=", ".join(columns)
        )
    name_c, hint_c = pick_column(columns, "name"), pick_column(columns, "hint")
    layer_c = pick_column(columns, "layer")
    layer_default = sheet or path.stem
    rows, refused = [], []
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2
        try:
            x, y = _number(rec[cx]), _number(rec[cy])
        except ValueError:
            bad = rec[cx] if not _is_num(rec[cx]) else rec[cy]
            raise DataError(
                "error.survey.bad_row", where=_where(path, sheet), row=row, value=bad, x=cx, y=cy
            ) from None
        if x is None or y is None:
            refused.append(row)
            continue
        rows.append(
            {
                LAYER: clean_text(rec[layer_c]) if layer_c else layer_default,
                S.SOURCE_ID: f"{layer_default}:{row}",
                S.NAME: clean_text(rec[name_c]) if name_c else "",
                HINT: clean_text(rec[hint_c]) if hint_c else "",
                "geometry": Point(x, y),
            }
        )
    if refused:
        raw.not_read.append(
            ReadItem(
                Words(
                    "survey.item.rows",
                    where=_where(path, sheet),
                    rows=", ".join(map(str, refused[:10])) + (" …" if len(refused) > 10 else ""),
                ),
                len(refused),
                Words("survey.item.empty_coordinate"),
            )
        )
    raw.read.append(ReadItem(_where(path, sheet), len(rows), Words("survey.item.points_from", x=cx, y=cy)))
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in RAW_COLUMNS}, geometry=[], crs=None)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=None)[[*RAW_COLUMNS, "geometry"]]


def _is_num(value: object) -> bool:
    try:
        _number(str(value))
    except ValueError:
        return False
    return True


def read_csv(path: Path, data: bytes) -> RawSurvey:
    """Read points from CSV bytes (the caller has checked the size)."""
    text, encoding = decode_text(path, data)
    if not text.strip():
        raise InputFileError("error.survey.table_empty", name=path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError("error.survey.bad_csv", name=path.name, detail=str(exc)) from exc
    unescape_frame(table)  # a CSV the mapper wrote quotes text that looks like a formula
    raw = RawSurvey(features=gpd.GeoDataFrame({c: [] for c in RAW_COLUMNS}, geometry=[]))
    raw.features = _points(path, "", table, raw)
    raw.read.insert(0, ReadItem(Words("survey.item.encoding"), 1, encoding))
    return raw


def read_xlsx(path: Path, *, limits: ZipLimits) -> RawSurvey:
    """Read points from every sheet of an XLSX workbook that has coordinate columns."""
    check_zip(path, limits=limits, allow_nested=True)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:
        raise InputFileError("error.survey.bad_xlsx", name=path.name, detail=str(exc)) from exc
    raw = RawSurvey(features=gpd.GeoDataFrame({c: [] for c in RAW_COLUMNS}, geometry=[]))
    frames = []
    for sheet, table in sheets.items():
        table = table.replace({np.nan: ""})
        try:
            frames.append(_points(path, str(sheet), table, raw))
        except DataError as exc:
            if "name the coordinate columns" not in str(exc):
                raise
            raw.not_read.append(
                ReadItem(_where(path, sheet), len(table), Words("survey.item.no_coordinates"))
            )
    if not frames:
        raise DataError("error.survey.no_sheet_coords", name=path.name)
    frames = [f for f in frames if len(f)]
    if frames:
        raw.features = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")
    return raw
