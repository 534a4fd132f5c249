"""The audit log: every change to spots, supports and votes, written in the same transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import Store
from store.models import AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    """One audit log entry as the pages show it."""

    id: int
    at: datetime
    actor: str
    action: str
    compound_id: str | None
    object_type: str
    object_id: int | None
    detail: dict[str, Any]


def record(
    session: Session,
    store: Store,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | None,
    compound_id: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the open write transaction (kept only if the change commits)."""
    session.add(
        AuditEntry(
            at=store.settings.clock(),
            actor=actor[:120],
            action=action,
            compound_id=compound_id,
            object_type=object_type,
            object_id=object_id,
            detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def list_audit(
    store: Store,
    *,
    compound_id: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int = 200,
) -> list[AuditRecord]:
    """Return audit entries, newest first.

    Parameters
    ----------
    store
        The open store.
    compound_id, object_type, object_id
        Keep only entries of this compound / kind of object (``"spot"``, ``"support"``,
        ``"session"``, ``"topic"``, ``"ballot"``) / object id.
    limit
        At most this many entries.

    Returns
    -------
    list of AuditRecord
    """
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if compound_id is not None:
        query = query.where(AuditEntry.compound_id == compound_id)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    with store.read() as session:
        return [
            AuditRecord(
                id=e.id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                compound_id=e.compound_id,
                object_type=e.object_type,
                object_id=e.object_id,
                detail=json.loads(e.detail),
            )
            for e in session.scalars(query)
        ]
