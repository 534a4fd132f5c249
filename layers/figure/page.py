"""The page around the map: paper sizes, layout and furniture of the print figure.

:func:`choose_layout` measures the legend and the index table and picks the page's orientation and
arrangement (the panel beside or below the map) that give the largest round scale (1:2,500 …);
:func:`shrink_map` gives the panel what the map does not need. The ``draw_`` functions then put the
title, the panel (legend, north arrow, scale bar, index table) and the footer (date, CRS, credit) on the
page axes, in millimetres from its lower-left corner; :func:`draw_more_pages` prints the rows of the index
the panel could not hold on further pages.

The symbol styles (:func:`category_marker`, :func:`gate_style`, …) live here, beside the legend and the
table that repeat them, and :mod:`layers.figure.layout` draws the map with the same ones, so the legend always
shows what the map shows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import Affine2D
from pyproj import Transformer

from layers import definitions as D
from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import word
from pipeline.inventory.build import OSM_CREDIT, Inventory

#: Paper sizes (short side, long side) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "A1": (594.0, 841.0),
}
#: Round scale denominators the map is drawn at.
SCALES = (500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500, 10000, 12500, 15000, 20000)
_SCALE_BAR_M = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)
_MM = 72 / 25.4  # points per millimetre
_MAX_NAME_CHARS = 18

# ------------------------------------------------------------------------------------ page geometry


@dataclass(frozen=True)
class Sizes:
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
    def of(cls, paper_mm: tuple[float, float]) -> Sizes:
        """Return the sizes for paper of ``paper_mm`` (short, long side); they grow with √(short / A4's)."""
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
class Layout:
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


class Measure:
    """Text measurements in millimetres, without drawing."""

    def __init__(self, dpi: float) -> None:
        self._renderer = RendererAgg(1, 1, dpi)
        self._dpi = dpi

    @property
    def renderer(self) -> RendererAgg:
        """The renderer the measurements use, for measuring artists (legends, texts) too."""
        return self._renderer

    def text(self, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
        """Return the (width, height) of ``text`` at ``size`` points, in millimetres."""
        prop = FontProperties(size=size, weight=weight)
        w, h, _ = self._renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w * 72 / self._dpi / _MM, h * 72 / self._dpi / _MM

    def width(self, texts: list[str], size: float, weight: str = "normal") -> float:
        """Return the width of the widest of ``texts``, in millimetres (0 for none)."""
        return max((self.text(t, size, weight)[0] for t in texts), default=0.0)


# ------------------------------------------------------------ symbols (the map draws with them too)


def dashes(style: D.Style) -> Any:
    """Return the matplotlib line style of ``style``: its dash pattern in units of its line width."""
    if not style.dash:
        return "solid"
    return (0, tuple(float(v) / max(style.weight, 0.1) for v in style.dash.split()))


def category_marker(category: str, inside: bool, size: float) -> dict[str, Any]:
    """Return the ``plot`` keywords of an asset's symbol: filled if ``inside`` the compound, else hollow."""
    colour = D.CATEGORY_COLORS[S.Category(category)]
    return {
        "marker": D.CATEGORY_MARKERS[S.Category(category)],
        "markersize": size,
        "markerfacecolor": colour if inside else "white",
        "markeredgecolor": "white" if inside else colour,
        "markeredgewidth": 0.8 if inside else 1.4,
        "linestyle": "none",
    }


def text_color(category: str) -> str:
    """Return the colour of an asset's label: its category's colour, darkened to read on white."""
    r, g, b = mpl.colors.to_rgb(D.CATEGORY_COLORS[S.Category(category)])
    return mpl.colors.to_hex((r * 0.7, g * 0.7, b * 0.7))


def gate_style(main: bool, sizes: Sizes, angle: float = 0.0) -> dict[str, Any]:
    """Return the ``plot`` keywords of a gate's triangle, the main gate larger, rotated by ``angle``°."""
    return {
        "marker": MarkerStyle("^", transform=Affine2D().rotate_deg(angle)),
        "markersize": sizes.symbol * (1.9 if main else 1.3),
        "color": D.MAIN_GATE_COLOR if main else D.GATE_COLOR,
        "markeredgecolor": "white",
        "markeredgewidth": 0.7,
        "linestyle": "none",
    }


# ------------------------------------------------------------------------------------------- layout


def _table_rows(assets: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    kinds = load_taxonomy().kinds
    names = assets[S.NAME].fillna("").astype(str)
    return pd.DataFrame(
        {
            "label": assets[S.LABEL].astype(str).to_numpy(),
            "name": [_shorten(n) if n else word("figure.unnamed", lang) for n in names],
            "kind": [word(f"kind.{k}", lang) if k in kinds else str(k) for k in assets[S.KIND]],
            "category": assets[S.CATEGORY].to_numpy(),
            "inside": assets[S.INSIDE].astype(bool).to_numpy(),
        }
    )


def _shorten(name: str) -> str:
    return name if len(name) <= _MAX_NAME_CHARS else name[: _MAX_NAME_CHARS - 1] + "…"


def _measure_table(rows: pd.DataFrame, font: float, measure: Measure, lang: str) -> _Table:
    heads = [word(f"map.{k}", lang) for k in ("label", "name", "kind")]
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


#: A panel planned for ``n`` rows or columns of the index is exactly their size; measured back, it can come
#: out a hair short of ``n``, so counting what fits allows for a micrometre of rounding.
_ROUNDING_MM = 1e-3


def _rows_in(table: _Table, height: float) -> int:
    """How many rows of the index fit under its head in ``height`` mm."""
    return max(0, math.floor((height - table.head_h + _ROUNDING_MM) / table.row_h))


def _cols_in(table: _Table, width: float) -> int:
    """How many columns of the index fit side by side in ``width`` mm (one at least)."""
    gutter = 2 * table.widths[0]
    return max(1, math.floor((width + gutter + _ROUNDING_MM) / (table.col_w + gutter)))


def _round_scale(metres_per_mm: float) -> int:
    denominator = metres_per_mm * 1000
    for s in SCALES:
        if s >= denominator * 0.999:
            return s
    return int(math.ceil(denominator / SCALES[-1]) * SCALES[-1])


def _arrange(
    page: tuple[float, float],
    sizes: Sizes,
    extent: tuple[float, float],
    legend_mm: dict[int, tuple[float, float]],
    furniture_mm: tuple[float, float],
    table: _Table,
    header_h: float,
    footer_h: float,
) -> list[tuple[tuple[int, float], Layout]]:
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
    per_col = _rows_in(table, table_h)
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
    cols = _cols_in(table, table_w)
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
) -> tuple[tuple[int, float], Layout]:
    _, _, w, h = rect
    scale = _round_scale(max(extent[0] / max(w - inner, 1e-6), extent[1] / max(h - inner, 1e-6)))
    used_w = min(w, extent[0] * 1000 / scale + inner)
    used_h = min(h, extent[1] * 1000 / scale + inner)
    layout = Layout(width, height, arrangement, rect, panel, scale, table, cols, legend_cols)
    return (scale, w * h - used_w * used_h), layout


def shrink_map(layout: Layout, extent_mm: tuple[float, float]) -> Layout:
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


#: The index's font may shrink to 80 % of the paper's table size to stay beside the map; smaller
#: it would not read at arm's length, so the rows that do not fit go on to a continuation page.
TABLE_FONT_STEPS = (1.0, 0.9, 0.8)


def choose_layout(
    inventory: Inventory,
    content: tuple[float, float, float, float],
    paper: str,
    orientation: str,
    lang: str,
    sizes: Sizes,
    measure: Measure,
    fig: Figure,
    page: Axes,
) -> tuple[Layout, pd.DataFrame, dict[int, tuple[float, float]]]:
    """Choose the page: orientation, arrangement and scale for a map of ``content`` (x0, y0, x1, y1 metres).

    Tries the wanted orientations with the panel beside and below the map, the index table's font
    shrinking step by step (:data:`TABLE_FONT_STEPS`) until one fits, and keeps the largest scale (then
    the least wasted area). The index never costs the map its scale: when the whole index would make
    the map's scale smaller than a one-column index beside it would, the page keeps the map's scale, its
    panel holds what fits of the index, and :func:`draw_more_pages` prints the rest on further pages.

    Returns
    -------
    layout, rows, legend_mm
        The layout, the index table's rows, and the legend's size (mm) with 1 and 2 columns.
    """
    rows = _table_rows(inventory.assets, lang)
    x0, y0, x1, y1 = content
    extent = (max(x1 - x0, 10.0), max(y1 - y0, 10.0))
    legend_mm = {}
    for ncols in (1, 2):
        legend = _make_legend(fig, page, inventory, lang, sizes, ncols)
        box = legend.get_window_extent(measure.renderer)
        legend_mm[ncols] = (box.width * 72 / fig.dpi / _MM, box.height * 72 / fig.dpi / _MM)
    furniture = (62 * sizes.k, 22 * sizes.k)
    header_h = _header_height(sizes)
    footer_h = _footer_height(sizes)
    short, long = PAPER_SIZES_MM[paper]
    pages = {"landscape": (long, short), "portrait": (short, long)}
    wanted = ["landscape", "portrait"] if orientation == "auto" else [orientation]

    def best(table: _Table) -> Layout | None:
        options = [
            opt
            for o in wanted
            for opt in _arrange(pages[o], sizes, extent, legend_mm, furniture, table, header_h, footer_h)
        ]
        return min(options, key=lambda o: o[0])[1] if options else None

    full_size = _measure_table(rows, sizes.table, measure, lang)
    free = best(replace(full_size, rows=1))
    for step in TABLE_FONT_STEPS:
        whole = best(_measure_table(rows, sizes.table * step, measure, lang))
        if whole is not None and (free is None or whole.scale <= free.scale):
            return whole, rows, legend_mm
    if free is None:
        raise DataError("error.figure.map_too_big", paper=paper)
    return replace(free, table=full_size), rows, legend_mm


def _header_height(sizes: Sizes) -> float:
    return (sizes.title * 1.25 + sizes.subtitle * 1.6) / _MM + sizes.gap


def _footer_height(sizes: Sizes) -> float:
    return 2 * sizes.notes * 1.7 / _MM + sizes.gap * 0.6


# ---------------------------------------------------------------------------------------- furniture


def _legend_entries(inventory: Inventory, lang: str, sizes: Sizes) -> tuple[list[Any], list[str]]:
    """Return the legend's handles and labels: categories present, then gates and base layers."""
    assets = inventory.assets
    handles: list[Any] = []
    labels: list[str] = []
    for category in S.Category:
        if (assets[S.CATEGORY] == category).any():
            handles.append(Line2D([], [], **category_marker(category, True, sizes.symbol)))
            labels.append(word(f"category.{category}", lang))
    inside = assets[S.INSIDE].astype(bool)
    if (~inside).any():
        grey: dict[str, Any] = {"marker": "o", "markersize": sizes.symbol, "linestyle": "none"}
        handles += [
            Line2D([], [], markerfacecolor="#737373", markeredgecolor="white", **grey),
            Line2D([], [], markerfacecolor="white", markeredgecolor="#737373", markeredgewidth=1.4, **grey),
        ]
        labels += [word("map.inside", lang), word("map.adjacent", lang)]
    gates = inventory.gates
    handles.append(Line2D([], [], **gate_style(True, sizes)))
    labels.append(word("map.main_gate", lang))
    if (~gates["is_main"]).any():
        handles.append(Line2D([], [], **gate_style(False, sizes)))
        labels.append(word("map.gate", lang))
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
                    linestyle=dashes(style),
                )
            )
        labels.append(layer.name(lang))
    return handles, labels


