"""Tables of the store (SQLAlchemy 2 declarative models).

Locations are plain WGS-84 ``lon``/``lat`` float columns so the same schema runs on SQLite and
PostgreSQL; PostGIS is not needed. Times are naive UTC. Resident identities are kept only as
SHA-256 digests of the secret key their browser session holds (see :mod:`store.identity`).
Change the tables only together with a new Alembic revision in ``store/migrations/versions``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Spot states.
OPEN = "open"
HIDDEN = "hidden"
MERGED = "merged"
REMOVED = "removed"
SPOT_STATES = (OPEN, HIDDEN, MERGED, REMOVED)

# Vote session states and ballot modes.
CLOSED = "closed"
NAMED = "named"
ANONYMOUS = "anonymous"


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING)


class Spot(Base):
    """A resident's problem spot."""

    __tablename__ = "spots"
    __table_args__ = (
        CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="lonlat"),
        CheckConstraint(f"status IN {SPOT_STATES!r}", name="status"),
        Index("ix_spots_compound_status", "compound_id", "status"),
        Index("ix_spots_author_created", "author_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[str] = mapped_column(String(64))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    author_key: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default="web")
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    status_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("spots.id"))
    near_source_id: Mapped[str | None] = mapped_column(String(128))
    near_label: Mapped[str | None] = mapped_column(String(32))
    near_name: Mapped[str | None] = mapped_column(Text)
    near_dist_m: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    photo: Mapped[SpotPhoto | None] = relationship(
        back_populates="spot", cascade="all, delete-orphan", uselist=False, lazy="raise"
    )


class SpotPhoto(Base):
    """The re-encoded photo of a spot and its thumbnail (JPEG bytes, no metadata)."""

    __tablename__ = "spot_photos"

    spot_id: Mapped[int] = mapped_column(ForeignKey("spots.id"), primary_key=True)
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    thumb: Mapped[bytes] = mapped_column(LargeBinary)
    source_format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))

    spot: Mapped[Spot] = relationship(back_populates="photo")


class Support(Base):
    """One resident's support of one spot."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("spot_id", "supporter_key", name="uq_supports_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spots.id"), index=True)
    supporter_key: Mapped[str] = mapped_column(String(64))
    supporter: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class VoteSession(Base):
    """A dot vote on topics for one compound, run by a planner."""

    __tablename__ = "vote_sessions"
    __table_args__ = (
        CheckConstraint("dots_per_participant >= 1", name="dots"),
        CheckConstraint("top_n >= 1", name="top_n"),
        CheckConstraint(f"ballot_mode IN {(NAMED, ANONYMOUS)!r}", name="mode"),
        CheckConstraint(f"status IN {(OPEN, CLOSED)!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    dots_per_participant: Mapped[int] = mapped_column(Integer)
    ballot_mode: Mapped[str] = mapped_column(String(16))
    top_n: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    code_salt: Mapped[str | None] = mapped_column(String(32))


class ParticipantCode(Base):
    """A participant code of a vote session, kept only as ``sha256(salt:code)`` (see :mod:`store.votes`)."""

    __tablename__ = "participant_codes"
    __table_args__ = (UniqueConstraint("session_id", "code_hash", name="uq_participant_codes_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(DateTime)


class Topic(Base):
    """A motion in a vote session, made from one or more spots (or from none)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    rank: Mapped[int | None] = mapped_column(Integer)
    dots: Mapped[int | None] = mapped_column(Integer)
    supports: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TopicSpot(Base):
    """Link between a topic and a spot it was made from."""

    __tablename__ = "topic_spots"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spots.id"), primary_key=True)


class Ballot(Base):
    """One participant's ballot in a session; anonymous ballots keep no name."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("session_id", "voter_key", name="uq_ballots_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    voter_name: Mapped[str | None] = mapped_column(String(80))
    origin: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str | None] = mapped_column(String(80))
    cast_at: Mapped[datetime] = mapped_column(DateTime)


class BallotDot(Base):
    """Dots a ballot puts on one topic."""

    __tablename__ = "ballot_dots"
    __table_args__ = (CheckConstraint("dots >= 1", name="dots"),)

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True, index=True)
    dots: Mapped[int] = mapped_column(Integer)


class SignInFailure(Base):
    """One failed planner sign-in: the account name typed and the client's address."""

    __tablename__ = "signin_failures"
    __table_args__ = (
        Index("ix_signin_failures_account_at", "account", "at"),
        Index("ix_signin_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    account: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """One change to the store: who, what, when, and the values before and after (JSON)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_compound_at", "compound_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    compound_id: Mapped[str | None] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="{}")
