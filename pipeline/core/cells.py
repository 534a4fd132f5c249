"""Text stays text in the spreadsheets the mapper writes (CSV injection, OWASP).

Names come from world-editable OpenStreetMap and from anonymous residents, so a name such as
``=HYPERLINK("http://…"&A1,"幼儿园")`` must never become a live formula when a planner opens a CSV or
XLSX in Excel, WPS or LibreOffice.

* CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote (``'=HYPERLINK(…)``), which spreadsheets show as text. A text cell that
  already begins with quotes followed by one of those characters gets one more quote, so
  :func:`unescape_cell` (used by every importer of the project) gives back exactly what was written:
  export → import → export is lossless.
* XLSX: such cells are written as string cells with Excel's quote prefix, never as formulas; the
  value itself is unchanged.

Only text is escaped: a number (``-3.5`` in a numeric column) is written as a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.fileio import output_file

#: Characters a spreadsheet reads as the start of a formula (or that hide one).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = re.compile(r"^'*[=+\-@\t\r]")
_UNESCAPE = re.compile(r"^'+[=+\-@\t\r]")


def escape_cell(value: Any) -> Any:
    """Return a text value as a spreadsheet shows it as text; anything else unchanged."""
    if isinstance(value, str) and _ESCAPE.match(value):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """Undo :func:`escape_cell` (importers call it on every text cell); anything else unchanged."""
    if isinstance(value, str) and _UNESCAPE.match(value):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[Any]:
    return [
        c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)
    ]


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells (and column names) are escaped for a CSV."""
    out = pd.DataFrame(frame).copy()
    for column in _text_columns(out):
        out[column] = out[column].map(escape_cell)
    out.columns = [escape_cell(c) for c in out.columns]
    return out


def unescape_frame(frame: pd.DataFrame, columns: Iterable[Any] | None = None) -> pd.DataFrame:
    """Undo :func:`escape_frame` in place on the text columns (or ``columns``); return the frame."""
    for column in list(columns) if columns is not None else _text_columns(frame):
        if column in frame.columns:
            frame[column] = frame[column].map(unescape_cell)
    frame.columns = [unescape_cell(c) for c in frame.columns]
    return frame


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` that undoes the escaping of text cells (UTF-8 with or without BOM)."""
    kwargs.setdefault("encoding", "utf-8-sig")
    return unescape_frame(pd.read_csv(path, **kwargs))


def csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text with its text cells escaped (no index).

    Lines end in CRLF (RFC 4180), so a cell holding a lone carriage return is quoted and read back whole.
    """
    return escape_frame(frame).to_csv(index=False, lineterminator="\r\n")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as CSV bytes, UTF-8 with BOM (Excel opens it), text cells escaped: for downloads."""
    return csv_text(frame).encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: str | Path, *, option: str = "--out") -> Path:
    """Write ``frame`` as CSV (UTF-8 with BOM, text cells escaped) atomically; return the path."""
    with output_file(path, option=option) as tmp:
        tmp.write_bytes(csv_bytes(frame))
    return Path(path)


def xlsx_text_cells(cells: Iterable[Any]) -> None:
    """Make every openpyxl cell holding formula-like text a string cell with a quote prefix."""
    for cell in cells:
        value = cell.value
        if isinstance(value, str) and value.startswith(TRIGGERS):
            cell.data_type = "s"
            cell.quotePrefix = True


__all__ = [
    "TRIGGERS",
    "csv_bytes",
    "csv_text",
    "escape_cell",
    "escape_frame",
    "read_csv",
    "unescape_cell",
    "unescape_frame",
    "write_csv",
    "xlsx_text_cells",
]
