"""Spots written per second by the store, on SQLite and PostgreSQL, with 1 and 8 writers.

Each writer is a separate process that opens the store, waits at a barrier, then adds spots
through the public `store.add_spot` (one transaction each: spot + audit entry + read-back).
The wall time runs from the barrier to the last writer's end. Medians over repeats; ratios
8-vs-1 writers and PostgreSQL-vs-SQLite. PostgreSQL runs when MAPPER_TEST_PG_URL is set
(`bash scripts/start_postgres.sh` prints it); it gets a schema of its own, dropped at the end.

    python bench/bench_store.py [--spots 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from store import Resident, Store, StoreSettings, add_spot, new_resident_key  # noqa: E402

WRITERS = (1, 8)


def _writer(url: str, compound: str, n: int, barrier, results) -> None:
    store = Store(url, settings=StoreSettings(spots_per_hour=0))
    me = Resident(new_resident_key(), "bench")
    barrier.wait()
    for i in range(n):
        add_spot(store, compound, me, 116.33 + i * 1e-6, 40.01, "parking", f"bench spot {i}")
    store.close()
    results.put(n)


def run_once(url: str, writers: int, n: int) -> float:
    """Return spots per second for ``writers`` processes adding ``n`` spots each."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers + 1)
    results = ctx.Queue()
    compound = f"bench/{uuid.uuid4().hex[:8]}"
    procs = [
        ctx.Process(target=_writer, args=(url, f"{compound}/{w}", n, barrier, results))
        for w in range(writers)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    done = sum(results.get(timeout=600) for _ in procs)
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed with exit code {p.exitcode}")
    return done / elapsed


def _pg_url() -> tuple[str, str, str] | None:
    base = os.environ.get("MAPPER_TEST_PG_URL")
    if not base:
        return None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    url = make_url(base).set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), url.render_as_string(hide_password=False), schema


def _drop_schema(admin_url: str, schema: str) -> None:
    engine = create_engine(admin_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spots", type=int, default=200, help="spots per writer (200)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        backends = {"sqlite": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
        pg = _pg_url()
        if pg:
            backends["postgresql"] = pg[0]
        else:
            print("PostgreSQL skipped: set MAPPER_TEST_PG_URL (bash scripts/start_postgres.sh)")
        medians: dict[tuple[str, int], float] = {}
        try:
            print(f"{args.spots} spots per writer, {args.repeats} repeats, {os.cpu_count()} cores")
            print(f"{'backend':<11} {'writers':>7} {'median/s':>9} {'min/s':>8} {'max/s':>8}")
            for name, url in backends.items():
                Store(url).close()  # create the schema outside the timing
                for writers in WRITERS:
                    rates = [run_once(url, writers, args.spots) for _ in range(args.repeats)]
                    medians[name, writers] = statistics.median(rates)
                    print(
                        f"{name:<11} {writers:>7} {medians[name, writers]:>9.0f} "
                        f"{min(rates):>8.0f} {max(rates):>8.0f}"
                    )
        finally:
            if pg:
                _drop_schema(pg[1], pg[2])
    print("ratios (medians):")
    for name in backends:
        print(f"  {name}: 8 writers / 1 writer = {medians[name, 8] / medians[name, 1]:.2f}")
    if "postgresql" in backends:
        for writers in WRITERS:
            ratio = medians["postgresql", writers] / medians["sqlite", writers]
            print(f"  {writers} writer(s): PostgreSQL / SQLite = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
