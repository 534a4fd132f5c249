"""Reporting a spot without tapping the map, in headless Chromium: "use my location", the list of numbered
assets, and the keyboard.

The store is seeded as in :mod:`tests.app.test_spots_browser`. Positions are checked against the demo
inventory's own geometry (projected with geopandas here), not against what the page computes.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.core import schema as S
from store import Store, list_spots
from tests.helpers.app import PARK, PARK_LABEL, keep_local, shot
from tests.helpers.browser import PHONE, PHONE_AGENT, open_spots
from tests.helpers.spots_scene import COMPOUND, Scene

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
SUBMIT = "提交问题点"
TEXT_BOX = "问题说明（不超过 500 字）"
NAME_BOX = "你的称呼（化名即可）"
#: The element that has focus inside the map's frame: its classes, text, label and whether a popup is open.
FOCUS_JS = """() => {
    const e = document.activeElement;
    const popup = document.querySelector('.leaflet-popup-content');
    return {cls: String(e.className && e.className.baseVal !== undefined ? e.className.baseVal : e.className),
            text: e.textContent, label: e.getAttribute('aria-label') || '', tag: e.tagName,
            control: !!e.closest('.leaflet-control'),
            popup: popup ? popup.textContent : null};
}"""






@pytest.fixture
def device(browser, scene: Scene):
    """Open phones (or, with ``desktop=True``, a 1440x900 window) with the given geolocation settings."""
    opened = []

    def open_device(*, desktop: bool = False, **options):
        if desktop:
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN", **options)
        else:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN", **options
            )
        opened.append((context, keep_local(context, scene.url)))
        return context.new_page()

    yield open_device
    for context, outside in opened:
        context.close()
        assert outside == [], f"requests left localhost: {outside}"


def _wgs84(inventory, geometry) -> shapely.Point:
    return gpd.GeoSeries([geometry], crs=inventory.crs).to_crs(S.WGS84).iloc[0]


def _metric(inventory, lon: float, lat: float) -> shapely.Point:
    return gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=S.WGS84).to_crs(inventory.crs).iloc[0]


def _north_of_boundary(inventory, metres: float) -> tuple[float, float]:
    """A WGS-84 point ``metres`` due north of the boundary's northernmost vertex (that far from the boundary)."""
    ring = inventory.boundary.geometry.iloc[0]
    x, y = max(shapely.get_coordinates(ring), key=lambda c: c[1])
    point = _wgs84(inventory, shapely.Point(x, y + metres))
    return point.x, point.y


def _new_spots(scene: Scene, text: str) -> list:
    with Store(scene.db_url, migrate=False) as store:
        return [s for s in list_spots(store, COMPOUND) if s.text == text]


def _submit(page, text: str, name: str) -> None:
    page.get_by_role("textbox", name=TEXT_BOX).fill(text)
    box = page.get_by_role("textbox", name=NAME_BOX)
    box.fill(name)
    box.press("Enter")
    page.wait_for_timeout(400)
    page.get_by_role("button", name=SUBMIT).click()
    page.get_by_text("谢谢！").wait_for(timeout=30_000)


def _texts(page) -> list[str]:
    return page.get_by_test_id("stText").all_text_contents()


def test_my_location_inside_the_compound_places_the_spot_there(device, scene: Scene, demo_inventory) -> None:
    lon, lat = scene.empty  # inside the compound, far from every marker
    page = device(permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 8})
    frame = open_spots(page, scene.url)
    locate = frame.locator(".sp-locate")
    assert locate.inner_text() == "◎ 用我的位置"
    box = locate.bounding_box()
    assert min(box["width"], box["height"]) >= 44
    locate.tap()
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    frame.locator(".sp-new").wait_for(timeout=15_000)
    assert frame.evaluate("() => window.map.getZoom()") >= 18  # zoomed in on the new pin
    assert not frame.locator(".sp-msg").is_visible()
    shot(page, "phone-spots-located.png", full_page=False)
    _submit(page, "楼下路灯不亮", "定位的居民")
    [spot] = _new_spots(scene, "楼下路灯不亮")
    assert _metric(demo_inventory, spot.lon, spot.lat).distance(_metric(demo_inventory, lon, lat)) < 0.2  # metres


def test_my_location_just_outside_the_wall_is_near_enough(device, scene: Scene, demo_inventory) -> None:
    lon, lat = _north_of_boundary(demo_inventory, 60.0)
    page = device(permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 8})
    frame = open_spots(page, scene.url)
    frame.locator(".sp-locate").tap()
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    frame.locator(".sp-new").wait_for(timeout=15_000)


