"""The Open Space dot vote: sessions, topics from spots, participant codes, ballots, and results.

A planner opens a session for a compound, turns spots into topics (merging duplicates carries
their supports over), and sets whether ballots are named or anonymous. Each participant has
``dots_per_participant`` dots (default 3) to put on one or several topics; paper ballots are
entered by the planner. Closing the session ranks the topics by dots and publishes them with
the top N (default 5).

**One person, one voice.** Every ballot, online or on paper, named or anonymous, needs a
*participant code* of its session: the planner issues N codes (:func:`issue_codes`, 8 characters
from a 31-letter alphabet without 0/O/1/I/L, made with :mod:`secrets`), prints them
(:func:`codes_to_csv`: each code with its link ``?vote=N&code=XXXX``, N the vote's number in its
compound, :func:`vote_numbers`) and hands one to each
chosen participant. **A code casts one ballot: a second ballot with the same code is refused**
(:class:`~store.errors.ConflictError`), whoever sends it and from whatever browser; the first
ballot stands and is never replaced, so a slip found or passed on cannot change a vote already
cast. The ballot is keyed by the code, not by the browser, so a reload, a new tab or a new
browser gives no second ballot. The store keeps only ``sha256(salt:code)`` with a random salt per
session, never the code itself, so a copy of the database does not reveal valid codes.
Anonymous ballots keep no name, and the audit log does not say who cast which ballot.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.core.cells import escape_cell
from pipeline.core.errors import Words
from pipeline.core.fileio import write_text
from pipeline.core.spots import parse_spot_category
from store import audit
from store.db import Store
from store.errors import ConflictError, DataError, NotFoundError, PermissionDeniedError
from store.identity import Planner, Resident
from store.models import (
    ANONYMOUS,
    CLOSED,
    MERGED,
    NAMED,
    OPEN,
    REMOVED,
    Ballot,
    BallotDot,
    ParticipantCode,
    Spot,
    Support,
    Topic,
    TopicSpot,
    VoteSession,
)
from store.records import SessionRecord, TopicRecord, TopicResult, VoteResults
from store.validate import validate_compound_id, validate_text

log = logging.getLogger(__name__)

BALLOT_MODES = (NAMED, ANONYMOUS)
_MAX_TITLE = 500
_MAX_DOTS = 100
_MAX_TOP_N = 1000


# --- helpers ----------------------------------------------------------------------------------


def _session_for_update(session: Session, session_id: int) -> VoteSession:
    vote = session.scalars(select(VoteSession).where(VoteSession.id == session_id).with_for_update()).first()
    if vote is None:
        raise NotFoundError("error.vote.no_session", id=session_id)
    return vote


def _require_open(vote: VoteSession) -> None:
    if vote.status != OPEN:
        raise ConflictError("error.vote.closed", title=vote.title)


def _session_record(session: Session, vote: VoteSession) -> SessionRecord:
    ballots = session.scalar(select(func.count(Ballot.id)).where(Ballot.session_id == vote.id))
    return SessionRecord(
        id=vote.id,
        compound_id=vote.compound_id,
        title=vote.title,
        dots_per_participant=vote.dots_per_participant,
        ballot_mode=vote.ballot_mode,
        top_n=vote.top_n,
        status=vote.status,
        opened_by=vote.opened_by,
        opened_at=vote.opened_at,
        closed_by=vote.closed_by,
        closed_at=vote.closed_at,
        ballots=int(ballots or 0),
    )


def _int_in(value: Any, low: int, high: int, what: Words) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DataError("error.vote.integer", what=what, value=repr(value), low=low, high=high)
    return value


def _topic_spots(session: Session, topic_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    links: dict[int, list[int]] = defaultdict(list)
    ids = list(topic_ids)
    if ids:
        rows = session.execute(
            select(TopicSpot.topic_id, TopicSpot.spot_id)
            .where(TopicSpot.topic_id.in_(ids))
            .order_by(TopicSpot.spot_id)
        )
        for topic_id, spot_id in rows:
            links[topic_id].append(spot_id)
    return {t: tuple(links.get(t, ())) for t in ids}


def _supporters(session: Session, spot_ids: Sequence[int]) -> int:
    """Count distinct residents behind spots: their authors and their supporters."""
    if not spot_ids:
        return 0
    keys = set(session.scalars(select(Support.supporter_key).where(Support.spot_id.in_(spot_ids))))
    for key, author in session.execute(select(Spot.author_key, Spot.author).where(Spot.id.in_(spot_ids))):
        keys.add(key or f"named:{author}")
    return len(keys)


def _topic_records(session: Session, topics: Sequence[Topic]) -> list[TopicRecord]:
    links = _topic_spots(session, [t.id for t in topics])
    return [
        TopicRecord(
            id=t.id,
            session_id=t.session_id,
            title=t.title,
            category=t.category,
            status=t.status,
            spot_ids=links[t.id],
            supports=_supporters(session, links[t.id]),
            merged_into_id=t.merged_into_id,
        )
        for t in topics
    ]


# --- sessions and topics ----------------------------------------------------------------------


def open_session(
    store: Store,
    compound_id: str,
    planner: Planner,
    title: str,
    *,
    dots: int | None = None,
    ballot_mode: str = NAMED,
    top_n: int | None = None,
) -> SessionRecord:
    """Open a vote session for a compound.

    Parameters
    ----------
    store
        The open store.
    compound_id
        The compound id the inventory records.
    planner
        The signed-in planner running the vote.
    title
        E.g. "2025 年第一次居民议事会".
    dots
        Dots per participant; ``settings.default_dots`` (3) when omitted.
    ballot_mode
        ``"named"`` (voters' names are published with the results) or ``"anonymous"``.
    top_n
        How many topics the results call the top; ``settings.default_top_n`` (5).

    Returns
    -------
    SessionRecord
    """
    compound = validate_compound_id(compound_id)
    validate_text(title, max_chars=_MAX_TITLE, what=Words("error.what.session_title"))
    n_dots = _int_in(
        store.settings.default_dots if dots is None else dots, 1, _MAX_DOTS, Words("error.what.dots")
    )
    n_top = _int_in(
        store.settings.default_top_n if top_n is None else top_n, 1, _MAX_TOP_N, Words("error.what.top_n")
    )
    if ballot_mode not in BALLOT_MODES:
        raise DataError("error.vote.mode", mode=repr(ballot_mode))
    with store.write() as session:
        vote = VoteSession(
            compound_id=compound,
            title=title,
            dots_per_participant=n_dots,
            ballot_mode=ballot_mode,
            top_n=n_top,
            status=OPEN,
            opened_by=planner.name,
            opened_at=store.settings.clock(),
            code_salt=secrets.token_hex(16),
        )
        session.add(vote)
        session.flush()
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="session.open",
            object_type="session",
            object_id=vote.id,
            compound_id=compound,
            detail={"title": title, "dots": n_dots, "ballot_mode": ballot_mode, "top_n": n_top},
        )
        return _session_record(session, vote)


def get_session(store: Store, session_id: int) -> SessionRecord:
    """Return one vote session.

    Raises
    ------
    NotFoundError
    """
    with store.read() as session:
        vote = session.get(VoteSession, session_id)
        if vote is None:
            raise NotFoundError("error.vote.no_session", id=session_id)
        return _session_record(session, vote)


def list_sessions(store: Store, compound_id: str) -> list[SessionRecord]:
    """Return a compound's vote sessions, newest first."""
    with store.read() as session:
        votes = session.scalars(
            select(VoteSession).where(VoteSession.compound_id == compound_id).order_by(VoteSession.id.desc())
        ).all()
        return [_session_record(session, v) for v in votes]


def vote_numbers(sessions: Iterable[SessionRecord]) -> dict[int, int]:
    """Each session's id → the number people know its vote by: 1, 2, … within its compound, as opened.

    The picker, the slips and their links, the results page and its ``?vote=N`` all say this number;
    the database id counts every compound's sessions together and is the store's own.
    """
    return {s.id: n for n, s in enumerate(sorted(sessions, key=lambda s: s.id), start=1)}


def add_topic(
    store: Store,
    session_id: int,
    planner: Planner,
    title: str,
    *,
    spot_ids: Sequence[int] = (),
    category: str | None = None,
) -> TopicRecord:
    """Add a topic to an open session, made from spots of its compound (or from none).

    Parameters
    ----------
    store
        The open store.
    session_id
        An open session.
    planner
        Who adds it.
    title
        The motion as residents will read it.
    spot_ids
        Spots (open or hidden, of the session's compound) it gathers; their supports count
        for the topic.
    category
        A spot category; taken from the first spot when omitted.

    Returns
    -------
    TopicRecord
    """
    validate_text(title, max_chars=_MAX_TITLE, what=Words("error.what.topic_title"))
    cat = parse_spot_category(category).value if category is not None else None
    ids = sorted(set(spot_ids))
    with store.write() as session:
        vote = _session_for_update(session, session_id)
        _require_open(vote)
        spots = session.scalars(select(Spot).where(Spot.id.in_(ids))).all() if ids else []
        found = {s.id: s for s in spots}
        bad = [
            i
            for i in ids
            if i not in found
            or found[i].compound_id != vote.compound_id
            or found[i].status in (REMOVED, MERGED)
        ]
        if bad:
            raise DataError("error.vote.bad_spots", ids=", ".join(f"#{i}" for i in bad))
        if cat is None and ids:
            cat = found[ids[0]].category
        topic = Topic(
            session_id=vote.id,
            title=title,
            category=cat,
            status=OPEN,
            created_at=store.settings.clock(),
        )
        session.add(topic)
        session.flush()
        session.add_all(TopicSpot(topic_id=topic.id, spot_id=i) for i in ids)
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="topic.add",
            object_type="topic",
            object_id=topic.id,
            compound_id=vote.compound_id,
            detail={"session": vote.id, "title": title, "spots": ids},
        )
        session.flush()
        return _topic_records(session, [topic])[0]


