"""The results and vote pages in headless Chromium: on a 390x844 phone and on a desktop, in both languages.

The store is seeded as in :mod:`tests.app.test_results_page` (a closed vote whose ballots were cast through the
store, an open one). A fresh browser with no cookie opens the shared link: the ranks come in order, the page is
never wider than the phone, every tap target is at least 44 px, and the notice it downloads is one A4 page
listing the topics in rank order. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from store import Store
from tests.helpers.app import ARTIFACTS, keep_local, seeded_app, shot
from tests.helpers.browser import MIN_TAP_PX, PHONE, PHONE_AGENT, TARGETS_JS
from tests.helpers.spots_scene import PASSWORD
from tests.helpers.vote_scene import RANKED, seed_votes

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

WIDTHS_JS = """() => { const main = document.querySelector('[data-testid=stMain]');
    return [document.documentElement.scrollWidth, main.scrollWidth, main.clientWidth]; }"""
RANK_LINES = ["第 1 名 · 5 个圆点", "第 2 名 · 4 个圆点", "第 2 名 · 4 个圆点", "第 4 名 · 1 个圆点"]


def _seed(db_url: str) -> None:
    with Store(db_url) as store:
        seed_votes(store, 116.3255, 40.0045)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port, on a store of its own seeded with the votes."""
    with seeded_app(tmp_path_factory.mktemp("results_phone"), _seed) as (served, _, _):
        yield served


def _context(browser, url: str, phone: bool):
    if phone:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT,
            locale="zh-CN", accept_downloads=True,
        )  # fmt: skip
    else:
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True
        )
    return context, keep_local(context, url)


@pytest.fixture
def phone(browser, url: str) -> Iterator[object]:
    """A fresh phone (no cookie, nobody signed in); a request that leaves this machine fails the test."""
    context, outside = _context(browser, url, phone=True)
    yield context.new_page()
    context.close()
    assert outside == [], f"requests left localhost: {outside}"


def _results(page, url: str, query: str) -> None:
    page.goto(f"{url}/results{query}")
    page.get_by_role("button", name="PDF").first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)


def _rank_lines(page) -> list[str]:
    captions = page.get_by_test_id("stCaptionContainer").all_inner_texts()
    return [" · ".join(c.split(" · ")[:2]) for c in captions if c.startswith("第 ")]


def _no_ranks(page) -> None:
    """Wait until no rank is shown: what the last run left on the page clears only when the new run ends."""
    page.wait_for_function(
        """() => !Array.from(document.querySelectorAll('[data-testid=stCaptionContainer]'))
            .some(c => c.innerText.startsWith('第 '))""",
        timeout=30_000,
    )


def test_the_shared_link_shows_the_ranks_in_order_on_a_phone(phone, url: str) -> None:
    _results(phone, url, "?vote=1")
    assert _rank_lines(phone) == RANK_LINES
    titles = [t for t in phone.get_by_test_id("stText").all_inner_texts() if t in {r[0] for r in RANKED}]
    assert titles == [r[0] for r in RANKED]
    assert "vote=1" in phone.url
    assert phone.get_by_text("最终结果 · ").count() == 1
    shot(phone, "phone-results.png", full_page=False)
    phone.goto(f"{url}/results?vote=2")  # not the default (the newest closed vote): the link decides
    phone.get_by_text("投票还在进行中，结束后公布结果。").wait_for(timeout=60_000)
    assert "vote=2" in phone.url
    _no_ranks(phone)
    phone.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 780)")
    shot(phone, "phone-results-2.png", full_page=False)
    phone.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 1e5)")
    shot(phone, "phone-results-end.png", full_page=False)


def test_the_notice_downloads_as_one_a4_page_in_rank_order(phone, url: str) -> None:
    _results(phone, url, "?vote=1")
    with phone.expect_download(timeout=60_000) as download:
        phone.get_by_role("button", name="下载公示 PDF").tap()
    data = Path(download.value.path()).read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "results-notice-zh.pdf").write_bytes(data)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1) and float(box.height) == pytest.approx(842, abs=1)
    text = reader.pages[0].extract_text().replace("\n", "")
    where = [text.index(r[0]) for r in RANKED]
    assert where == sorted(where)
    assert "候选点 S03" in text and "共 5 人参与投票" in text


