"""Taking the store's write lock under contention: wait, retry with a growing pause, then say so.

SQLite admits one writer at a time. A writer waits ``busy_timeout_ms`` for the lock; a long import by
another process can hold it longer, and SQLite then answers "database is locked". The store takes the
lock before the caller's block runs (``BEGIN IMMEDIATE`` at once), so a failed attempt has done
nothing and can be retried; after ``write_attempts`` the caller gets one line
(:class:`~store.errors.StoreBusyError`) and nothing is written. Within one process the single pooled
SQLite connection is the lock, and waiting for it is retried the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, SessionTransaction

from store.errors import StoreBusyError

if TYPE_CHECKING:
    from store.db import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

_LOCKED = ("database is locked", "database table is locked", "database is busy")


def is_lock_error(exc: BaseException) -> bool:
    """Tell whether an error means another writer holds the lock (not a broken database)."""
    if isinstance(exc, SATimeoutError):
        return True
    return isinstance(exc, OperationalError) and any(words in str(exc.orig).lower() for words in _LOCKED)


def busy_error(store: Store, exc: BaseException | None = None) -> StoreBusyError:
    """The one line a caller sees when the lock could not be had."""
    settings = store.settings
    waited = settings.write_attempts * settings.busy_timeout_ms / 1000 + sum(
        settings.write_backoff_s * 2**i for i in range(max(settings.write_attempts - 1, 0))
    )
    return StoreBusyError(
        f"The store {store.describe()} is busy: another import or vote kept it locked through "
        f"{settings.write_attempts} attempts (about {waited:.0f} s), so nothing was written; try again "
        "when it has finished."
    )


def with_retries(store: Store, action: Callable[[], T]) -> T:
    """Run ``action`` (one whole transaction, e.g. the schema migration); retry it while the store is locked.

    Raises
    ------
    StoreBusyError
        When every attempt found the store locked.
    """
    attempts = max(1, store.settings.write_attempts)
    for attempt in range(attempts):
        try:
            return action()
        except (OperationalError, SATimeoutError) as exc:
            if not is_lock_error(exc):
                raise
            if attempt == attempts - 1:
                raise busy_error(store, exc) from exc
            time.sleep(store.settings.write_backoff_s * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def begin_write(store: Store) -> tuple[Session, SessionTransaction]:
    """Open a session whose write transaction holds the lock, retrying with back-off.

    Raises
    ------
    StoreBusyError
        When every attempt found the store locked.
    """
    attempts = max(1, store.settings.write_attempts)
    for attempt in range(attempts):
        session = store._sessions()
        transaction = session.begin()
        try:
            session.connection()  # emits BEGIN IMMEDIATE on SQLite: the lock, or "database is locked"
        except (OperationalError, SATimeoutError) as exc:
            transaction.rollback()
            session.close()
            if not is_lock_error(exc):
                raise
            if attempt == attempts - 1:
                raise busy_error(store, exc) from exc
            pause = store.settings.write_backoff_s * 2**attempt
            log.info("The store is locked by another writer; trying again in %.1f s.", pause)
            time.sleep(pause)
        else:
            return session, transaction
    raise AssertionError("unreachable")  # pragma: no cover
