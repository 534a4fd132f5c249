"""Many writers at once, and writers killed mid-transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import random
import signal
import subprocess
import time

import pytest
from PIL import Image
from sqlalchemy import func, select

from store import Store, StoreSettings, count_spots
from store.models import AuditEntry, Spot, SpotPhoto
from tests.helpers.db import PYTHON, WRITER, writer_env

PROCESSES = 8
SPOTS_EACH = 200


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, str(WRITER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=writer_env(),
    )


def test_eight_processes_two_hundred_spots_each(db_url, compound, tmp_path):
    """8 processes × 200 spots, started together, leave exactly 1,600 spots and audit entries."""
    Store(db_url).close()  # migrate once before the race
    go = tmp_path / "go"
    procs = [_spawn(db_url, f"{compound}{i}", "bulk", str(SPOTS_EACH), str(go)) for i in range(PROCESSES)]
    time.sleep(0.3)
    go.touch()
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * PROCESSES, [o[1][-2000:] for o in outs]
    assert [o[0].strip() for o in outs] == [f"done {SPOTS_EACH}"] * PROCESSES
    with Store(db_url) as store:
        counts = [count_spots(store, f"{compound}{i}") for i in range(PROCESSES)]
        with store.read() as session:
            audits = session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.compound_id.like(f"{compound}%"), AuditEntry.action == "spot.add"
                )
            )
        assert store.check_integrity() == []
    assert counts == [SPOTS_EACH] * PROCESSES
    assert sum(counts) == 1600
    assert audits == 1600


def test_sigkill_inside_a_transaction_leaves_no_partial_spot(db_url, compound):
    """A writer killed while its transaction is open: the store opens, intact, without it."""
    Store(db_url).close()
    proc = _spawn(db_url, compound, "hang")
    line = proc.stdout.readline().strip()
    assert line == "in-transaction", proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store(db_url) as store:
        assert store.check_integrity() == []
        assert count_spots(store, compound) == 0
        with store.read() as session:
            partial = session.scalar(
                select(func.count(Spot.id)).where(Spot.text.like("PARTIAL%"), Spot.compound_id == compound)
            )
        assert partial == 0
    # The lock died with the writer: a writer that may not wait at all (one attempt, no busy
    # timeout) still gets it, where a held lock would raise StoreBusyError.
    impatient = StoreSettings(busy_timeout_ms=0, write_attempts=1, write_backoff_s=0)
    with Store(db_url, settings=impatient, migrate=False) as store, store.write() as session:
        session.execute(select(func.count(Spot.id)))


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buf, "JPEG")
    return buf.getvalue()


def test_sigkill_at_random_moments_loses_no_acknowledged_spot(db_url, compound, tmp_path):
    """Writers adding spots with photos, killed at random: every acknowledged spot is whole."""
    Store(db_url).close()
    photo = tmp_path / "p.jpg"
    photo.write_bytes(_jpeg())
    rng = random.Random(20250501)
    acked: list[int] = []
    for _round in range(3):
        proc = _spawn(db_url, compound, "loop", str(photo))
        first = proc.stdout.readline()  # the writer is up and committing
        assert first.startswith("ack "), proc.stderr.read()
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        # Read the rest through the same reader as `first`: readline() may already hold later acks in its
        # buffer, which communicate() (reading the pipe directly) would never see.
        out = proc.stdout.read()
        proc.wait(timeout=30)
        proc.stderr.close()
        acked += [int(x.split()[1]) for x in (first + out).splitlines() if x.startswith("ack ")]
    with Store(db_url) as store:
        assert store.check_integrity() == []
        with store.read() as session:
            ids = set(session.scalars(select(Spot.id).where(Spot.compound_id == compound)))
            with_photo = set(
                session.scalars(select(SpotPhoto.spot_id).join(Spot).where(Spot.compound_id == compound))
            )
            audited = set(
                session.scalars(
                    select(AuditEntry.object_id).where(
                        AuditEntry.compound_id == compound, AuditEntry.action == "spot.add"
                    )
                )
            )
    assert set(acked) <= ids  # nothing acknowledged is lost
    assert ids == with_photo == audited  # no spot without its photo or its audit entry
    assert len(ids) - len(acked) <= 3  # at most one committed-but-unacknowledged spot per kill


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_with_the_reliability_pragmas(db_url):
    with Store(db_url) as store, store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        conn.rollback()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": 30_000,
    }