def _make_legend(
    fig: Figure, page: Axes, inventory: Inventory, lang: str, sizes: Sizes, ncols: int
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
        title=word("figure.legend", lang),
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
    page: Axes, x: float, y: float, height: float, angle: float, lang: str, sizes: Sizes
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
        word("map.north", lang),
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
    page: Axes, x: float, y: float, scale: int, max_mm: float, paper: str, lang: str, sizes: Sizes
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
        word("figure.scale", lang, scale=scale, paper=paper),
        ha="left",
        va="top",
        fontsize=sizes.notes,
        gid="scale-text",
    )


def _table_capacity(table: _Table, width: float, height: float) -> tuple[int, int]:
    """Return how many columns and rows per column of the index fit in ``width`` × ``height`` mm."""
    return _cols_in(table, width), _rows_in(table, height)


def draw_index(
    page: Axes,
    rows: pd.DataFrame,
    table: _Table,
    x: float,
    top: float,
    room: tuple[float, float],
    lang: str,
    sizes: Sizes,
    *,
    title_key: str = "figure.index",
    more_on: int = 0,
) -> int:
    """Draw as many rows of the index as fit in ``room`` (width, height mm) below ``top``; return how many.

    The rows fill the fewest columns that hold them, top to bottom, then left to right. When not every
    row fits, the last place says on which page the index goes on (``more_on``).
    """
    cols, per_col = _table_capacity(table, *room)
    fits = min(len(rows), cols * per_col)
    if fits < len(rows):
        fits = max(fits - 1, 0)  # the last place tells where the rest is
    elif fits:
        cols = math.ceil(fits / per_col)  # the fewest columns, evenly filled
        per_col = math.ceil(fits / cols)
    _draw_table(page, rows.iloc[:fits], table, x, top, cols, per_col, lang, sizes, title_key)
    if fits < len(rows):
        head_y = top - table.head_h + table.row_h
        col, row = divmod(fits, per_col) if per_col else (0, 0)
        page.text(
            x + col * (table.col_w + 2 * table.widths[0]) + table.widths[0],
            head_y - table.row_h * (row + 1.5),
            word(
                "figure.index_more",
                lang,
                first=rows["label"].iloc[fits],
                last=rows["label"].iloc[-1],
                page=more_on,
            ),
            ha="left",
            va="center",
            fontsize=table.font,
            fontstyle="italic",
            color="#404040",
            gid="table-more",
        )
    return fits


