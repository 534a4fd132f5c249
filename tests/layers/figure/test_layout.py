"""The layout figure: labels, legend, fonts and files, on the demo compound 石科院生活区."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader

from layers.figure.labels import place_labels
from layers.figure.layout import (
    PAPER_SIZES_MM,
    figure_bytes,
    figure_title,
    find_cjk_font,
    plot_layout,
    save_figure,
)
from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.core.words import word
from pipeline.inventory.build import build_inventory, read_inventory, write_inventory
from tests.helpers.testdata import DEMO_ID

matplotlib.use("Agg")
DATE = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, demo_features):
    """The demo inventory, built, written and read back as the CLI does."""
    folder = write_inventory(
        build_inventory(demo_features, compound=DEMO_ID), tmp_path_factory.mktemp("inv") / "shikeyuan"
    )
    return read_inventory(folder)


@pytest.fixture(
    scope="module", params=[("A4", "zh"), ("A4", "en"), ("A3", "zh"), ("A3", "en")], ids=lambda p: "-".join(p)
)
def drawn(request, inventory):
    """A rendered page and its pixel geometry: the figure, the map axes, the renderer."""
    paper, lang = request.param
    fig, ax = plot_layout(inventory, paper=paper, lang=lang, date=DATE)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig, ax, canvas.get_renderer(), paper, lang


def _texts(ax, prefix):
    return [t for t in ax.texts if (t.get_gid() or "").startswith(prefix)]


def _intersect(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_every_asset_label_is_drawn_once(drawn, inventory):
    _, ax, _, _, _ = drawn
    labels = sorted(t.get_text() for t in _texts(ax, "asset-label:"))
    assert labels == sorted(inventory.assets[S.LABEL])
    assert [t.get_text() for t in _texts(ax, "gate-label:")].count(word("map.main_gate", drawn[4])) == 1


def test_labels_do_not_overlap_each_other_symbols_or_the_frame(drawn):
    fig, ax, renderer, _, _ = drawn
    boxes = [t.get_window_extent(renderer) for t in _texts(ax, "asset-label:") + _texts(ax, "gate-label:")]
    for a, b in itertools.combinations(boxes, 2):
        assert not _intersect(a, b), (a, b)
    frame = ax.bbox
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    to_px = fig.dpi / 72
    for line in ax.lines:
        if (line.get_gid() or "").startswith("asset-symbol:"):
            x, y = ax.transData.transform(np.column_stack(line.get_data()))[0]
            r = line.get_markersize() / 2 * to_px
            symbol = Bbox.from_extents(x - r, y - r, x + r, y + r)
            assert not any(_intersect(symbol, box) for box in boxes), line.get_gid()


def test_a_label_moved_away_from_its_symbol_has_a_leader(drawn):
    fig, ax, renderer, _, _ = drawn
    leaders = {
        line.get_gid().removeprefix("leader:")
        for line in ax.lines
        if (line.get_gid() or "").startswith("leader:")
    }
    symbols = {
        line.get_gid().removeprefix("asset-symbol:"): ax.transData.transform(
            np.column_stack(line.get_data())
        )[0]
        for line in ax.lines
        if (line.get_gid() or "").startswith("asset-symbol:")
    }
    for text in _texts(ax, "asset-label:"):
        label = text.get_gid().removeprefix("asset-label:")
        box = text.get_window_extent(renderer)
        anchor = symbols[label]
        gap = np.hypot(
            max(box.x0 - anchor[0], 0, anchor[0] - box.x1), max(box.y0 - anchor[1], 0, anchor[1] - box.y1)
        )
        if gap > 15 * fig.dpi / 72:  # farther than a symbol and a gap: must be joined by a leader
            assert text.get_gid() in leaders, label


def test_legend_entries_are_the_categories_present(drawn, inventory):
    fig, _, _, _, lang = drawn
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    all_names = {word(f"category.{c}", lang) for c in S.Category}
    present = {word(f"category.{c}", lang) for c in inventory.assets[S.CATEGORY].unique()}
    assert {t for t in texts if t in all_names} == present
    assert word("map.main_gate", lang) in texts
    assert legend.get_title().get_text() == ("图例" if lang == "zh" else "Legend")


def test_legend_drops_a_category_that_is_absent(inventory):
    from dataclasses import replace

    only = replace(inventory, assets=inventory.assets[inventory.assets[S.CATEGORY] == S.Category.FACILITY])
    fig, _ = plot_layout(only, paper="A4", date=DATE)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "公共设施" in texts and "公共区域" not in texts and "公共单位" not in texts


def test_title_scale_and_credit(drawn, inventory):
    fig, ax, _, paper, lang = drawn
    page = next(a for a in fig.axes if a.get_label() == "page")
    texts = {t.get_gid(): t.get_text() for t in page.texts if t.get_gid()}
    assert texts["title"] == figure_title(inventory, lang)
    assert texts["title"].startswith("石科院生活区")
    footer = texts["footer-0"] + texts["footer-1"]
    assert "© OpenStreetMap contributors" in footer and "EPSG:32650" in footer and "2025-06-01" in footer
    scale = int(texts["scale-text"].split("1:")[1].split()[0].split("（")[0].replace(",", ""))
    assert scale % 250 == 0
    # The map really is at that scale on paper: metres across the frame / millimetres across the frame.
    width_mm = (
        ax.get_position().width * PAPER_SIZES_MM[paper][1 if fig.get_figwidth() > fig.get_figheight() else 0]
    )
    x0, x1 = ax.get_xlim()
    assert (x1 - x0) * 1000 / width_mm == pytest.approx(scale, rel=1e-6)


def test_chinese_text_uses_a_cjk_font_with_every_glyph(drawn, inventory):
    from matplotlib.ft2font import FT2Font

    fig = drawn[0]
    page = next(a for a in fig.axes if a.get_label() == "page")
    title = next(t for t in page.texts if t.get_gid() == "title")
    assert title.get_fontname() == find_cjk_font() == "Noto Sans CJK SC"
    font = FT2Font(findfont(FontProperties(family=find_cjk_font())))
    names = "".join(inventory.assets[S.NAME].fillna("")) + title.get_text()
    missing = {ch for ch in names if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
    assert not missing


def test_pdf_text_is_selectable_and_fonts_are_embedded(inventory, tmp_path):
    fig, _ = plot_layout(inventory, paper="A3", lang="zh", date=DATE)
    path = save_figure(fig, tmp_path / "layout.pdf", dpi=72)
    page = PdfReader(path).pages[0]
    text = page.extract_text()
    assert "石科院生活区重要生活服务设施布局图" in text
    for name in inventory.assets[S.NAME]:
        if name:
            assert name in text
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = described["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
    assert float(page.mediabox.width) == pytest.approx(420 / 25.4 * 72, abs=0.01)


def test_svg_and_png_have_the_asked_size_and_dpi(inventory, tmp_path):
    fig, _ = plot_layout(inventory, paper="A4", orientation="portrait", lang="en", date=DATE)
    svg = save_figure(fig, tmp_path / "layout.svg")
    root = ET.parse(svg).getroot()
    assert float(root.get("width").removesuffix("pt")) == pytest.approx(210 / 25.4 * 72, abs=0.01)
    assert float(root.get("height").removesuffix("pt")) == pytest.approx(297 / 25.4 * 72, abs=0.01)
    png = save_figure(fig, tmp_path / "layout.png", dpi=60)
    with Image.open(png) as image:
        assert image.size == (int(210 / 25.4 * 60), int(297 / 25.4 * 60))  # matplotlib truncates
        assert image.info["dpi"] == pytest.approx((60, 60), abs=0.01)
    assert figure_bytes(fig, "png", dpi=30)[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_layout_saves_through_its_arguments(inventory, tmp_path):
    fig, ax = plot_layout(inventory, paper="A4", save=True, filepath=tmp_path / "a.png", dpi=40, date=DATE)
    assert (tmp_path / "a.png").is_file() and ax in fig.axes
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_orientation_is_honoured(inventory):
    fig, _ = plot_layout(inventory, paper="A4", orientation="portrait", date=DATE)
    assert fig.get_figwidth() < fig.get_figheight()
    fig, _ = plot_layout(inventory, paper="A4", orientation="landscape", date=DATE)
    assert fig.get_figwidth() > fig.get_figheight()


def test_map_only_into_a_callers_axes(inventory):
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    out_fig, out_ax = plot_layout(inventory, ax=ax)
    assert out_ax is ax and out_fig is fig
    assert sorted(t.get_text() for t in _texts(ax, "asset-label:")) == sorted(inventory.assets[S.LABEL])
    assert not fig.legends


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"paper": "B5"}, "Paper `B5`"),
        ({"orientation": "diagonal"}, "Orientation"),
        ({"lang": "fr"}, "Language `fr`"),
        ({"dpi": 0}, "dpi"),
        ({"save": True}, "needs a `filepath`"),
    ],
)
def test_bad_options_are_refused(inventory, options, match):
    with pytest.raises(DataError, match=match):
        plot_layout(inventory, **options)


def test_unknown_figure_format_is_refused(inventory, tmp_path):
    fig, _ = plot_layout(inventory, paper="A4", date=DATE)
    with pytest.raises(DataError, match=r"\.pdf, \.svg or \.png"):
        save_figure(fig, tmp_path / "layout.tiff")


def test_place_labels_on_a_crowded_grid():
    """A 6×6 grid of symbols 6 pt apart, labels 12×8 pt: too tight to label beside every symbol.

    Every label must still be placed, inside the 300×300 frame, clear of the other labels and of every
    symbol, and the ones that moved away carry a leader.
    """
    xs, ys = np.meshgrid(np.arange(6) * 6.0 + 135, np.arange(6) * 6.0 + 135)
    anchors = np.column_stack([xs.ravel(), ys.ravel()])
    sizes = np.tile([12.0, 8.0], (len(anchors), 1))
    placement = place_labels(anchors, sizes, radius=2.0, frame=(0, 0, 300, 300), gap=0.5)
    assert placement.placed.all()
    boxes = placement.boxes
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    symbols = np.column_stack([anchors - 2, anchors + 2])
    for box in boxes:
        hit = (
            (box[0] < symbols[:, 2])
            & (symbols[:, 0] < box[2])
            & (box[1] < symbols[:, 3])
            & (symbols[:, 1] < box[3])
        )
        assert not hit.any()
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= 300).all()
    assert placement.leader.sum() > 20  # most of the 36 must move out of the grid


def test_place_labels_puts_a_lone_label_right_of_its_symbol():
    placement = place_labels(
        np.array([[50.0, 50.0]]), np.array([[10.0, 6.0]]), radius=3.0, frame=(0, 0, 100, 100), gap=1.0
    )
    assert placement.centers[0] == pytest.approx([50 + 3 + 1 + 5, 50])
    assert not placement.leader[0]


def test_a_refused_option_and_format_read_in_chinese(inventory, tmp_path):
    with pytest.raises(DataError) as paper:
        plot_layout(inventory, paper="B5")
    assert paper.value.text("zh") == "纸张 `B5` 不在 A4、A3、A1 之中：请选择其中一种，例如 A3。"
    fig, _ = plot_layout(inventory, paper="A4", date=DATE)
    with pytest.raises(DataError) as fmt:
        save_figure(fig, tmp_path / "layout.tiff")
    assert fmt.value.text("zh") == "无法把图保存为 `layout.tiff`：请使用 .pdf、.svg 或 .png 文件。"
    assert str(fmt.value) == f"Cannot save a figure as `{tmp_path / 'layout.tiff'}`; use a .pdf, .svg or .png file."
