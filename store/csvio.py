"""Spots in and out as CSV: paper forms typed into a spreadsheet, and exports for reports.

Import reads columns ``lon``, ``lat`` (WGS-84 decimal degrees), ``category``, ``text`` and
``author`` (Chinese headers 经度, 纬度, 类别, 内容, 作者 are read too; other columns are
ignored). The file may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel saves it in China.
Every row is checked first and the bad ones are reported by line number (a row farther than 5 km
from the compound is bad too); then either all rows are stored in one transaction or, if any row is
bad, none is: the import is all-or-nothing. Rows already in the store for the compound (same place,
category, text and author) are skipped and counted, so importing a file twice adds nothing
(:mod:`store.spotcheck`).

Export writes the open spots of a compound (hidden, removed and merged spots are left out) in
UTF-8 with BOM, text exactly as residents wrote it, except that text beginning like a spreadsheet
formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading single quote; the import removes it, so
export → import → export gives the same file (:mod:`pipeline.core.cells`).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.cells import escape_cell, unescape_cell
from pipeline.core.errors import Listed, Words
from pipeline.core.fileio import write_text
from pipeline.core.spots import SpotCategory, parse_spot_category
from store.db import Store
from store.errors import DataError, MapperError
from store.identity import Planner
from store.records import SpotRecord
from store.spotcheck import compound_centre, far_rows, new_rows
from store.spots import insert_spot, list_spots
from store.validate import validate_compound_id, validate_lonlat, validate_text

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

REQUIRED = ("lon", "lat", "category", "text", "author")
EXPORT_COLUMNS = (
    "id", "lon", "lat", "category", "text", "author", "supports", "created_at",
    "near_label", "near_name", "has_photo",
)  # fmt: skip
_ALIASES = {
    "经度": "lon", "longitude": "lon", "lng": "lon", "x": "lon",
    "纬度": "lat", "latitude": "lat", "y": "lat",
    "类别": "category", "类型": "category", "分类": "category",
    "内容": "text", "描述": "text", "问题": "text", "说明": "text",
    "作者": "author", "姓名": "author", "昵称": "author", "居民": "author",
}  # fmt: skip
MAX_CSV_BYTES = 50 * 1024 * 1024
_SHOW_ERRORS = 25


@dataclass(frozen=True)
class SpotRow:
    """A checked CSV row, ready to store."""

    line: int
    lon: float
    lat: float
    category: SpotCategory
    text: str
    author: str


@dataclass(frozen=True)
class ImportReport:
    """What an import stored."""

    compound_id: str
    file: str
    spot_ids: tuple[int, ...]
    linked: int
    encoding: str
    skipped: int = 0

    @property
    def message(self) -> str:
        """A one-line summary for the command line and the log."""
        n = len(self.spot_ids)
        near = f", {self.linked} linked to a numbered asset" if self.linked else ""
        again = (
            f"; skipped {self.skipped} rows already in the store (same place, category, text and author)"
            if self.skipped
            else ""
        )
        return (
            f"Imported {n} spots into {self.compound_id} from `{self.file}` ({self.encoding}"
            f"{near}){again}; all rows were valid (the import is all-or-nothing)."
        )


def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (BOM dropped), else GB18030; return ``(text, encoding)``.

    Raises
    ------
    DataError
        When neither decodes the bytes.
    """
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            start = utf8_error.start
            raise DataError(
                "error.spots_csv.encoding", name=name, byte=start, bytes=data[start : start + 4].hex(" ")
            ) from exc
        log.info("Read %s as GB18030 (not UTF-8)", name)
        return text, "GB18030"


