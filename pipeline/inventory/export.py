"""Export an inventory in the formats design teams use: GeoPackage, GeoJSON, CSV, XLSX and DXF.

``python -m pipeline export --inventory DIR --format gpkg|geojson|csv|xlsx|dxf --out FILE [--crs CRS]``

| format | contents | CRS |
| --- | --- | --- |
| ``gpkg`` | layers ``assets``, ``boundary``, ``gates`` and the context (buildings, roads, green, water) | ``--crs`` or the inventory's |
| ``geojson`` | the assets (RFC 7946, 7 decimals ≈ 1 cm) | always WGS-84 |
| ``csv`` | the inventory's columns with ``lon``/``lat``; with ``--crs`` also ``x``, ``y``, ``crs``; UTF-8 with BOM | — |
| ``xlsx`` | one sheet per category (公共区域, 公共设施, 公共单位) and a sheet 小区 for the compound | as CSV |
| ``dxf`` | one layer per category (a block per asset with its label as text, footprints on ``<category>_area``), the boundary as a closed polyline, gates, context | a projected CRS in metres |

Every file is written to a temporary file beside the target and renamed into place, so a failed
export leaves nothing half-written (:mod:`pipeline.core.fileio`). Text that a spreadsheet would read
as a formula is escaped in CSV and kept a string cell in XLSX (:mod:`pipeline.core.cells`). CGCS2000 Gauss-Krüger zones (EPSG:4513–4554) are accepted like any
projected CRS; :func:`cgcs2000_gk_crs` names the zone of a longitude.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ezdxf
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from ezdxf import colors as dxf_colors
from ezdxf.document import Drawing
from ezdxf.layouts import Modelspace
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from pipeline.core import schema as S
from pipeline.core.cells import csv_bytes, xlsx_text_cells
from pipeline.core.errors import CRSError, DataError
from pipeline.core.fileio import output_file
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import CRSName, word
from pipeline.inventory.build import CONTEXT_LAYERS, Inventory, to_csv_frame
from pipeline.inventory.naming import title_of

log = logging.getLogger(__name__)

FORMATS = ("gpkg", "geojson", "csv", "xlsx", "dxf")
_SUFFIXES = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".dxf": "dxf",
}
#: Sheet holding the compound's profile in the XLSX export.
COMPOUND_SHEET = "小区"
#: DXF layers besides the categories.
DXF_BOUNDARY, DXF_GATES = "boundary", "gates"
#: Height of a label in the DXF, and half the size of an asset's symbol, in drawing units (metres).
DXF_TEXT_HEIGHT_M = 3.0
DXF_SYMBOL_M = 1.5


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """Return the export format asked for, or the one the file's suffix names."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise DataError("error.export.format", fmt=fmt, formats=", ".join(FORMATS))
        return fmt
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise DataError("error.export.format_unknown", file=Path(path), formats=", ".join(FORMATS))
    return found


def parse_crs(value: str | int | CRS | None) -> CRS | None:
    """Turn ``--crs`` (``EPSG:4548``, ``4548``, a WKT or PROJ string) into a :class:`pyproj.CRS`."""
    if value is None or isinstance(value, CRS):
        return value
    text = str(value).strip()
    try:
        return CRS.from_user_input(int(text) if text.isdigit() else text)
    except ProjCRSError as exc:
        raise CRSError("error.export.crs_unknown", value=value) from exc


def cgcs2000_gk_crs(lon: float, *, zone_prefix: bool = False) -> CRS:
    """Return the CGCS2000 3-degree Gauss-Krüger CRS whose central meridian is nearest ``lon``.

    Parameters
    ----------
    lon
        Longitude in degrees east, 73.5–136.5 (China).
    zone_prefix
        ``False``: EPSG:4534–4554 ("CM 117E", eastings near 500 km); ``True``: EPSG:4513–4533 ("zone 39",
        the zone number in front of the easting), as many Chinese survey drawings use.
    """
    zone = gk_zone(lon)
    if zone is None:
        raise CRSError("error.export.gk_zone", lon=lon)
    return CRS.from_epsg((4513 if zone_prefix else 4534) + zone - 25)


