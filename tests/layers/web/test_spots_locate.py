""""Use my location" on a compound far wider than the reach: a place deep inside is used, one outside is not.

In the demo compound every place lies within 100 m of the wall, so the app tests cannot tell "inside" from
"near"; here the demo's boundary is widened by 300 m and the spots map is served from this machine to
headless Chromium with a granted position. Distances are measured with shapely in the inventory's CRS.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layers.web import VENDOR_DIR, build_spots_map
from pipeline.core import schema as S
from store.geo import spots_frame
from tests.helpers.app import CHROMIUM, CHROMIUM_ARGS

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

FIND_MAP_JS = "() => { window.theMap = Object.values(window).find(v => v instanceof L.Map); return !!window.theMap; }"


@pytest.fixture(scope="module")
def wide(demo_inventory):
    """The demo inventory with its boundary widened by 300 m."""
    boundary = demo_inventory.boundary.copy()
    boundary["geometry"] = boundary.geometry.buffer(300.0)
    return replace(demo_inventory, boundary=boundary)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, wide) -> Iterator[str]:
    """The spots map of the widened compound, served on 127.0.0.1 with the vendored libraries."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    folder = tmp_path_factory.mktemp("locate")
    (folder / "vendor").symlink_to(VENDOR_DIR)
    page = build_spots_map(wide, spots_frame([]), vendor_url="/vendor").get_root().render()
    (folder / "map.html").write_text(page, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/map.html"
    server.shutdown()


def _wgs84(inventory, point: shapely.Point) -> shapely.Point:
    return gpd.GeoSeries([point], crs=inventory.crs).to_crs(S.WGS84).iloc[0]


def _locate(url: str, point: shapely.Point) -> tuple[list[float] | None, str]:
    """Tap "use my location" at ``point`` (WGS-84); return the map click it made (lat, lng) and the message."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            permissions=["geolocation"], geolocation={"latitude": point.y, "longitude": point.x, "accuracy": 5}
        )
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(FIND_MAP_JS)
        page.evaluate("() => window.theMap.on('click', e => { window.clicked = [e.latlng.lat, e.latlng.lng]; })")
        page.locator(".sp-locate").click()
        page.wait_for_function("() => window.clicked || document.querySelector('.sp-msg.sp-on')", timeout=10_000)
        page.wait_for_timeout(300)
        clicked = page.evaluate("() => window.clicked || null")
        message = page.locator(".sp-msg").inner_text() if page.locator(".sp-msg.sp-on").count() else ""
        browser.close()
    return clicked, message


def test_a_place_deep_inside_a_wide_compound_is_used(wide, served: str) -> None:
    polygon = wide.boundary.geometry.iloc[0]
    circle = shapely.maximum_inscribed_circle(polygon)
    centre = shapely.get_point(circle, 0)
    assert polygon.exterior.distance(centre) > 300  # far more than the 100 m reach from the wall
    where = _wgs84(wide, centre)
    clicked, message = _locate(served, where)
    assert message == ""
    assert clicked == pytest.approx([where.y, where.x], abs=1e-7)


def test_a_place_150_m_outside_a_wide_compound_is_refused(wide, served: str) -> None:
    polygon = wide.boundary.geometry.iloc[0]
    x, y = max(shapely.get_coordinates(polygon.exterior), key=lambda c: c[1])
    outside = shapely.Point(x, y + 150.4)
    assert polygon.distance(outside) == pytest.approx(150.4, abs=0.1)
    clicked, message = _locate(served, _wgs84(wide, outside))
    assert clicked is None
    assert message.startswith("你的位置在小区外约 150 米")
