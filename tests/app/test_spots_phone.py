"""The spots page on a phone (390x844, a phone's user agent, touch) in headless Chromium.

The store is seeded as in :mod:`tests.app.test_spots_browser` (11 spots with script payloads, one per 60 m).
Each test checks one promise of the phone page: the map opens fitted to the compound; no marker covers
another at any zoom (boxes measured in the browser) and every number is back when zoomed in; one folded
legend; a new spot starts from the button on the map and its form starts on the first screen; every tap
target is at least 44 px; the page is never wider than the screen. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import geopandas as gpd
import pytest

from layers.web import fit_zoom
from pipeline.core import schema as S
from store import Store, list_spots
from tests.helpers.app import (
    MAP_FRAME,
    PARK,
    PARK_LABEL,
    keep_local,
    shot,
)
from tests.helpers.browser import MIN_TAP_PX, PHONE, PHONE_AGENT, TARGETS_JS, open_spots
from tests.helpers.spots_scene import COMPOUND, PASSWORD, Scene

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

#: The fitted bounds (the map's Declutter fits them) in the map's container pixels, and the map's size.
FIT_JS = """() => {
    const bounds = L.latLngBounds(window.map._amFit);
    const sw = window.map.latLngToContainerPoint(bounds.getSouthWest());
    const ne = window.map.latLngToContainerPoint(bounds.getNorthEast());
    const size = window.map.getSize();
    return {x0: sw.x, y0: ne.y, x1: ne.x, y1: sw.y, w: size.x, h: size.y};
}"""

#: Boxes (container pixels) of every drawn marker in the map's view: numbered assets, gates, spots.
BOXES_JS = """() => {
    const map = document.querySelector('.leaflet-container').getBoundingClientRect();
    const boxes = [];
    document.querySelectorAll('.am-num, .am-gate, .leaflet-spots-pane path.leaflet-interactive').forEach(e => {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.right < map.left || r.left > map.right || r.bottom < map.top || r.top > map.bottom) {
            return;
        }
        boxes.push([r.left, r.top, r.right, r.bottom, e.textContent || 'spot']);
    });
    return boxes;
}"""
MAP_TARGETS_JS = """() => Array.from(document.querySelectorAll('.leaflet-control a, .leaflet-control button'))
    .filter(e => e.checkVisibility())
    .map(e => [e.title || e.className, e.getBoundingClientRect().width, e.getBoundingClientRect().height])"""


def overlaps(boxes: list[list]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap by more than half a pixel."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                found.append((a[4], b[4]))
    return found






@pytest.fixture
def phone(browser, scene: Scene) -> Iterator[object]:
    """A fresh phone page; a request that leaves this machine fails the test."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_AGENT,
        locale="zh-CN",
    )
    outside = keep_local(context, scene.url)
    tab = context.new_page()
    yield tab
    context.close()
    assert outside == [], f"requests left localhost: {outside}"






def test_the_map_opens_fitted_to_the_compound(phone, scene: Scene) -> None:
    frame = open_spots(phone, scene.url)
    box = frame.evaluate(FIT_JS)
    assert box["w"] < 400 and box["h"] == 400  # the phone's map
    assert box["x0"] >= 0 and box["x1"] <= box["w"] and box["y0"] >= 0 and box["y1"] <= box["h"]
    # fitted: the compound spans most of the width or height (half a zoom step more would not fit)
    assert max((box["x1"] - box["x0"]) / box["w"], (box["y1"] - box["y0"]) / box["h"]) > 0.6
    # at the zoom the server laid the labels out for (its phone map, the same margin)
    (south, west), (north, east) = frame.evaluate("() => window.map._amFit")
    zoom = frame.evaluate("() => window.map.getZoom()")
    assert zoom == fit_zoom((west, south, east, north), (box["w"], box["h"]))
    shot(phone, "phone-spots.png", full_page=False)
    phone.set_viewport_size({"width": 620, "height": 844})  # a wider frame (columns still stacked): fitted again
    phone.wait_for_function(
        "s => document.querySelector(s).getBoundingClientRect().width > 550", arg=MAP_FRAME, timeout=10_000
    )
    phone.wait_for_timeout(800)
    wide = frame.evaluate(FIT_JS)
    assert wide["w"] > 550 and (wide["x1"] - wide["x0"]) / wide["w"] > 0.6


