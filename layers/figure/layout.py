"""The print figure: the compound's 重要生活服务设施布局图 (layout of important living-service facilities).

:func:`plot_layout` lays out a page (A4, A3 or A1), and when the index is long the pages it goes on
to (:class:`LayoutFigure`): the map with the compound's boundary, buildings, roads and paths, green
space and water, its gates (the main gate marked) and every numbered asset as a symbol of its category
with its label; beside the map a legend, a north arrow, a metric scale bar and the index table (label,
name, kind, in clockwise order); the title, the date, the CRS and the credit.
Every style comes from :mod:`layers.definitions`, so the print agrees with the app's web map.

This module holds the entry points (drawing, saving, fonts) and draws the map; :mod:`layers.figure.page` lays
out the page and draws its furniture, and :mod:`layers.figure.labels` places the map's labels so that none
overlaps another label, a symbol or a leader line.

The map is drawn at a round scale (1:2,500 …) that holds on the printed paper. Text uses a CJK font
found on the system (Noto Sans CJK SC first), embedded as TrueType in PDF so the text is selectable;
SVG draws glyphs as paths. Settings apply through :func:`matplotlib.rc_context` only, never globally.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import math
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from layers import definitions as D
from layers.figure.labels import place_labels
from layers.figure.page import (
    PAPER_SIZES_MM,
    Layout,
    Measure,
    Sizes,
    category_marker,
    choose_layout,
    dashes,
    draw_footer,
    draw_header,
    draw_more_pages,
    draw_panel,
    gate_style,
    index_pages,
    shrink_map,
    text_color,
)
from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Listed, Words
from pipeline.core.fileio import output_file
from pipeline.core.words import LANGS, word
from pipeline.inventory.build import Inventory
from pipeline.inventory.classify import DEFAULT_RADIUS_M
from pipeline.inventory.context import CONTEXT_MARGIN_M
from pipeline.inventory.naming import compound_title

log = logging.getLogger(__name__)

ORIENTATIONS = ("auto", "portrait", "landscape")
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
_HALO = 2.4  # width of the white halo around map text, in points
_RC_LOCK = threading.RLock()


# -------------------------------------------------------------------------------------------- fonts


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
    raise InputFileError("error.figure.no_cjk_font", families=Listed(CJK_FAMILIES))


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


# ------------------------------------------------------------------------------------------ the map


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
            linestyle=dashes(style),
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


@dataclass(frozen=True)
class _MapLabel:
    text: str
    xy: tuple[float, float]
    radius: float  # symbol half-size in points
    color: str
    size: float
    weight: str
    gid: str


def _draw_map(ax: Axes, inventory: Inventory, sizes: Sizes, lang: str, renderer: RendererAgg) -> None:
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
                    linestyles=dashes(layer.style),
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
        ax.plot(x, y, **gate_style(main, sizes, angle), zorder=D.GATES.style.zorder)
        text = word("map.main_gate", lang) if main else str(row.name or "")
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
            **category_marker(row.category, bool(row.inside), sizes.symbol),
        )
        labels.append(
            _MapLabel(
                str(row.label),
                (x, y),
                sizes.symbol / 2 + 0.5,
                text_color(row.category),
                sizes.label,
                "bold",
                f"asset-label:{row.label}",
            )
        )
    boundary_style = next(layer.style for layer in D.BASE_LAYERS if layer.key == "boundary")
    lines = _lines(inventory.boundary.geometry.boundary)
    _draw_labels(ax, labels, renderer, symbols=symbols, lines=lines, line_width=boundary_style.weight * k)


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


# ----------------------------------------------------------------------------------------- the page


def _content_bounds(inventory: Inventory) -> tuple[float, float, float, float]:
    """The compound, its assets and gates, but never more than the compound plus the adjacency radius."""
    pts = np.vstack([_rep_points(inventory.assets), _rep_points(inventory.gates)])
    bx0, by0, bx1, by1 = inventory.boundary.total_bounds
    if not len(pts):
        return bx0, by0, bx1, by1
    reach = float(inventory.report.get("radius_m", DEFAULT_RADIUS_M))
    return (
        max(min(bx0, pts[:, 0].min()), bx0 - reach),
        max(min(by0, pts[:, 1].min()), by0 - reach),
        min(max(bx1, pts[:, 0].max()), bx1 + reach),
        min(max(by1, pts[:, 1].max()), by1 + reach),
    )


def _map_window(
    inventory: Inventory, content: tuple[float, float, float, float], layout: Layout, inner_mm: float
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
        raise DataError("error.figure.paper", paper=paper, papers=Listed(PAPER_SIZES_MM))
    if orientation not in ORIENTATIONS:
        raise DataError(
            "error.figure.orientation", orientation=orientation, orientations=Listed(ORIENTATIONS)
        )
    if lang not in LANGS:
        raise DataError("error.figure.lang", language=lang, langs=Listed(LANGS))
    if not dpi > 0:
        raise DataError("error.figure.dpi", dpi=dpi)
    width_mm, height_mm = PAPER_SIZES_MM[key]
    check_page_pixels(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH, dpi, key)
    return key


#: The largest page the figure is drawn at, in pixels (width × height): 100 MP is A1 at 300 dpi with
#: room to spare, about 400 MB of memory while it is drawn.
MAX_PAGE_PIXELS = 100_000_000
MM_PER_INCH = 25.4
#: What :func:`check_page_pixels` names when it is not told: a page.
THE_PAGE = Words("error.figure.the_page")


def check_page_pixels(width_in: float, height_in: float, dpi: float, what: str | Words = THE_PAGE) -> None:
    """Refuse a resolution whose page would pass :data:`MAX_PAGE_PIXELS` (memory and time grow with it).

    ``what`` names the page in the refusal: a paper (``A3``) or words said in the reader's language.

    Raises
    ------
    DataError
        Naming the dpi, the page's pixels, the cap and the largest dpi allowed for that page.
    """
    pixels = width_in * height_in * dpi * dpi if math.isfinite(dpi) else math.inf
    if pixels <= MAX_PAGE_PIXELS:
        return
    best = int(math.sqrt(MAX_PAGE_PIXELS / (width_in * height_in)))
    size = (
        Words("error.figure.pixels", width=width_in * dpi, height=height_in * dpi, mp=pixels / 1e6)
        if math.isfinite(pixels)
        else Words("error.figure.pixels_unbounded")
    )
    raise DataError(
        "error.figure.dpi_cap", dpi=dpi, what=what, size=size, cap=MAX_PAGE_PIXELS / 1e6, best=best
    )


def _check_pixels(fig: Figure, dpi: float) -> None:
    if not dpi > 0:
        raise DataError("error.figure.dpi", dpi=dpi)
    width, height = fig.get_size_inches()
    check_page_pixels(float(width), float(height), dpi, Words("error.figure.the_figure"))


def figure_title(inventory: Inventory, lang: str = "zh") -> str:
    """Return the figure's title: the compound's name and 重要生活服务设施布局图 (or its English)."""
    name = compound_title(inventory.report.get("compound", {}), lang) or str(inventory.boundary[S.NAME].iloc[0] or "")
    title = word("figure.title", lang)
    return word("figure.named_title", lang, name=name, title=title) if name else title


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
        The compound's numbered inventory (:func:`pipeline.inventory.build.read_inventory`).
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
        raise DataError("error.figure.save_path", example="layout.pdf")
    sizes = Sizes.of(PAPER_SIZES_MM[paper])
    with _figure_rc():
        if ax is not None:
            fig = ax.get_figure(root=True)
            assert fig is not None, "the axes belongs to no figure"
            _frame_map(ax, inventory)
            _draw_map(ax, inventory, sizes, lang, Measure(fig.dpi).renderer)
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


class LayoutFigure(Figure):
    """The layout figure's first page; ``more_pages`` holds the pages the index goes on to, if any.

    :func:`save_figure` and :func:`figure_bytes` write them all: one PDF of several pages, or for PNG
    and SVG one file per page (``layout.png``, ``layout-page2.png`` …), each a sheet of the chosen paper.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.more_pages: list[Figure] = []


