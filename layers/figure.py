"""The print figure: the compound's 重要生活服务设施布局图 (layout of important living-service facilities).

:func:`plot_layout` lays out one page (A4, A3 or A1): the map with the compound's boundary, buildings,
roads and paths, green space and water, its gates (the main gate marked) and every numbered asset as a
symbol of its category with its label; beside the map a legend, a north arrow, a metric scale bar and
the index table (label, name, kind, in clockwise order); the title, the date, the CRS and the credit.
Every style comes from :mod:`layers.definitions`, so the print agrees with the app's web map.

Labels are placed by :func:`place_labels`, a greedy candidate search in page points: eight positions
around the symbol first, then rings farther out with a leader line. A label never overlaps another
label, a symbol or a leader, stays inside the map frame, and sits nearer its own symbol than any other.
``bench/bench_figure.py`` compares it with adjustText (which is slower and leaves overlaps).

The map is drawn at a round scale (1:2,500 …) that holds on the printed paper. Text uses a CJK font
found on the system (Noto Sans CJK SC first), embedded as TrueType in PDF so the text is selectable;
SVG draws glyphs as paths. Settings apply through :func:`matplotlib.rc_context` only, never globally.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D
from pyproj import Transformer

from layers import definitions as D
from pipeline import schema as S
from pipeline.classify import DEFAULT_RADIUS_M
from pipeline.context import CONTEXT_MARGIN_M
from pipeline.errors import DataError, InputFileError
from pipeline.inventory import OSM_CREDIT, Inventory
from pipeline.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

#: Paper sizes (short side, long side) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "A1": (594.0, 841.0),
}
ORIENTATIONS = ("auto", "portrait", "landscape")
LANGS = ("zh", "en")
FORMATS = ("pdf", "svg", "png")
#: CJK families tried in order; the first one installed is used.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
#: Round scale denominators the map is drawn at.
SCALES = (500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500, 10000, 12500, 15000, 20000)
_SCALE_BAR_M = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)
_MM = 72 / 25.4  # points per millimetre
_HALO = 2.4  # width of the white halo around map text, in points
_MAX_NAME_CHARS = 18
_RC_LOCK = threading.RLock()

_TEXTS = {
    "legend": {"zh": "图例", "en": "Legend"},
    "index": {
        "zh": "设施索引（自主入口起顺时针编号）",
        "en": "Index (numbered clockwise from the main gate)",
    },
    "date": {"zh": "制图日期", "en": "Date"},
    "crs": {"zh": "坐标系", "en": "CRS"},
    "scale": {"zh": "比例尺", "en": "Scale"},
    "print": {"zh": "打印", "en": "print"},
    "data": {"zh": "数据", "en": "Data"},
    "survey": {"zh": "测绘", "en": "Survey"},
    "numbered": {
        "zh": "编号自主入口（{gate}）起按顺时针排列（{method}）",
        "en": "Numbered clockwise from the main gate ({gate}), {method} method",
    },
    "polar": {"zh": "极角法", "en": "polar"},
    "perimeter": {"zh": "沿边界法", "en": "perimeter"},
    "unnamed": {"zh": "—", "en": "—"},
    "items": {"zh": "共 {n} 项", "en": "{n} assets"},
}


def _t(key: str, lang: str) -> str:
    return _TEXTS[key][lang]


# --------------------------------------------------------------------------------------------- fonts


@cache
def find_cjk_font() -> str:
    """Return the family name of an installed CJK font, Noto Sans CJK SC first.

    Raises
    ------
    InputFileError
        When none of :data:`CJK_FAMILIES` is installed; Chinese would print as boxes.
    """
    installed = {f.name for f in fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise InputFileError(
        "No CJK font is installed, so Chinese names would print as boxes (looked for "
        f"{', '.join(CJK_FAMILIES)}). Install Debian's `fonts-noto-cjk` (`make sysdeps`) and restart."
    )


def figure_rc() -> dict[str, Any]:
    """Return the rc settings the figure is drawn and saved with (use with :func:`matplotlib.rc_context`).

    PDF and PostScript embed TrueType (``fonttype`` 42) so text is selectable; SVG draws glyphs as paths
    so the figure looks the same where the font is missing.
    """
    return {
        "font.family": [find_cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "community-asset-mapper",
    }


# ------------------------------------------------------------------------------------ label placement


@dataclass(frozen=True)
class LabelPlacement:
    """Where :func:`place_labels` put each label, in the points of the anchors' coordinates.

    Attributes
    ----------
    centers, sizes
        N×2 box centres and (width, height).
    leaders
        N×4 leader lines ``x0, y0, x1, y1`` from the symbol's edge to the box; NaN where the label sits
        beside its symbol.
    placed
        False where no free spot existed; the label is then drawn beside its symbol and may overlap.
    """

    centers: np.ndarray
    sizes: np.ndarray
    leaders: np.ndarray
    placed: np.ndarray

    @property
    def leader(self) -> np.ndarray:
        """True where the label needs a leader line."""
        return ~np.isnan(self.leaders[:, 0])

    @property
    def boxes(self) -> np.ndarray:
        """N×4 boxes ``x0, y0, x1, y1``."""
        half = self.sizes / 2
        return np.column_stack([self.centers - half, self.centers + half])


def _boxes_hit(cands: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Tell, for each candidate box (M×4), whether it overlaps any of ``rects`` (K×4)."""
    if len(rects) == 0:
        return np.zeros(len(cands), bool)
    c, r = cands[:, None, :], rects[None, :, :]
    hit = (
        (c[..., 0] < r[..., 2]) & (c[..., 2] > r[..., 0]) & (c[..., 1] < r[..., 3]) & (c[..., 3] > r[..., 1])
    )
    return np.asarray(hit.any(1))