def test_no_marker_covers_another_at_any_zoom_and_the_numbers_come_back(
    phone, scene: Scene, demo_inventory
) -> None:
    frame = open_spots(phone, scene.url)
    total = frame.evaluate("() => window.map._amItems.length")
    gates = frame.locator(".am-gate").count()
    assert total == len(demo_inventory.assets) + gates + len(scene.spots)  # assets, gates, spots (each in a cell of its own)
    seen = []
    zoom = frame.evaluate("() => window.map.getZoom()")
    for _ in range(10):
        boxes = frame.evaluate(BOXES_JS)
        assert overlaps(boxes) == [], f"zoom {zoom}"
        seen.append(len(boxes))
        if zoom >= 20:
            break
        zoom = min(20, zoom + 1)
        frame.evaluate("z => window.map.setZoom(z, {animate: false})", zoom)
        phone.wait_for_timeout(150)
    assert zoom == 20
    assert seen[0] < total  # some were hidden when zoomed out
    # zoomed in, every marker is back (those out of view are drawn when panned to)
    hidden = frame.evaluate(
        "() => window.map._amItems.filter(it => it.hiddenBy && window.map.getBounds().contains("
        "it.layer.getLatLng())).length"
    )
    assert hidden == 0
    frame.evaluate("() => window.map.setZoom(18, {animate: false})")
    phone.wait_for_timeout(300)
    frame.evaluate("() => window.map.fitBounds(window.map._amItems.map(it => it.layer.getLatLng()))")
    phone.wait_for_timeout(300)
    shot(phone, "phone-spots-zoomed.png", full_page=False)


def test_the_legends_fold_into_one_control(phone, scene: Scene) -> None:
    frame = open_spots(phone, scene.url)
    assert frame.locator(".am-legend-box").count() == 1
    legend = frame.locator(".am-legend-box .am-legend")
    assert not legend.is_visible()  # folded on a phone
    frame.locator(".am-legend-toggle").tap()
    assert legend.is_visible()
    text = legend.inner_text()
    assert "公共设施" in text and "居民问题点" in text  # the assets' and the spots' sections
    shot(phone, "phone-spots-legend.png", full_page=False)
    frame.locator(".am-legend-toggle").tap()
    assert not legend.is_visible()


def test_a_new_spot_starts_from_the_map_button_and_its_form_is_on_the_first_screen(phone, scene: Scene) -> None:
    start = time.monotonic()
    frame = open_spots(phone, scene.url)
    lon, lat = scene.empty
    frame.evaluate(
        "([lat, lng]) => window.map.setView([lat, lng], window.map.getZoom(), {animate: false})", [lat, lon]
    )
    frame.locator(".sp-add").tap()
    assert frame.locator(".sp-cross").is_visible() and frame.locator(".sp-hint").is_visible()
    shot(phone, "phone-spots-placing.png", full_page=False)
    frame.locator(".sp-add-here").tap()
    category = phone.get_by_test_id("stSelectbox").filter(has_text="问题类别").first
    category.wait_for(timeout=30_000)
    frame.locator(".sp-new").wait_for(timeout=15_000)
    assert not frame.locator(".sp-cross").is_visible()
    # the form starts on the first screen, right under the map
    top = phone.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")
    assert top == 0 and category.bounding_box()["y"] < PHONE["height"]
    shot(phone, "phone-spots-form.png", full_page=False)
    phone.get_by_role("textbox", name="问题说明（不超过 500 字）").fill("晚上这里没有路灯")
    name = phone.get_by_role("textbox", name="你的称呼（化名即可）")
    name.fill("李大爷")
    name.press("Enter")
    phone.wait_for_timeout(400)
    phone.get_by_role("button", name="提交问题点").tap()
    phone.get_by_text("谢谢！").wait_for(timeout=30_000)
    took = time.monotonic() - start
    with Store(scene.db_url, migrate=False) as store:
        new = [s for s in list_spots(store, COMPOUND) if s.text == "晚上这里没有路灯"]
    assert len(new) == 1
    assert (new[0].lon, new[0].lat) == pytest.approx((lon, lat), abs=2e-5)  # the cross, within 2 m
    print(f"opening the page to a submitted spot: {took:.1f} s")
    shot(phone, "phone-spots-added.png", full_page=False)


