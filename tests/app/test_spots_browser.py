"""The spots and vote pages in a real headless Chromium: resident text stays text, clicks work, nothing leaves.

One Streamlit server runs for the module on a free port, with its own data folder (the demo extract), its
own runtime folder, its own SQLite store (``$MAPPER_DB_URL``) and one planner (``$MAPPER_PLANNERS``). Before
it starts, the store is given spots whose text and pseudonym are script payloads, one per 60 m so each has
a 50 m cell of its own on the public map, an open anonymous vote on them and a closed named one.

Every request the browser makes outside the server is recorded and aborted, and fails the test; every
dialog (``alert``) is recorded and fails it; a payload that ran would also set ``window.top.__xss``.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import (
    Planner,
    Store,
    count_codes,
    get_session,
    issue_codes,
    list_sessions,
    list_spots,
)
from tests.helpers.app import ROOT, keep_local
from tests.helpers.spots_scene import COMPOUND, PASSWORD, PAYLOADS, Scene

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
NEW_TEXT = "新的 `${window.top.__xss=5}` <img src=x onerror=alert(5)> 路灯\\"

# Every spot marker on the map: its spots, position, tooltip text, the texts in its popup, and where it is
# on screen (container pixels).
MARKERS_JS = """() => Object.values(window.map._layers).filter(l => l.spotIds).map(l => {
    l.openTooltip();
    const tip = l.getTooltip().getElement().textContent;
    l.closeTooltip();
    l.openPopup();
    const content = l.getPopup().getElement().querySelector('.leaflet-popup-content');
    const texts = Array.from(content.querySelectorAll('.sp-text')).map(e => e.textContent);
    const authors = content.textContent;
    l.closePopup();
    return {ids: l.spotIds, lat: l.getLatLng().lat, lng: l.getLatLng().lng, tip, texts, all: authors};
})"""
POINT_JS = "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }"








@pytest.fixture
def page(browser, scene: Scene) -> Iterator[object]:
    """A fresh page (a new resident): requests outside this machine and dialogs fail the test."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, locale="zh-CN")
    outside = keep_local(context, scene.url)
    dialogs: list[str] = []
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    flags = [tab.evaluate("() => window.__xss")]
    for frame in tab.frames:
        flags.append(frame.evaluate("() => window.__xss"))
    context.close()
    assert outside == [], f"requests left localhost: {outside}"
    assert dialogs == [], f"a payload ran: {dialogs}"
    assert flags == [None] * len(flags), f"a payload ran: {flags}"


def _map(page, *, markers: bool = True):
    """The map's frame, once its numbered assets (and spot markers) are drawn."""
    frame_locator = page.frame_locator(MAP_FRAME).first
    frame_locator.locator(".am-num:visible").first.wait_for(timeout=45_000)
    frame = frame_locator.locator("body").element_handle().owner_frame()
    if markers:
        frame.wait_for_function(
            "() => Object.values(window.map._layers).some(l => l.spotIds)", timeout=30_000
        )
    return frame


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / name))


def _texts(page) -> list[str]:
    return page.get_by_test_id("stText").all_text_contents()


