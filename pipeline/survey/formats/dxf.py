r"""Read a CAD survey drawing (DXF) with ezdxf.

What becomes what (model space only; blocks are not exploded):

- closed LWPOLYLINE/POLYLINE (closed flag, or first vertex = last), CIRCLE, closed SPLINE and
  ELLIPSE, SOLID/TRACE/3DFACE, HATCH (its boundary paths, even-odd) → polygons; arcs and bulges
  are flattened to within 1/1000 of the entity's size;
- open polylines, LINE, ARC, open SPLINE/ELLIPSE → lines;
- POINT and INSERT (block reference) → points; an INSERT's name comes from its attributes
  (tag NAME, 名称, MC, … or its only attribute), its block name is kept as a type hint;
- TEXT and MTEXT → labels: the text's box placed by its alignment, height and rotation
  (:func:`_text_box`), attached to shapes later (:func:`pipeline.survey.geom.attach_labels`);
  texts without a letter or a Chinese character (dimensions, elevations) are left out;
- everything else (DIMENSION, LEADER, IMAGE, 3D solids, meshes, …) is counted as not read.

ezdxf's recover mode reads damaged files and old code pages (``$DWGCODEPAGE`` ANSI_936 = GBK); text
whose bytes are GBK, GB18030 or UTF-8 where the header says otherwise is detected and read right, with
a warning (:mod:`pipeline.survey.formats.codepage`);
``\\U+XXXX`` escapes in names are decoded. ``$INSUNITS`` is reported, never used to scale.
Layers mapped to ``ignore`` (frames, dimensions, contours) are skipped and counted.
"""

from __future__ import annotations

import io
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import ezdxf
import geopandas as gpd
import shapely
from ezdxf import path as dxfpath
from ezdxf import recover, units
from ezdxf.entities import DXFGraphic
from ezdxf.math import Vec3
from ezdxf.tools.text import valid_text_height
from shapely.geometry import LineString, Point, Polygon

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.survey.base import (
    ANCHOR_X,
    ANCHOR_Y,
    HEIGHT,
    LABEL_COLUMNS,
    RAW_COLUMNS,
    TEXT,
    RawSurvey,
    ReadItem,
    clean_text,
)
from pipeline.survey.formats.codepage import fix_codepage
from pipeline.survey.layers import HINT, IGNORE, LAYER, LayerMapping

log = logging.getLogger(__name__)

_CURVES = frozenset({"LWPOLYLINE", "POLYLINE", "LINE", "ARC", "CIRCLE", "SPLINE", "ELLIPSE"})
_FACES = frozenset({"SOLID", "TRACE", "3DFACE"})
_NAME_TAGS = ("NAME", "名称", "MC", "名字", "NAME_CN", "LABEL", "TEXT", "标注")
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _flatten(path: dxfpath.Path) -> list[tuple[float, float]]:
    box = dxfpath.bbox([path])
    size = max(box.size.x, box.size.y) if box.has_data else 0.0
    return [(v.x, v.y) for v in path.flattening(distance=max(size * 1e-3, 1e-9))]


def _curve(entity: DXFGraphic) -> shapely.Geometry | None:
    """Return a polygon for a closed curve, a line for an open one, ``None`` if degenerate."""
    path = dxfpath.make_path(entity)
    pts = _flatten(path)
    closed = path.is_closed or (
        entity.dxftype() == "LWPOLYLINE" and bool(entity.closed)  # type: ignore[attr-defined]
    )
    distinct = len({(round(x, 9), round(y, 9)) for x, y in pts})
    if closed and distinct >= 3:
        return Polygon(pts)
    if distinct >= 2:
        return LineString(pts)
    return None


def _hatch(entity: DXFGraphic) -> shapely.Geometry | None:
    """Return a hatch's filled area: its boundary rings combined by the even-odd rule."""
    area: shapely.Geometry | None = None
    for path in dxfpath.from_hatch(entity):  # type: ignore[arg-type]
        pts = _flatten(path)
        if len(pts) < 3:
            continue
        ring = shapely.make_valid(Polygon(pts))
        area = ring if area is None else shapely.symmetric_difference(area, ring)
    return area