def test_every_tap_target_is_at_least_44_px(phone, scene: Scene) -> None:
    frame = open_spots(phone, scene.url)
    small = [t for t in phone.evaluate(TARGETS_JS) if min(t[1], t[2]) < MIN_TAP_PX - 0.5]
    assert small == []
    small = [t for t in frame.evaluate(MAP_TARGETS_JS) if min(t[1], t[2]) < MIN_TAP_PX - 0.5]
    assert small == []
    frame.locator(".sp-add").tap()  # the placing buttons too
    small = [t for t in frame.evaluate(MAP_TARGETS_JS) if min(t[1], t[2]) < MIN_TAP_PX - 0.5]
    assert small == []


def test_the_page_is_never_wider_than_the_screen(phone, scene: Scene) -> None:
    open_spots(phone, scene.url)
    for lang in ("zh", "en"):
        if lang == "en":
            open_spots(phone, scene.url, "?lang=en")
        widths = phone.evaluate(
            """() => { const main = document.querySelector('[data-testid=stMain]');
                return [document.documentElement.scrollWidth, main.scrollWidth, main.clientWidth]; }"""
        )
        assert widths[0] <= PHONE["width"] and widths[1] <= widths[2], (lang, widths)
    shot(phone, "phone-spots-en.png", full_page=False)


def _add_spot_here(page, frame, lonlat: tuple[float, float], text: str) -> None:
    """Start a spot from the map's button with the cross on ``lonlat``, describe it and submit it."""
    lon, lat = lonlat
    frame.evaluate(
        "([lat, lng]) => window.map.setView([lat, lng], window.map.getZoom(), {animate: false})", [lat, lon]
    )
    frame.locator(".sp-add").tap()
    frame.locator(".sp-add-here").tap()
    page.get_by_role("button", name="提交问题点").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="问题说明（不超过 500 字）").fill(text)
    page.keyboard.press("Tab")
    page.wait_for_timeout(400)
    page.get_by_role("button", name="提交问题点").tap()
    page.get_by_text("谢谢！").wait_for(timeout=30_000)


def test_a_reload_keeps_the_pseudonym_and_my_spots(browser, scene: Scene) -> None:
    def device():
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN"
        )
        return context, keep_local(context, scene.url)

    context, outside = device()
    page = context.new_page()
    frame = open_spots(page, scene.url)
    name = page.get_by_role("textbox", name="你的称呼（化名即可）")
    name.fill("张阿姨")
    name.press("Enter")
    deadline = time.monotonic() + 30
    while not any(c["name"] == "mapper_name" and c["value"] for c in context.cookies()):
        assert time.monotonic() < deadline, context.cookies()
        page.wait_for_timeout(200)
    frame = open_spots(page, scene.url)
    _add_spot_here(page, frame, (scene.empty[0] + 0.0004, scene.empty[1]), "楼道灯坏了")
    with Store(scene.db_url, migrate=False) as store:
        [spot] = [s for s in list_spots(store, COMPOUND) if s.text == "楼道灯坏了"]
    assert spot.author == "张阿姨"

    page.reload()
    frame = open_spots(page, scene.url)
    assert page.get_by_role("textbox", name="你的称呼（化名即可）").input_value() == "张阿姨"
    mine = page.get_by_test_id("stExpander").filter(has_text="我的问题点（")
    assert "我的问题点（1）" in mine.inner_text()
    mine.get_by_role("button", name=f"#{spot.id}").wait_for(timeout=10_000)
    # one's own spot is drawn at its exact place, as before the reload
    own = frame.evaluate(
        f"() => Object.values(window.map._layers).filter(l => l.spotIds && l.spotIds[0] === {spot.id})"
        ".map(l => [l.getLatLng().lng, l.getLatLng().lat])"
    )
    assert own == [pytest.approx([spot.lon, spot.lat], abs=1e-7)]
    shot(page, "phone-spots-mine.png", full_page=False)
    context.close()
    assert outside == []

    other, outside = device()  # another device is another resident
    page = other.new_page()
    open_spots(page, scene.url)
    assert page.get_by_role("textbox", name="你的称呼（化名即可）").input_value() == ""
    assert "我的问题点（0）" in page.get_by_test_id("stExpander").filter(has_text="我的问题点（").inner_text()
    other.close()
    assert outside == []