def _click_on_map(page, frame, lat: float, lon: float, zoom: float | None = None) -> None:
    """Centre the map on a place (clear of the legends in the corners), at ``zoom``, and click it with the mouse."""
    frame.evaluate(
        "([lat, lng, z]) => window.map.setView([lat, lng], z === null ? window.map.getZoom() : z, {animate: false})",
        [lat, lon, zoom],
    )
    page.wait_for_timeout(300 if zoom is None else 800)
    x, y = frame.evaluate(POINT_JS, [lat, lon])
    box = page.locator(MAP_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _sign_in(page) -> None:
    page.get_by_text("规划师登录").first.click()
    page.get_by_role("textbox", name="用户名").fill("wang")
    page.get_by_role("textbox", name="密码").fill(PASSWORD)
    page.get_by_role("button", name="规划师登录").last.click()
    page.get_by_text("已登录：wang").wait_for(timeout=30_000)


def test_the_public_map_shows_every_payload_as_text_at_blurred_places(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/spots")
    frame = _map(page)
    markers = frame.evaluate(MARKERS_JS)
    assert sorted(i for m in markers for i in m["ids"]) == sorted(scene.spots)
    for marker in markers:
        [spot_id] = marker["ids"]  # one 50 m cell each
        lon, lat, text = scene.spots[spot_id]
        assert marker["texts"] == [text]
        assert text in marker["tip"]
        assert text[:40] in marker["all"]  # the pseudonym, as written
        assert "位置已模糊到 50 米网格" in marker["all"]
        assert abs(marker["lat"] - lat) > 1e-6 or abs(marker["lng"] - lon) > 1e-6  # not the exact place
    assert frame.locator(".sp-legend").inner_text().startswith("居民问题点")
    _shot(page, "spots.png")


def test_clicking_a_spot_shows_its_text_beside_the_map(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/spots")
    frame = _map(page)
    for spot_id in (min(scene.spots), min(scene.spots) + 9):  # <img onerror>, and the newline
        marker = next(m for m in frame.evaluate(MARKERS_JS) if m["ids"] == [spot_id])
        # Close up, where no numbered asset is laid over the spot's marker.
        _click_on_map(page, frame, marker["lat"], marker["lng"], zoom=19)
        text = scene.spots[spot_id][2]
        page.get_by_test_id("stText").filter(has_text=text.split("\n")[0]).first.wait_for(timeout=30_000)
        assert text in _texts(page)
        frame = _map(page)


def test_a_click_places_a_pin_and_the_new_spot_reads_back_exactly(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/spots")
    frame = _map(page)
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    zoom = frame.evaluate("() => window.map.getZoom()")
    lon, lat = scene.empty
    _click_on_map(page, frame, lat, lon)
    page.get_by_role("button", name="提交问题点").wait_for(timeout=30_000)
    frame = _map(page)
    frame.locator(".sp-new").wait_for(timeout=15_000)
    assert frame.evaluate("() => window.map.getZoom()") == zoom  # the pin came without reloading the map
    _shot(page, "spots-new.png")
    name = page.get_by_role("textbox", name="你的称呼（化名即可）")
    name.fill("李大爷 <b>")
    name.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("textbox", name="问题说明（不超过 500 字）").fill(NEW_TEXT)
    page.keyboard.press("Tab")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="提交问题点").click()
    page.get_by_text("谢谢！").wait_for(timeout=30_000)
    with Store(scene.db_url, migrate=False) as store:
        [new] = [s for s in list_spots(store, COMPOUND) if s.id not in scene.spots]
    assert (new.text, new.author) == (NEW_TEXT, "李大爷 <b>")
    assert (new.lon, new.lat) == pytest.approx((lon, lat), abs=1e-5)  # the click, within a pixel (1 m)
    frame = _map(page)
    frame.wait_for_function(
        f"() => Object.values(window.map._layers).some(l => l.spotIds && l.spotIds[0] === {new.id})"
    )
    mine = next(m for m in frame.evaluate(MARKERS_JS) if m["ids"] == [new.id])
    assert mine["texts"] == [NEW_TEXT] and NEW_TEXT in mine["tip"]
    assert (mine["lng"], mine["lat"]) == pytest.approx((new.lon, new.lat), abs=1e-7)  # one's own: exact
    assert NEW_TEXT in _texts(page)
    _shot(page, "spots-added.png")


def test_a_signed_in_planner_sees_exact_places_and_reads_every_tooltip(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/spots")
    _map(page)
    _sign_in(page)
    page.get_by_text("规划师视图").wait_for(timeout=30_000)
    frame = _map(page)
    markers = {m["ids"][0]: m for m in frame.evaluate(MARKERS_JS)}
    for spot_id, (lon, lat, text) in scene.spots.items():
        marker = markers[spot_id]
        assert (marker["lng"], marker["lat"]) == pytest.approx((lon, lat), abs=1e-7)
        assert marker["texts"] == [text] and text in marker["tip"]
        assert "位置已模糊" not in marker["all"]
    _shot(page, "spots-planner.png")


def test_the_heat_map_draws_from_the_served_script(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/spots")
    _map(page)
    page.get_by_text("热力图", exact=True).click()
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("canvas.leaflet-heatmap-layer").wait_for(timeout=30_000)
    _shot(page, "spots-heat.png")


def test_the_vote_pages_show_topics_and_results_as_text(page, scene: Scene) -> None:
    page.goto(f"{scene.url}/vote")
    page.get_by_text("投出你的 3 个圆点").wait_for(timeout=45_000)
    page.get_by_role("button", name="投票", exact=True).wait_for(timeout=30_000)  # drawn to its end
    shown = _texts(page)
    for text in PAYLOADS[6:]:
        assert text in shown
    _shot(page, "vote.png")
    page.get_by_test_id("stMain").get_by_role("combobox").first.click()
    page.get_by_role("option").filter(has_text="#1").click()
    page.get_by_text("得票最多的 5 项：").wait_for(timeout=30_000)
    page.get_by_test_id("stImage").first.wait_for(timeout=30_000)
    top = [t for t in _texts(page) if " 个圆点" in t]
    assert len(top) == 5 and all(
        any(t.endswith(f"{p} — {n} 个圆点") for p in PAYLOADS for n in range(9)) for t in top
    )
    _shot(page, "vote-results.png")
    _sign_in(page)
    page.get_by_role("tab", name="审核问题点").click()
    page.wait_for_timeout(500)
    _shot(page, "vote-planner.png")


def test_three_fresh_browsers_with_one_code_cast_one_ballot(browser, scene: Scene) -> None:
    with Store(scene.db_url, migrate=False) as store:
        [opened] = [s for s in list_sessions(store, COMPOUND) if s.status == "open"]
        [slip] = issue_codes(store, opened.id, Planner("wang"), 1)
    outcomes = []
    for k in range(3):  # three browsers: no cookie, no storage, no tab shared
        context = browser.new_context(viewport={"width": 1500, "height": 1300}, locale="zh-CN")
        outside = keep_local(context, scene.url)
        tab = context.new_page()
        tab.goto(f"{scene.url}/vote?session={opened.id}&code={slip}")
        tab.get_by_text("投出你的 3 个圆点").wait_for(timeout=45_000)
        playwright.expect(tab.get_by_role("textbox", name="参与码")).to_have_value(slip, timeout=30_000)
        submit = tab.get_by_role("button", name="投票", exact=True)
        used = tab.get_by_text("这个参与码已经投过票了")
        submit.or_(used).first.wait_for(timeout=30_000)  # the ballot form, or the line saying the code voted
        if submit.count():
            box = tab.get_by_test_id("stNumberInput").first.locator("input")
            box.fill("3")
            box.press("Tab")
            tab.wait_for_timeout(800)
            submit.click()
            tab.get_by_text("你已投票，谢谢参与！").wait_for(timeout=30_000)
            outcomes.append("cast")
        else:
            assert used.count() == 1
            outcomes.append("refused")
        _shot(tab, f"vote-code-browser-{k + 1}.png")
        context.close()
        assert outside == []
    assert outcomes == ["cast", "refused", "refused"]
    with Store(scene.db_url, migrate=False) as store:
        assert count_codes(store, opened.id) == (1, 1)
        assert get_session(store, opened.id).ballots == 1
