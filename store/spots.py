"""Residents' problem spots: add, list, support, and edit or remove one's own.

Every change runs in one write transaction together with its audit entry; a failure leaves
nothing of it. Text is stored exactly as written (no trimming, no escaping): escaping is the
job of whatever shows it (``docs/reliability.md``, "Resident text on the map").
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    exists,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pipeline.core.errors import Words
from pipeline.core.spots import SpotCategory, parse_spot_category
from pipeline.core.words import has_word
from store import audit
from store.db import Store
from store.errors import (
    ConflictError,
    DataError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from store.geo import NearAsset, degree_box, haversine_m
from store.identity import Planner, Resident
from store.models import HIDDEN, OPEN, REMOVED, Base, Spot, SpotPhoto, Support
from store.photos import CleanPhoto, clean_photo
from store.records import SimilarSpot, SpotRecord
from store.validate import validate_compound_id, validate_lonlat, validate_text

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

PUBLIC = (OPEN,)
MODERATION = (OPEN, HIDDEN)


# --- reading ----------------------------------------------------------------------------------


def _records_query() -> Select[Any]:
    supports = select(func.count(Support.id)).where(Support.spot_id == Spot.id).scalar_subquery()
    has_photo = exists().where(SpotPhoto.spot_id == Spot.id)
    return select(Spot, supports.label("supports"), has_photo.label("has_photo"))


def _to_record(spot: Spot, supports: int, has_photo: bool) -> SpotRecord:
    return SpotRecord(
        id=spot.id,
        compound_id=spot.compound_id,
        lon=spot.lon,
        lat=spot.lat,
        category=spot.category,
        text=spot.text,
        author=spot.author,
        status=spot.status,
        supports=int(supports or 0),
        has_photo=bool(has_photo),
        origin=spot.origin,
        created_at=spot.created_at,
        updated_at=spot.updated_at,
        status_reason=spot.status_reason,
        merged_into_id=spot.merged_into_id,
        near_label=spot.near_label,
        near_name=spot.near_name,
        near_source_id=spot.near_source_id,
        near_dist_m=spot.near_dist_m,
        author_key_digest=spot.author_key,
    )


def load_record(session: Session, spot_id: int) -> SpotRecord:
    """Return a spot of any state as a record, inside an open transaction."""
    row = session.execute(_records_query().where(Spot.id == spot_id)).one_or_none()
    if row is None:
        raise NotFoundError("error.spot.none", id=spot_id)
    return _to_record(*row)


def get_spot(store: Store, spot_id: int, *, include_hidden: bool = False) -> SpotRecord:
    """Return one spot.

    Parameters
    ----------
    store
        The open store.
    spot_id
        The spot's id.
    include_hidden
        Return hidden, removed and merged spots too (planners); residents see open spots only.

    Raises
    ------
    NotFoundError
        When no (visible) spot has this id.
    """
    with store.read() as session:
        record = load_record(session, spot_id)
    if not include_hidden and record.status not in PUBLIC:
        raise NotFoundError("error.spot.none", id=spot_id)
    return record


def list_spots(
    store: Store,
    compound_id: str,
    *,
    statuses: Iterable[str] = PUBLIC,
    category: str | SpotCategory | None = None,
    author: Resident | None = None,
) -> list[SpotRecord]:
    """Return a compound's spots, oldest first.

    Parameters
    ----------
    store
        The open store.
    compound_id
        The compound id the inventory records, e.g. ``way/595108678``.
    statuses
        Which states to list: ``("open",)`` for residents and the public map (the default),
        ``store.spots.MODERATION`` (open and hidden) for planners.
    category
        Only this category.
    author
        Only this resident's spots ("my spots").

    Returns
    -------
    list of SpotRecord
    """
    query = (
        _records_query()
        .where(Spot.compound_id == compound_id, Spot.status.in_(list(statuses)))
        .order_by(Spot.created_at, Spot.id)
    )
    if category is not None:
        query = query.where(Spot.category == parse_spot_category(category).value)
    if author is not None:
        query = query.where(Spot.author_key == author.key_digest)
    with store.read() as session:
        return [_to_record(*row) for row in session.execute(query)]


def count_spots(store: Store, compound_id: str, *, statuses: Iterable[str] = PUBLIC) -> int:
    """Return how many spots of a compound are in the given states."""
    query = select(func.count(Spot.id)).where(
        Spot.compound_id == compound_id, Spot.status.in_(list(statuses))
    )
    with store.read() as session:
        return int(session.scalar(query) or 0)


def get_photo(store: Store, spot_id: int, *, thumbnail: bool = False, include_hidden: bool = False) -> bytes:
    """Return the JPEG bytes of a spot's photo (or its thumbnail).

    Raises
    ------
    NotFoundError
        When the spot is not visible or has no photo.
    """
    query = select(SpotPhoto.thumb if thumbnail else SpotPhoto.data, Spot.status).join(
        Spot, Spot.id == SpotPhoto.spot_id
    )
    with store.read() as session:
        row = session.execute(query.where(SpotPhoto.spot_id == spot_id)).one_or_none()
    if row is None or (not include_hidden and row[1] not in PUBLIC):
        raise NotFoundError("error.spot.no_photo", id=spot_id)
    return bytes(row[0])


def suggest_support(
    store: Store,
    compound_id: str,
    lon: float,
    lat: float,
    category: str | SpotCategory,
    *,
    radius_m: float | None = None,
) -> list[SimilarSpot]:
    """Return open spots of the same category near a new one, nearest first.

    Show these before a resident adds a spot: supporting an existing one keeps the list short.

    Parameters
    ----------
    store
        The open store.
    compound_id, lon, lat, category
        The spot about to be added.
    radius_m
        Search radius; ``settings.similar_spot_m`` (25 m) when omitted.

    Returns
    -------
    list of SimilarSpot
    """
    radius = store.settings.similar_spot_m if radius_m is None else radius_m
    x, y = validate_lonlat(lon, lat)
    min_lon, min_lat, max_lon, max_lat = degree_box(x, y, radius)
    query = _records_query().where(
        Spot.compound_id == compound_id,
        Spot.status == OPEN,
        Spot.category == parse_spot_category(category).value,
        Spot.lon.between(min_lon, max_lon),
        Spot.lat.between(min_lat, max_lat),
    )
    with store.read() as session:
        records = [_to_record(*row) for row in session.execute(query)]
    if not records:
        return []
    dists = haversine_m(x, y, [r.lon for r in records], [r.lat for r in records])
    found = [
        SimilarSpot(spot=r, dist_m=round(float(d), 1))
        for r, d in zip(records, dists, strict=True)
        if d <= radius
    ]
    return sorted(found, key=lambda s: (s.dist_m, s.spot.id))


# --- writing ----------------------------------------------------------------------------------


def insert_spot(
    session: Session,
    store: Store,
    *,
    compound_id: str,
    lon: float,
    lat: float,
    category: SpotCategory,
    text: str,
    author: str,
    author_key: str | None,
    origin: str,
    actor: str,
    near: NearAsset | None = None,
    photo: CleanPhoto | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> Spot:
    """Insert a checked spot (and its photo and audit entry) into an open write transaction."""
    now = store.settings.clock()
    spot = Spot(
        compound_id=compound_id,
        lon=lon,
        lat=lat,
        category=category.value,
        text=text,
        author=author,
        author_key=author_key,
        origin=origin,
        status=OPEN,
        near_source_id=near.source_id if near else None,
        near_label=near.label if near else None,
        near_name=near.name if near else None,
        near_dist_m=near.dist_m if near else None,
        created_at=now,
        updated_at=now,
    )
    session.add(spot)
    session.flush()
    if photo is not None:
        session.add(
            SpotPhoto(
                spot_id=spot.id,
                mime=photo.mime,
                width=photo.width,
                height=photo.height,
                data=photo.data,
                thumb=photo.thumb,
                source_format=photo.source_format,
                sha256=photo.sha256,
            )
        )
    detail = {"category": spot.category, "lon": lon, "lat": lat, "text": text, "author": author}
    if photo is not None:
        detail["photo_sha256"] = photo.sha256
    audit.record(
        session,
        store,
        actor=actor,
        action="spot.add",
        object_type="spot",
        object_id=spot.id,
        compound_id=compound_id,
        detail={**detail, **(audit_detail or {})},
    )
    return spot


def _check_rate(session: Session, store: Store, resident: Resident) -> None:
    limit = store.settings.spots_per_hour
    if limit <= 0:
        return
    store.lock(session, f"spots-by:{resident.key_digest}")
    now = store.settings.clock()
    since = now - timedelta(hours=1)
    times = session.scalars(
        select(Spot.created_at)
        .where(Spot.author_key == resident.key_digest, Spot.created_at > since)
        .order_by(Spot.created_at)
    ).all()
    if len(times) >= limit:
        wait = times[len(times) - limit] + timedelta(hours=1) - now
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise RateLimitError(
            "error.spot.rate", name=resident.pseudonym, n=len(times), limit=limit, minutes=minutes
        )


def add_spot(
    store: Store,
    compound_id: str,
    resident: Resident,
    lon: float,
    lat: float,
    category: str | SpotCategory,
    text: str,
    *,
    photo: bytes | BinaryIO | None = None,
    photo_name: str = "photo",
    assets: gpd.GeoDataFrame | None = None,
) -> SpotRecord:
    """Add a resident's problem spot.

    Parameters
    ----------
    store
        The open store.
    compound_id
        The compound id the inventory records, e.g. ``way/595108678``.
    resident
        Who adds it (session key and pseudonym).
    lon, lat
        WGS-84 position (the map click).
    category
        A :class:`~pipeline.core.spots.SpotCategory` or its key, Chinese or English name.
    text
        Up to ``settings.max_text_chars`` characters, stored exactly.
    photo
        Optional upload (bytes or a binary file): checked, stripped and re-encoded
        (:func:`store.photos.clean_photo`) before the write transaction starts.
    photo_name
        The upload's file name, for messages.
    assets
        The inventory's assets (projected CRS): the spot is linked to the nearest one within
        ``settings.near_asset_m`` (30 m).

    Returns
    -------
    SpotRecord

    Raises
    ------
    DataError, PhotoError
        Bad position, category, text or photo.
    RateLimitError
        The resident added ``settings.spots_per_hour`` spots within the last hour.
    """
    settings = store.settings
    compound = validate_compound_id(compound_id)
    x, y = validate_lonlat(lon, lat)
    cat = parse_spot_category(category)
    validate_text(text, max_chars=settings.max_text_chars)
    validate_text(
        resident.pseudonym, max_chars=settings.max_pseudonym_chars, what=Words("error.what.pseudonym")
    )
    clean = clean_photo(photo, name=photo_name, settings=settings) if photo is not None else None
    near = None
    if assets is not None:
        from store.geo import nearest_asset

        near = nearest_asset(x, y, assets, max_dist_m=settings.near_asset_m)
    with store.write() as session:
        _check_rate(session, store, resident)
        spot = insert_spot(
            session,
            store,
            compound_id=compound,
            lon=x,
            lat=y,
            category=cat,
            text=text,
            author=resident.pseudonym,
            author_key=resident.key_digest,
            origin="web",
            actor=f"resident:{resident.pseudonym}",
            near=near,
            photo=clean,
        )
        record = load_record(session, spot.id)
    log.info("Added spot %d (%s) in %s by %s", record.id, cat.value, compound, resident.pseudonym)
    return record


def get_for_update(session: Session, spot_id: int) -> Spot:
    """Return a spot, row-locked until the transaction ends (PostgreSQL)."""
    spot = session.scalars(select(Spot).where(Spot.id == spot_id).with_for_update()).first()
    if spot is None:
        raise NotFoundError("error.spot.none", id=spot_id)
    return spot


def _own_open_spot(session: Session, spot_id: int, resident: Resident) -> Spot:
    spot = get_for_update(session, spot_id)
    if spot.author_key is None or spot.author_key != resident.key_digest:
        raise PermissionDeniedError("error.spot.not_yours", id=spot_id, author=spot.author)
    if spot.status != OPEN:
        raise ConflictError("error.spot.not_open", id=spot_id, status=_stage(spot.status))
    return spot


def edit_spot(
    store: Store,
    spot_id: int,
    resident: Resident,
    *,
    text: str | None = None,
    category: str | SpotCategory | None = None,
) -> SpotRecord:
    """Change the text or category of one's own open spot; the audit log keeps the original.

    Raises
    ------
    PermissionDeniedError
        When the spot is another resident's (or was imported by a planner).
    ConflictError
        When the spot is hidden, removed or merged.
    """
    if text is not None:
        validate_text(text, max_chars=store.settings.max_text_chars)
    cat = parse_spot_category(category) if category is not None else None
    with store.write() as session:
        spot = _own_open_spot(session, spot_id, resident)
        before = {"text": spot.text, "category": spot.category}
        if text is not None:
            spot.text = text
        if cat is not None:
            spot.category = cat.value
        spot.updated_at = store.settings.clock()
        audit.record(
            session,
            store,
            actor=f"resident:{resident.pseudonym}",
            action="spot.edit",
            object_type="spot",
            object_id=spot.id,
            compound_id=spot.compound_id,
            detail={"before": before, "after": {"text": spot.text, "category": spot.category}},
        )
        session.flush()
        return load_record(session, spot.id)


def remove_spot(store: Store, spot_id: int, resident: Resident) -> None:
    """Remove one's own open spot (kept in the database as ``removed``, out of every list).

    Raises
    ------
    PermissionDeniedError
        When the spot is another resident's.
    ConflictError
        When the spot is not open.
    """
    with store.write() as session:
        spot = _own_open_spot(session, spot_id, resident)
        spot.status = REMOVED
        spot.status_reason = "removed by its author"
        spot.updated_at = store.settings.clock()
        audit.record(
            session,
            store,
            actor=f"resident:{resident.pseudonym}",
            action="spot.remove",
            object_type="spot",
            object_id=spot.id,
            compound_id=spot.compound_id,
        )


def support_spot(store: Store, spot_id: int, resident: Resident) -> SpotRecord:
    """Add a resident's support to an open spot; one support per resident per spot.

    Returns
    -------
    SpotRecord
        The spot with its new count.

    Raises
    ------
    ConflictError
        When the resident already supports it, wrote it, or the spot is not open.
    """
    try:
        with store.write() as session:
            spot = get_for_update(session, spot_id)
            if spot.status != OPEN:
                raise ConflictError("error.spot.no_support", id=spot_id, status=_stage(spot.status))
            if spot.author_key == resident.key_digest:
                raise ConflictError("error.spot.own", id=spot_id)
            already = session.scalar(
                select(Support.id).where(
                    Support.spot_id == spot_id, Support.supporter_key == resident.key_digest
                )
            )
            if already is not None:
                raise ConflictError("error.spot.already", id=spot_id)
            session.add(
                Support(
                    spot_id=spot_id,
                    supporter_key=resident.key_digest,
                    supporter=resident.pseudonym,
                    created_at=store.settings.clock(),
                )
            )
            session.flush()
            audit.record(
                session,
                store,
                actor=f"resident:{resident.pseudonym}",
                action="spot.support",
                object_type="spot",
                object_id=spot_id,
                compound_id=spot.compound_id,
            )
            return load_record(session, spot_id)
    except IntegrityError as exc:  # a concurrent second click on PostgreSQL
        raise ConflictError("error.spot.already", id=spot_id) from exc


def _stage(status: str) -> Words | str:
    """A spot's status or stage as people read it (``spot.stage.<status>``; the status itself when unnamed)."""
    key = f"spot.stage.{status}"
    return Words(key) if has_word(key) else status


