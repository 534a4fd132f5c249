"""Chinese throughout, as a browser shows it: every page in zh, in a real headless Chromium, on the demo compound.

The text a person sees (``innerText``, less the names of Material icons, which are drawn as glyphs) must hold
no Latin word but the ones :mod:`tests.app.test_chinese` allows, the names from the data, and Streamlit's
own words that the app cannot change (README, "What stays in English"); nothing path-like. The sign-in
with a wrong password is tried too. A full-page screenshot of each page goes to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import (
    Planner,
    Resident,
    Store,
    add_spot,
    add_topic,
    cast_ballot,
    close_session,
    hash_password,
    new_resident_key,
    open_session,
)
from tests.helpers.app import MAP_FRAME, open_page, serve, shot
from tests.helpers.chinese import ALLOWED, PATH_LIKE, data_names
from tests.helpers.db import code

pytestmark = pytest.mark.browser

#: Streamlit's own words, which it gives no way to change (README, "What stays in English").
STREAMLIT_WORDS = {
    "Skip", "to", "main", "content",  # the skip link, shown only when focused from the keyboard
    "Drag", "and", "drop", "file", "here", "files", "Browse", "Upload", "Limit", "per",  # st.file_uploader
    "GEOJSON",  # st.file_uploader lists the accepted types in capitals
    "Leaflet", "contributors",  # the map's credit line, as the OSM licence asks
}  # fmt: skip
#: Page paths: the layout is the default page, at the root.
PAGES = ["", "inventory", "profile", "spots", "vote", "results", "sites", "export", "import_survey", "city"]
PASSWORD = "correct horse battery"
#: The visible text, without the ligature names of Material icons (drawn as glyphs, never read).
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"], .material-icons, [translate="no"]').forEach(e => e.remove());
  document.body.appendChild(copy); copy.style.position = 'absolute'; copy.style.left = '-99999px';
  const text = copy.innerText; copy.remove(); return text;
}"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's folder: its database, build and runtime."""
    return tmp_path_factory.mktemp("zh-browser")


@pytest.fixture(scope="module")
def app_url(folder: Path) -> Iterator[str]:
    env = {
        "MAPPER_DB_URL": f"sqlite:///{folder / 'mapper.sqlite3'}",
        "MAPPER_PLANNERS": f"wang={hash_password(PASSWORD)}",
        "MAPPER_BUILD_DIR": str(folder / "build"),
    }
    yield from serve(Path(folder), **env)


#: Streamlit's <noscript> line: a frame caught while it loads can report it, though no browser that runs
#: the app ever shows it.
NOSCRIPT = "You need to enable JavaScript to run this app."


def _all_text(page) -> str:
    """The page's visible text and that of every frame in it (the map draws in its own frame)."""
    texts = [page.evaluate(VISIBLE_TEXT)]
    for frame in page.frames[1:]:
        texts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
    return "\n".join(texts).replace(NOSCRIPT, "")


def _leaks(text: str, allowed: set[str]) -> list[str]:
    found = [f"{bit!r}" for bit in PATH_LIKE if bit in text]
    found += sorted({w for w in re.findall(r"[A-Za-z]+", text) if w not in allowed})
    return found


def _settle(page) -> None:
    """Wait until Streamlit has finished running the page and the map is drawn."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("path", PAGES, ids=[p or "layout" for p in PAGES])
def test_every_page_reads_in_chinese_in_a_browser(app_url: str, demo_inventory, path: str) -> None:
    page, outside, close = open_page(app_url, path)
    try:
        _settle(page)
        if path in ("", "spots"):  # the map draws in its own frame, after the page
            page.frame_locator(MAP_FRAME).first.locator(".leaflet-control-scale-line").first.wait_for(
                timeout=60_000
            )
        text = _all_text(page)
        shot(page, f"zh-{path or 'layout'}.png")
    finally:
        close()
    assert outside == []
    assert _leaks(text, ALLOWED | data_names(demo_inventory) | STREAMLIT_WORDS) == []
    if path in ("", "spots"):  # the scale bar: metres only
        assert re.search(r"\b\d+ (m|km)\b", text) and not re.search(r"\b\d+ (ft|mi)\b", text)


def test_a_wrong_password_reads_in_chinese_in_a_browser(app_url: str, demo_inventory) -> None:
    page, outside, close = open_page(app_url, "vote")
    try:
        _settle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("规划师登录").first.click()
        sidebar.get_by_label("用户名").fill("wang")
        sidebar.get_by_label("密码").fill("wrong password")
        sidebar.get_by_role("button", name="规划师登录").click()
        page.get_by_text("规划师姓名或密码不正确：请检查后重试。").wait_for(timeout=30_000)
        text = page.evaluate(VISIBLE_TEXT)
        shot(page, "zh-vote-wrong-password.png")
    finally:
        close()
    assert outside == []
    assert _leaks(text, ALLOWED | data_names(demo_inventory) | STREAMLIT_WORDS | {"wang"}) == []


def test_a_planner_reads_a_closed_vote_and_the_spots_in_chinese_in_a_browser(
    app_url: str, folder: Path, demo_inventory
) -> None:
    """Signed in: a closed vote's page reads in Chinese; the planner's spot table says 经度/纬度."""
    with Store(f"sqlite:///{folder / 'mapper.sqlite3'}") as store:
        planner = Planner("wang")
        open_session(store, "way/1", planner, "别的小区的议事会")  # takes a database id first
        vote = open_session(store, "way/595108678", planner, "第一次议事会")
        topic = add_topic(store, vote.id, planner, "自行车乱停")
        cast_ballot(
            store, vote.id, Resident(new_resident_key(), "钱叔"), {topic.id: 3}, code=code(store, vote.id)
        )
        close_session(store, vote.id, planner)
        add_spot(
            store,
            "way/595108678",
            Resident(new_resident_key(), "李大爷"),
            116.3502,
            39.9990,
            "lighting",
            "路灯不亮",
        )
    page, outside, close = open_page(app_url, "vote")
    try:
        _settle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("规划师登录").first.click()
        sidebar.get_by_label("用户名").fill("wang")
        sidebar.get_by_label("密码").fill(PASSWORD)
        sidebar.get_by_role("button", name="规划师登录").click()
        page.get_by_text("已登录：wang").wait_for(timeout=30_000)
        _settle(page)
        vote_text = _all_text(page)
        shot(page, "zh-vote-closed-planner.png")
        page.locator('[data-testid="stSidebarNav"]').get_by_text(
            "问题点"
        ).click()  # the same session: signed in
        page.get_by_text("经度").first.wait_for(state="attached", timeout=30_000)  # the grid's header row
        _settle(page)
        spots_text = _all_text(page)
        columns = page.locator('[role="columnheader"]').all_inner_texts()
        shot(page, "zh-spots-planner.png")
    finally:
        close()
    assert outside == []
    # the picker (#1 · …) is drawn translate="no", which the visible text leaves out: test_chinese.py reads it
    assert "1. 自行车乱停 — 3 个圆点" in vote_text
    allowed = ALLOWED | data_names(demo_inventory) | STREAMLIT_WORDS | {"wang"}
    assert _leaks(vote_text, allowed) == []
    assert {"经度", "纬度"} <= set(columns) and not {"lon", "lat"} & set(columns)
    assert _leaks(spots_text, allowed) == []