def _face(entity: DXFGraphic) -> shapely.Geometry | None:
    pts = [(v.x, v.y) for v in entity.wcs_vertices()]  # type: ignore[attr-defined]
    unique = list(dict.fromkeys((round(x, 9), round(y, 9)) for x, y in pts))
    if entity.dxftype() in ("SOLID", "TRACE") and len(unique) == 4:
        unique = [unique[0], unique[1], unique[3], unique[2]]  # SOLID's vertex order is a Z
    return Polygon(unique) if len(unique) >= 3 else None


def _insert_name(entity: DXFGraphic) -> str:
    attribs = {clean_text(a.dxf.tag).upper(): clean_text(a.dxf.text) for a in entity.attribs}  # type: ignore[attr-defined]
    for tag in _NAME_TAGS:
        if attribs.get(tag):
            return attribs[tag]
    values = [v for v in attribs.values() if v]
    return values[0] if len(values) == 1 else ""


#: Widths of a character in text heights, by East Asian width: a Chinese character is square in the
#: SHX big fonts Chinese drawings use (gbcbig.shx, hztxt.shx); a Latin letter or digit of txt.shx or
#: simplex.shx is about two thirds as wide as it is high.
_WIDE, _NARROW = 1.0, 2 / 3
#: Baseline-to-baseline distance of MTEXT lines, in character heights (AutoCAD's 5:3 at factor 1).
_LINE_PITCH = 5 / 3


def _em(line: str) -> float:
    """Estimate a line's width in text heights by counting characters.

    ezdxf measures text with the fonts installed where the mapper runs (``ezdxf.tools.text_size``,
    ``ezdxf.bbox``): CAD's SHX fonts are never there, and the TrueType font put in their place may
    have no Chinese glyphs (``txt`` resolves to DejaVu Sans, which measures 配电室 as 0.74 height per
    character where the drawing shows 1). A count is the same on every machine and within a few
    tenths of a height per character of what CAD draws.
    """
    return sum(_WIDE if unicodedata.east_asian_width(c) in "WF" else _NARROW for c in line)


def _frame_box(x0: float, y0: float, width: float, height: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + width, y0), (x0 + width, y0 + height), (x0, y0 + height)]


def _text_box(entity: DXFGraphic, plain: str) -> tuple[Polygon, float, tuple[float, float]]:
    """Return a TEXT's or MTEXT's box, its character height and its anchor, in drawing coordinates.

    The box is placed by the alignment: TEXT ``halign`` left/center/right/middle and ``valign``
    baseline/bottom/middle/top from the alignment point (the insertion point when both are 0),
    ALIGNED and FIT between the insertion and alignment points (ALIGNED scales the height with the
    width); MTEXT by ``attachment_point`` 1–9 (top-left … bottom-right) from its insertion point,
    lines wrapped at its column width. The width is :func:`_em` × height × the TEXT's width factor.
    The anchor is the point of the box the alignment fixes (left-middle for a left-aligned text,
    top-left for an MTEXT attached top-left, the centre for centred, ALIGNED and FIT texts): a
    label is written beside its shape on that side.
    """
    if entity.dxftype() == "MTEXT":
        height = valid_text_height(float(entity.dxf.get("char_height", 0.0)))
        column = float(entity.dxf.get("width", 0.0))
        lines = [_em(line) * height for line in plain.split("\n")]
        rows = sum(max(1, math.ceil(w / column - 1e-9)) if column > 0 else 1 for w in lines)
        width = min(max(lines), column) if column > 0 else max(lines)
        pitch = _LINE_PITCH * float(entity.dxf.get("line_spacing_factor", 1.0) or 1.0)
        total = height + (rows - 1) * height * pitch
        col, row = divmod(int(entity.dxf.get("attachment_point", 1)) - 1, 3)[::-1]
        corners = _frame_box(-0.5 * col * width, -total + 0.5 * row * total, width, total)
        pull = (col - 1, 1 - row)
        to_wcs = entity.ucs().points_to_wcs  # type: ignore[attr-defined]
    else:
        height = valid_text_height(float(entity.dxf.get("height", 0.0)))
        width = _em(plain) * height * (float(entity.dxf.get("width", 1.0)) or 1.0)
        halign, valign = int(entity.dxf.get("halign", 0)), int(entity.dxf.get("valign", 0))
        start = Vec3(entity.dxf.insert)
        end = Vec3(entity.dxf.get("align_point", start))
        angle = math.radians(float(entity.dxf.get("rotation", 0.0)))
        if halign in (3, 5) and not start.isclose(end):  # ALIGNED, FIT: the text spans start → end
            span = end - start
            height *= span.magnitude / width if halign == 3 else 1.0
            width, angle, base, x0, y0, pull = span.magnitude, span.angle, start, 0.0, 0.0, (0, 0)
        else:
            base = end if (halign or valign) else start
            x0 = {1: -0.5, 2: -1.0, 4: -0.5}.get(halign, 0.0) * width
            y0 = -0.5 * height if halign == 4 else {2: -0.5, 3: -1.0}.get(valign, 0.0) * height
            pull = ({0: -1, 2: 1}.get(halign, 0), {1: -1, 3: 1}.get(valign, 0))
        corners = _frame_box(x0, y0, width, height)
        cos, sin = math.cos(angle), math.sin(angle)
        ocs = entity.ocs()

        def to_wcs(points: list[Vec3]) -> list[Vec3]:
            return list(
                ocs.points_to_wcs(base + Vec3(x * cos - y * sin, x * sin + y * cos) for x, y, _ in points)
            )

    x0, y0 = corners[0]
    w, h = corners[2][0] - x0, corners[2][1] - y0
    anchor = Vec3(x0 + 0.5 * w * (1 + pull[0]), y0 + 0.5 * h * (1 + pull[1]))
    *box, at = to_wcs([Vec3(x, y) for x, y in corners] + [anchor])
    return Polygon([(v.x, v.y) for v in box]), height, (at.x, at.y)


