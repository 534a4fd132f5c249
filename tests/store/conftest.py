"""Fixtures of the store tests: a real SQLite file and a real PostgreSQL server.

Every store test runs on both backends. PostgreSQL comes from ``$MAPPER_TEST_PG_URL`` (made by
``scripts/start_postgres.sh``, which ``make test`` runs); its tests are skipped only when that
variable is unset. Each test run gets its own PostgreSQL schema (dropped at the end) and its
own SQLite file; each test works in its own compound, so tests do not see each other's spots.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from store import Planner, Store
from tests.helpers.db import PG_ENV, PG_SKIP, FakeClock

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not os.environ.get(PG_ENV), reason=PG_SKIP),
        ],
    ),
]


@pytest.fixture(scope="session")
def pg_schema_url():
    """A fresh schema in the PostgreSQL test database; yields a URL whose search_path is it."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A SQLite file for the whole run."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'mapper.sqlite3'}"


@pytest.fixture(params=BACKENDS)
def db_url(request) -> str:
    """The database URL of the backend under test."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url):
    """An open store on the backend under test, real clock, default limits."""
    with Store(db_url) as opened:
        yield opened


@pytest.fixture
def compound() -> str:
    """A compound id of this test alone."""
    return f"way/{uuid.uuid4().int % 10**12}"


@pytest.fixture
def planner() -> Planner:
    return Planner("王规划")
