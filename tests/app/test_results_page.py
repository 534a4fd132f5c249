"""AppTest of the public results page (投票结果公示), on a real SQLite store of each test's own.

The store is given a closed vote whose five ballots the test casts with participant codes, a spot followed
to a candidate site and one planned as a topic, and an open vote. Nobody signs in: the page must show the
ranks, the dots and what became of each topic to anyone with the link.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store import (
    Planner,
    Store,
    close_session,
    hash_password,
)
from tests.helpers.app import APP
from tests.helpers.spots_scene import PASSWORD
from tests.helpers.vote_scene import NOTE_B, NOTE_E, RANKED, TITLES, Seeded, seed_votes


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    monkeypatch.setenv("MAPPER_DB_URL", url)
    monkeypatch.setenv("MAPPER_PLANNERS", f"wang={hash_password(PASSWORD)}")
    monkeypatch.delenv("MAPPER_PLANNERS_FILE", raising=False)
    with Store(url) as opened:
        yield opened


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed_votes(store, 116.3255, 40.0045)


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("views/results.py").run()
    assert not at.exception
    return at


def test_the_shared_link_shows_the_final_ranks_without_signing_in(seeded: Seeded) -> None:
    at = _open(vote="1")
    assert at.title[0].value == "投票结果公示"
    assert at.success[0].value.startswith("最终结果 · ")
    texts = [x.value for x in at.text]
    shown = [x for x in texts if x in TITLES]
    assert shown == [title for title, *_ in RANKED]
    lines = [c.value for c in at.caption if c.value.startswith("第 ")]
    assert lines == [
        "第 1 名 · 5 个圆点 · 3 人投票 · 优先议题",
        "第 2 名 · 4 个圆点 · 2 人投票 · 优先议题",
        "第 2 名 · 4 个圆点 · 2 人投票",
        "第 4 名 · 1 个圆点 · 1 人投票",
    ]
    assert [m.value for m in at.metric] == ["5", "14", "4"]  # ballots, dots (3+3+3+3+2), topics
    # what became of each: B's own spot planned as site S03, a spot planned as topic C, nothing for A and D
    after_b = texts[texts.index("畅乐园夜间照明不足") + 1 :]
    assert after_b[:2] == [f"#{seeded.spot_b} 已列入计划 · 候选点 S03", NOTE_B]
    after_c = texts[texts.index("垃圾站异味太重") + 1 :]
    assert after_c[:2] == [f"#{seeded.spot_e} 已列入计划", NOTE_E]
    assert [c.value for c in at.caption].count("进展：尚无") == 2
    assert at.query_params["vote"] == "1"
    [link] = at.code
    assert link.value.endswith("vote=1") and "compound=way/595108678" in link.value
    assert "session=" not in link.value and "code=" not in link.value
    assert [b.label for b in at.get("download_button")] == ["下载公示 PDF"]
    assert not at.get("text_input") or all(w.key != "results_signed" for w in at.text_input)  # planners sign


def test_an_open_vote_shows_no_ranks_yet(seeded: Seeded) -> None:
    at = _open(vote="2")
    assert at.info[0].value == "投票还在进行中，结束后公布结果。"
    assert not [c for c in at.caption if c.value.startswith("第 ")]
    assert not at.get("download_button")


def test_without_a_number_the_newest_closed_vote_is_shown_and_a_bad_number_is_named(seeded: Seeded) -> None:
    at = _open()
    assert at.selectbox(key="results_vote").value == 1
    assert at.query_params["vote"] == "1"
    at = _open(vote="7")
    assert at.warning[0].value == "链接里的第 7 场投票不存在：请从下面的列表中选择。"
    assert at.selectbox(key="results_vote").value == 1


def test_in_english_both_notices_are_offered(seeded: Seeded) -> None:
    at = _open(vote="1", lang="en")
    assert at.title[0].value == "Vote results"
    assert (
        next(c.value for c in at.caption if c.value.startswith("Rank "))
        == "Rank 1 · 5 dots · 3 voters · Top topic"
    )
    assert f"#{seeded.spot_b} planned · site S03" in [x.value for x in at.text]
    assert [b.label for b in at.get("download_button")] == [
        "Notice in Chinese (PDF)",
        "Notice in English (PDF)",
    ]


def test_once_the_open_vote_closes_its_link_shows_final_results(store: Store, seeded: Seeded) -> None:
    assert _open(vote="2").info[0].value == "投票还在进行中，结束后公布结果。"
    close_session(store, seeded.open_id, Planner("wang"))
    at = _open(vote="2")
    assert at.success[0].value.startswith("最终结果 · ")
    assert [c.value for c in at.caption if c.value.startswith("第 ")] == [
        "第 1 名 · 0 个圆点 · 0 人投票 · 优先议题"
    ]
    assert "南门没有无障碍坡道" in [x.value for x in at.text]


def test_a_signed_in_planner_signs_the_notice(seeded: Seeded) -> None:
    at = _open(vote="1")
    at.text_input(key="_signin_name").input("wang")
    at.text_input(key="_signin_password").input(PASSWORD)
    next(b for b in at.button if b.label == "规划师登录").click().run()
    assert at.text_input(key="results_signed").value == "wang"  # who closed the vote, until changed
