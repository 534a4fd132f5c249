"""The layout figure of a compound with many assets stays readable.

Two scenes: a synthetic one of 80 assets on the demo compound (40 shops in a row 4 m apart, 6 m inside
its outline, and 40 scattered inside), and a real one, the Helsinki block Pääskynen (way/37286930) with
every asset within 100 m: 128 assets. Every index row is printed once, on the first page or on the
ones it goes on to; labels never overlap; leader lines never cross (checked with shapely, not with
the placement's own geometry).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from dataclasses import replace

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader

from layers.figure.layout import (
    figure_bytes,
    figure_files,
    figure_pages,
    page_files,
    pages_archive,
    plot_layout,
    save_figure,
)
from layers.figure.page import _Table, _table_capacity
from pipeline.cli.main import main
from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.inventory.build import build_inventory, write_inventory
from pipeline.osm.read import read_osm
from tests.helpers.testdata import DEMO_ID, EXTRACTS

matplotlib.use("Agg")
DATE = dt.date(2025, 6, 1)
A3_LANDSCAPE_PX_AT_40 = (int(420 / 25.4 * 40), int(297 / 25.4 * 40))


@pytest.fixture(scope="module")
def eighty(demo_features):
    """The demo compound with 80 synthetic assets, their attributes cycled from the real ones."""
    inventory = build_inventory(demo_features, compound=DEMO_ID)
    boundary = inventory.boundary.geometry.iloc[0]
    inner = boundary.buffer(-6).exterior  # a row of shops 6 m inside the wall, one every 4 m
    row = [inner.interpolate(d) for d in np.arange(40) * 4.0]
    rng = np.random.default_rng(7)
    scattered: list[shapely.Point] = []
    while len(scattered) < 40:
        p = shapely.Point(rng.uniform(*boundary.bounds[::2]), rng.uniform(*boundary.bounds[1::2]))
        if boundary.contains(p):
            scattered.append(p)
    real = inventory.assets.drop(columns="geometry").reset_index(drop=True)
    frame = real.iloc[np.arange(80) % len(real)].reset_index(drop=True)
    frame[S.LABEL] = [str(i + 1) for i in range(80)]
    frame[S.NAME] = [f"社区商铺{i + 1}号" if i % 3 else "" for i in range(80)]
    frame[S.INSIDE] = True
    assets = gpd.GeoDataFrame(frame, geometry=row + scattered, crs=inventory.crs)
    assert all(boundary.contains(p) for p in assets.geometry)
    return replace(inventory, assets=assets)


@pytest.fixture(scope="module")
def helsinki_features():
    return read_osm(EXTRACTS["helsinki"])


@pytest.fixture(scope="module")
def paaskynen(helsinki_features):
    """Pääskynen, Helsinki (way/37286930), with every asset within 100 m: 128 assets."""
    inventory = build_inventory(helsinki_features, compound="way/37286930", radius_m=100)
    assert len(inventory.assets) == 128
    return inventory


def _drawn(inventory, paper="A3", lang="zh"):
    fig, ax = plot_layout(inventory, paper=paper, lang=lang, date=DATE)
    renderers = []
    for page in figure_pages(fig):
        canvas = FigureCanvasAgg(page)
        canvas.draw()
        renderers.append(canvas.get_renderer())
    return fig, ax, renderers


def _gid_texts(figure, prefix):
    return [t for a in figure.axes for t in a.texts if (t.get_gid() or "").startswith(prefix)]


def _assert_every_row_once(inventory, fig, renderers):
    """Every index row is printed once, on one of the pages, whole, inside its sheet and above its footer."""
    printed = []
    for page, renderer in zip(figure_pages(fig), renderers, strict=True):
        sheet = page.bbox
        footer_top = max(t.get_window_extent(renderer).y1 for t in _gid_texts(page, "footer-"))
        for text in _gid_texts(page, "table-label:") + _gid_texts(page, "table-more"):
            box = text.get_window_extent(renderer)
            assert sheet.x0 <= box.x0 and box.x1 <= sheet.x1 and box.y1 <= sheet.y1, text.get_text()
            assert box.y0 > footer_top, text.get_text()
            if text.get_gid() != "table-more":
                printed.append(text.get_text())
    assert sorted(printed, key=int) == [str(i) for i in range(1, len(inventory.assets) + 1)]


def _assert_readable(inventory, fig, ax, renderers):
    # Every index row is printed once, on one of the pages, whole and inside its sheet.
    _assert_every_row_once(inventory, fig, renderers)
    # No two labels on the map overlap (measured from the drawn texts).
    renderer = renderers[0]
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith(("asset-label:", "gate-label:"))]
    assert len([t for t in labels if t.get_gid().startswith("asset-label:")]) == len(inventory.assets)
    boxes = [t.get_window_extent(renderer) for t in labels]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, labels, strict=True), 2):
        assert (
            not Bbox.intersection(a, b) or Bbox.intersection(a, b).width * Bbox.intersection(a, b).height == 0
        ), (
            ta.get_gid(),
            tb.get_gid(),
        )
    # No two leader lines cross or touch (shapely, on the drawn lines).
    leaders = [
        shapely.LineString(np.column_stack(line.get_data()))
        for line in ax.lines
        if (line.get_gid() or "").startswith("leader:")
    ]
    crossing = [
        (i, j) for i, j in itertools.combinations(range(len(leaders)), 2) if leaders[i].intersects(leaders[j])
    ]
    assert crossing == []
    return leaders


def test_eighty_assets_on_a3_are_all_indexed_and_labelled_without_collisions(eighty):
    fig, ax, renderers = _drawn(eighty)
    leaders = _assert_readable(eighty, fig, ax, renderers)
    assert len(leaders) >= 10  # the row of shops is too tight to label beside every symbol


def test_eighty_assets_on_a4_flow_onto_a_second_page(eighty, tmp_path):
    fig, ax, renderers = _drawn(eighty, paper="A4", lang="en")
    _assert_readable(eighty, fig, ax, renderers)
    pages = figure_pages(fig)
    assert len(pages) >= 2
    first = {t.get_gid(): t.get_text() for t in _gid_texts(fig, "")}
    shown = len(_gid_texts(fig, "table-label:"))
    assert first["table-more"] == f"{shown + 1}–80: see page 2"
    assert first["page-number"] == f"Page 1 of {len(pages)}"


def test_a_real_block_of_128_assets_keeps_its_map_scale_and_prints_the_index_on_two_pages(
    paaskynen, tmp_path
):
    fig, ax, renderers = _drawn(paaskynen)
    _assert_readable(paaskynen, fig, ax, renderers)
    assert len(figure_pages(fig)) == 2
    texts = {t.get_gid(): t.get_text() for t in _gid_texts(fig, "")}
    # The map at 1:1,250, as with an index of a handful of rows (1:2,000 when all 128 rows sat beside it).
    assert "1:1,250" in texts["scale-text"]
    # The PDF: two A3 pages; the second goes on with the index and ends with the last asset.
    path = save_figure(fig, tmp_path / "layout.pdf", dpi=72)
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    shown = len(_gid_texts(fig, "table-label:"))
    assert f"第 {shown + 1}–128 项见第 2 页" in first and "第 1 页，共 2 页" in first
    assert "设施索引（续）" in second and "第 2 页，共 2 页" in second
    last = paaskynen.assets.sort_values(S.LABEL, key=lambda s: s.astype(int)).iloc[-1]
    assert last[S.NAME] in second and last[S.NAME] not in first
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(420 / 25.4 * 72, abs=0.01)
    assert len(PdfReader(__import__("io").BytesIO(figure_bytes(fig, "pdf", dpi=72))).pages) == 2


def test_png_and_svg_of_two_pages_are_two_files_of_the_papers_size(paaskynen, tmp_path):
    fig, _ = plot_layout(paaskynen, paper="A3", lang="en", date=DATE)
    save_figure(fig, tmp_path / "layout.png", dpi=40)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["layout-page2.png", "layout.png"]
    assert page_files(tmp_path / "layout.png", 2)[1].name == "layout-page2.png"
    for name in files:
        with Image.open(tmp_path / name) as image:
            assert image.size == A3_LANDSCAPE_PX_AT_40
    save_figure(fig, tmp_path / "layout.svg")
    assert (tmp_path / "layout-page2.svg").stat().st_size > 10_000
    second = figure_bytes(fig, "png", dpi=40, page=2)
    assert second[:8] == b"\x89PNG\r\n\x1a\n" and second != figure_bytes(fig, "png", dpi=40)
    with pytest.raises(DataError, match="no page 3"):
        figure_bytes(fig, "png", dpi=40, page=3)


def test_a_download_of_two_pages_is_one_pdf_or_a_zip_of_one_png_or_svg_per_page(paaskynen, tmp_path):
    """What the app's download buttons hold: the same pages, with the same names, as the files saved to disk."""
    fig, _ = plot_layout(paaskynen, paper="A3", lang="en", date=DATE)
    (pdf,) = figure_files(fig, "pdf", dpi=40)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    pngs = figure_files(fig, "png", dpi=40)
    assert len(pngs) == 2 and pngs[0] != pngs[1]
    with zipfile.ZipFile(io.BytesIO(pages_archive(pngs, "wk-layout-A3-en.png"))) as archive:
        assert archive.namelist() == ["wk-layout-A3-en.png", "wk-layout-A3-en-page2.png"]
        for name in archive.namelist():
            with Image.open(archive.open(name)) as image:
                assert image.size == A3_LANDSCAPE_PX_AT_40
        assert archive.read("wk-layout-A3-en-page2.png") == pngs[1]
    save_figure(fig, tmp_path / "layout.svg")
    svgs = figure_files(fig, "svg")
    with zipfile.ZipFile(io.BytesIO(pages_archive(svgs, tmp_path / "layout.svg"))) as archive:
        for name in ("layout.svg", "layout-page2.svg"):
            page = archive.read(name)
            assert page.startswith(b"<?xml") and len(page) == (tmp_path / name).stat().st_size


