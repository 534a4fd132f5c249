"""Opening the store: URLs, migrations, and that nothing but the schema's head is there."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import inspect, text

from store import Store, StoreError, default_db_url
from store.settings import PROJECT_ROOT
from tests.helpers.db import PYTHON, ROOT, writer_env


def test_migrations_create_every_table_once(store):
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        tables = set(inspect(conn).get_table_names())
        conn.rollback()
    assert version == "0003"
    assert {
        "spots", "spot_photos", "supports", "vote_sessions", "topics", "topic_spots",
        "ballots", "ballot_dots", "audit_log", "spot_stages", "alembic_version",
        "participant_codes", "signin_failures",
    } <= tables  # fmt: skip
    Store(store.url).close()  # opening again is a no-op upgrade


def test_default_url_is_mapper_db_url_else_the_runtime_file():
    assert default_db_url({"MAPPER_DB_URL": "postgresql://u@h/d"}) == "postgresql://u@h/d"
    assert default_db_url({}) == f"sqlite:///{PROJECT_ROOT / 'runtime' / 'mapper.sqlite3'}"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("not a url", "Database URL 'not a url' cannot be read: give a SQLAlchemy URL"),
        ("mysql://u:p@h/db", "is for 'mysql': the store runs on SQLite"),
        ("sqlite://", "is not a SQLite file: the store needs a file that every process can open"),
        ("sqlite:///:memory:", "is not a SQLite file"),
        (
            "postgresql+psycopg://nobody:x@127.0.0.1:1/none",
            "Cannot open the store at postgresql\\+psycopg://nobody:\\*\\*\\*@127.0.0.1:1/none",
        ),
    ],
)
def test_unusable_urls_are_refused(url, match):
    with pytest.raises(StoreError, match=match):
        Store(url)


def test_a_fresh_sqlite_file_and_its_folder_are_made(tmp_path):
    path = tmp_path / "new" / "folder" / "m.sqlite3"
    with Store(f"sqlite:///{path}") as store:
        assert store.check_integrity() == []
    assert path.exists()


def test_store_never_imports_streamlit():
    code = "import sys, store, pipeline.cli.spots, store.geo; print('streamlit' in sys.modules)"
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, env=writer_env(), cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "False"