def _segments_hit(p0: np.ndarray, p1: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Return a K×M matrix: does segment k (``p0``→``p1``, K×2) cross box m (M×4)? (Liang–Barsky)."""
    t0 = np.zeros((len(p0), len(rects)))
    t1 = np.ones((len(p0), len(rects)))
    d = p1 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            lo = rects[None, :, axis] - p0[:, None, axis]
            hi = rects[None, :, axis + 2] - p0[:, None, axis]
            da = d[:, None, axis]
            ta, tb = lo / da, hi / da
            flat = da == 0
            inside = (lo <= 0) & (hi >= 0)
            tmin = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(ta, tb))
            tmax = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(ta, tb))
            t0, t1 = np.maximum(t0, tmin), np.minimum(t1, tmax)
    return t0 < t1


def _box_distance(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Return a P×M matrix of distances from each point (P×2) to each box (M×4)."""
    dx = np.maximum(
        np.maximum(boxes[None, :, 0] - points[:, None, 0], points[:, None, 0] - boxes[None, :, 2]), 0
    )
    dy = np.maximum(
        np.maximum(boxes[None, :, 1] - points[:, None, 1], points[:, None, 1] - boxes[None, :, 3]), 0
    )
    return np.hypot(dx, dy)


# Unit directions of the eight positions beside a symbol, in the cartographer's order of preference:
# right, upper right, lower right, left, upper left, lower left, above, below.
_NEAR = np.array([(1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1)], float)
_RING_ANGLES = np.radians(np.arange(0, 360, 22.5))
_RINGS_PER_BATCH = 4
_LEADER_MAX_STEPS = 12  # leaders longer than this many label heights are a last resort


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    *,
    radius: float | np.ndarray,
    frame: tuple[float, float, float, float],
    obstacles: np.ndarray | None = None,
    gap: float = 1.0,
) -> LabelPlacement:
    """Place one label per anchor so that no label overlaps another label, a symbol or a leader line.

    Labels are taken most crowded first. Each tries the eight positions beside its symbol (right first)
    and keeps the first one that is free, inside ``frame`` and nearer its own symbol than any other; if
    none is, it tries rings farther out in 16 directions and is joined to its symbol by a leader line
    that crosses no label and no other symbol.

    Parameters
    ----------
    anchors
        N×2 symbol centres, in points (any unit of length; all arguments share it).
    sizes
        N×2 label (width, height), halo included.
    radius
        Half the size of each symbol (scalar or N).
    frame
        ``x0, y0, x1, y1`` every label must stay inside.
    obstacles
        K×4 boxes no label may cover (other symbols, furniture).
    gap
        Clearance kept between a label and anything else.

    Returns
    -------
    LabelPlacement
    """
    anchors = np.asarray(anchors, float).reshape(-1, 2)
    sizes = np.asarray(sizes, float).reshape(-1, 2)
    n = len(anchors)
    radius = np.broadcast_to(np.asarray(radius, float), (n,))
    symbols = np.column_stack([anchors - radius[:, None], anchors + radius[:, None]])
    fixed = symbols if obstacles is None or len(obstacles) == 0 else np.vstack([symbols, obstacles])
    x0, y0, x1, y1 = frame
    inner = np.array([x0 + gap, y0 + gap, x1 - gap, y1 - gap])
    max_dist = math.hypot(x1 - x0, y1 - y0)
    centers = anchors.copy()
    leaders = np.full((n, 4), np.nan)
    placed = np.zeros(n, bool)
    boxes: list[np.ndarray] = []
    segments: list[np.ndarray] = []
    for i in _crowded_first(anchors, sizes):
        state = (np.array(boxes).reshape(-1, 4), np.array(segments).reshape(-1, 4))
        found = _place_one(i, anchors, sizes[i], radius[i], fixed, state, inner, gap, max_dist)
        if found is None:
            log.warning("No free spot for label %d of %d; it may overlap.", i + 1, n)
            beside = anchors[i] + (radius[i] + gap + sizes[i, 0] / 2, 0)
            centers[i] = np.clip(beside, inner[:2] + sizes[i] / 2, inner[2:] - sizes[i] / 2)
            continue
        center, segment = found
        centers[i], placed[i] = center, True
        boxes.append(np.concatenate([center - sizes[i] / 2, center + sizes[i] / 2]))
        if segment is not None:
            leaders[i] = segment
            segments.append(segment)
    return LabelPlacement(centers=centers, sizes=sizes, leaders=leaders, placed=placed)


