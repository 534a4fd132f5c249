"""The running app in a real headless Chromium: markers, a gate click, escaping, and nothing leaves localhost.

One Streamlit server is started per module, on a free port, with its own data folder (the demo extract
and an extract whose names are script payloads) and its own runtime folder. Every request the browser
makes is routed: anything not addressed to this machine is recorded and aborted, and each test fails
if the list is not empty. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import math
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.app import (
    CHROMIUM,
    PARK,
    PARK_LABEL,
    PARK_LABEL_FROM_WORK_AREA_GATE,
    ROOT,
    app_server,
    keep_local,
)
from tests.helpers.testdata import DEMO_ASSETS

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DEMO_OSM = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
PAYLOADS = [
    '<img src=x onerror="window.top.__xss=1">',
    "${window.top.__xss=2}",
    "back`tick",
    "\\`${window.top.__xss=3}`",
    "</script><script>window.top.__xss=4</script>",
    "\"quoted\" & 'single'",
    "trailing\\",
    "line\nbreak",
]


def write_xss_extract(path: Path) -> None:
    """A 200 m square compound whose name, gate, building and eight assets are script payloads."""
    lon0, lat0, d = 116.40, 39.90, 0.0012
    root = ET.Element("osm", version="0.6", generator="test")
    ids = iter(range(1, 1000))

    def node(lon: float, lat: float, **tags: str) -> str:
        nid = str(next(ids))
        element = ET.SubElement(root, "node", id=nid, lat=f"{lat:.7f}", lon=f"{lon:.7f}", version="1")
        for k, v in tags.items():
            ET.SubElement(element, "tag", k=k, v=v)
        return nid

    ways: list[tuple[int, list[str], dict[str, str]]] = []
    corners = [node(lon0 + x * d, lat0 + y * d) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    ways.append((1, [*corners, corners[0]], {"landuse": "residential", "name": PAYLOADS[0]}))
    node(lon0, lat0 - d, barrier="gate", name=PAYLOADS[0])
    house = [
        node(lon0 + x * d / 4, lat0 + d / 2 + y * d / 8) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    ]
    ways.append((900, [*house, house[0]], {"building": "residential", "name": PAYLOADS[4]}))
    for i, payload in enumerate(PAYLOADS):
        angle = 2 * math.pi * i / len(PAYLOADS)
        node(
            lon0 + 0.6 * d * math.cos(angle),
            lat0 + 0.6 * d * math.sin(angle),
            amenity="parking",
            name=payload,
        )
    for wid, nodes, tags in ways:  # OSM files list nodes, then ways, each by ascending id
        element = ET.SubElement(root, "way", id=str(wid), version="1")
        for nid in nodes:
            ET.SubElement(element, "nd", ref=nid)
        for k, v in tags.items():
            ET.SubElement(element, "tag", k=k, v=v)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port; yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; `make sysdeps` installs Debian's chromium")
    folder = tmp_path_factory.mktemp("browser")
    data = folder / "osm"
    data.mkdir()
    shutil.copy(DEMO_OSM, data / DEMO_OSM.name)
    write_xss_extract(data / "xss.osm")
    env = {"MAPPER_DATA_DIR": str(data), "MAPPER_RUNTIME_DIR": str(folder / "runtime")}
    with app_server(folder, env) as url:
        yield url




@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    """A fresh page whose requests outside this machine are aborted, and fail the test."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    outside = keep_local(context, server)
    tab = context.new_page()
    yield tab
    context.close()
    assert outside == [], f"requests left localhost: {outside}"


def _map(page, timeout_ms: int = 45_000):
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".am-num:visible").first.wait_for(timeout=timeout_ms)
    return frame


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / name))


def test_map_shows_numbered_markers_and_a_gate_click_renumbers(page, server: str) -> None:
    page.goto(f"{server}/")
    frame = _map(page)
    assert frame.locator(".am-num").count() == DEMO_ASSETS
    assert frame.locator(f'.am-num[data-sid="{PARK}"]').inner_text() == PARK_LABEL
    assert frame.locator(".am-main").inner_text() == "主入口"
    _shot(page, "layout.png")
    frame.locator(".am-gate:not(.am-main)").first.click()
    page.wait_for_function("() => location.search.includes('gate=node%2F5671677877')", timeout=60_000)
    frame = _map(page)
    park = frame.locator(f'.am-num[data-sid="{PARK}"]')
    deadline = time.monotonic() + 60
    while park.inner_text() == PARK_LABEL and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert park.inner_text() == PARK_LABEL_FROM_WORK_AREA_GATE
    _shot(page, "layout-after-gate-click.png")


def test_pages_render_in_both_languages(page, server: str) -> None:
    for path, name, title in (
        ("inventory", "inventory.png", "清单"),
        ("profile", "profile.png", "基本情况"),
        ("?lang=en", "layout-en.png", "Layout"),
    ):
        page.goto(f"{server}/{path}")
        page.get_by_role("heading", name=title).wait_for(timeout=45_000)
        if path != "profile":
            _map(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        _shot(page, name)


def test_names_display_as_text_and_run_nothing(page, server: str) -> None:
    page.goto(f"{server}/?osm=xss.osm&compound=way%2F1")
    frame = _map(page)
    assert frame.locator(".am-num").count() == len(PAYLOADS)
    handle = page.frame_locator(MAP_FRAME).first.locator("body").element_handle()
    content = handle.owner_frame()
    shown = content.evaluate(
        """() => Object.values(window.map._layers)
              .filter(l => l.getTooltip && l.getTooltip() && l.getLatLng)
              .map(l => { l.openTooltip(); return l.getTooltip().getElement().textContent; })"""
    )
    popups = content.evaluate(
        """() => Object.values(window.map._layers)
              .filter(l => l.getPopup && l.getPopup())
              .map(l => { l.openPopup(); return l.getPopup().getElement().textContent; })"""
    )
    for payload in PAYLOADS:
        assert any(payload in text for text in shown), payload
        assert any(payload in text for text in popups), payload
    frame.locator(".am-gate").first.hover()
    texts = page.locator('[data-testid="stText"]').all_text_contents()
    header = [t for t in texts if t.startswith(PAYLOADS[0] + " · ")]
    assert header, texts
    assert not any("way/1" in t for t in header)  # the compound's name, never its internal id
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__xss") is None
    assert content.evaluate("() => window.__xss") is None
    _shot(page, "xss.png")