def _draw_table(
    page: Axes,
    rows: pd.DataFrame,
    table: _Table,
    x: float,
    top: float,
    cols: int,
    per_col: int,
    lang: str,
    sizes: Sizes,
    title_key: str = "figure.index",
) -> None:
    """Draw the index table: a title, then ``cols`` columns of ``per_col`` rows of label, name and kind."""
    f = table.font
    page.text(
        x,
        top,
        word(title_key, lang),
        ha="left",
        va="top",
        fontsize=f * 1.15,
        fontweight="bold",
        gid="table-title",
    )
    per_col = max(1, per_col)
    sym, label_w, name_w, _ = table.widths
    heads = [word(f"map.{k}", lang) for k in ("label", "name", "kind")]
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
            page.plot(cx + sym * 0.4, yc, **category_marker(row.category, bool(row.inside), f * 0.95))
            page.text(
                cx + sym,
                yc,
                row.label,
                ha="left",
                va="center",
                fontsize=f,
                fontweight="bold",
                color=text_color(row.category),
                gid=f"table-label:{row.label}",
            )
            page.text(cx + sym + label_w, yc, row.name, ha="left", va="center", fontsize=f)
            page.text(
                cx + sym + label_w + name_w, yc, row.kind, ha="left", va="center", fontsize=f, color="#525252"
            )