def gk_zone(lon: float) -> int | None:
    """The CGCS2000 3-degree zone (25–45) whose central meridian is nearest ``lon``; ``None`` outside China's."""
    zone = round(lon / 3)
    return zone if 25 <= zone <= 45 else None


def export_inventory(
    inventory: Inventory, out: str | Path, *, fmt: str | None = None, crs: str | int | CRS | None = None
) -> Path:
    """Write ``inventory`` to ``out`` in ``fmt`` (from the suffix by default), atomically.

    Parameters
    ----------
    inventory
        The compound's inventory (:func:`pipeline.inventory.build.read_inventory`).
    out
        The file to write; its folder is created.
    fmt
        One of :data:`FORMATS`; the suffix of ``out`` by default.
    crs
        Target CRS. GeoPackage: reprojects every layer; CSV and XLSX: add ``x``, ``y`` in it; DXF: the
        drawing's coordinates, which must be projected in metres (the inventory's UTM zone by default);
        GeoJSON is always WGS-84, so any other CRS is refused.

    Returns
    -------
    Path
        The file written.
    """
    out = Path(out)
    fmt = format_of(out, fmt)
    target = parse_crs(crs)
    writer = _WRITERS[fmt]
    with output_file(out) as tmp:
        writer(inventory, tmp, target)
    log.info("Exported %d assets to %s (%s).", len(inventory.assets), out, fmt)
    return out


def export_bytes(inventory: Inventory, fmt: str, *, crs: str | int | CRS | None = None) -> bytes:
    """Return the export as bytes, for a download button."""
    fmt = format_of(f"x.{fmt}", fmt)
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = export_inventory(inventory, Path(folder) / f"inventory.{fmt}", fmt=fmt, crs=crs)
        return path.read_bytes()


# ------------------------------------------------------------------------------------------ helpers


def _for_file(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    if S.TAGS in out:
        out[S.TAGS] = out[S.TAGS].map(lambda t: json.dumps(t, ensure_ascii=False, sort_keys=True))
    return out


def _table(inventory: Inventory, crs: CRS | None) -> pd.DataFrame:
    """Return the CSV/XLSX columns: the inventory's, the kind's Chinese label, lon/lat, and x/y in ``crs``."""
    frame = to_csv_frame(inventory.assets)
    kinds = load_taxonomy().kinds
    frame.insert(
        frame.columns.get_loc(S.KIND) + 1,
        "kind_zh",
        [word(f"kind.{k}", "zh") if k in kinds else "" for k in frame[S.KIND]],
    )
    if crs is not None:
        points = _points(inventory.assets, crs)
        frame["x"], frame["y"] = points[:, 0].round(3), points[:, 1].round(3)
        frame["crs"] = crs.to_string()
    return frame


def _points(frame: gpd.GeoDataFrame, crs: CRS | None) -> np.ndarray:
    """Return each feature's representative point (the point numbering uses) in ``crs``, N×2."""
    reps = gpd.GeoSeries(frame.geometry.representative_point(), crs=frame.crs)
    if crs is not None:
        reps = reps.to_crs(crs)
    return shapely.get_coordinates(reps.to_numpy())


# -------------------------------------------------------------------------------------------- writers


def _write_gpkg(inventory: Inventory, path: Path, crs: CRS | None) -> None:
    layers = {
        "assets": inventory.assets,
        "boundary": inventory.boundary,
        "gates": inventory.gates,
        **inventory.context,
    }
    for name, frame in layers.items():
        data = frame if crs is None else frame.to_crs(crs)
        pyogrio.write_dataframe(_for_file(data), path, layer=name, driver="GPKG")


def _write_geojson(inventory: Inventory, path: Path, crs: CRS | None) -> None:
    if crs is not None and not crs.equals(CRS.from_epsg(4326)):
        raise CRSError("error.export.geojson_crs", crs=CRSName(crs.name))
    columns = [c for c in [*S.INVENTORY_COLUMNS, S.RULE, S.DIST_M] if c in inventory.assets.columns]
    frame = inventory.assets[[*columns, "geometry"]].to_crs(S.WGS84)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer="assets", layer_options={"RFC7946": "YES"})


