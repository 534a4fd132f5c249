"""One person, one voice: participant codes, one ballot per code, kept only as salted hashes."""

from __future__ import annotations

import csv
import hashlib
import io
import threading

import pytest
from sqlalchemy import text

from store import (
    ConflictError,
    DataError,
    PermissionDeniedError,
    Planner,
    add_topic,
    cast_ballot,
    close_session,
    code_has_voted,
    codes_to_csv,
    count_codes,
    enter_paper_ballot,
    issue_codes,
    list_audit,
    list_sessions,
    open_session,
    vote_numbers,
)
from store.votes import CODE_ALPHABET, CODE_LENGTH
from tests.helpers.db import resident, store_with


def _session(store, compound, planner, mode="named", topics=2):
    vote = open_session(store, compound, planner, "议事会", ballot_mode=mode)
    return vote, [add_topic(store, vote.id, planner, f"议题 {i}").id for i in range(topics)]


def test_codes_are_short_unambiguous_and_distinct(store, compound, planner):
    vote, _ = _session(store, compound, planner)
    codes = issue_codes(store, vote.id, planner, 200)
    assert len(set(codes)) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("0O1IL") & set(CODE_ALPHABET) and len(CODE_ALPHABET) == 31
    assert count_codes(store, vote.id) == (200, 0)
    with pytest.raises(
        DataError, match="Number of participant codes is 0: give a whole number from 1 to 2000"
    ):
        issue_codes(store, vote.id, planner, 0)
    (entry,) = list_audit(store, compound_id=compound, object_type="session", object_id=vote.id, limit=1)
    assert entry.action == "codes.issue" and entry.detail == {"codes": 200}


def test_a_code_casts_one_ballot_and_a_new_browser_cannot_add_another(store, db_url, compound, planner):
    vote, (t1, t2) = _session(store, compound, planner)
    (slip,) = issue_codes(store, vote.id, planner, 1)
    cast_ballot(store, vote.id, resident("张阿姨"), {t1: 3}, code=slip)
    assert code_has_voted(store, vote.id, slip)
    # A new browser is a new resident key; another server process is another Store on the same database.
    with store_with(db_url) as other_process:
        for who, typed in ((resident("张阿姨"), slip), (resident("别人"), f"{slip[:4]}-{slip[4:]}".lower())):
            with pytest.raises(
                ConflictError, match=r"^This participant code has voted already in this vote: one code"
            ):
                cast_ballot(other_process, vote.id, who, {t2: 3}, code=typed)
        # Refused on paper too: the first ballot stands, it is not replaced.
        with pytest.raises(ConflictError, match="has voted already"):
            enter_paper_ballot(other_process, vote.id, planner, {t2: 1}, voter="张阿姨", code=slip)
    results = close_session(store, vote.id, planner)
    assert results.ballots == 1
    assert {r.topic_id: r.dots for r in results.ranked} == {t1: 3, t2: 0}
    assert results.named_ballots == (("张阿姨", {t1: 3}),)


def test_two_residents_with_the_same_pseudonym_and_their_own_codes_both_vote(store, compound, planner):
    vote, (t1, t2) = _session(store, compound, planner)
    a, b = issue_codes(store, vote.id, planner, 2)
    cast_ballot(store, vote.id, resident("李阿姨"), {t1: 2}, code=a)
    cast_ballot(store, vote.id, resident("李阿姨"), {t1: 1, t2: 1}, code=b)
    assert count_codes(store, vote.id) == (2, 2)
    results = close_session(store, vote.id, planner)
    assert results.ballots == 2 and {r.topic_id: r.dots for r in results.ranked} == {t1: 3, t2: 1}


def test_anonymous_sessions_and_paper_ballots_need_a_code(store, compound, planner):
    vote, (t1, _) = _session(store, compound, planner, mode="anonymous")
    with pytest.raises(DataError, match="^The participant code is missing"):
        cast_ballot(store, vote.id, resident(), {t1: 1}, code=None)
    with pytest.raises(DataError, match=r"^Participant code '' is not a code: a code is 8 letters"):
        enter_paper_ballot(store, vote.id, planner, {t1: 1}, voter="No. 7", code="")
    (slip,) = issue_codes(store, vote.id, planner, 1)
    enter_paper_ballot(store, vote.id, planner, {t1: 1}, voter="No. 7", code=slip)
    with pytest.raises(ConflictError, match="has voted already"):
        cast_ballot(store, vote.id, resident(), {t1: 1}, code=slip)
    assert close_session(store, vote.id, planner).paper_ballots == 1