def add_topics_from_spots(
    store: Store, session_id: int, planner: Planner, spot_ids: Sequence[int]
) -> list[TopicRecord]:
    """Make one topic per spot, titled with the spot's text (one transaction per topic)."""
    with store.read() as session:
        spots = session.execute(
            select(Spot.id, Spot.text).where(Spot.id.in_(list(spot_ids))).order_by(Spot.id)
        ).all()
    missing = sorted(set(spot_ids) - {s.id for s in spots})
    if missing:
        raise DataError("error.vote.missing_spots", ids=", ".join(f"#{i}" for i in missing))
    return [add_topic(store, session_id, planner, text, spot_ids=[i]) for i, text in spots]


def list_topics(store: Store, session_id: int, *, include_merged: bool = False) -> list[TopicRecord]:
    """Return a session's topics in the order they were added."""
    query = select(Topic).where(Topic.session_id == session_id).order_by(Topic.id)
    if not include_merged:
        query = query.where(Topic.status == OPEN)
    with store.read() as session:
        return _topic_records(session, session.scalars(query).all())


def merge_topics(store: Store, keep_id: int, duplicate_ids: Sequence[int], planner: Planner) -> TopicRecord:
    """Merge duplicate topics into one: their spots (so their supports) and dots carry over.

    Raises
    ------
    DataError
        When the list is empty or holds the kept topic.
    ConflictError
        When the session is closed, or a topic is merged already or of another session.
    """
    dups = sorted(set(duplicate_ids))
    if not dups or keep_id in dups:
        raise DataError("error.vote.merge_self", id=keep_id)
    with store.write() as session:
        keep = session.get(Topic, keep_id)
        if keep is None:
            raise NotFoundError("error.vote.no_topic", id=keep_id)
        vote = _session_for_update(session, keep.session_id)
        _require_open(vote)
        if keep.status != OPEN:
            raise ConflictError("error.vote.merged", id=keep_id)
        linked = set(session.scalars(select(TopicSpot.spot_id).where(TopicSpot.topic_id == keep_id)))
        for dup_id in dups:
            dup = session.get(Topic, dup_id)
            if dup is None or dup.session_id != keep.session_id or dup.status != OPEN:
                raise ConflictError("error.vote.merge_other", id=dup_id, session=keep.session_id)
            for link in session.scalars(select(TopicSpot).where(TopicSpot.topic_id == dup_id)):
                if link.spot_id not in linked:
                    linked.add(link.spot_id)
                    session.add(TopicSpot(topic_id=keep_id, spot_id=link.spot_id))
                session.delete(link)
            for dot in session.scalars(select(BallotDot).where(BallotDot.topic_id == dup_id)):
                target = session.get(BallotDot, (dot.ballot_id, keep_id))
                if target is not None:
                    target.dots += dot.dots
                else:
                    session.add(BallotDot(ballot_id=dot.ballot_id, topic_id=keep_id, dots=dot.dots))
                session.delete(dot)
            dup.status = MERGED
            dup.merged_into_id = keep_id
            session.flush()
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="topic.merge",
            object_type="topic",
            object_id=keep_id,
            compound_id=vote.compound_id,
            detail={"session": vote.id, "merged": dups},
        )
        session.flush()
        return _topic_records(session, [keep])[0]