# --------------------------------------------------------------------------- title and footer texts


def _summary(inventory: Inventory, lang: str) -> str:
    counts = inventory.assets[S.CATEGORY].value_counts()
    parts = [f"{word(f'category.{c}', lang)} {int(counts[c])}" for c in S.Category if c in counts]
    return word(
        "figure.items", lang, n=len(inventory.assets), parts=word("figure.items_sep", lang).join(parts)
    )


def _footer_lines(inventory: Inventory, lang: str, date: dt.date) -> list[str]:
    crs = inventory.crs
    epsg = crs.to_epsg()
    crs_text = f"{crs.name} (EPSG:{epsg})" if epsg else crs.name
    gate = inventory.main_gate
    method = inventory.report.get("method", "polar")
    sep = word("figure.footer_sep", lang)

    def field(key: str, value: object) -> str:
        return word("figure.field", lang, name=word(key, lang), value=value)

    credit = [field("figure.data", inventory.report.get("credit", OSM_CREDIT))]
    if (inventory.assets[S.SOURCE] == S.SOURCE_SURVEY).any():
        credit.append(field("figure.survey", inventory.report.get("survey_source") or S.SOURCE_SURVEY))
    # The gate's title is a field of its own, never put in brackets: a title often carries brackets
    # already (西北侧入口（成府路）), and brackets inside brackets read badly.
    numbered = word(
        "figure.numbered_from_main",
        lang,
        method=word(f"figure.method.{method if method in S.METHODS else 'polar'}", lang),
    )
    return [
        sep.join([field("figure.date", date.isoformat()), field("figure.crs", crs_text)]),
        sep.join([field("map.main_gate", gate.title(lang)), numbered, *credit]),
    ]


# ----------------------------------------------------------------------------------------- the page