def _header(raw: list[str], name: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, col in enumerate(raw):
        key = col.strip().lower()
        key = _ALIASES.get(key, _ALIASES.get(col.strip(), key))
        if key in REQUIRED and key not in found:
            found[key] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise DataError(
            "error.spots_csv.header",
            name=name,
            missing=Listed(missing),
            line1=", ".join(raw) or Words("error.spots_csv.empty_line"),
        )
    return found


def _check_row(line: int, cells: list[str], cols: dict[str, int], max_chars: int) -> SpotRow:
    def cell(key: str) -> str:
        i = cols[key]
        return unescape_cell(cells[i]) if i < len(cells) else ""

    lon, lat = validate_lonlat(cell("lon").strip(), cell("lat").strip())
    category = parse_spot_category(cell("category"))
    text = validate_text(cell("text"), max_chars=max_chars, what=Words("error.what.column", column="text"))
    author = validate_text(
        cell("author").strip(), max_chars=80, what=Words("error.what.column", column="author")
    )
    return SpotRow(line=line, lon=lon, lat=lat, category=category, text=text, author=author)


class _BadRows(Words):
    """A refusal's bad rows, one per indented line, the first :data:`_SHOW_ERRORS` and how many more.

    Each row is said in the reader's language when the refusal is, like any other value of an error.
    """

    def __init__(self, rows: Sequence[Words]) -> None:
        super().__init__("error.spots_csv.more", n=len(rows) - _SHOW_ERRORS)
        self.rows = rows

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The shown rows in ``lang``, then how many more there are."""
        lines = [row.text(lang, full_paths=full_paths) for row in self.rows[:_SHOW_ERRORS]]
        if len(self.rows) > _SHOW_ERRORS:
            lines.append(super().text(lang, full_paths=full_paths))
        return "\n".join(f"  {line}" for line in lines)


def _refuse(label: str, errors: list[Words]) -> None:
    """Raise the refusal listing bad rows by line: nothing is imported."""
    if len(errors) == 1:
        raise DataError("error.spots_csv.bad_row", name=label, n=1, rows=_BadRows(errors))
    raise DataError("error.spots_csv.bad_rows", name=label, n=len(errors), rows=_BadRows(errors))


def read_spots_csv(
    source: str | Path | bytes, *, name: str | None = None, max_text_chars: int = 500
) -> tuple[list[SpotRow], str]:
    """Read and check every row of a spots CSV.

    Parameters
    ----------
    source
        A path, or the file's bytes (an upload).
    name
        The file name for messages (the path's name when omitted).
    max_text_chars
        Longest ``text`` accepted.

    Returns
    -------
    rows, encoding
        The checked rows (blank lines skipped) and ``"UTF-8"`` or ``"GB18030"``.

    Raises
    ------
    DataError
        Listing every bad row by line number (the line the row starts on, header = line 1),
        or a missing column, or an empty file.
    """
    if isinstance(source, bytes):
        data, label = source, name or "upload.csv"
    else:
        path = Path(source)
        label = name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_CSV_BYTES:
                raise DataError(
                    "error.spots_csv.too_big", name=label, size=size / 1e6, max=MAX_CSV_BYTES / 1e6
                )
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise DataError("error.spots_csv.missing", path=path) from exc
    text, encoding = decode_csv(data, label)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        cols = _header(next(reader), label)
    except StopIteration:
        raise DataError("error.spots_csv.empty", name=label) from None
    rows: list[SpotRow] = []
    errors: list[Words] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            malformed = Words("error.spots_csv.malformed", detail=str(exc))
            errors.append(Words("error.spots_csv.row", line=start, problem=malformed))
            break
        if not any(c.strip() for c in cells):
            continue
        try:
            rows.append(_check_row(start, cells, cols, max_text_chars))
        except MapperError as exc:
            errors.append(Words("error.spots_csv.row", line=start, problem=exc))
    if errors:
        _refuse(label, errors)
    if not rows:
        raise DataError("error.spots_csv.no_rows", name=label)
    return rows, encoding


def import_spots_csv(
    store: Store,
    compound_id: str,
    source: str | Path | bytes,
    planner: Planner,
    *,
    name: str | None = None,
    assets: gpd.GeoDataFrame | None = None,
) -> ImportReport:
    """Import spots from a CSV, all rows or none, in one transaction.

    Parameters
    ----------
    store
        The open store.
    compound_id
        The compound id the inventory records, e.g. ``way/595108678``.
    source
        A path or the file's bytes.
    planner
        Who imports (recorded in the audit log); imported spots have no resident key, so only
        planners can change them.
    name
        File name for messages.
    assets
        The inventory's assets, to link each spot to the nearest numbered asset within 30 m.

    Returns
    -------
    ImportReport

    Raises
    ------
    DataError
        Bad rows by line number; nothing is stored.
    """
    compound = validate_compound_id(compound_id)
    label = name or (Path(source).name if not isinstance(source, bytes) else "upload.csv")
    rows, encoding = read_spots_csv(source, name=label, max_text_chars=store.settings.max_text_chars)
    ids: list[int] = []
    linked = 0
    with store.write() as session:
        store.lock(session, f"spots-import:{compound}")  # two imports of one file: the second skips
        far = far_rows(rows, compound_centre(session, compound, rows, assets))
        if far:
            _refuse(label, far)
        rows, skipped = new_rows(session, compound, rows)
        nears: list[Any] = [None] * len(rows)
        if assets is not None and rows:
            from store.geo import nearest_assets

            nears = nearest_assets(
                [r.lon for r in rows], [r.lat for r in rows], assets,
                max_dist_m=store.settings.near_asset_m,
            )  # fmt: skip
        linked = sum(1 for n in nears if n is not None)
        for row, near in zip(rows, nears, strict=True):
            spot = insert_spot(
                session,
                store,
                compound_id=compound,
                lon=row.lon,
                lat=row.lat,
                category=row.category,
                text=row.text,
                author=row.author,
                author_key=None,
                origin="import",
                actor=planner.actor,
                near=near,
                audit_detail={"file": label, "line": row.line},
            )
            ids.append(spot.id)
    report = ImportReport(
        compound_id=compound,
        file=label,
        spot_ids=tuple(ids),
        linked=linked,
        encoding=encoding,
        skipped=skipped,
    )
    log.info(report.message)
    return report


def spots_to_csv(spots: Sequence[SpotRecord]) -> str:
    """Return spot records as CSV text (no BOM; for a download button add it or not).

    Columns: ``id, lon, lat, category, text, author, supports, created_at, near_label,
    near_name, has_photo``; the text imports again as it is. Text is written exactly, except
    that text a spreadsheet would read as a formula gets a leading quote (undone by the import).
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for s in spots:
        writer.writerow(
            [s.id, repr(s.lon), repr(s.lat), s.category, escape_cell(s.text), escape_cell(s.author),
             s.supports, s.created_at.isoformat(timespec="seconds"), escape_cell(s.near_label or ""),
             escape_cell(s.near_name or ""),
             int(s.has_photo)]
        )  # fmt: skip
    return buf.getvalue()


def export_spots_csv(store: Store, compound_id: str, path: str | Path) -> int:
    """Write a compound's open spots to a CSV file (UTF-8 with BOM, for Excel).

    Hidden, removed and merged spots are left out; text is written exactly (see
    :func:`spots_to_csv`).

    Returns
    -------
    int
        How many spots were written.
    """
    spots = list_spots(store, compound_id)
    out = Path(path)
    write_text(out, spots_to_csv(spots), encoding="utf-8-sig")
    log.info("Exported %d spots of %s to %s", len(spots), compound_id, out)
    return len(spots)