# --- ballots ----------------------------------------------------------------------------------


#: The letters of participant codes: no 0/O, 1/I/L, so a printed code reads one way.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_CODES = 2000


def normalise_code(code: str) -> str:
    """Return ``code`` as stored before hashing: upper case, without spaces or hyphens.

    Raises
    ------
    DataError
        When it is not 8 letters of :data:`CODE_ALPHABET`.
    """
    if not isinstance(code, str):
        raise DataError("error.vote.code_missing")
    clean = code.strip().upper().replace("-", "").replace(" ", "")
    if len(clean) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in clean):
        shown = code.strip()[:20]
        raise DataError("error.vote.code_form", code=shown, n=CODE_LENGTH)
    return clean


def _code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def issue_codes(store: Store, session_id: int, planner: Planner, n: int) -> list[str]:
    """Make ``n`` new participant codes for an open session and return them, in clear, once.

    The store keeps only their salted digests: print or download the codes now
    (:func:`codes_to_csv`); they cannot be shown again. Issuing more codes later adds to them.

    Raises
    ------
    DataError
        When ``n`` is not 1 to 2,000.
    ConflictError
        When the session is closed.
    """
    count = _int_in(n, 1, MAX_CODES, Words("error.what.n_codes"))
    with store.write() as session:
        vote = _session_for_update(session, session_id)
        _require_open(vote)
        if not vote.code_salt:
            vote.code_salt = secrets.token_hex(16)
        salt = vote.code_salt
        taken = set(
            session.scalars(select(ParticipantCode.code_hash).where(ParticipantCode.session_id == vote.id))
        )
        codes: list[str] = []
        now = store.settings.clock()
        while len(codes) < count:
            code = _new_code()
            hashed = _code_hash(salt, code)
            if hashed in taken:
                continue
            taken.add(hashed)
            codes.append(code)
            session.add(
                ParticipantCode(session_id=vote.id, code_hash=hashed, issued_by=planner.name, issued_at=now)
            )
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="codes.issue",
            object_type="session",
            object_id=vote.id,
            compound_id=vote.compound_id,
            detail={"codes": count},
        )
    return codes


