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

from store import hash_password
from tests.app.test_chinese import ALLOWED, PATH_LIKE, data_names
from tests.helpers.app import open_page, serve, shot

pytestmark = pytest.mark.browser

#: Streamlit's own words, which it gives no way to change (README, "What stays in English").
STREAMLIT_WORDS = {
    "Skip", "to", "main", "content",  # the skip link, shown only when focused from the keyboard
    "Drag", "and", "drop", "file", "here", "files", "Browse", "Upload", "Limit", "per",  # st.file_uploader
    "GEOJSON",  # st.file_uploader lists the accepted types in capitals
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
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("zh-browser")
    env = {
        "MAPPER_DB_URL": f"sqlite:///{folder / 'mapper.sqlite3'}",
        "MAPPER_PLANNERS": f"wang={hash_password(PASSWORD)}",
        "MAPPER_BUILD_DIR": str(folder / "build"),
    }
    yield from serve(Path(folder), **env)


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
        text = page.evaluate(VISIBLE_TEXT)
        shot(page, f"zh-{path or 'layout'}.png")
    finally:
        close()
    assert outside == []
    assert _leaks(text, ALLOWED | data_names(demo_inventory) | STREAMLIT_WORDS) == []


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