def test_an_index_planned_to_fit_beside_the_map_is_printed_whole_there(helsinki_features):
    """Fredrikinkatu's block (way/37286921, 55 assets) on A3: the plan puts its index in three columns of 19
    rows (57 places) under a 1:750 map. Measured back, the panel once came out a hair short of 19 rows, so 53
    rows were printed and two went on to a second sheet of their own."""
    inventory = build_inventory(helsinki_features, compound="way/37286921")
    assert len(inventory.assets) == 55
    fig, ax, renderers = _drawn(inventory)
    assert len(figure_pages(fig)) == 1
    _assert_readable(inventory, fig, ax, renderers)
    texts = {t.get_gid(): t.get_text() for t in _gid_texts(fig, "")}
    assert "1:750" in texts["scale-text"] and "table-more" not in texts and "page-number" not in texts
    columns = {round(t.get_position()[0], 3) for t in _gid_texts(fig, "table-label:")}
    assert len(columns) == 3


@pytest.mark.parametrize("font", [6.0, 6.6597297242455715, 7.492195939776267, 8.324662155306964])
def test_a_panel_sized_for_n_rows_and_c_columns_holds_them(font):
    """A panel the plan sizes with the table's own formulas holds exactly the rows and columns it was sized for."""
    k = font / 6.6597297242455715  # the geometry of the real 55-asset table above, scaled with its font
    table = _Table(font, 3.759047444351945 * k, 9.773523355315056 * k, 51.89347285397588 * k,
                   (3.5241069790799475 * k, 5.1 * k, 26.3 * k, 16.9 * k), 55)  # fmt: skip
    wrong = [
        (c, n, _table_capacity(table, table.width(c), table.height(n)))
        for c in range(1, 7)
        for n in range(1, 61)
        if _table_capacity(table, table.width(c), table.height(n)) != (c, n)
    ]
    assert wrong == []
    assert _table_capacity(table, table.width(2) - 0.01, table.height(19) - 0.01) == (1, 18)