def count_codes(store: Store, session_id: int) -> tuple[int, int]:
    """Return ``(issued, used)``: the session's participant codes and how many have cast a ballot."""
    with store.read() as session:
        issued = session.scalar(
            select(func.count(ParticipantCode.id)).where(ParticipantCode.session_id == session_id)
        )
        used = session.scalar(
            select(func.count(Ballot.id))
            .join(
                ParticipantCode,
                (ParticipantCode.session_id == Ballot.session_id)
                & (ParticipantCode.code_hash == Ballot.voter_key),
            )
            .where(Ballot.session_id == session_id)
        )
    return int(issued or 0), int(used or 0)


def _code_key(session: Session, vote: VoteSession, code: str) -> str:
    """Return the stored digest of a valid code of ``vote``; refuse any other code in one line."""
    clean = normalise_code(code)
    hashed = _code_hash(vote.code_salt, clean) if vote.code_salt else None
    found = hashed is not None and session.scalar(
        select(ParticipantCode.id).where(
            ParticipantCode.session_id == vote.id, ParticipantCode.code_hash == hashed
        )
    )
    if not found:
        raise PermissionDeniedError("error.vote.code_other", code=clean)
    assert hashed is not None
    return hashed


def code_has_voted(store: Store, session_id: int, code: str) -> bool:
    """Return whether a valid code of the session has cast its ballot.

    Raises
    ------
    NotFoundError, DataError, PermissionDeniedError
        An unknown session; not a code; not a code of this session.
    """
    with store.read() as session:
        vote = session.get(VoteSession, session_id)
        if vote is None:
            raise NotFoundError("error.vote.no_session", id=session_id)
        key = _code_key(session, vote, code)
        return (
            session.scalar(select(Ballot.id).where(Ballot.session_id == vote.id, Ballot.voter_key == key))
            is not None
        )