@pytest.mark.parametrize(
    ("metres", "lang", "expected"),
    [
        (150.3, "zh", "你的位置在小区外约 150 米，太远了"),
        (2230.0, "zh", "你的位置在小区外约 2.2 公里，太远了"),
        (2230.0, "en", "You are about 2.2 km outside the compound"),
    ],
)
def test_my_location_far_from_the_compound_is_refused_in_the_page_language(
    device, scene: Scene, demo_inventory, metres: float, lang: str, expected: str
) -> None:
    lon, lat = _north_of_boundary(demo_inventory, metres)
    # the distance from the boundary, measured here in the inventory's metric CRS
    assert demo_inventory.boundary.geometry.iloc[0].distance(_metric(demo_inventory, lon, lat)) == pytest.approx(
        metres, abs=0.2
    )
    page = device(permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 8})
    frame = open_spots(page, scene.url, "?lang=en" if lang == "en" else "")
    frame.locator(".sp-locate").tap()
    message = frame.locator(".sp-msg")
    playwright.expect(message).to_contain_text(expected, timeout=10_000)
    assert message.get_attribute("role") == "status"
    page.wait_for_timeout(1500)  # nothing was sent to the page
    assert frame.locator(".sp-new").count() == 0
    assert page.get_by_role("button", name="Submit spot" if lang == "en" else SUBMIT).count() == 0
    if metres > 1000:
        shot(page, f"phone-spots-located-far-{lang}.png", full_page=False)


def test_a_vague_location_is_not_used(device, scene: Scene) -> None:
    lon, lat = scene.empty  # inside, but known only to 400 m (a desktop's guess from its network)
    page = device(
        desktop=True, permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 400}
    )
    frame = open_spots(page, scene.url, "?lang=en")
    frame.locator(".sp-locate").click()
    message = frame.locator(".sp-msg")
    playwright.expect(message).to_contain_text("Your location is only known to about 400 m", timeout=10_000)
    shot(page, "spots-located-vague-en.png", full_page=False)
    page.wait_for_timeout(1500)
    assert frame.locator(".sp-new").count() == 0
    message.click()  # a tap closes it
    assert not message.is_visible()


def test_a_refused_location_says_so_and_the_map_still_takes_a_tap(device, scene: Scene) -> None:
    page = device()  # no permission granted: the browser refuses
    frame = open_spots(page, scene.url)
    frame.locator(".sp-locate").tap()
    message = frame.locator(".sp-msg")
    playwright.expect(message).to_contain_text("浏览器没有允许定位", timeout=10_000)
    shot(page, "phone-spots-located-denied.png", full_page=False)
    lon, lat = scene.empty
    frame.evaluate(
        "([lat, lng]) => window.map.setView([lat, lng], window.map.getZoom(), {animate: false})", [lat, lon]
    )
    frame.locator(".sp-add").tap()
    frame.locator(".sp-add-here").tap()
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    frame.locator(".sp-new").wait_for(timeout=15_000)
    assert not message.is_visible()


def _pick_asset(page, typed: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="不用地图：选离问题最近的编号设施")
    box.locator("input").click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option, exact=True).click()


def test_without_the_map_a_spot_is_placed_on_the_numbered_asset_picked_from_the_list(
    device, scene: Scene, demo_inventory
) -> None:
    page = device()
    open_spots(page, scene.url)
    box = page.get_by_test_id("stSelectbox").filter(has_text="不用地图：选离问题最近的编号设施")
    box.locator("input").click()
    options = page.get_by_role("option").all_text_contents()
    assets = demo_inventory.assets.sort_values(S.SEQ)
    # every numbered asset, in numbering order, "number · name"
    assert [o.split(" · ")[0] for o in options] == assets[S.LABEL].astype(str).tolist()
    assert f"{PARK_LABEL} · 畅乐园" in options
    page.keyboard.press("Escape")
    _pick_asset(page, "畅乐", f"{PARK_LABEL} · 畅乐园")  # found by typing part of its name
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    assert f"近 {PARK_LABEL} · 畅乐园" in _texts(page)
    shot(page, "phone-spots-by-asset.png", full_page=False)
    _submit(page, "园里的长椅坏了", "不用地图的居民")
    [spot] = _new_spots(scene, "园里的长椅坏了")
    park = demo_inventory.assets.loc[demo_inventory.assets[S.SOURCE_ID] == PARK].geometry.iloc[0]
    assert park.distance(_metric(demo_inventory, spot.lon, spot.lat)) < 0.1  # on the park (inside it)
    assert spot.near_label == PARK_LABEL