def _draw_page(
    inventory: Inventory, paper: str, orientation: str, lang: str, date: dt.date, sizes: Sizes
) -> tuple[Figure, Axes]:
    measure = Measure(100)
    fig = LayoutFigure(dpi=100)
    page = fig.add_axes((0, 0, 1, 1), label="page")
    content = _content_bounds(inventory)
    layout, rows, legend_mm = choose_layout(
        inventory, content, paper, orientation, lang, sizes, measure, fig, page
    )
    width, height = layout.width, layout.height
    fig.set_size_inches(width / 25.4, height / 25.4)
    page.set_xlim(0, width)
    page.set_ylim(0, height)
    page.set_axis_off()
    # The map at the round scale: the content, then as much context as the frame holds.
    window = _map_window(inventory, content, layout, 7 * sizes.k)
    mm = 1000 / layout.scale
    layout = shrink_map(layout, ((window[2] - window[0]) * mm, (window[3] - window[1]) * mm))
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
    title = figure_title(inventory, lang)
    draw_header(page, layout, title, inventory, lang, sizes)
    drawn = draw_panel(
        fig, page, inventory, layout, rows, legend_mm, centre=(cx, cy), paper=paper, lang=lang, sizes=sizes
    )
    pages = 1 + index_pages(layout, len(rows) - drawn, sizes)
    draw_footer(page, layout, inventory, lang, date, sizes, page_no=(1, pages))
    for n in range(2, pages + 1):
        more = Figure(figsize=(width / 25.4, height / 25.4), dpi=100)
        sheet = more.add_axes((0, 0, 1, 1), label="page")
        sheet.set_xlim(0, width)
        sheet.set_ylim(0, height)
        sheet.set_axis_off()
        drawn += draw_more_pages(sheet, layout, title, inventory, rows.iloc[drawn:], lang, date, sizes, (n, pages))
        fig.more_pages.append(more)
    log.info(
        "Laid out %s %s (%s), map at 1:%d, %d assets, %d page(s).",
        paper,
        "landscape" if width > height else "portrait",
        layout.arrangement,
        layout.scale,
        len(rows),
        pages,
    )
    return fig, ax