def _read_doc(path: Path) -> tuple[ezdxf.document.Drawing, Words | None]:
    if path.suffix.lower() == ".dwg":
        raise InputFileError("error.survey.dwg", name=path.name)
    try:
        data, warning = fix_codepage(path.read_bytes(), path.name)
        doc, auditor = recover.read(io.BytesIO(data))
    except (OSError, ezdxf.DXFStructureError, UnicodeDecodeError) as exc:
        raise InputFileError("error.survey.bad_dxf", name=path.name, detail=str(exc)) from exc
    if auditor.has_errors:
        log.warning("%s: ezdxf repaired %d structure errors while reading", path.name, len(auditor.errors))
    if warning:
        log.warning("%s", warning)
    return doc, warning


def read_dxf(path: Path, *, mapping: LayerMapping) -> RawSurvey:
    """Read a DXF drawing's model space into a :class:`RawSurvey`.

    Parameters
    ----------
    path
        The ``.dxf`` file.
    mapping
        Layer rules; layers mapped to ``ignore`` are skipped.

    Raises
    ------
    InputFileError
        The file is not a DXF (or is a DWG).
    DataError
        The model space holds no closed shape, point or block insert.
    """
    doc, codepage_warning = _read_doc(path)
    code = int(doc.header.get("$INSUNITS", 0))
    unit = f"$INSUNITS {code} ({units.unit_name(code) if code else 'unitless'})"
    rows: list[tuple[str, str, str, str, shapely.Geometry]] = []
    labels: list[tuple[str, str, str, float, tuple[float, float], Polygon]] = []
    per_layer: dict[str, Counter[str]] = defaultdict(Counter)
    ignored: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    broken: list[ReadItem] = []
    numeric_texts = 0
    for entity in doc.modelspace():
        kind = entity.dxftype()
        layer = clean_text(entity.dxf.get("layer", "0")) or "0"
        sid = f"{layer}:{entity.dxf.handle}"
        rule = mapping.lookup(layer)
        if rule is not None and rule.role == IGNORE:
            ignored[layer] += 1
            continue
        try:
            if kind in ("TEXT", "MTEXT"):
                raw = entity.plain_text()  # type: ignore[attr-defined]
                text = clean_text(raw)
                if not _WORDY.search(text):
                    numeric_texts += 1
                    continue
                box, height, anchor = _text_box(entity, raw)
                labels.append((layer, sid, text, height, anchor, box))
                per_layer[layer]["texts"] += 1
                continue
            name, hint = "", ""
            if kind == "POLYLINE" and (entity.is_poly_face_mesh or entity.is_polygon_mesh):  # type: ignore[attr-defined]
                unsupported["POLYLINE mesh"] += 1
                continue
            if kind in _CURVES:
                geom = _curve(entity)
            elif kind in ("HATCH", "MPOLYGON"):
                geom = _hatch(entity)
            elif kind in _FACES:
                geom = _face(entity)
            elif kind == "POINT":
                loc = entity.dxf.location
                geom = Point(loc.x, loc.y)
            elif kind == "INSERT":
                loc = entity.ocs().to_wcs(entity.dxf.insert)
                geom = Point(loc.x, loc.y)
                name = _insert_name(entity)
                block = clean_text(entity.dxf.name)
                hint = "" if block.startswith("*") else block
            else:
                unsupported[kind] += 1
                continue
        except (ezdxf.DXFError, ValueError, IndexError, ZeroDivisionError, AttributeError) as exc:
            broken.append(ReadItem(f"{kind} {sid}", 1, Words("survey.item.unreadable", detail=str(exc))))
            continue
        if geom is None or geom.is_empty:
            broken.append(ReadItem(f"{kind} {sid}", 1, Words("survey.item.degenerate")))
            continue
        rows.append((layer, sid, name, hint, geom))
        per_layer[layer][_KIND_WORD[geom.geom_type]] += 1
    raw = _assemble(path, rows, labels, unit)
    if codepage_warning:
        raw.warnings.append(codepage_warning)
    factor = units.METER_FACTOR[code] if 0 < code < len(units.METER_FACTOR) else None
    raw.unit_m = 1.0 / factor if factor else None
    for layer, counts in sorted(per_layer.items()):
        note = tuple(
            Words("survey.item.geoms", n=n, type=Words(f"survey.geom.{w}")) for w, n in sorted(counts.items())
        )
        raw.read.append(ReadItem(Words("survey.item.layer", name=layer), sum(counts.values()), note))
    for layer, n in sorted(ignored.items()):
        raw.not_read.append(ReadItem(Words("survey.item.layer", name=layer), n, Words("survey.item.ignored")))
    for kind, n in sorted(unsupported.items()):
        raw.not_read.append(
            ReadItem(Words("survey.item.entities", kind=kind), n, Words("survey.item.not_a_shape"))
        )
    if numeric_texts:
        raw.not_read.append(
            ReadItem(Words("survey.item.numeric_texts"), numeric_texts, Words("survey.item.numbers_only"))
        )
    raw.not_read += broken
    has_area_or_point = any(
        g.geom_type in ("Polygon", "MultiPolygon", "Point") or g.geom_type == "GeometryCollection"
        for *_, g in rows
    )
    if not has_area_or_point:
        found = ", ".join(str(i) for i in raw.read) or "nothing in the model space"
        raise DataError("error.survey.dxf_no_shape", name=path.name, detail=found)
    return raw


