"""Helpers shared by the store tests: a fake clock, residents, writer processes."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from store import Resident, Store, StoreSettings, new_resident_key

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("store_writer.py")
PYTHON = sys.executable
PG_ENV = "MAPPER_TEST_PG_URL"
PG_SKIP = "needs PostgreSQL: run scripts/start_postgres.sh"


class FakeClock:
    """A clock the test moves by hand (naive UTC, like the store's)."""

    def __init__(self, start: datetime = datetime(2025, 5, 1, 9, 0, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def resident(name: str = "张阿姨") -> Resident:
    """A new resident (a new browser session) with the given pseudonym."""
    return Resident(new_resident_key(), name)


def store_with(db_url: str, **settings) -> Store:
    """Open another store on the same database with other settings."""
    return Store(db_url, settings=StoreSettings(**settings))


def writer_env() -> dict[str, str]:
    """Environment for subprocesses: the project on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def code(store: Store, session_id: int) -> str:
    """A fresh participant code of the session (one person's slip)."""
    from store import Planner, issue_codes

    return issue_codes(store, session_id, Planner("发码员"), 1)[0]