def codes_to_csv(
    number: int, codes: Sequence[str], base_url: str = "", path: str | Path | None = None
) -> str:
    """Write a vote's codes as CSV (UTF-8 with BOM): ``n, vote, code, link``, and return the text.

    ``number`` is the vote's number in its compound (:func:`vote_numbers`); ``link`` is
    ``{base_url}?vote=N&code=XXXX`` (the vote page's address), for a QR code or a printed slip; the
    code is shown as ``XXXX-XXXX``, which the vote page reads too.
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(("n", "vote", "code", "link"))
    for i, code in enumerate(codes, start=1):
        writer.writerow((i, number, f"{code[:4]}-{code[4:]}", f"{base_url}?vote={number}&code={code}"))
    out = buf.getvalue()
    if path is not None:
        write_text(path, out, encoding="utf-8-sig")
    return out


def _insert_ballot(
    store: Store,
    session_id: int,
    dots: Mapping[int, int],
    *,
    code: str,
    voter_name: str | None,
    origin: str,
    entered_by: str | None,
    actor: str,
) -> int:
    normalise_code(code)
    if not dots:
        raise DataError("error.vote.no_dots")
    wanted = {
        _int_in(t, 1, 2**31 - 1, Words("error.what.topic_id")): _int_in(
            n, 1, _MAX_DOTS, Words("error.what.topic_dots", id=t)
        )
        for t, n in dots.items()
    }
    try:
        with store.write() as session:
            vote = _session_for_update(session, session_id)
            _require_open(vote)
            voter_key = _code_key(session, vote, code)
            total = sum(wanted.values())
            if total > vote.dots_per_participant:
                raise DataError("error.vote.too_many_dots", n=total, max=vote.dots_per_participant)
            open_topics = set(
                session.scalars(select(Topic.id).where(Topic.session_id == vote.id, Topic.status == OPEN))
            )
            unknown = sorted(set(wanted) - open_topics)
            if unknown:
                raise DataError("error.vote.unknown_topics", ids=", ".join(map(str, unknown)))
            already = session.scalar(
                select(Ballot.id).where(Ballot.session_id == vote.id, Ballot.voter_key == voter_key)
            )
            if already is not None:
                raise ConflictError("error.vote.voted")
            name = voter_name if vote.ballot_mode == NAMED else None
            ballot = Ballot(
                session_id=vote.id,
                voter_key=voter_key,
                voter_name=name,
                origin=origin,
                entered_by=entered_by,
                cast_at=store.settings.clock(),
            )
            session.add(ballot)
            session.flush()
            session.add_all(
                BallotDot(ballot_id=ballot.id, topic_id=t, dots=n) for t, n in sorted(wanted.items())
            )
            detail: dict[str, Any] = {"session": vote.id, "origin": origin, "dots": total}
            if vote.ballot_mode == NAMED:
                detail["voter"] = name
                detail["topics"] = {str(t): n for t, n in sorted(wanted.items())}
            audit.record(
                session,
                store,
                actor=actor if vote.ballot_mode == NAMED or entered_by else "resident",
                action="ballot.cast" if origin == "resident" else "ballot.paper",
                object_type="ballot",
                object_id=ballot.id,
                compound_id=vote.compound_id,
                detail=detail,
            )
            return ballot.id
    except IntegrityError as exc:  # a concurrent second ballot on PostgreSQL
        raise ConflictError("error.vote.voted") from exc


def cast_ballot(
    store: Store, session_id: int, resident: Resident, dots: Mapping[int, int], *, code: str
) -> int:
    """Cast a resident's ballot with a participant code: ``{topic_id: dots}``, at most the session's dots.

    The ballot counts per code, not per browser: a second ballot with the same code is refused,
    from any browser. In a named session the resident's pseudonym is published with the
    results; in an anonymous one no name is kept.

    Returns
    -------
    int
        The ballot's id.

    Raises
    ------
    ConflictError
        The code has voted already, or the session is closed.
    PermissionDeniedError
        The code is not one of this session's.
    DataError
        Not a code; too many dots, or a topic that is not open in this session.
    """
    return _insert_ballot(
        store,
        session_id,
        dots,
        code=code,
        voter_name=resident.pseudonym,
        origin="resident",
        entered_by=None,
        actor=f"resident:{resident.pseudonym}",
    )


def enter_paper_ballot(
    store: Store,
    session_id: int,
    planner: Planner,
    dots: Mapping[int, int],
    *,
    voter: str,
    code: str,
) -> int:
    """Enter a paper ballot from the meeting; the paper carries the participant's code.

    Parameters
    ----------
    store, session_id, dots
        As for :func:`cast_ballot`.
    planner
        Who types it in (recorded).
    voter
        The name on the ballot (named session) or the ballot's serial number (anonymous).
    code
        The participant code written on the paper: the same rule as online, so a code that
        voted online cannot vote again on paper, and the other way round.

    Returns
    -------
    int
        The ballot's id.
    """
    validate_text(voter, max_chars=80, what=Words("error.what.voter"))
    return _insert_ballot(
        store,
        session_id,
        dots,
        code=code,
        voter_name=voter.strip(),
        origin="paper",
        entered_by=planner.name,
        actor=planner.actor,
    )


# --- results ----------------------------------------------------------------------------------


def _tally(session: Session, vote: VoteSession) -> list[TopicResult]:
    topics = session.scalars(
        select(Topic).where(Topic.session_id == vote.id, Topic.status == OPEN).order_by(Topic.id)
    ).all()
    records = {r.id: r for r in _topic_records(session, topics)}
    counts = {
        topic_id: (int(d or 0), int(v or 0))
        for topic_id, d, v in session.execute(
            select(BallotDot.topic_id, func.sum(BallotDot.dots), func.count(BallotDot.ballot_id))
            .join(Topic, Topic.id == BallotDot.topic_id)
            .where(Topic.session_id == vote.id)
            .group_by(BallotDot.topic_id)
        )
    }
    closed = vote.status == CLOSED
    # Once published, a topic keeps the supports it closed with (spots may gain more later).
    supports = {t.id: (t.supports or 0) if closed else records[t.id].supports for t in topics}
    order = sorted(topics, key=lambda t: (-counts.get(t.id, (0, 0))[0], -supports[t.id], t.id))
    results: list[TopicResult] = []
    rank = 0
    previous: int | None = None
    for position, topic in enumerate(order, start=1):
        dots, voters = counts.get(topic.id, (0, 0))
        if dots != previous:
            rank, previous = position, dots
        results.append(
            TopicResult(
                rank=rank,
                topic_id=topic.id,
                title=topic.title,
                category=topic.category,
                dots=dots,
                voters=voters,
                supports=supports[topic.id],
                spot_ids=records[topic.id].spot_ids,
                top=position <= vote.top_n,
            )
        )
    return results


def _results(session: Session, vote: VoteSession, ranked: list[TopicResult]) -> VoteResults:
    ballots = session.execute(
        select(Ballot.id, Ballot.voter_name, Ballot.origin)
        .where(Ballot.session_id == vote.id)
        .order_by(Ballot.id)
    ).all()
    named: tuple[tuple[str, dict[int, int]], ...] = ()
    if vote.ballot_mode == NAMED:
        dots_by_ballot: dict[int, dict[int, int]] = defaultdict(dict)
        for ballot_id, topic_id, n in session.execute(
            select(BallotDot.ballot_id, BallotDot.topic_id, BallotDot.dots).where(
                BallotDot.ballot_id.in_([b.id for b in ballots])
            )
        ):
            dots_by_ballot[ballot_id][topic_id] = n
        named = tuple(
            sorted(((b.voter_name or "", dots_by_ballot[b.id]) for b in ballots), key=lambda x: x[0])
        )
    return VoteResults(
        session=_session_record(session, vote),
        ranked=tuple(ranked),
        ballots=len(ballots),
        dots_cast=sum(r.dots for r in ranked),
        paper_ballots=sum(1 for b in ballots if b.origin == "paper"),
        named_ballots=named,
    )


def close_session(store: Store, session_id: int, planner: Planner) -> VoteResults:
    """Close a session and publish its ranked topics and top N.

    Returns
    -------
    VoteResults

    Raises
    ------
    ConflictError
        When the session is closed already.
    """
    with store.write() as session:
        vote = _session_for_update(session, session_id)
        _require_open(vote)
        ranked = _tally(session, vote)
        for r in ranked:
            topic = session.get(Topic, r.topic_id)
            assert topic is not None
            topic.rank, topic.dots, topic.supports = r.rank, r.dots, r.supports
        vote.status = CLOSED
        vote.closed_by = planner.name
        vote.closed_at = store.settings.clock()
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="session.close",
            object_type="session",
            object_id=vote.id,
            compound_id=vote.compound_id,
            detail={"top": [r.topic_id for r in ranked if r.top], "topics": len(ranked)},
        )
        session.flush()
        results = _results(session, vote, ranked)
    log.info(
        "Closed vote session %d: %d ballots, %d dots on %d topics",
        session_id, results.ballots, results.dots_cast, len(results.ranked),
    )  # fmt: skip
    return results


def get_results(store: Store, session_id: int) -> VoteResults:
    """Return the published results of a closed session.

    Raises
    ------
    ConflictError
        While the session is open (results are not public before closing).
    """
    with store.read() as session:
        vote = session.get(VoteSession, session_id)
        if vote is None:
            raise NotFoundError("error.vote.no_session", id=session_id)
        if vote.status != CLOSED:
            raise ConflictError("error.vote.still_open")
        return _results(session, vote, _tally(session, vote))


RESULT_COLUMNS = ("rank", "topic_id", "title", "category", "dots", "voters", "supports", "top", "spot_ids")


def results_to_csv(results: VoteResults, path: str | Path | None = None) -> str:
    """Write the ranked topics as CSV (UTF-8 with BOM, for Excel) and return the text.

    Columns: ``rank, topic_id, title, category, dots, voters, supports, top, spot_ids``
    (``spot_ids`` separated by ``;``). Titles are written exactly, except that one beginning like a
    formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading quote (:mod:`pipeline.core.cells`).
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(RESULT_COLUMNS)
    for r in results.ranked:
        writer.writerow(
            [r.rank, r.topic_id, escape_cell(r.title), r.category or "", r.dots, r.voters, r.supports,
             int(r.top), ";".join(map(str, r.spot_ids))]
        )  # fmt: skip
    out = buf.getvalue()
    if path is not None:
        write_text(path, out, encoding="utf-8-sig")
    return out