# ------------------------------------------------------------------------------------------- saving


def _format_of(filepath: str | Path, fmt: str | None) -> str:
    fmt = (fmt or Path(filepath).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise DataError("error.figure.format", file=Path(filepath))
    return fmt


@contextmanager
def _figure_rc() -> Iterator[None]:
    """Apply :func:`figure_rc` for one drawing or saving, one thread at a time.

    rcParams are process-wide, so two app users saving at once would undo each other's settings
    (a PDF could lose its TrueType fonts); the lock makes each use whole.
    """
    with _RC_LOCK, mpl.rc_context(figure_rc()):  # type: ignore[arg-type]
        yield


def figure_pages(fig: Figure) -> list[Figure]:
    """The pages of ``fig``: itself, then a layout figure's continuation pages (:class:`LayoutFigure`)."""
    return [fig, *fig.more_pages] if isinstance(fig, LayoutFigure) else [fig]


def page_files(filepath: str | Path, pages: int) -> list[Path]:
    """Return where a PNG or SVG of ``pages`` pages is written: ``layout.png``, ``layout-page2.png``, and on."""
    path = Path(filepath)
    return [path, *(path.with_name(f"{path.stem}-page{n}{path.suffix}") for n in range(2, pages + 1))]


def _write(pages: list[Figure], target: Any, fmt: str, dpi: float) -> None:
    """Write ``pages`` to ``target`` (a path or a file object): a PDF holds them all, else only the first."""
    meta = _metadata(pages[0], fmt)
    if fmt == "pdf":
        with PdfPages(target, metadata=meta) as pdf:
            for page in pages:
                pdf.savefig(page, dpi=dpi)
    else:
        pages[0].savefig(target, format=fmt, dpi=dpi, metadata=meta)


def save_figure(fig: Figure, filepath: str | Path, *, dpi: float = 300, fmt: str | None = None) -> Path:
    """Save ``fig`` atomically (temporary file, then rename) with embedded fonts.

    A layout figure whose index goes on to more pages is saved as one PDF of all its pages, or as one
    PNG or SVG per page (:func:`page_files`), each a sheet of the figure's paper.

    Parameters
    ----------
    fig
        A figure from :func:`plot_layout`.
    filepath
        Where to write; the format comes from the suffix (pdf, svg, png) unless ``fmt`` is given.
    dpi
        Resolution of the PNG, and of any raster part of the PDF or SVG.

    Returns
    -------
    Path
        The file written (the first page's, for PNG and SVG).
    """
    path = Path(filepath)
    fmt = _format_of(path, fmt)
    pages = figure_pages(fig)
    for page in pages:
        _check_pixels(page, dpi)
    groups = [pages] if fmt == "pdf" else [[page] for page in pages]
    for group, target in zip(groups, page_files(path, len(groups)), strict=True):
        with output_file(target) as tmp, _figure_rc():
            _write(group, tmp, fmt, dpi)
    log.info("Saved the figure to %s (%s, %g dpi, %d page(s)).", path, fmt, dpi, len(pages))
    return path


def figure_bytes(fig: Figure, fmt: str, *, dpi: float = 300, page: int = 1) -> bytes:
    """Return ``fig`` encoded as pdf, svg or png (for downloads), with embedded fonts.

    A PDF holds every page; a PNG or SVG is one page, ``page`` (1 the first, counting the continuation
    pages of a layout figure's index).
    """
    fmt = _format_of(f"figure.{fmt}", fmt)
    pages = figure_pages(fig)
    if not 1 <= page <= len(pages):
        raise DataError("error.figure.no_page", n=len(pages), page=page)
    chosen = pages if fmt == "pdf" else [pages[page - 1]]
    for one in chosen:
        _check_pixels(one, dpi)
    buffer = io.BytesIO()
    with _figure_rc():
        _write(chosen, buffer, fmt, dpi)
    return buffer.getvalue()


def figure_files(fig: Figure, fmt: str, *, dpi: float = 300) -> list[bytes]:
    """Return the files a download of ``fig`` as ``fmt`` is made of: one PDF of every page, or one PNG or SVG per page."""
    fmt = _format_of(f"figure.{fmt}", fmt)
    count = 1 if fmt == "pdf" else len(figure_pages(fig))
    return [figure_bytes(fig, fmt, dpi=dpi, page=n) for n in range(1, count + 1)]


def pages_archive(files: list[bytes], filepath: str | Path) -> bytes:
    """Return a ZIP of a figure's page ``files``, each named as :func:`save_figure` names it (:func:`page_files`).

    One download holds every page of a PNG or SVG figure, as one PDF does; PNG pages are stored as they
    are (they are compressed already), SVG pages are deflated.
    """
    method = zipfile.ZIP_STORED if Path(filepath).suffix.lower() == ".png" else zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for data, path in zip(files, page_files(filepath, len(files)), strict=True):
            archive.writestr(path.name, data)
    return buffer.getvalue()


def _metadata(fig: Figure, fmt: str) -> dict[str, Any]:
    title = next((t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "title"), "")
    key = {"pdf": "Title", "svg": "Title", "png": "Title"}[fmt]
    meta: dict[str, Any] = {key: title} if title else {}
    if fmt == "pdf":
        meta["Creator"] = "community asset mapper"
    return meta