@pytest.mark.parametrize("page_query", ["results?vote=1", "results?vote=1&lang=en", "vote", "vote?lang=en"])
def test_no_sideways_scrolling_and_every_tap_target_is_44_px(phone, url: str, page_query: str) -> None:
    phone.goto(f"{url}/{page_query}")
    phone.get_by_test_id("stSelectbox").first.wait_for(timeout=60_000)
    phone.wait_for_timeout(1500)
    widths = phone.evaluate(WIDTHS_JS)
    assert widths[0] <= PHONE["width"] and widths[1] <= widths[2], widths
    small = [t for t in phone.evaluate(TARGETS_JS) if min(t[1], t[2]) < MIN_TAP_PX - 0.5]
    assert small == []
    name = page_query.replace("?", "-").replace("&", "-").replace("=", "-")
    shot(phone, f"phone-{name}.png", full_page=True)


def test_the_ballot_starts_on_the_first_screen_of_a_phone(phone, url: str) -> None:
    phone.goto(f"{url}/vote")
    code = phone.get_by_role("textbox", name="参与码")
    code.wait_for(timeout=60_000)
    first_dots = phone.get_by_test_id("stNumberInput").first
    assert code.bounding_box()["y"] + code.bounding_box()["height"] < PHONE["height"]
    assert first_dots.bounding_box()["y"] < 2 * PHONE["height"]  # one scroll on: no map in between
    shot(phone, "phone-vote.png", full_page=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_results_page_on_a_desktop(browser, url: str, lang: str) -> None:
    context, outside = _context(browser, url, phone=False)
    page = context.new_page()
    _results(page, url, "?vote=1" + ("&lang=en" if lang == "en" else ""))
    if lang == "zh":
        assert _rank_lines(page) == RANK_LINES
    shot(page, f"desktop-results-{lang}.png", full_page=True)
    context.close()
    assert outside == []


def test_the_vote_page_links_to_the_results_and_the_picker_rewrites_the_link(phone, url: str) -> None:
    phone.goto(f"{url}/vote")
    phone.get_by_role("textbox", name="参与码").wait_for(timeout=60_000)
    phone.get_by_test_id("stMain").get_by_role("combobox").first.click()
    phone.get_by_role("option").filter(has_text="2025 年第一次居民议事会").click()
    link = phone.get_by_role("link", name="公示页（可分享）")
    link.wait_for(timeout=30_000)
    phone.get_by_test_id("stImage").first.wait_for(timeout=30_000)  # the closed vote drawn to its end
    widths = phone.evaluate(WIDTHS_JS)
    assert widths[0] <= PHONE["width"] and widths[1] <= widths[2], widths
    small = [t for t in phone.evaluate(TARGETS_JS) if min(t[1], t[2]) < MIN_TAP_PX - 0.5]
    assert small == []
    shot(phone, "phone-vote-closed-link.png", full_page=False)
    link.tap()
    phone.get_by_role("button", name="PDF").first.wait_for(timeout=60_000)
    assert _rank_lines(phone) == RANK_LINES
    phone.wait_for_function("() => location.search.includes('vote=1')", timeout=10_000)
    phone.get_by_test_id("stMain").get_by_role("combobox").first.click()
    phone.get_by_role("option").filter(has_text="停车与照明专题").click()
    phone.get_by_text("投票还在进行中，结束后公布结果。").wait_for(timeout=30_000)
    phone.wait_for_function("() => location.search.includes('vote=2')", timeout=10_000)
    _no_ranks(phone)
    go = phone.get_by_role("link", name="去投票").bounding_box()
    assert min(go["width"], go["height"]) >= MIN_TAP_PX - 0.5


def test_a_signed_in_planner_signs_the_notice_on_a_desktop(browser, url: str) -> None:
    context, outside = _context(browser, url, phone=False)
    page = context.new_page()
    _results(page, url, "?vote=1")
    page.get_by_text("规划师登录").first.click()
    page.get_by_role("textbox", name="用户名").fill("wang")
    page.get_by_role("textbox", name="密码").fill(PASSWORD)
    page.get_by_role("button", name="规划师登录").last.click()
    signed = page.get_by_role("textbox", name="落款（规划师姓名 / 单位）")
    signed.wait_for(timeout=30_000)
    assert signed.input_value() == "wang"  # who closed the vote
    signed.fill("海淀区学院路街道 · 王工")
    signed.press("Enter")
    page.wait_for_timeout(1500)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载公示 PDF").click()
    text = pypdf.PdfReader(download.value.path()).pages[0].extract_text().replace("\n", "")
    assert "海淀区学院路街道 · 王工" in text
    page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 1e5)")
    shot(page, "desktop-results-planner.png", full_page=False)
    context.close()
    assert outside == []