def test_an_unknown_or_other_session_code_is_refused_in_one_line(store, compound, planner):
    vote, (t1, _) = _session(store, compound, planner)
    other, _ = _session(store, compound, planner)
    (theirs,) = issue_codes(store, other.id, planner, 1)
    issue_codes(store, vote.id, planner, 3)
    for bad in (theirs, "ABCD2345"):
        with pytest.raises(PermissionDeniedError) as info:
            cast_ballot(store, vote.id, resident(), {t1: 1}, code=bad)
        message = str(info.value)
        assert "\n" not in message
        assert message == (
            f"Participant code {bad} is not a code of this vote: check it against your slip, "
            "or ask the planner for a code of this vote."
        )
    with pytest.raises(
        DataError, match=r"^Participant code 'OIL01234' is not a code: .*\(no 0, O, 1, I or L\)"
    ):
        cast_ballot(store, vote.id, resident(), {t1: 1}, code="OIL01234")
    assert count_codes(store, vote.id) == (3, 0)
    assert close_session(store, vote.id, planner).ballots == 0


def test_codes_are_not_stored_in_clear(store, compound, planner):
    vote, (t1, _) = _session(store, compound, planner)
    codes = issue_codes(store, vote.id, planner, 5)
    cast_ballot(store, vote.id, resident(), {t1: 1}, code=codes[0])
    with store.engine.connect() as conn:
        salt = conn.execute(
            text("SELECT code_salt FROM vote_sessions WHERE id = :i"), {"i": vote.id}
        ).scalar_one()
        stored = (
            conn.execute(
                text("SELECT code_hash FROM participant_codes WHERE session_id = :i"), {"i": vote.id}
            )
            .scalars()
            .all()
        )
        ballots = (
            conn.execute(text("SELECT voter_key FROM ballots WHERE session_id = :i"), {"i": vote.id})
            .scalars()
            .all()
        )
        dump = " ".join(
            str(v)
            for table in ("participant_codes", "ballots", "audit_log", "vote_sessions")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
            for v in row
        )
        conn.rollback()
    assert salt and len(salt) == 32
    assert sorted(stored) == sorted(hashlib.sha256(f"{salt}:{c}".encode()).hexdigest() for c in codes)
    assert ballots == [hashlib.sha256(f"{salt}:{codes[0]}".encode()).hexdigest()]
    # Unsalted digests do not appear either, so a precomputed table of all codes does not help.
    for c in codes:
        assert c not in dump and hashlib.sha256(c.encode()).hexdigest() not in dump


def test_the_printed_list_links_each_code_to_its_vote_by_number(store, compound, planner):
    open_session(store, "way/1", planner, "别的小区")  # another compound's vote takes a database id first
    _session(store, compound, planner)
    vote, _ = _session(store, compound, planner)  # the compound's second vote
    numbers = vote_numbers(list_sessions(store, compound))
    assert numbers[vote.id] == 2 and vote.id > 2  # the database id counts every compound's votes
    codes = issue_codes(store, vote.id, planner, 3)
    rows = list(csv.DictReader(io.StringIO(codes_to_csv(numbers[vote.id], codes, "http://127.0.0.1:8501/vote"))))
    assert [r["code"].replace("-", "") for r in rows] == codes
    assert rows[0]["link"] == f"http://127.0.0.1:8501/vote?vote=2&code={codes[0]}"
    assert [r["vote"] for r in rows] == ["2", "2", "2"] and [r["n"] for r in rows] == ["1", "2", "3"]


def test_codes_only_while_the_session_is_open(store, compound):
    planner = Planner("赵规划")
    vote, _ = _session(store, compound, planner)
    close_session(store, vote.id, planner)
    with pytest.raises(ConflictError, match="is closed"):
        issue_codes(store, vote.id, planner, 1)


def test_a_session_opened_before_codes_gets_its_salt_when_codes_are_first_made(store, compound, planner):
    vote, (t1, _) = _session(store, compound, planner)
    with store.engine.begin() as conn:  # as a session opened before this revision of the store
        conn.execute(text("UPDATE vote_sessions SET code_salt = NULL WHERE id = :i"), {"i": vote.id})
    (slip,) = issue_codes(store, vote.id, planner, 1)
    with store.engine.connect() as conn:
        salt = conn.execute(
            text("SELECT code_salt FROM vote_sessions WHERE id = :i"), {"i": vote.id}
        ).scalar_one()
        conn.rollback()
    assert len(salt) == 32 and int(salt, 16) >= 0
    cast_ballot(store, vote.id, resident(), {t1: 1}, code=slip)
    assert count_codes(store, vote.id) == (1, 1)


def test_the_same_code_sent_at_once_from_two_processes_casts_one_ballot(store, db_url, compound, planner):
    vote, (t1, t2) = _session(store, compound, planner)
    (slip,) = issue_codes(store, vote.id, planner, 1)
    senders = [store_with(db_url) for _ in range(4)]  # each its own engine, as other server processes
    barrier = threading.Barrier(4, timeout=60)
    outcomes: list[str] = []

    def send(other, topic: int) -> None:
        barrier.wait()
        try:
            cast_ballot(other, vote.id, resident("同一人"), {topic: 3}, code=slip)
            outcomes.append("cast")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=send, args=(o, t)) for o, t in zip(senders, (t1, t2, t1, t2), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for other in senders:
        other.close()
    assert sorted(outcomes) == ["cast", "refused", "refused", "refused"]
    assert count_codes(store, vote.id) == (1, 1)
    assert close_session(store, vote.id, planner).ballots == 1