def test_a_tap_on_the_boundary_of_the_layout_page_renumbers_from_there(phone, scene: Scene, demo_inventory) -> None:
    outline = demo_inventory.boundary.geometry.iloc[0].boundary
    here = gpd.GeoSeries([outline.interpolate(0.6, normalized=True)], crs=demo_inventory.crs).to_crs(S.WGS84)[0]
    phone.goto(f"{scene.url}/")
    frame = phone.frame_locator(MAP_FRAME).first
    park = frame.locator(f'.am-num[data-sid="{PARK}"]')
    frame.locator(".am-num:visible").first.wait_for(timeout=60_000)
    assert park.text_content() == PARK_LABEL
    shot(phone, "phone-layout.png", full_page=False)
    phone.get_by_text("在边界上点选主入口").tap()
    phone.wait_for_timeout(1500)  # the rerun; the map is not redrawn (nothing on it changed)
    handle = frame.locator("body").element_handle().owner_frame()
    handle.evaluate("([lat, lng]) => window.map.setView([lat, lng], 18, {animate: false})", [here.y, here.x])
    x, y = handle.evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
        [here.y, here.x],
    )
    frame.locator(".leaflet-container").tap(position={"x": x, "y": y})
    phone.wait_for_function("() => /gate=[0-9.]+%2C[0-9.]+/.test(location.search)", timeout=60_000)
    deadline = time.monotonic() + 60
    while park.text_content() == PARK_LABEL:
        assert time.monotonic() < deadline, "the numbers did not change"
        phone.wait_for_timeout(200)
    assert frame.locator('.am-main[data-sid="user-point"]').count() == 1
    shot(phone, "phone-layout-boundary-pick.png", full_page=False)


def test_the_vote_picker_says_published_as_soon_as_a_session_is_closed(phone, scene: Scene) -> None:
    phone.goto(f"{scene.url}/vote")
    picker = phone.get_by_test_id("stSelectbox").filter(has_text="投票场次").first
    picker.wait_for(timeout=45_000)
    phone.get_by_test_id("stExpandSidebarButton").tap()
    phone.get_by_text("规划师登录").first.tap()
    phone.get_by_role("textbox", name="用户名").fill("wang")
    phone.get_by_role("textbox", name="密码").fill(PASSWORD)
    phone.get_by_role("button", name="规划师登录").last.tap()
    phone.get_by_text("已登录：wang").wait_for(timeout=30_000)
    phone.get_by_test_id("stSidebarCollapseButton").locator("button").tap()
    shown = picker.get_by_role("combobox")
    assert "停车与照明专题 · 进行中" in shown.input_value()
    phone.get_by_text("确认结束本场投票").tap()
    phone.get_by_role("button", name="结束投票并公布结果").tap()
    phone.get_by_text("投票已结束，结果已公布。").wait_for(timeout=30_000)
    phone.wait_for_timeout(500)
    assert "停车与照明专题 · 已公布" in shown.input_value()
    shot(phone, "phone-vote-closed.png", full_page=False)
