"""A writer that finds the store locked retries with back-off, then gives one line and writes nothing."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy.engine import make_url

from store import Store, StoreSettings, count_spots, import_spots_csv
from store.errors import StoreBusyError

QUICK = StoreSettings(busy_timeout_ms=50, write_attempts=3, write_backoff_s=0.05)
CSV = "lon,lat,category,text,author\n116.3301,40.0101,parking,停满车,王\n116.3302,40.0102,lighting,灯坏了,李\n"


@pytest.fixture
def sqlite_file(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    Store(url).close()
    return url


def hold_lock(url: str) -> sqlite3.Connection:
    """Another process's writer: a raw connection holding SQLite's write lock."""
    conn = sqlite3.connect(make_url(url).database, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_locked_store_gives_one_line_and_nothing_is_written(sqlite_file, planner, compound, tmp_path):
    path = tmp_path / "spots.csv"
    path.write_text(CSV, encoding="utf-8")
    holder = hold_lock(sqlite_file)
    try:
        with Store(sqlite_file, settings=QUICK, migrate=False) as store:
            with pytest.raises(StoreBusyError) as info:
                import_spots_csv(store, compound, path, planner)
            message = str(info.value)
            assert "\n" not in message
            assert "busy" in message and "3 attempts" in message and "nothing was written" in message
            assert "busy.sqlite3" in message
    finally:
        holder.rollback()
        holder.close()
    with Store(sqlite_file, migrate=False) as store:
        assert count_spots(store, compound) == 0


def test_the_writer_gets_through_when_the_lock_is_let_go_during_its_back_off(
    sqlite_file, planner, compound, tmp_path
):
    path = tmp_path / "spots.csv"
    path.write_text(CSV, encoding="utf-8")
    holder = hold_lock(sqlite_file)
    patient = StoreSettings(busy_timeout_ms=50, write_attempts=8, write_backoff_s=0.05)
    released = threading.Event()

    def release() -> None:
        holder.rollback()
        released.set()

    timer = threading.Timer(0.2, release)
    timer.start()
    try:
        with Store(sqlite_file, settings=patient, migrate=False) as store:
            report = import_spots_csv(store, compound, path, planner)
        assert released.is_set()
        assert len(report.spot_ids) == 2
    finally:
        timer.cancel()
        holder.close()


def test_a_lock_taken_inside_the_block_is_reported_the_same_way(sqlite_file):
    """The lock is taken before the block runs: a body never starts without it."""
    holder = hold_lock(sqlite_file)
    ran = []
    try:
        with (
            Store(sqlite_file, settings=QUICK, migrate=False) as store,
            pytest.raises(StoreBusyError),
            store.write(),
        ):
            ran.append(True)
    finally:
        holder.rollback()
        holder.close()
    assert ran == []