# --- a spot's life: open -> confirmed -> planned -> in progress -> done, or closed with a reason ----------
# As FixMyStreet keeps a report's state: a planner moves a spot on with a note, and everyone sees its
# history. The stage is separate from the moderation status (open/hidden/merged/removed) and lives in a
# table of its own, one row per change (migration 0002); a spot without rows is at "open".

#: The stages in order; ``done`` and ``closed`` are final.
STAGES = ("open", "confirmed", "planned", "in_progress", "done", "closed")
#: Where each stage may go next (forward; "closed" from any stage that is not final).
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    "open": ("confirmed", "planned", "closed"),
    "confirmed": ("planned", "closed"),
    "planned": ("in_progress", "closed"),
    "in_progress": ("done", "closed"),
    "done": (),
    "closed": (),
}
_LINK = re.compile(r"(topic:[0-9]{1,9}|site:S[0-9]{1,4})")
MAX_NOTE_CHARS = 500


class SpotStage(Base):
    """One change of a spot's stage: who moved it, when, with what note (and for ``planned``, to what)."""

    __tablename__ = "spot_stages"
    __table_args__ = (
        CheckConstraint(
            "stage IN ('open', 'confirmed', 'planned', 'in_progress', 'done', 'closed')", name="stage"
        ),
        Index("ix_spot_stages_spot_at", "spot_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("spots.id"), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    link: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


@dataclass(frozen=True)
class StageRecord:
    """A step of a spot's history."""

    stage: str
    note: str
    link: str | None
    actor: str
    at: datetime


def current_stages(store: Store, compound_id: str) -> dict[int, str]:
    """Every spot of a compound that has left ``open``: spot id -> its stage now."""
    latest = (
        select(SpotStage.spot_id, func.max(SpotStage.id).label("last"))
        .join(Spot, Spot.id == SpotStage.spot_id)
        .where(Spot.compound_id == validate_compound_id(compound_id))
        .group_by(SpotStage.spot_id)
        .subquery()
    )
    with store.read() as session:
        rows = session.execute(
            select(SpotStage.spot_id, SpotStage.stage).join(latest, SpotStage.id == latest.c.last)
        )
        return {int(spot_id): str(stage) for spot_id, stage in rows}


def spot_history(store: Store, spot_id: int) -> list[StageRecord]:
    """A spot's stages, oldest first, beginning with ``open`` when it was marked (by its author's pseudonym)."""
    with store.read() as session:
        spot = session.get(Spot, spot_id)
        if spot is None:
            raise NotFoundError("error.spot.none", id=spot_id)
        steps = session.scalars(select(SpotStage).where(SpotStage.spot_id == spot_id).order_by(SpotStage.id))
        return [StageRecord("open", "", None, spot.author, spot.created_at)] + [
            StageRecord(s.stage, s.note, s.link, s.actor, s.at) for s in steps
        ]


def set_stage(
    store: Store, spot_id: int, planner: Planner, stage: str, note: str = "", *, link: str | None = None
) -> StageRecord:
    """Move a spot to its next stage (a planner), with a note; ``closed`` needs one (the reason).

    ``link`` ties a ``planned`` spot to what will fix it: ``topic:<id>`` (a vote topic) or ``site:S03``
    (a candidate site).

    Raises
    ------
    DataError
        When the stage, the note or the link is not valid.
    ConflictError
        When the spot cannot go from its stage to ``stage`` (see :data:`NEXT_STAGES`).
    NotFoundError
        When there is no such spot.
    """
    if stage not in STAGES:
        raise DataError("error.spot.stage", stage=stage, stages=", ".join(STAGES))
    text = note.strip() if isinstance(note, str) else ""
    if stage == "closed" and not text:
        raise DataError("error.spot.close_reason")
    if len(text) > MAX_NOTE_CHARS:
        raise DataError("error.spot.note_long", n=len(text), max=MAX_NOTE_CHARS)
    if link is not None and (stage != "planned" or not _LINK.fullmatch(link)):
        raise DataError("error.spot.link", link=link)
    with store.write() as session:
        spot = get_for_update(session, spot_id)
        last = session.scalars(
            select(SpotStage.stage).where(SpotStage.spot_id == spot_id).order_by(SpotStage.id.desc()).limit(1)
        ).first()
        now_stage = last or "open"
        if stage not in NEXT_STAGES[now_stage]:
            allowed = ", ".join(NEXT_STAGES[now_stage]) or "none: it is final"
            raise ConflictError(
                "error.spot.stage_order",
                id=spot_id,
                now=_stage(now_stage),
                detail=allowed,
                stage=_stage(stage),
            )
        at = store.settings.clock()
        session.add(SpotStage(spot_id=spot_id, stage=stage, note=text, link=link, actor=planner.actor, at=at))
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="spot.stage",
            object_type="spot",
            object_id=spot_id,
            compound_id=spot.compound_id,
            detail={"from": now_stage, "to": stage, "note": text, "link": link},
        )
        return StageRecord(stage, text, link, planner.actor, at)