_KIND_WORD = {  # the shape type a layer's line of the report counts it as (``survey.geom.<type>``)
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
    "LineString": "LineString",
    "Point": "Point",
    "GeometryCollection": "Polygon",
}


def _assemble(
    path: Path,
    rows: list[tuple[str, str, str, str, shapely.Geometry]],
    labels: list[tuple[str, str, str, float, tuple[float, float], Polygon]],
    unit: str,
) -> RawSurvey:
    cols = (
        dict(zip(RAW_COLUMNS, zip(*(r[:4] for r in rows), strict=True), strict=True))
        if rows
        else {c: [] for c in RAW_COLUMNS}
    )
    features = gpd.GeoDataFrame(
        {c: list(v) for c, v in cols.items()}, geometry=[r[4] for r in rows], crs=None
    )
    text_frame = gpd.GeoDataFrame(
        {
            LAYER: [t[0] for t in labels],
            S.SOURCE_ID: [t[1] for t in labels],
            TEXT: [t[2] for t in labels],
            HEIGHT: [t[3] for t in labels],
            ANCHOR_X: [t[4][0] for t in labels],
            ANCHOR_Y: [t[4][1] for t in labels],
        },
        geometry=[t[5] for t in labels],
        crs=None,
    )[[*LABEL_COLUMNS, "geometry"]]
    features[HINT] = features[HINT].astype(str)
    log.info("Read %d shapes and %d texts from %s (%s)", len(features), len(text_frame), path.name, unit)
    return RawSurvey(features=features, labels=text_frame, crs=None, units=unit)