def _draw_title(page: Axes, layout: Layout, title: str, sizes: Sizes) -> None:
    """Draw ``title`` at the top left of a page (the first page and every continuation)."""
    page.text(
        sizes.margin,
        layout.height - sizes.margin,
        title,
        ha="left",
        va="top",
        fontsize=sizes.title,
        fontweight="bold",
        gid="title",
    )


def draw_header(
    page: Axes, layout: Layout, title: str, inventory: Inventory, lang: str, sizes: Sizes
) -> None:
    """Draw ``title`` at the top left of the page and, under it, the count of assets by category."""
    top = layout.height - sizes.margin
    _draw_title(page, layout, title, sizes)
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


def draw_panel(
    fig: Figure,
    page: Axes,
    inventory: Inventory,
    layout: Layout,
    rows: pd.DataFrame,
    legend_mm: dict[int, tuple[float, float]],
    *,
    centre: tuple[float, float],
    paper: str,
    lang: str,
    sizes: Sizes,
) -> int:
    """Draw the panel from :func:`choose_layout`: the legend, the north arrow and scale bar, the index.

    The north arrow points to true north at ``centre`` (the map's centre, in the inventory's CRS).
    Returns how many rows of the index it holds; :func:`draw_more_pages` prints the rest.
    """
    px, py, pw, ph = layout.panel_rect
    _, my, _, _ = layout.map_rect
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
        _true_north_deg(inventory, centre),
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
    room = (px + pw - table_x, table_top - py)
    return draw_index(page, rows, layout.table, table_x, table_top, room, lang, sizes, more_on=2)


def draw_footer(
    page: Axes,
    layout: Layout,
    inventory: Inventory,
    lang: str,
    date: dt.date,
    sizes: Sizes,
    *,
    page_no: tuple[int, int] = (1, 1),
) -> None:
    """Draw the footer (date, CRS, numbering method, credits) and the frame around the page.

    ``page_no`` is (this page, pages); the page's number is printed at the right when there are several.
    """
    if page_no[1] > 1:
        page.text(
            layout.width - sizes.margin,
            sizes.margin,
            word("figure.page", lang, n=page_no[0], pages=page_no[1]),
            ha="right",
            va="bottom",
            fontsize=sizes.notes,
            color="#404040",
            gid="page-number",
        )
    lines = _footer_lines(inventory, lang, date)
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
            layout.width - sizes.margin,
            layout.height - sizes.margin,
            facecolor="none",
            edgecolor="#404040",
            linewidth=0.8 * sizes.k,
        )
    )


def index_pages(layout: Layout, rows_left: int, sizes: Sizes) -> int:
    """How many continuation pages the ``rows_left`` rows of the index need.

    A page holds ``capacity`` rows, or one fewer when the index goes on past it (its last place says
    where), so ``n`` pages hold ``(n - 1) * (capacity - 1) + capacity`` rows.
    """
    if rows_left <= 0:
        return 0
    cols, per_col = _table_capacity(layout.table, *_index_room(layout, sizes))
    capacity = cols * per_col
    if capacity < 2:
        raise DataError("error.figure.index_too_big")
    return 1 + math.ceil(max(rows_left - capacity, 0) / (capacity - 1))


def _index_room(layout: Layout, sizes: Sizes) -> tuple[float, float]:
    """Width and height (mm) a continuation page gives the index: the page inside its margins."""
    top = layout.height - sizes.margin - _header_height(sizes)
    return layout.width - 2 * sizes.margin, top - sizes.margin - _footer_height(sizes)


def draw_more_pages(
    page: Axes,
    layout: Layout,
    title: str,
    inventory: Inventory,
    rows: pd.DataFrame,
    lang: str,
    date: dt.date,
    sizes: Sizes,
    page_no: tuple[int, int],
) -> int:
    """Draw continuation page ``page_no[0]`` of ``page_no[1]``; return how many of ``rows`` it holds.

    The page has the title, the index's ``rows`` that fit, and the footer. ``page`` is the page's axes, ``layout.width`` × ``layout.height`` millimetres, as on the first page.
    """
    _draw_title(page, layout, title, sizes)
    top = layout.height - sizes.margin - _header_height(sizes)
    drawn = draw_index(
        page,
        rows,
        layout.table,
        sizes.margin,
        top,
        _index_room(layout, sizes),
        lang,
        sizes,
        title_key="figure.index_continued",
        more_on=page_no[0] + 1,
    )
    draw_footer(page, layout, inventory, lang, date, sizes, page_no=page_no)
    return drawn