def _crowded_first(anchors: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    reach = 2.5 * float(np.median(sizes.sum(1))) if len(sizes) else 0.0
    d = np.abs(anchors[:, None, :] - anchors[None, :, :]).max(2)
    crowd = (d < reach).sum(1)
    return np.lexsort((np.arange(len(anchors)), -crowd))


def _free(
    cands: np.ndarray,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
) -> np.ndarray:
    grown = cands + np.array([-gap, -gap, gap, gap])
    ok = (
        (cands[:, 0] >= inner[0])
        & (cands[:, 1] >= inner[1])
        & (cands[:, 2] <= inner[2])
        & (cands[:, 3] <= inner[3])
    )
    ok &= ~_boxes_hit(grown, fixed)
    placed_boxes, placed_segments = state
    ok &= ~_boxes_hit(grown, placed_boxes)
    if len(placed_segments):
        ok &= ~_segments_hit(placed_segments[:, :2], placed_segments[:, 2:], grown).any(0)
    return ok


def _place_one(
    i: int,
    anchors: np.ndarray,
    size: np.ndarray,
    radius: float,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
    max_dist: float,
) -> tuple[np.ndarray, np.ndarray | None] | None:
    anchor, half = anchors[i], size / 2
    others = np.delete(np.arange(len(anchors)), i)  # symbols only: obstacles follow them in ``fixed``
    # Beside the symbol: the box touches a square of side 2 * (radius + gap) around it.
    d = radius + gap
    near = anchor + _NEAR * (d + half)
    cands = np.column_stack([near - half, near + half])
    ok = _free(cands, fixed, state, inner, gap)
    if ok.any():
        own = _box_distance(anchor[None], cands)[0]
        nearest_other = (
            _box_distance(np.column_stack([fixed[others, :2] + fixed[others, 2:]]) / 2, cands).min(0)
            if len(others)
            else np.inf
        )
        clear = ok & (own < nearest_other)
        if clear.any():
            return near[np.argmax(clear)], None
    # Farther out, on rings, with a leader line from the symbol's edge to the box: short leaders that
    # cross nothing first, then short leaders that may cross other symbols, then anywhere in the frame
    # with leaders that may also pass under labels. Labels never overlap labels or symbols.
    step = max(float(size[1]), 2.0 * gap)
    short = d + _LEADER_MAX_STEPS * step
    for limit, level in ((short, 0), (short, 1), (max_dist, 2)):
        found = _ring_search(i, anchor, half, radius, d, step, limit, level, fixed, state, inner, gap)
        if found is not None:
            return found
    return None


def _ring_search(
    i: int,
    anchor: np.ndarray,
    half: np.ndarray,
    radius: float,
    d: float,
    step: float,
    limit: float,
    level: int,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    # Only what lies within reach of the farthest candidate can get in the way.
    far = limit + 2 * float(half.sum()) + gap
    lo, hi = anchor - far, anchor + far
    local = (fixed[:, 0] < hi[0]) & (fixed[:, 2] > lo[0]) & (fixed[:, 1] < hi[1]) & (fixed[:, 3] > lo[1])
    local[i] = False
    near_fixed = fixed[local]
    boxes, segments = state
    near_boxes = boxes[
        (boxes[:, 0] < hi[0]) & (boxes[:, 2] > lo[0]) & (boxes[:, 1] < hi[1]) & (boxes[:, 3] > lo[1])
    ]
    own = np.concatenate([anchor - radius, anchor + radius])[None]
    units = np.column_stack([np.cos(_RING_ANGLES), np.sin(_RING_ANGLES)])
    reach = np.abs(units) @ half  # how far the box extends along each direction
    k = 1
    while d + k * step <= limit:
        rings = d + step * np.arange(k, k + _RINGS_PER_BATCH)
        centres = (anchor + (rings[:, None, None] + reach[None, :, None]) * units[None]).reshape(-1, 2)
        cands = np.column_stack([centres - half, centres + half])
        ok = _free(
            cands,
            np.vstack([near_fixed, own]),
            (near_boxes, segments[:0] if level == 2 else segments),
            inner,
            gap,
        )
        if ok.any():
            idx = np.flatnonzero(ok)
            start = anchor + np.tile(units, (_RINGS_PER_BATCH, 1))[idx] * radius
            end = np.clip(anchor, cands[idx, :2], cands[idx, 2:])
            crossing = np.zeros(len(idx), bool)
            if level < 2:
                crossing |= _segments_hit(start, end, near_boxes).any(1)
            if level < 1:
                crossing |= _segments_hit(start, end, near_fixed).any(1)
            if not crossing.all():
                j = int(np.argmin(crossing))
                return centres[idx[j]], np.concatenate([start[j], end[j]])
        k += _RINGS_PER_BATCH
    return None


# ------------------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Sizes:
    """Font sizes (points) and lengths (millimetres) for one paper size."""

    k: float
    title: float
    subtitle: float
    notes: float
    legend: float
    table: float
    label: float
    gate_label: float
    symbol: float
    margin: float
    gap: float

    @classmethod
    def of(cls, paper_mm: tuple[float, float]) -> _Sizes:
        k = math.sqrt(min(paper_mm) / 210.0)
        return cls(
            k=k,
            title=15 * k,
            subtitle=7.5 * k,
            notes=6.2 * k,
            legend=7 * k,
            table=7 * k,
            label=7.5 * k,
            gate_label=7 * k,
            symbol=6.5 * k,
            margin=9 * k,
            gap=5 * k,
        )


@dataclass(frozen=True)
class _Table:
    """The index table's measured geometry at one font size (millimetres)."""

    font: float
    row_h: float
    head_h: float
    col_w: float
    widths: tuple[float, float, float, float]  # symbol, label, name, kind
    rows: int

    def height(self, rows_per_col: int) -> float:
        return self.head_h + rows_per_col * self.row_h

    def width(self, cols: int) -> float:
        return cols * self.col_w + (cols - 1) * 2 * self.widths[0]


@dataclass(frozen=True)
class _Layout:
    """Where each part of the page goes (millimetres from the lower-left corner) and the map's scale."""

    width: float
    height: float
    arrangement: str  # "side" (panel right of the map) or "below"
    map_rect: tuple[float, float, float, float]  # x, y, w, h
    panel_rect: tuple[float, float, float, float]
    scale: int  # the denominator of 1:scale
    table: _Table
    table_cols: int
    legend_cols: int


class _Measure:
    """Text measurements in millimetres, without drawing."""

    def __init__(self, dpi: float) -> None:
        self._renderer = RendererAgg(1, 1, dpi)
        self._dpi = dpi

    @property
    def renderer(self) -> RendererAgg:
        return self._renderer

    def text(self, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
        prop = FontProperties(size=size, weight=weight)
        w, h, _ = self._renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w * 72 / self._dpi / _MM, h * 72 / self._dpi / _MM

    def width(self, texts: list[str], size: float, weight: str = "normal") -> float:
        return max((self.text(t, size, weight)[0] for t in texts), default=0.0)


def _table_rows(assets: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    kinds = load_taxonomy().kinds
    names = assets[S.NAME].fillna("").astype(str)
    return pd.DataFrame(
        {
            "label": assets[S.LABEL].astype(str).to_numpy(),
            "name": [_shorten(n) if n else _t("unnamed", lang) for n in names],
            "kind": [kinds[k].label(lang) if k in kinds else str(k) for k in assets[S.KIND]],
            "category": assets[S.CATEGORY].to_numpy(),
            "inside": assets[S.INSIDE].astype(bool).to_numpy(),
        }
    )


def _shorten(name: str) -> str:
    return name if len(name) <= _MAX_NAME_CHARS else name[: _MAX_NAME_CHARS - 1] + "…"


def _measure_table(rows: pd.DataFrame, font: float, measure: _Measure, lang: str) -> _Table:
    heads = [D.word(k, lang) for k in ("label", "name", "kind")]
    sym = font * 1.5 / _MM
    pad = font * 0.9 / _MM
    label_w = (
        max(measure.width(rows["label"].tolist(), font, "bold"), measure.text(heads[0], font, "bold")[0])
        + pad
    )
    name_w = max(measure.width(rows["name"].tolist(), font), measure.text(heads[1], font, "bold")[0]) + pad
    kind_w = max(measure.width(rows["kind"].tolist(), font), measure.text(heads[2], font, "bold")[0])
    row_h = font * 1.6 / _MM
    return _Table(
        font=font,
        row_h=row_h,
        head_h=2.6 * row_h,
        col_w=sym + label_w + name_w + kind_w,
        widths=(sym, label_w, name_w, kind_w),
        rows=len(rows),
    )


def _columns(table: _Table, most: int, height: float) -> int:
    """Return the fewest table columns (up to ``most``) whose rows fit in ``height`` millimetres."""
    for cols in range(1, most):
        if table.height(math.ceil(table.rows / cols)) <= height:
            return cols
    return most


def _round_scale(metres_per_mm: float) -> int:
    denominator = metres_per_mm * 1000
    for s in SCALES:
        if s >= denominator * 0.999:
            return s
    return int(math.ceil(denominator / SCALES[-1]) * SCALES[-1])


def _arrange(
    page: tuple[float, float],
    sizes: _Sizes,
    extent: tuple[float, float],
    legend_mm: dict[int, tuple[float, float]],
    furniture_mm: tuple[float, float],
    table: _Table,
    header_h: float,
    footer_h: float,
) -> list[tuple[tuple[int, float], _Layout]]:
    """Return each feasible arrangement of the page with its sort key (scale, wasted area)."""
    width, height = page
    m, gap = sizes.margin, sizes.gap
    body_x, body_y = m, m + footer_h
    body_w, body_h = width - 2 * m, height - 2 * m - header_h - footer_h
    inner = 2 * 7 * sizes.k  # room for labels between the content and the map frame
    out = []
    # Side: legend, furniture and table stacked in a panel right of the map.
    lw, lh = legend_mm[1]
    table_h = body_h - lh - furniture_mm[1] - 2 * gap
    per_col = int((table_h - table.head_h) // table.row_h) if table_h > table.head_h else 0
    if per_col >= 1:
        cols = max(1, math.ceil(table.rows / per_col))
        panel_w = max(lw, furniture_mm[0], table.width(cols))
        map_w = body_w - panel_w - gap
        if map_w > 0.35 * body_w:
            rect = (body_x, body_y, map_w, body_h)
            panel = (body_x + map_w + gap, body_y, panel_w, body_h)
            out.append(_fit(rect, panel, "side", extent, inner, width, height, table, cols, 1))
    # Below: the map over a band with the legend and furniture at the left and the table at the right.
    lw, lh = legend_mm[2]
    left_w = max(lw, furniture_mm[0])
    table_w = body_w - left_w - gap
    cols = max(1, int((table_w + 2 * table.widths[0]) // (table.col_w + 2 * table.widths[0])))
    if table_w >= table.col_w:
        per_col = math.ceil(table.rows / cols)
        panel_h = max(lh + gap + furniture_mm[1], table.height(per_col))
        map_h = body_h - panel_h - gap
        if map_h > 0.35 * body_h:
            rect = (body_x, body_y + panel_h + gap, body_w, map_h)
            panel = (body_x, body_y, body_w, panel_h)
            out.append(_fit(rect, panel, "below", extent, inner, width, height, table, cols, 2))
    return out


def _fit(
    rect: tuple[float, float, float, float],
    panel: tuple[float, float, float, float],
    arrangement: str,
    extent: tuple[float, float],
    inner: float,
    width: float,
    height: float,
    table: _Table,
    cols: int,
    legend_cols: int,
) -> tuple[tuple[int, float], _Layout]:
    _, _, w, h = rect
    scale = _round_scale(max(extent[0] / max(w - inner, 1e-6), extent[1] / max(h - inner, 1e-6)))
    used_w = min(w, extent[0] * 1000 / scale + inner)
    used_h = min(h, extent[1] * 1000 / scale + inner)
    layout = _Layout(width, height, arrangement, rect, panel, scale, table, cols, legend_cols)
    return (scale, w * h - used_w * used_h), layout


def _shrink_map(layout: _Layout, extent_mm: tuple[float, float]) -> _Layout:
    """Shrink the map frame to ``extent_mm``, top-aligned, and give the space saved to the panel."""
    x, y, w, h = layout.map_rect
    px, py, pw, ph = layout.panel_rect
    need_w, need_h = min(w, extent_mm[0]), min(h, extent_mm[1])
    if layout.arrangement == "side":
        spare = w - need_w
        return replace(
            layout, map_rect=(x, y + h - need_h, need_w, need_h), panel_rect=(px - spare, py, pw + spare, ph)
        )
    spare = h - need_h
    return replace(
        layout,
        map_rect=(x, y + spare, need_w, need_h),
        panel_rect=(px, py, pw, ph + spare),
    )


# ------------------------------------------------------------------------------------------ drawing


def _polygon_path(geoms: gpd.GeoSeries) -> MplPath | None:
    polygons = shapely.get_parts(geoms[geoms.geom_type.isin(["Polygon", "MultiPolygon"])].to_numpy())
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polygons:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _lines(geoms: gpd.GeoSeries) -> list[np.ndarray]:
    parts = shapely.get_parts(geoms.to_numpy())
    out = []
    for g in parts:
        if g.geom_type == "LineString":
            out.append(np.asarray(g.coords)[:, :2])
        elif g.geom_type == "Polygon":
            out.append(np.asarray(g.exterior.coords)[:, :2])
    return out


def _dashes(style: D.Style) -> Any:
    if not style.dash:
        return "solid"
    return (0, tuple(float(v) / max(style.weight, 0.1) for v in style.dash.split()))


def _draw_area(ax: Axes, frame: gpd.GeoDataFrame, style: D.Style, k: float) -> None:
    path = _polygon_path(frame.geometry)
    if path is None:
        return
    ax.add_patch(
        PathPatch(
            path,
            facecolor=mpl.colors.to_rgba(style.fill or "none", style.fill_opacity if style.fill else 0),
            edgecolor=mpl.colors.to_rgba(style.color, style.opacity),
            linewidth=style.weight * k,
            linestyle=_dashes(style),
            zorder=style.zorder,
        )
    )


def _draw_roads(ax: Axes, roads: gpd.GeoDataFrame, style: D.Style, k: float) -> None:
    if roads.empty:
        return
    weights = (
        roads["type"].map(lambda t: D.ROAD_CLASS_WEIGHT.get(t, 1.0))
        if "type" in roads
        else pd.Series(1.0, roads.index)
    )
    order = np.argsort(weights.to_numpy(), kind="stable")
    lines, widths = [], []
    for i in order:
        for part in _lines(roads.geometry.iloc[[i]]):
            lines.append(part)
            widths.append(style.weight * k * weights.iloc[i])
    widths_arr = np.array(widths)
    ax.add_collection(
        LineCollection(
            lines, colors=style.color, linewidths=widths_arr, capstyle="round", zorder=style.zorder
        )
    )
    inner = widths_arr > style.weight * k * 1.5  # major roads get a white centre, read as a cased road
    ax.add_collection(
        LineCollection(
            [line for line, big in zip(lines, inner, strict=True) if big],
            colors="white",
            linewidths=widths_arr[inner] - 1.2 * k,
            capstyle="round",
            zorder=style.zorder + 0.1,
        )
    )


def _rep_points(frame: gpd.GeoDataFrame) -> np.ndarray:
    if frame.empty:
        return np.empty((0, 2))
    return shapely.get_coordinates(frame.geometry.representative_point().to_numpy())


def _inward(gates: np.ndarray, boundary: shapely.Geometry) -> np.ndarray:
    """Return each gate's rotation (degrees) for a triangle pointing into the compound, across the boundary."""
    ring = boundary.boundary
    angles = []
    for x, y in gates:
        at = ring.project(shapely.Point(x, y))
        (ax_, ay_), (bx_, by_) = (ring.interpolate(at - 2.0).coords[0], ring.interpolate(at + 2.0).coords[0])
        normal = np.array([by_ - ay_, ax_ - bx_])
        normal /= max(float(np.hypot(*normal)), 1e-9)
        if not boundary.contains(shapely.Point(x + 4 * normal[0], y + 4 * normal[1])):
            normal = -normal
        angles.append(math.degrees(math.atan2(normal[1], normal[0])) - 90)
    return np.array(angles)


def _category_marker(category: str, inside: bool, size: float) -> dict[str, Any]:
    colour = D.CATEGORY_COLORS[S.Category(category)]
    return {
        "marker": D.CATEGORY_MARKERS[S.Category(category)],
        "markersize": size,
        "markerfacecolor": colour if inside else "white",
        "markeredgecolor": "white" if inside else colour,
        "markeredgewidth": 0.8 if inside else 1.4,
        "linestyle": "none",
    }


def _text_color(category: str) -> str:
    r, g, b = mpl.colors.to_rgb(D.CATEGORY_COLORS[S.Category(category)])
    return mpl.colors.to_hex((r * 0.7, g * 0.7, b * 0.7))


@dataclass(frozen=True)
class _MapLabel:
    text: str
    xy: tuple[float, float]
    radius: float  # symbol half-size in points
    color: str
    size: float
    weight: str
    gid: str


def _draw_map(ax: Axes, inventory: Inventory, sizes: _Sizes, lang: str, renderer: RendererAgg) -> None:
    """Draw the base layers, asset footprints, gates, asset symbols and their labels into ``ax``."""
    k = sizes.k
    for layer in D.BASE_LAYERS:
        data = layer.data(inventory)
        if layer.key == "roads":
            _draw_roads(ax, data, layer.style, k)
        elif layer.key == "boundary":
            ax.add_collection(
                LineCollection(
                    _lines(data.geometry.boundary),
                    colors=layer.style.color,
                    linewidths=layer.style.weight * k,
                    linestyles=_dashes(layer.style),
                    zorder=layer.style.zorder,
                )
            )
        else:
            _draw_area(ax, data, layer.style, k)
    assets = inventory.assets
    for category, colour in D.CATEGORY_COLORS.items():
        part = assets[(assets[S.CATEGORY] == category) & assets.geom_type.isin(["Polygon", "MultiPolygon"])]
        path = _polygon_path(part.geometry)
        if path is not None:
            ax.add_patch(
                PathPatch(
                    path,
                    facecolor=mpl.colors.to_rgba(colour, 0.10),
                    edgecolor=mpl.colors.to_rgba(colour, 0.65),
                    linewidth=0.6 * k,
                    zorder=6,
                )
            )
    labels: list[_MapLabel] = []
    symbols: list[tuple[float, float, float]] = []  # unlabelled symbols: x, y, half size in points
    gates = inventory.gates
    gate_xy = _rep_points(gates)
    boundary = inventory.boundary.geometry.iloc[0]
    for (x, y), angle, row in zip(gate_xy, _inward(gate_xy, boundary), gates.itertuples(), strict=True):
        main = bool(row.is_main)
        size = sizes.symbol * (1.9 if main else 1.3)
        colour = D.MAIN_GATE_COLOR if main else D.GATE_COLOR
        ax.plot(x, y, **_gate_style(main, sizes, angle), zorder=D.GATES.style.zorder)
        text = D.word("main_gate", lang) if main else str(row.name or "")
        if not text:
            symbols.append((x, y, size / 2))
        else:
            labels.append(
                _MapLabel(
                    text,
                    (x, y),
                    size / 2,
                    colour,
                    sizes.gate_label,
                    "bold" if main else "normal",
                    f"gate-label:{row.source_id}",
                )
            )
    for (x, y), row in zip(_rep_points(assets), assets.itertuples(), strict=True):
        ax.plot(
            x,
            y,
            zorder=D.ASSETS.style.zorder,
            gid=f"asset-symbol:{row.label}",
            **_category_marker(row.category, bool(row.inside), sizes.symbol),
        )
        labels.append(
            _MapLabel(
                str(row.label),
                (x, y),
                sizes.symbol / 2 + 0.5,
                _text_color(row.category),
                sizes.label,
                "bold",
                f"asset-label:{row.label}",
            )
        )
    boundary_style = next(layer.style for layer in D.BASE_LAYERS if layer.key == "boundary")
    lines = _lines(inventory.boundary.geometry.boundary)
    _draw_labels(ax, labels, renderer, symbols=symbols, lines=lines, line_width=boundary_style.weight * k)


def _gate_style(main: bool, sizes: _Sizes, angle: float = 0.0) -> dict[str, Any]:
    return {
        "marker": MarkerStyle("^", transform=Affine2D().rotate_deg(angle)),
        "markersize": sizes.symbol * (1.9 if main else 1.3),
        "color": D.MAIN_GATE_COLOR if main else D.GATE_COLOR,
        "markeredgecolor": "white",
        "markeredgewidth": 0.7,
        "linestyle": "none",
    }


def _draw_labels(
    ax: Axes,
    labels: list[_MapLabel],
    renderer: RendererAgg,
    *,
    symbols: list[tuple[float, float, float]],
    lines: list[np.ndarray],
    line_width: float,
) -> None:
    """Place the labels with :func:`place_labels` and draw them, with a leader where one moved away.

    Unlabelled ``symbols`` and the ``lines`` (the boundary, ``line_width`` points wide) are obstacles:
    no label covers them.
    """
    if not labels:
        return
    to_pt = 72 / ax.figure.dpi
    anchors = ax.transData.transform(np.array([lb.xy for lb in labels]))
    texts = [
        ax.text(
            *lb.xy,
            lb.text,
            ha="center",
            va="center",
            fontsize=lb.size,
            fontweight=lb.weight,
            color=lb.color,
            zorder=10,
            gid=lb.gid,
            path_effects=[patheffects.withStroke(linewidth=_HALO, foreground="white")],
        )
        for lb in labels
    ]
    extents = np.array([[b.width, b.height] for b in (t.get_window_extent(renderer) for t in texts)])
    bbox = ax.bbox
    placement = place_labels(
        anchors * to_pt,
        extents * to_pt + _HALO,
        radius=np.array([lb.radius for lb in labels]),
        frame=(bbox.x0 * to_pt, bbox.y0 * to_pt, bbox.x1 * to_pt, bbox.y1 * to_pt),
        obstacles=_obstacles(ax, symbols, lines, line_width),
        gap=0.8,
    )
    inverse = ax.transData.inverted()
    for text, centre in zip(texts, inverse.transform(placement.centers / to_pt), strict=True):
        text.set_position(centre)
    for i in np.flatnonzero(placement.leader):
        (x0, y0), (x1, y1) = inverse.transform(placement.leaders[i].reshape(2, 2) / to_pt)
        ax.add_line(
            Line2D(
                [x0, x1], [y0, y1], color="#555555", linewidth=0.5, zorder=9, gid=f"leader:{labels[i].gid}"
            )
        )
    if not placement.placed.all():
        log.warning(
            "%d of %d labels found no free spot; try a larger paper.", (~placement.placed).sum(), len(labels)
        )


def _obstacles(
    ax: Axes, symbols: list[tuple[float, float, float]], lines: list[np.ndarray], line_width: float
) -> np.ndarray:
    """Return boxes in points covering unlabelled symbols and lines (sampled every half line width)."""
    to_pt = 72 / ax.figure.dpi
    boxes = []
    if symbols:
        xyr = np.array(symbols)
        centres = ax.transData.transform(xyr[:, :2]) * to_pt
        boxes.append(np.column_stack([centres - xyr[:, 2:], centres + xyr[:, 2:]]))
    half = line_width / 2
    for line in lines:
        pts = ax.transData.transform(line) * to_pt
        for a, b in itertools.pairwise(pts):
            steps = max(1, math.ceil(math.hypot(*(b - a)) / half))
            samples = a + np.linspace(0, 1, steps + 1)[:, None] * (b - a)
            boxes.append(np.column_stack([samples - half, samples + half]))
    return np.vstack(boxes) if boxes else np.empty((0, 4))


# ------------------------------------------------------------------------------- page furniture


def _legend_entries(inventory: Inventory, lang: str, sizes: _Sizes) -> tuple[list[Any], list[str]]:
    """Return the legend's handles and labels: categories present, then gates and base layers."""
    assets = inventory.assets
    handles: list[Any] = []
    labels: list[str] = []
    for category in S.Category:
        if (assets[S.CATEGORY] == category).any():
            handles.append(Line2D([], [], **_category_marker(category, True, sizes.symbol)))
            labels.append(D.category_name(category, lang))
    inside = assets[S.INSIDE].astype(bool)
    if (~inside).any():
        grey: dict[str, Any] = {"marker": "o", "markersize": sizes.symbol, "linestyle": "none"}
        handles += [
            Line2D([], [], markerfacecolor="#737373", markeredgecolor="white", **grey),
            Line2D([], [], markerfacecolor="white", markeredgecolor="#737373", markeredgewidth=1.4, **grey),
        ]
        labels += [D.word("inside", lang), D.word("adjacent", lang)]
    gates = inventory.gates
    handles.append(Line2D([], [], **_gate_style(True, sizes)))
    labels.append(D.word("main_gate", lang))
    if (~gates["is_main"]).any():
        handles.append(Line2D([], [], **_gate_style(False, sizes)))
        labels.append(D.word("gate", lang))
    for layer in reversed(D.BASE_LAYERS):
        style = layer.style
        if layer.data(inventory).empty:
            continue
        if style.fill:
            handles.append(
                Rectangle(
                    (0, 0),
                    1,
                    1,
                    facecolor=style.fill,
                    edgecolor=style.color,
                    linewidth=style.weight * sizes.k,
                )
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=style.color,
                    linewidth=style.weight * sizes.k * (1.6 if layer.key == "roads" else 1),
                    linestyle=_dashes(style),
                )
            )
        labels.append(layer.name(lang))
    return handles, labels


def _make_legend(
    fig: Figure, page: Axes, inventory: Inventory, lang: str, sizes: _Sizes, ncols: int
) -> Legend:
    handles, labels = _legend_entries(inventory, lang, sizes)
    return Legend(
        fig,
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0, 0),
        bbox_transform=page.transData,
        ncols=ncols,
        title=_t("legend", lang),
        title_fontproperties=FontProperties(size=sizes.legend * 1.1, weight="bold"),
        fontsize=sizes.legend,
        alignment="left",
        frameon=False,
        borderaxespad=0,
        borderpad=0,
        handlelength=1.8,
        handleheight=1.0,
        columnspacing=1.2,
    )


def _true_north_deg(inventory: Inventory, centre: tuple[float, float]) -> float:
    """Return the bearing of true north on the map at ``centre``, clockwise from the map's up (grid north)."""
    crs = inventory.crs
    to_geo = Transformer.from_crs(crs, S.WGS84, always_xy=True)
    to_map = Transformer.from_crs(S.WGS84, crs, always_xy=True)
    lon, lat = to_geo.transform(*centre)
    x, y = to_map.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(x - centre[0], y - centre[1]))


def _draw_north_arrow(
    page: Axes, x: float, y: float, height: float, angle: float, lang: str, sizes: _Sizes
) -> None:
    """Draw a north arrow (two-tone needle with 北/N above), its foot at ``(x, y)`` millimetres."""
    w = height * 0.36
    rot = Affine2D().rotate_deg_around(x, y + height / 2, -angle)
    tip, base_l, base_r, notch = (x, y + height), (x - w / 2, y), (x + w / 2, y), (x, y + height * 0.28)
    for pts, face in (([tip, base_l, notch], "#222222"), ([tip, notch, base_r], "white")):
        page.add_patch(
            Polygon(
                rot.transform(np.array(pts)),
                closed=True,
                facecolor=face,
                edgecolor="#222222",
                linewidth=0.6 * sizes.k,
            )
        )
    tx, ty = rot.transform([(x, y + height + 0.9 * sizes.legend / _MM)])[0]
    page.text(
        tx,
        ty,
        D.word("north", lang),
        ha="center",
        va="center",
        fontsize=sizes.legend * 1.2,
        fontweight="bold",
        gid="north-arrow",
    )


def _scale_bar_length(scale: int, max_mm: float) -> int:
    fitting = [m for m in _SCALE_BAR_M if m * 1000 / scale <= max_mm]
    return fitting[-1] if fitting else _SCALE_BAR_M[0]


def _draw_scale_bar(
    page: Axes, x: float, y: float, scale: int, max_mm: float, paper: str, lang: str, sizes: _Sizes
) -> None:
    """Draw a four-segment scale bar with a round length, and the numeric scale under it."""
    metres = _scale_bar_length(scale, max_mm)
    length = metres * 1000 / scale
    h = 1.5 * sizes.k
    for i in range(4):
        page.add_patch(
            Rectangle(
                (x + i * length / 4, y),
                length / 4,
                h,
                facecolor="#222222" if i % 2 == 0 else "white",
                edgecolor="#222222",
                linewidth=0.5 * sizes.k,
            )
        )
    unit, div = ("km", 1000) if metres >= 1000 else ("m", 1)
    for frac in (0, 0.5, 1):
        value = metres * frac / div
        text = f"{value:g}" + (f" {unit}" if frac == 1 else "")
        page.text(
            x + frac * length,
            y + h + 0.6 * sizes.k,
            text,
            ha="center",
            va="bottom",
            fontsize=sizes.notes,
        )
    page.text(
        x,
        y - 1.0 * sizes.k,
        f"{_t('scale', lang)} 1:{scale:,}（{paper} {_t('print', lang)}）"
        if lang == "zh"
        else f"{_t('scale', lang)} 1:{scale:,} ({paper} {_t('print', lang)})",
        ha="left",
        va="top",
        fontsize=sizes.notes,
        gid="scale-text",
    )


def _draw_table(
    page: Axes, rows: pd.DataFrame, table: _Table, x: float, top: float, cols: int, lang: str, sizes: _Sizes
) -> None:
    """Draw the index table: a title, then ``cols`` columns of label, name and kind, clockwise order."""
    f = table.font
    page.text(
        x,
        top,
        _t("index", lang),
        ha="left",
        va="top",
        fontsize=f * 1.15,
        fontweight="bold",
        gid="table-title",
    )
    per_col = max(1, math.ceil(len(rows) / cols))
    sym, label_w, name_w, _ = table.widths
    heads = [D.word(k, lang) for k in ("label", "name", "kind")]
    head_y = top - table.head_h + table.row_h
    for c in range(cols):
        cx = x + c * (table.col_w + 2 * sym)
        chunk = rows.iloc[c * per_col : (c + 1) * per_col]
        if chunk.empty:
            break
        for text, dx in zip(heads, (sym, sym + label_w, sym + label_w + name_w), strict=True):
            page.text(
                cx + dx,
                head_y - table.row_h / 2,
                text,
                ha="left",
                va="center",
                fontsize=f,
                fontweight="bold",
                color="#404040",
            )
        page.plot(
            [cx, cx + table.col_w],
            [head_y - table.row_h, head_y - table.row_h],
            color="#404040",
            linewidth=0.6 * sizes.k,
        )
        for r, row in enumerate(chunk.itertuples()):
            yc = head_y - table.row_h * (r + 1.5)
            if r % 2 == 1:
                page.add_patch(
                    Rectangle(
                        (cx, yc - table.row_h / 2),
                        table.col_w,
                        table.row_h,
                        facecolor="#f2f2f2",
                        edgecolor="none",
                        zorder=0,
                    )
                )
            page.plot(cx + sym * 0.4, yc, **_category_marker(row.category, bool(row.inside), f * 0.95))
            page.text(
                cx + sym,
                yc,
                row.label,
                ha="left",
                va="center",
                fontsize=f,
                fontweight="bold",
                color=_text_color(row.category),
                gid=f"table-label:{row.label}",
            )
            page.text(cx + sym + label_w, yc, row.name, ha="left", va="center", fontsize=f)
            page.text(
                cx + sym + label_w + name_w, yc, row.kind, ha="left", va="center", fontsize=f, color="#525252"
            )


def figure_title(inventory: Inventory, lang: str = "zh") -> str:
    """Return the figure's title: the compound's name and 重要生活服务设施布局图 (or its English)."""
    name = inventory.report.get("compound", {}).get(S.NAME) or str(inventory.boundary[S.NAME].iloc[0] or "")
    words = D.word("figure_title", lang)
    if not name:
        return words
    return f"{name}{words}" if lang == "zh" else f"{name} — {words}"


def _summary(inventory: Inventory, lang: str) -> str:
    counts = inventory.assets[S.CATEGORY].value_counts()
    parts = [f"{D.category_name(c, lang)} {int(counts[c])}" for c in S.Category if c in counts]
    head = _t("items", lang).format(n=len(inventory.assets))
    return f"{head}：{'　'.join(parts)}" if lang == "zh" else f"{head}: {', '.join(parts)}"


def _footer_lines(inventory: Inventory, lang: str, scale: int, paper: str, date: dt.date) -> list[str]:
    crs = inventory.crs
    epsg = crs.to_epsg()
    crs_text = f"{crs.name} (EPSG:{epsg})" if epsg else crs.name
    gate = inventory.main_gate
    method = inventory.report.get("method", "polar")
    sep = "　|　" if lang == "zh" else "  |  "
    colon = "：" if lang == "zh" else ": "
    credit = [f"{_t('data', lang)}{colon}{inventory.report.get('credit', OSM_CREDIT)}"]
    if (inventory.assets[S.SOURCE] == S.SOURCE_SURVEY).any():
        credit.append(
            f"{_t('survey', lang)}{colon}{inventory.report.get('survey_source') or S.SOURCE_SURVEY}"
        )
    numbered = _t("numbered", lang).format(
        gate=gate.name or gate.source_id, method=_t(method if method in S.METHODS else "polar", lang)
    )
    return [
        sep.join([f"{_t('date', lang)}{colon}{date.isoformat()}", f"{_t('crs', lang)}{colon}{crs_text}"]),
        sep.join([numbered, *credit]),
    ]


# ---------------------------------------------------------------------------------------- the page


def _content_bounds(inventory: Inventory) -> tuple[float, float, float, float]:
    pts = np.vstack([_rep_points(inventory.assets), _rep_points(inventory.gates)])
    bx0, by0, bx1, by1 = inventory.boundary.total_bounds
    if len(pts):
        return (
            min(bx0, pts[:, 0].min()),
            min(by0, pts[:, 1].min()),
            max(bx1, pts[:, 0].max()),
            max(by1, pts[:, 1].max()),
        )
    return bx0, by0, bx1, by1


def _map_window(
    inventory: Inventory, content: tuple[float, float, float, float], layout: _Layout, inner_mm: float
) -> tuple[float, float, float, float]:
    """Return the map's window in metres: the content with room for labels, grown towards the context.

    Across the page's flow (the width when the panel is below the map, the height when it is beside) the
    window fills the frame, so map and panel line up. Along it, the window grows until it fills the frame
    or holds the buildings, green and water the inventory keeps around the boundary (150 m), whichever
    comes first; the frame then shrinks to it, and the space saved goes to the panel.
    """
    per_mm = layout.scale / 1000
    margin = inner_mm * per_mm
    reach = float(inventory.report.get("radius_m", DEFAULT_RADIUS_M))
    bx0, by0, bx1, by1 = inventory.boundary.total_bounds
    ctx = [bx0 - reach, by0 - reach, bx1 + reach, by1 + reach]
    clip = shapely.box(
        bx0 - CONTEXT_MARGIN_M, by0 - CONTEXT_MARGIN_M, bx1 + CONTEXT_MARGIN_M, by1 + CONTEXT_MARGIN_M
    )
    for key in ("buildings", "green", "water"):
        frame = inventory.context.get(key)
        if frame is not None and not frame.empty:
            fx0, fy0, fx1, fy1 = _clipped_bounds(frame, clip)
            ctx = [min(ctx[0], fx0), min(ctx[1], fy0), max(ctx[2], fx1), max(ctx[3], fy1)]
    _, _, frame_w, frame_h = layout.map_rect
    x0, y0, x1, y1 = content
    fill = (layout.arrangement == "below", layout.arrangement == "side")
    out = []
    for lo, hi, c_lo, c_hi, room, full in (
        (x0, x1, ctx[0], ctx[2], frame_w, fill[0]),
        (y0, y1, ctx[1], ctx[3], frame_h, fill[1]),
    ):
        c_lo, c_hi = min(c_lo, lo - margin), max(c_hi, hi + margin)
        if full:
            size = room * per_mm
            start = (c_lo + c_hi) / 2 - size / 2
        else:
            size = min(room * per_mm, c_hi - c_lo)
            start = min(max((lo + hi) / 2 - size / 2, c_lo), c_hi - size)
        start = min(max(start, hi + margin - size), lo - margin)
        out.append((start, start + size))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _clipped_bounds(frame: gpd.GeoDataFrame, clip: shapely.Geometry) -> tuple[float, float, float, float]:
    parts = shapely.intersection(frame.geometry.to_numpy(), clip)
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return math.inf, math.inf, -math.inf, -math.inf
    b = shapely.bounds(parts)
    return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def _check_options(paper: str, orientation: str, lang: str, dpi: float) -> str:
    key = paper.upper()
    if key not in PAPER_SIZES_MM:
        raise DataError(f"Paper `{paper}` is not one of {', '.join(PAPER_SIZES_MM)}; pass e.g. `--paper A3`.")
    if orientation not in ORIENTATIONS:
        raise DataError(f"Orientation `{orientation}` is not one of {', '.join(ORIENTATIONS)}.")
    if lang not in LANGS:
        raise DataError(
            f"Language `{lang}` is not one of {', '.join(LANGS)}; pass `--lang zh` or `--lang en`."
        )
    if not dpi > 0:
        raise DataError(f"dpi `{dpi}` must be a positive number, e.g. 300 for print.")
    return key


def _choose_layout(
    inventory: Inventory,
    paper: str,
    orientation: str,
    lang: str,
    sizes: _Sizes,
    measure: _Measure,
    fig: Figure,
    page: Axes,
) -> tuple[_Layout, pd.DataFrame, dict[int, tuple[float, float]]]:
    rows = _table_rows(inventory.assets, lang)
    x0, y0, x1, y1 = _content_bounds(inventory)
    extent = (max(x1 - x0, 10.0), max(y1 - y0, 10.0))
    legend_mm = {}
    for ncols in (1, 2):
        legend = _make_legend(fig, page, inventory, lang, sizes, ncols)
        box = legend.get_window_extent(measure.renderer)
        legend_mm[ncols] = (box.width * 72 / fig.dpi / _MM, box.height * 72 / fig.dpi / _MM)
    furniture = (62 * sizes.k, 22 * sizes.k)
    header_h = (sizes.title * 1.25 + sizes.subtitle * 1.6) / _MM + sizes.gap
    footer_h = 2 * sizes.notes * 1.7 / _MM + sizes.gap * 0.6
    short, long = PAPER_SIZES_MM[paper]
    pages = {"landscape": (long, short), "portrait": (short, long)}
    wanted = ["landscape", "portrait"] if orientation == "auto" else [orientation]
    for font in (sizes.table * f for f in (1.0, 0.9, 0.8, 0.7, 0.6)):
        table = _measure_table(rows, font, measure, lang)
        options = [
            opt
            for o in wanted
            for opt in _arrange(pages[o], sizes, extent, legend_mm, furniture, table, header_h, footer_h)
        ]
        if options:
            best = min(options, key=lambda o: o[0])[1]
            break
    else:
        raise DataError(
            f"The index of {len(rows)} assets does not fit beside the map on {paper}; choose a larger paper (`--paper A1`)."
        )
    return best, rows, legend_mm


def plot_layout(
    inventory: Inventory,
    *,
    paper: str = "A3",
    orientation: str = "auto",
    lang: str = "zh",
    date: dt.date | None = None,
    ax: Axes | None = None,
    save: bool = False,
    filepath: str | Path | None = None,
    dpi: float = 300,
) -> tuple[Figure, Axes]:
    """Draw the compound's layout figure of important living-service facilities.

    Parameters
    ----------
    inventory
        The compound's numbered inventory (:func:`pipeline.inventory.read_inventory`).
    paper
        ``A4``, ``A3`` or ``A1``. Fonts and lines grow with the paper; the map is drawn at the largest
        round scale (1:2,500 …) that fits, and that scale holds on the printed sheet.
    orientation
        ``auto`` picks the orientation and the table's place (beside or below the map) that give the
        largest scale; ``portrait`` or ``landscape`` fix the orientation.
    lang
        ``zh`` (default) or ``en`` for every word on the page; names stay as the source has them.
    date
        The date printed on the figure; today by default.
    ax
        Draw only the map (base layers, gates, symbols and placed labels) into this axes instead of
        laying out a page; the caller then owns the title, legend and index.
    save, filepath, dpi
        Save the figure to ``filepath`` (format from its suffix: pdf, svg, png) at ``dpi``.

    Returns
    -------
    fig, ax
        The figure and the map's axes.
    """
    paper = _check_options(paper, orientation, lang, dpi)
    if save and filepath is None:
        raise DataError("`save=True` needs a `filepath` (e.g. `layout.pdf`).")
    sizes = _Sizes.of(PAPER_SIZES_MM[paper])
    with _figure_rc():
        if ax is not None:
            fig = ax.get_figure(root=True)
            assert fig is not None, "the axes belongs to no figure"
            _frame_map(ax, inventory)
            _draw_map(ax, inventory, sizes, lang, _Measure(fig.dpi).renderer)
        else:
            fig, ax = _draw_page(inventory, paper, orientation, lang, date or dt.date.today(), sizes)
    if save:
        assert filepath is not None
        save_figure(fig, filepath, dpi=dpi)
    return fig, ax  # type: ignore[return-value]


def _frame_map(ax: Axes, inventory: Inventory) -> None:
    """Fit the content into a caller's axes at equal scale, 8% margin."""
    x0, y0, x1, y1 = _content_bounds(inventory)
    pad = 0.08 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.apply_aspect()


def _draw_page(
    inventory: Inventory, paper: str, orientation: str, lang: str, date: dt.date, sizes: _Sizes
) -> tuple[Figure, Axes]:
    measure = _Measure(100)
    fig = Figure(dpi=100)
    page = fig.add_axes((0, 0, 1, 1), label="page")
    layout, rows, legend_mm = _choose_layout(inventory, paper, orientation, lang, sizes, measure, fig, page)
    width, height = layout.width, layout.height
    fig.set_size_inches(width / 25.4, height / 25.4)
    page.set_xlim(0, width)
    page.set_ylim(0, height)
    page.set_axis_off()
    # The map at the round scale: the content, then as much context as the frame holds.
    content = _content_bounds(inventory)
    window = _map_window(inventory, content, layout, 7 * sizes.k)
    mm = 1000 / layout.scale
    layout = _shrink_map(layout, ((window[2] - window[0]) * mm, (window[3] - window[1]) * mm))
    mx, my, mw, mh = layout.map_rect
    ax = fig.add_axes((mx / width, my / height, mw / width, mh / height), label="map")
    ax.set_xlim(window[0], window[0] + mw / mm)
    ax.set_ylim(window[3] - mh / mm, window[3])
    cx, cy = (window[0] + window[2]) / 2, (window[1] + window[3]) / 2
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.9 * sizes.k)
    _draw_map(ax, inventory, sizes, lang, measure.renderer)
    # Title and summary.
    top = height - sizes.margin
    page.text(
        sizes.margin,
        top,
        figure_title(inventory, lang),
        ha="left",
        va="top",
        fontsize=sizes.title,
        fontweight="bold",
        gid="title",
    )
    page.text(
        sizes.margin,
        top - sizes.title * 1.3 / _MM,
        _summary(inventory, lang),
        ha="left",
        va="top",
        fontsize=sizes.subtitle,
        color="#404040",
        gid="subtitle",
    )
    # The panel: legend, north arrow and scale bar, index table.
    px, py, _, ph = layout.panel_rect
    lw, lh = legend_mm[layout.legend_cols]
    legend = _make_legend(fig, page, inventory, lang, sizes, layout.legend_cols)
    panel_top = py + ph if layout.arrangement == "side" else my - sizes.gap
    legend.set_bbox_to_anchor((px, panel_top), transform=page.transData)
    fig.legends.append(legend)
    furniture_top = panel_top - lh - sizes.gap
    arrow_h = 13 * sizes.k
    _draw_north_arrow(
        page,
        px + 4 * sizes.k,
        furniture_top - arrow_h - 4 * sizes.k,
        arrow_h,
        _true_north_deg(inventory, (cx, cy)),
        lang,
        sizes,
    )
    _draw_scale_bar(
        page, px + 14 * sizes.k, furniture_top - 12 * sizes.k, layout.scale, 40 * sizes.k, paper, lang, sizes
    )
    if layout.arrangement == "side":
        table_x, table_top = px, furniture_top - 22 * sizes.k - sizes.gap
    else:
        table_x, table_top = px + max(lw, 62 * sizes.k) + sizes.gap, panel_top
    cols = _columns(layout.table, layout.table_cols, table_top - py)
    _draw_table(page, rows, layout.table, table_x, table_top, cols, lang, sizes)
    # Footer.
    lines = _footer_lines(inventory, lang, layout.scale, paper, date)
    line_h = sizes.notes * 1.7 / _MM
    for i, line in enumerate(lines):
        page.text(
            sizes.margin,
            sizes.margin + (len(lines) - 1 - i) * line_h,
            line,
            ha="left",
            va="bottom",
            fontsize=sizes.notes,
            color="#404040",
            gid=f"footer-{i}",
        )
    page.add_patch(
        Rectangle(
            (sizes.margin / 2, sizes.margin / 2),
            width - sizes.margin,
            height - sizes.margin,
            facecolor="none",
            edgecolor="#404040",
            linewidth=0.8 * sizes.k,
        )
    )
    log.info(
        "Laid out %s %s (%s), map at 1:%d, %d assets.",
        paper,
        "landscape" if width > height else "portrait",
        layout.arrangement,
        layout.scale,
        len(rows),
    )
    return fig, ax


# ------------------------------------------------------------------------------------------ saving


def _format_of(filepath: str | Path, fmt: str | None) -> str:
    fmt = (fmt or Path(filepath).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise DataError(f"Cannot save a figure as `{filepath}`; use a .pdf, .svg or .png file.")
    return fmt


@contextmanager
def _figure_rc() -> Iterator[None]:
    """Apply :func:`figure_rc` for one drawing or saving, one thread at a time.

    rcParams are process-wide, so two app users saving at once would undo each other's settings
    (a PDF could lose its TrueType fonts); the lock makes each use whole.
    """
    with _RC_LOCK, mpl.rc_context(figure_rc()):  # type: ignore[arg-type]
        yield


def save_figure(fig: Figure, filepath: str | Path, *, dpi: float = 300, fmt: str | None = None) -> Path:
    """Save ``fig`` atomically (temporary file, then rename) with embedded fonts.

    Parameters
    ----------
    fig
        A figure from :func:`plot_layout`.
    filepath
        Where to write; the format comes from the suffix (pdf, svg, png) unless ``fmt`` is given.
    dpi
        Resolution of the PNG, and of any raster part of the PDF or SVG.
    """
    path = Path(filepath)
    fmt = _format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        tmp = folder / path.name
        with _figure_rc():
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fig, fmt))
        tmp.replace(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log.info("Saved the figure to %s (%s, %g dpi).", path, fmt, dpi)
    return path


def figure_bytes(fig: Figure, fmt: str, *, dpi: float = 300) -> bytes:
    """Return ``fig`` encoded as pdf, svg or png (for downloads), with embedded fonts."""
    import io

    fmt = _format_of(f"figure.{fmt}", fmt)
    buffer = io.BytesIO()
    with _figure_rc():
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fig, fmt))
    return buffer.getvalue()


def _metadata(fig: Figure, fmt: str) -> dict[str, Any]:
    title = next((t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "title"), "")
    key = {"pdf": "Title", "svg": "Title", "png": "Title"}[fmt]
    meta: dict[str, Any] = {key: title} if title else {}
    if fmt == "pdf":
        meta["Creator"] = "community asset mapper"
    return meta
