"""Opening the store: engine, SQLite settings, transactions and schema migrations.

SQLite (the default) follows ``docs/reliability.md``, "SQLite with many users": one pooled connection
per process, ``journal_mode=WAL``, ``busy_timeout``, ``synchronous=NORMAL``, ``foreign_keys=ON``, and every
write inside ``BEGIN IMMEDIATE … COMMIT``: a plain ``BEGIN`` that reads and then writes fails at
once with "database is locked" under load, whatever the busy timeout. The pysqlite driver's own
transaction handling is turned off and SQLAlchemy emits the ``BEGIN`` (SQLAlchemy's SQLite
documentation, "Enabling Non-Legacy SQLite Transactional Modes"). PostgreSQL runs at READ
COMMITTED; the store locks the rows (or an advisory lock) that a write depends on.

The schema is created and upgraded by Alembic (``store/migrations``) when a store opens.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from store.contention import begin_write, busy_error, is_lock_error, with_retries
from store.errors import StoreError
from store.settings import StoreSettings, default_db_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_WRITE = "store_write"


def _normalise_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"Database URL {str(url)!r} cannot be read: give a SQLAlchemy URL such as "
            "`sqlite:///runtime/mapper.sqlite3` or "
            "`postgresql+psycopg://user:password@host:5432/db`."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"Database URL {parsed.render_as_string(hide_password=True)!r} is for {backend!r}: "
            "the store runs on SQLite (`sqlite:///FILE`) or PostgreSQL (`postgresql://...`)."
        )
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise StoreError(
                f"Database URL {str(url)!r} is not a SQLite file: the store needs a file that "
                "every process can open, e.g. `sqlite:///runtime/mapper.sqlite3`."
            )
        path = Path(database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    return parsed


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's `begin` hook below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("SQLite refused journal_mode=WAL (got %s); writers will block readers", mode)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")


class Store:
    """A connection to the spots database, SQLite or PostgreSQL.

    Open one per process (Streamlit: one per server, e.g. with ``st.cache_resource``); it is
    safe to share between threads because every call checks a connection out of the pool for
    one transaction only. SQLite gets a single pooled connection, PostgreSQL a small pool.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``$MAPPER_DB_URL`` or ``sqlite:///<project>/runtime/mapper.sqlite3``
        when omitted. ``postgresql://`` is read as ``postgresql+psycopg://``.
    settings
        Limits and defaults; :class:`~store.settings.StoreSettings` when omitted.
    migrate
        Create or upgrade the schema to the newest Alembic revision on opening.

    Examples
    --------
    >>> store = Store("sqlite:///runtime/mapper.sqlite3")  # doctest: +SKIP
    >>> with store.write() as session:  # doctest: +SKIP
    ...     session.add(...)
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        settings: StoreSettings | None = None,
        migrate: bool = True,
    ) -> None:
        self.settings = settings or StoreSettings()
        self.url = _normalise_url(url or default_db_url())
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite":
            self.engine = create_engine(
                self.url,
                pool_size=1,
                max_overflow=0,
                pool_timeout=self.settings.busy_timeout_ms / 1000,
                connect_args={
                    "timeout": self.settings.busy_timeout_ms / 1000,
                    "check_same_thread": False,
                },
            )
            _configure_sqlite(self.engine, self.settings.busy_timeout_ms)
        else:
            self.engine = create_engine(self.url, pool_size=4, max_overflow=4, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._reader = self.engine.execution_options(**{_WRITE: False})
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)
        try:
            if migrate:
                with_retries(self, lambda: upgrade_schema(self))
            else:
                with self.engine.connect():
                    pass
        except StoreError:
            self.engine.dispose()
            raise
        except OperationalError as exc:
            self.engine.dispose()
            raise StoreError(
                f"Cannot open the store at {self.describe()}: {exc.orig}. Check the URL, that the "
                "server runs (PostgreSQL: `bash scripts/start_postgres.sh`) and that the folder "
                "of a SQLite file is writable."
            ) from exc
        except DatabaseError as exc:  # a file that is not a database, a damaged one
            self.engine.dispose()
            raise StoreError(
                f"Cannot open the store at {self.describe()}: {exc.orig}; it is not a database the "
                "store can use. Move the file away (or restore it from a backup), or give another URL."
            ) from exc

    def describe(self) -> str:
        """Return the URL with the password hidden, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Open a write transaction (``BEGIN IMMEDIATE`` on SQLite); commit on success.

        The write lock is taken before the block runs. While another process holds it, the store
        waits (``busy_timeout_ms``), retries with a growing pause (``write_attempts``,
        ``write_backoff_s``), then raises :class:`~store.errors.StoreBusyError`: one line, nothing
        written.

        Yields
        ------
        Session
            Rolled back if the block raises; nothing of it is kept.
        """
        session, transaction = begin_write(self)
        try:
            with session:
                try:
                    yield session
                    transaction.commit()
                except BaseException:
                    if transaction.is_active:
                        transaction.rollback()
                    raise
        except (OperationalError, SATimeoutError) as exc:
            if is_lock_error(exc):
                raise busy_error(self, exc) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Open a read-only transaction (a deferred ``BEGIN`` on SQLite).

        Yields
        ------
        Session
        """
        with self._read_sessions() as session, session.begin():
            yield session

    def lock(self, session: Session, name: str) -> None:
        """Serialise writers on ``name`` until the transaction ends.

        SQLite's ``BEGIN IMMEDIATE`` already admits one writer at a time; on PostgreSQL this
        takes a transaction-scoped advisory lock, so a check-then-insert (the hourly limit)
        cannot be raced by a second request.
        """
        if self.backend == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            session.execute(select(func.pg_advisory_xact_lock(key)))

    def check_integrity(self) -> list[str]:
        """Check the database file and the foreign keys; return the problems found (none: ``[]``).

        On SQLite this runs ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``; on
        PostgreSQL, whose storage checks itself, it looks for rows whose parent is missing.
        """
        problems: list[str] = []
        with self.engine.connect() as conn:
            if self.backend == "sqlite":
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if rows != ["ok"]:
                    problems.extend(str(r) for r in rows)
                problems.extend(
                    f"foreign key broken: {tuple(r)}"
                    for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
                )
            for child, column, parent in _FOREIGN_KEYS:
                orphans = conn.execute(
                    text(
                        f"SELECT COUNT(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT "
                        f"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{column})"
                    )
                ).scalar_one()
                if orphans:
                    problems.append(f"{orphans} rows of {child}.{column} point to no {parent}")
            conn.rollback()
        return problems

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.describe()!r})"


_FOREIGN_KEYS = (
    ("spot_photos", "spot_id", "spots"),
    ("supports", "spot_id", "spots"),
    ("spots", "merged_into_id", "spots"),
    ("topics", "session_id", "vote_sessions"),
    ("topic_spots", "topic_id", "topics"),
    ("topic_spots", "spot_id", "spots"),
    ("ballots", "session_id", "vote_sessions"),
    ("ballot_dots", "ballot_id", "ballots"),
    ("ballot_dots", "topic_id", "topics"),
)


def upgrade_schema(store: Store, revision: str = "head") -> None:
    """Create or upgrade the store's tables with Alembic.

    Safe when several processes open a new database at once: SQLite serialises the migration
    with ``BEGIN IMMEDIATE``, PostgreSQL with an advisory lock taken before Alembic reads the
    current revision.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if conn.in_transaction():
            conn.commit()


def dispose_after_fork(store: Store) -> None:
    """Drop the pooled connections inherited from a parent process (call in the child)."""
    store.engine.dispose(close=False)


__all__ = ["Store", "dispose_after_fork", "upgrade_schema"]
