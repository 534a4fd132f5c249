"""Tests of layers.figure.vote: what the results figure shows, in which font, and that text stays text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from layers.figure.layout import find_cjk_font
from layers.figure.vote import OTHER_COLOR, TOP_COLOR, plot_vote_results
from pipeline.core.errors import DataError
from store.records import SessionRecord, TopicResult, VoteResults
from tests.helpers.testdata import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def _results(titles: list[str], dots: list[int], *, top_n: int = 2, mode: str = "named") -> VoteResults:
    """Ranked as the store ranks: ties share a rank (1, 2, 2, 4 …)."""
    session = SessionRecord(
        id=1,
        compound_id="way/595108678",
        title="2025 年第一次居民议事会",
        dots_per_participant=3,
        ballot_mode=mode,
        top_n=top_n,
        status="closed",
        opened_by="wang",
        opened_at=datetime(2025, 5, 1, 8),
        closed_by="wang",
        closed_at=datetime(2025, 5, 1, 10),
        ballots=sum(dots) // 3,
    )
    ranked = []
    rank, previous = 0, None
    for position, (title, n) in enumerate(zip(titles, dots, strict=True), start=1):
        if n != previous:
            rank, previous = position, n
        ranked.append(
            TopicResult(rank, position, title, "parking", n, n, n + 1, (position,), position <= top_n)
        )
    return VoteResults(session, tuple(ranked), ballots=sum(dots) // 3, dots_cast=sum(dots), paper_ballots=1)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_bars_ranks_counts_and_the_top_n() -> None:
    """Four topics with 5, 3, 3, 1 dots: ranks 1, 2, 2, 4; the first two are the top (red), rank 1 on top."""
    results = _results(["活动室", "自行车棚", "垃圾站", "绿化"], [5, 3, 3, 1])
    fig, ax = plot_vote_results(results, lang="zh")
    texts = _texts(fig)
    assert [t for t in texts if t[:1].isdigit() and "." in t] == [
        "1. 活动室",
        "2. 自行车棚",
        "2. 垃圾站",
        "4. 绿化",
    ]
    assert "5 点 · 5 人" in texts and "1 点 · 1 人" in texts
    bars = sorted(ax.patches[:4], key=lambda b: -b.get_y())
    assert [b.get_width() for b in bars] == [5, 3, 3, 1]
    colors = [b.get_facecolor()[:3] for b in bars]
    assert colors[0] == colors[1] != colors[2] == colors[3]
    assert ax.get_title(loc="left") == "2025 年第一次居民议事会：投票结果"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["前 2 项", "其他议题"]
    assert TOP_COLOR != OTHER_COLOR


def test_chinese_is_drawn_in_the_cjk_font_and_english_words_follow_lang() -> None:
    fig, ax = plot_vote_results(_results(["增设座椅"], [3], mode="anonymous"), lang="en")
    label = next(t for t in ax.texts if t.get_text() == "1. 增设座椅")
    assert label.get_fontfamily()[0] == find_cjk_font()
    assert ax.get_title(loc="left") == "2025 年第一次居民议事会: results"
    assert any("anonymous ballots" in t for t in _texts(fig))
    assert ax.get_xlabel() == "Dots"


@pytest.mark.parametrize("title", ["${alert(1)}", "$x^2$ 停车 $$", "<img src=x onerror=f()>", "a\\b`"])
def test_titles_are_drawn_as_written_never_as_mathtext(title: str) -> None:
    fig, ax = plot_vote_results(_results([title], [2]))
    label = next(t for t in ax.texts if t.get_text() == f"1. {title}")
    assert not label.get_parse_math()
    fig.canvas.draw()  # mathtext would raise on "${alert(1)}"


def test_long_titles_are_cut_and_extra_topics_counted() -> None:
    titles = [f"议题{i}" + "很长" * 20 for i in range(25)]
    fig, _ = plot_vote_results(_results(titles, list(range(25, 0, -1))), max_topics=20)
    texts = _texts(fig)
    assert "1. 议题0很长很长很长很长很长很长很长很长很长很长很长…" in texts
    assert "另有 5 项未画出（见结果表）" in texts


def test_a_session_without_topics_says_so() -> None:
    fig, _ = plot_vote_results(_results([], []))
    assert "本次投票没有议题" in _texts(fig)


def test_bad_options_are_refused(tmp_path: Path) -> None:
    results = _results(["活动室"], [1])
    with pytest.raises(DataError, match="language `fr`") as lang:
        plot_vote_results(results, lang="fr")
    assert lang.value.text("zh") == "图的语言 `fr` 无法识别：请使用 zh（中文）或 en（英文）。"
    with pytest.raises(DataError, match="needs a `filepath`"):
        plot_vote_results(results, save=True)


def test_the_figure_is_saved_for_a_person_to_look_at() -> None:
    titles = ["活动室", "自行车棚", "垃圾站", "绿化", "文明养犬", "${window.x=1}", "加装电梯"]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "vote-results.png"
    plot_vote_results(_results(titles, [9, 7, 7, 5, 4, 2, 1], top_n=5), save=True, filepath=path, dpi=120)
    assert path.stat().st_size > 10_000