def test_without_the_map_a_point_asset_gives_its_own_place(device, scene: Scene, demo_inventory) -> None:
    assets = demo_inventory.assets
    point = assets[assets.geometry.geom_type == "Point"].sort_values(S.SEQ).iloc[0]
    label = str(point[S.LABEL])
    expected = _wgs84(demo_inventory, point.geometry)
    page = device(desktop=True)
    open_spots(page, scene.url)
    _pick_asset(page, label, next(o for o in _options(page) if o.startswith(f"{label} · ")))
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    assert any(t.startswith(f"近 {label}") for t in _texts(page))
    shot(page, "spots-by-asset.png", full_page=False)
    _submit(page, "这里的车棚漏雨", "键盘用户")
    [spot] = _new_spots(scene, "这里的车棚漏雨")
    assert (spot.lon, spot.lat) == pytest.approx((expected.x, expected.y), abs=2e-7)  # 2 cm
    assert spot.near_label == label


def _options(page) -> list[str]:
    box = page.get_by_test_id("stSelectbox").filter(has_text="不用地图：选离问题最近的编号设施")
    box.locator("input").click()
    options = page.get_by_role("option").all_text_contents()
    page.keyboard.press("Escape")
    return options


def _tab_to(page, frame, wanted, *, most: int = 60) -> dict:
    """Press Tab until the focused element in the map's frame is ``wanted(focus)``; return it."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focus = frame.evaluate(FOCUS_JS)
        if wanted(focus):
            return focus
    raise AssertionError(f"no focus on the wanted element after {most} Tabs; last: {focus}")


def test_the_add_button_and_the_markers_are_reached_with_tab_and_opened_with_enter(
    device, scene: Scene, demo_inventory
) -> None:
    page = device(desktop=True)
    frame = open_spots(page, scene.url)
    frame.locator(".leaflet-container").focus()  # the map itself: the first stop in its frame
    # the buttons come before the markers
    add = _tab_to(page, frame, lambda f: "sp-add" in f["cls"].split())
    assert add["text"] == "＋ 标出问题点"
    page.keyboard.press("Enter")
    assert "sp-placing" in frame.locator(".leaflet-container").get_attribute("class")
    assert "sp-add-here" in frame.evaluate(FOCUS_JS)["cls"]  # focus moved on to "here"
    page.keyboard.press("Enter")
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    page.get_by_role("button", name="取消").click()
    page.get_by_role("button", name=SUBMIT).wait_for(state="detached", timeout=30_000)

    frame.locator(".leaflet-container").focus()
    first = _tab_to(page, frame, lambda f: f["label"] != "" and "am-icon" in f["cls"] and f["text"].strip().isdigit())
    label = first["text"].strip()
    row = demo_inventory.assets.loc[demo_inventory.assets[S.LABEL].astype(str) == label].iloc[0]
    assert first["label"].startswith(label)
    assert frame.locator(".leaflet-tooltip").first.is_visible()  # the tooltip shows while it has focus
    shot(page, "spots-keyboard-focus.png", full_page=False)
    page.keyboard.press("Enter")
    focus = frame.evaluate(FOCUS_JS)
    assert focus["popup"] is not None and focus["popup"].startswith(label)
    name = row[S.NAME] if isinstance(row[S.NAME], str) and row[S.NAME] else ""
    if name:
        assert name in focus["popup"]
    # Enter is a tap: the page places the new spot on that asset
    page.get_by_role("button", name=SUBMIT).wait_for(timeout=30_000)
    assert any(t.startswith(f"近 {label}") for t in _texts(page))
    shot(page, "spots-keyboard-enter.png", full_page=False)


def test_spot_markers_are_reached_with_tab_and_show_their_text_with_enter(device, scene: Scene) -> None:
    page = device(desktop=True)
    frame = open_spots(page, scene.url)
    frame.locator(".leaflet-container").focus()
    first = _tab_to(page, frame, lambda f: not f["control"])  # after the map's buttons
    assert "am-icon" in first["cls"] and first["label"] != ""  # a marker: no road or building before it
    spot = _tab_to(page, frame, lambda f: f["tag"] == "path")
    page.keyboard.press("Enter")
    popup = frame.evaluate(FOCUS_JS)["popup"]
    assert popup is not None
    shown = [text for _, _, text in scene.spots.values() if text in popup]
    assert len(shown) == 1 and shown[0][:20] in spot["label"]  # its label reads its text
    page.get_by_test_id("stText").filter(has_text=shown[0].split("\n")[0]).first.wait_for(timeout=30_000)