def test_a_small_compound_stays_on_one_page(demo_inventory):
    fig, _ = plot_layout(demo_inventory, paper="A3", date=DATE)
    assert len(figure_pages(fig)) == 1
    assert len(figure_files(fig, "png", dpi=20)) == 1
    texts = {t.get_gid() for t in _gid_texts(fig, "")}
    assert "table-more" not in texts and "page-number" not in texts


def test_250_assets_on_a4_go_on_to_a_third_page(eighty):
    """250 assets on a grid 5 m inside the demo compound, on A4 portrait: every row on one of three pages."""
    boundary = eighty.boundary.geometry.iloc[0]
    x0, y0, x1, y1 = boundary.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 30))
    inner = boundary.buffer(-5)
    points = [p for p in shapely.points(xs.ravel(), ys.ravel()) if inner.contains(p)][:250]
    frame = eighty.assets.drop(columns="geometry").iloc[np.arange(250) % 80].reset_index(drop=True)
    frame[S.LABEL] = [str(i + 1) for i in range(250)]
    many = replace(eighty, assets=gpd.GeoDataFrame(frame, geometry=points, crs=eighty.crs))
    fig, _ = plot_layout(many, paper="A4", orientation="portrait", lang="en", date=DATE)
    pages = figure_pages(fig)
    renderers = []
    for page in pages:
        canvas = FigureCanvasAgg(page)
        canvas.draw()
        renderers.append(canvas.get_renderer())
    _assert_every_row_once(many, fig, renderers)
    assert len(pages) == 3
    notes = [next(t.get_text() for t in _gid_texts(page, "table-more")) for page in pages[:2]]
    assert notes[0].endswith("see page 2") and notes[1].endswith("see page 3")
    assert not _gid_texts(pages[2], "table-more")
    shown = [len(_gid_texts(page, "table-label:")) for page in pages]
    assert notes[1] == f"{shown[0] + shown[1] + 1}–250: see page 3"
    assert [next(t.get_text() for t in _gid_texts(page, "page-number")) for page in pages] == [
        "Page 1 of 3",
        "Page 2 of 3",
        "Page 3 of 3",
    ]


def test_the_figure_command_names_every_file_it_writes(paaskynen, tmp_path, capsys):
    folder = write_inventory(paaskynen, tmp_path / "paaskynen")
    out = tmp_path / "layout.png"
    assert main(["-q", "figure", "--inventory", str(folder), "--out", str(out), "--dpi", "30"]) == 0
    printed = capsys.readouterr().out
    assert f"{out}, {tmp_path / 'layout-page2.png'} (the index goes on to page 2)" in printed
    assert (tmp_path / "layout-page2.png").is_file()
    pdf = tmp_path / "layout.pdf"
    assert main(["-q", "figure", "--inventory", str(folder), "--out", str(pdf), "--dpi", "30"]) == 0
    assert f"{pdf} (2 pages" in capsys.readouterr().out
    assert len(PdfReader(pdf).pages) == 2