def _write_csv(inventory: Inventory, path: Path, crs: CRS | None) -> None:
    path.write_bytes(csv_bytes(_table(inventory, crs)))


def _write_xlsx(inventory: Inventory, path: Path, crs: CRS | None) -> None:
    table = _table(inventory, crs)
    book = Workbook()
    book.remove(book.active)
    for category in S.Category:
        rows = table[table[S.CATEGORY] == category]
        _sheet(book, word(f"category.{category}", "zh"), rows)
    profile = _compound_profile(inventory, crs)
    _sheet(book, COMPOUND_SHEET, pd.DataFrame({"key": list(profile), "value": list(profile.values())}))
    book.save(path)


def _sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for cells in sheet.iter_rows():  # a name like =HYPERLINK(…) stays text, never a formula
        xlsx_text_cells(cells)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) * (2 if _wide(v) else 1) for v in frame[column])])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 48)
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions


def _wide(value: Any) -> bool:
    return isinstance(value, str) and any(ord(ch) > 0x2E80 for ch in value)


def _cell(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def _compound_profile(inventory: Inventory, crs: CRS | None) -> dict[str, Any]:
    report = inventory.report
    compound = report.get("compound", {})
    gate = report.get("main_gate", {})
    counts = inventory.assets[S.CATEGORY].value_counts()
    profile: dict[str, Any] = {
        "name": compound.get(S.NAME, ""),
        "source_id": compound.get(S.SOURCE_ID, ""),
        "area_m2": compound.get("area_m2", round(float(inventory.boundary.area.sum()), 1)),
        "crs": inventory.crs.to_string(),
        "export_crs": (crs or inventory.crs).to_string(),
        "main_gate": title_of(gate, "zh") if gate else "",
        "main_gate_rule": gate.get("rule", ""),
        "method": report.get("method", ""),
        "scheme": report.get("scheme", ""),
        "assets": len(inventory.assets),
    }
    for category in S.Category:
        profile[f"assets_{category.value}"] = int(counts.get(category, 0))
    profile.update(
        {
            "source": report.get("source", ""),
            "built": report.get("built", ""),
            "credit": report.get("credit", ""),
        }
    )
    return profile


def _write_dxf(inventory: Inventory, path: Path, crs: CRS | None) -> None:
    target = crs or inventory.crs
    _require_metric(target)
    doc = ezdxf.new("R2013", setup=True)
    doc.units = ezdxf.units.M
    doc.header["$MEASUREMENT"] = 1
    doc.header.custom_vars.append("CRS", target.to_string())
    doc.header.custom_vars.append("CRS_NAME", target.name)
    msp = doc.modelspace()
    _dxf_context(doc, msp, inventory, target)
    boundary = inventory.boundary.to_crs(target)
    doc.layers.add(DXF_BOUNDARY, color=dxf_colors.RED, linetype="DASHED")
    for ring in _rings(boundary.geometry):
        msp.add_lwpolyline(ring[:-1, :2], close=True, dxfattribs={"layer": DXF_BOUNDARY})
    _dxf_gates(doc, msp, inventory, target)
    _dxf_assets(doc, msp, inventory, target)
    doc.saveas(path)


def _require_metric(crs: CRS) -> None:
    if not crs.is_projected:
        raise CRSError("error.export.dxf_projected", crs=CRSName(crs.name))
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError("error.export.dxf_metres", crs=CRSName(crs.name), detail=unit)


def _rings(geoms: gpd.GeoSeries) -> list[np.ndarray]:
    rings = []
    for poly in shapely.get_parts(geoms.to_numpy()):
        if isinstance(poly, shapely.Polygon):
            rings += [np.asarray(r.coords) for r in (poly.exterior, *poly.interiors)]
    return rings


def _dxf_context(doc: Drawing, msp: Modelspace, inventory: Inventory, crs: CRS) -> None:
    for name in CONTEXT_LAYERS:
        frame = inventory.context.get(name)
        if frame is None or frame.empty:
            continue
        layer = f"context_{name}"
        doc.layers.add(layer, color=dxf_colors.GRAY)
        for part in shapely.get_parts(frame.to_crs(crs).geometry.to_numpy()):
            if isinstance(part, shapely.Polygon):
                for ring in (part.exterior, *part.interiors):
                    msp.add_lwpolyline(
                        np.asarray(ring.coords)[:-1, :2], close=True, dxfattribs={"layer": layer}
                    )
            elif isinstance(part, shapely.LineString):
                msp.add_lwpolyline(np.asarray(part.coords)[:, :2], dxfattribs={"layer": layer})


def _dxf_gates(doc: Drawing, msp: Modelspace, inventory: Inventory, crs: CRS) -> None:
    doc.layers.add(DXF_GATES, color=dxf_colors.MAGENTA)
    gates = inventory.gates
    for (x, y), row in zip(_points(gates, crs), gates.itertuples(), strict=True):
        msp.add_point((x, y), dxfattribs={"layer": DXF_GATES})
        text = ("主入口 " if row.is_main else "") + str(row.name or "")
        if text.strip():
            msp.add_text(
                text.strip(), height=DXF_TEXT_HEIGHT_M, dxfattribs={"layer": DXF_GATES}
            ).set_placement((x + DXF_SYMBOL_M * 1.5, y))


_SYMBOLS: dict[S.Category, Callable[[float], list[tuple[float, float]]]] = {
    S.Category.PUBLIC_SPACE: lambda r: [
        (r * np.cos(a), r * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 17)[:-1]
    ],
    S.Category.FACILITY: lambda r: [(-r, -r), (r, -r), (r, r), (-r, r)],
    S.Category.INSTITUTION: lambda r: [(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)],
}


#: AutoCAD colour index of each category's layers: blue, orange, purple, near the figure's Set1 colours.
DXF_COLORS: dict[S.Category, int] = {
    S.Category.PUBLIC_SPACE: 5,
    S.Category.FACILITY: 30,
    S.Category.INSTITUTION: 202,
}


def _dxf_assets(doc: Drawing, msp: Modelspace, inventory: Inventory, crs: CRS) -> None:
    assets = inventory.assets
    local = assets.to_crs(crs)
    points = _points(assets, crs)
    for category in S.Category:
        layer = category.value
        doc.layers.add(layer, color=DXF_COLORS[category]).description = word(f"category.{category}", "zh")
        doc.layers.add(f"{layer}_area", color=DXF_COLORS[category])
        block = doc.blocks.new(name=f"ASSET_{layer.upper()}")
        block.add_lwpolyline(_SYMBOLS[category](DXF_SYMBOL_M), close=True)
        for tag in ("LABEL", "NAME", "KIND", "SOURCE_ID"):
            block.add_attdef(
                tag,
                (0, 0),
                dxfattribs={"height": DXF_TEXT_HEIGHT_M / 2, "flags": ezdxf.const.ATTRIB_INVISIBLE},
            )
    for (x, y), geom, row in zip(points, local.geometry, assets.itertuples(), strict=True):
        layer = str(row.category)
        insert = msp.add_blockref(f"ASSET_{layer.upper()}", (x, y), dxfattribs={"layer": layer})
        insert.add_auto_attribs(
            {"LABEL": row.label, "NAME": row.name or "", "KIND": row.kind, "SOURCE_ID": row.source_id}
        )
        msp.add_text(str(row.label), height=DXF_TEXT_HEIGHT_M, dxfattribs={"layer": layer}).set_placement(
            (x + DXF_SYMBOL_M * 1.6, y), align=ezdxf.enums.TextEntityAlignment.MIDDLE_LEFT
        )
        for ring in _rings(gpd.GeoSeries([geom])):
            msp.add_lwpolyline(ring[:-1, :2], close=True, dxfattribs={"layer": f"{layer}_area"})


_WRITERS: dict[str, Callable[[Inventory, Path, CRS | None], None]] = {
    "gpkg": _write_gpkg,
    "geojson": _write_geojson,
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "dxf": _write_dxf,
}
