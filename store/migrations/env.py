"""Alembic environment of the store.

Run by :func:`store.db.upgrade_schema` with an open connection in
``config.attributes["connection"]``; from the command line,
``alembic -c store/alembic.ini upgrade head`` uses ``$MAPPER_DB_URL`` (or the default SQLite
file) through :class:`store.db.Store`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from store.models import Base

#: Any fixed number: the advisory lock that serialises concurrent upgrades on PostgreSQL.
MIGRATION_LOCK = 6_020_250_001


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        context.run_migrations()


def run_migrations_online() -> None:
    """Upgrade through the connection handed in, or open the store's default database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from store.db import Store

    store = Store(context.config.get_main_option("sqlalchemy.url") or None, migrate=False)
    try:
        with store.engine.connect() as conn:
            _run(conn)
            if conn.in_transaction():
                conn.commit()
    finally:
        store.close()


if context.is_offline_mode():
    raise SystemExit("The store's migrations run online only: give a database URL.")
run_migrations_online()
