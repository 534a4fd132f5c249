"""Planners' moderation of spots: hide or restore with a reason, merge duplicates.

Residents change only their own spots (:mod:`store.spots`); these are the planner's tools.
Originals are never deleted: a hidden spot keeps its text, a merged one points to the spot it
was merged into, and the audit log records who did what and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pipeline.core.errors import Words
from store import audit
from store.db import Store
from store.errors import ConflictError, DataError
from store.identity import Planner
from store.models import HIDDEN, MERGED, OPEN, Support
from store.records import SpotRecord
from store.spots import get_for_update, load_record
from store.validate import validate_reason


def _moderate(store: Store, spot_id: int, planner: Planner, reason: str, *, src: str, dst: str) -> SpotRecord:
    why = validate_reason(reason)
    with store.write() as session:
        spot = get_for_update(session, spot_id)
        if spot.status != src:
            raise ConflictError(
                "error.moderation.status",
                id=spot_id,
                status=Words(f"app.spots_status_{spot.status}"),
                src=Words(f"app.spots_status_{src}"),
                dst=Words(f"app.spots_status_{dst}"),
            )
        spot.status = dst
        spot.status_reason = why
        spot.updated_at = store.settings.clock()
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="spot.hide" if dst == HIDDEN else "spot.restore",
            object_type="spot",
            object_id=spot.id,
            compound_id=spot.compound_id,
            detail={"reason": why},
        )
        session.flush()
        return load_record(session, spot.id)


def hide_spot(store: Store, spot_id: int, planner: Planner, reason: str) -> SpotRecord:
    """Hide an open spot from residents and the public map (a planner, with a reason)."""
    return _moderate(store, spot_id, planner, reason, src=OPEN, dst=HIDDEN)


def restore_spot(store: Store, spot_id: int, planner: Planner, reason: str) -> SpotRecord:
    """Show a hidden spot again (a planner, with a reason)."""
    return _moderate(store, spot_id, planner, reason, src=HIDDEN, dst=OPEN)


def merge_spots(
    store: Store,
    keep_id: int,
    duplicate_ids: Sequence[int],
    planner: Planner,
    *,
    reason: str = "duplicate",
) -> SpotRecord:
    """Merge duplicate spots into one; their supports (and authors) carry over.

    Each duplicate's supporters, and its author, become supporters of the kept spot unless they
    already are (or wrote it); the duplicate is marked ``merged`` and leaves every list.

    Raises
    ------
    DataError
        When the list is empty or holds the kept spot.
    ConflictError
        When a spot is not open or belongs to another compound.
    """
    dups = sorted(set(duplicate_ids))
    if not dups or keep_id in dups:
        raise DataError("error.moderation.merge_self", id=keep_id, detail=list(duplicate_ids))
    why = validate_reason(reason)
    now = store.settings.clock()
    with store.write() as session:
        keep = get_for_update(session, keep_id)
        if keep.status != OPEN:
            raise ConflictError(
                "error.moderation.merge_into", id=keep_id, status=Words(f"app.spots_status_{keep.status}")
            )
        have = set(session.scalars(select(Support.supporter_key).where(Support.spot_id == keep_id)))
        if keep.author_key:
            have.add(keep.author_key)
        moved = 0
        for dup_id in dups:
            dup = get_for_update(session, dup_id)
            if dup.status != OPEN:
                raise ConflictError(
                    "error.moderation.merge_closed", id=dup_id, status=Words(f"app.spots_status_{dup.status}")
                )
            if dup.compound_id != keep.compound_id:
                raise ConflictError("error.moderation.merge_compound", id=dup_id, detail=dup.compound_id)
            carried = [
                (s.supporter_key, s.supporter)
                for s in session.scalars(select(Support).where(Support.spot_id == dup_id))
            ]
            if dup.author_key:
                carried.append((dup.author_key, dup.author))
            for key, name in carried:
                if key in have:
                    continue
                have.add(key)
                moved += 1
                session.add(Support(spot_id=keep_id, supporter_key=key, supporter=name, created_at=now))
            dup.status = MERGED
            dup.merged_into_id = keep_id
            dup.status_reason = why
            dup.updated_at = now
            audit.record(
                session,
                store,
                actor=planner.actor,
                action="spot.merge",
                object_type="spot",
                object_id=dup_id,
                compound_id=dup.compound_id,
                detail={"into": keep_id, "reason": why},
            )
        keep.updated_at = now
        audit.record(
            session,
            store,
            actor=planner.actor,
            action="spot.merge_into",
            object_type="spot",
            object_id=keep_id,
            compound_id=keep.compound_id,
            detail={"merged": dups, "supports_carried": moved, "reason": why},
        )
        session.flush()
        return load_record(session, keep_id)
