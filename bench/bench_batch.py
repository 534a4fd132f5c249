"""City scale: compounds per second, sequential `build` in a loop versus the Dask batch.

Run: .venv/bin/python bench/bench_batch.py [--tiles 6] [--repeats 3] [--no-small] [--dashboard]
Two inputs: the three shipped Beijing extracts (19 compounds), and a larger city made by tiling
them side by side (6 tiles: 114 compounds). For each: a plain loop doing the batch's work per
compound (inventory, coverage, files) one after another (once), then the batch with 1 worker and
with 2 workers in turn (``--repeats`` times; medians); compounds/s, the speed-up over the loop, the
peak memory of the busiest worker and of the client; per stage on the workers (cutting the
neighbourhood, building, writing, measuring coverage) the median and total seconds per compound; and
the client's phases from ``batch.json`` (planning, starting the cluster and sending the city, the
tasks, writing the city files). The load average is printed with every figure. The result line is
the issue's target: two workers at least 1.8× one on 100+ compounds. With ``--dashboard`` the runs
alternate with runs that serve the Dask dashboard and profile the workers (``run_batch(dashboard=True)``,
the batch's cost before they became opt-in), for the ratio between the two.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
from _timing import load, result  # noqa: E402

from pipeline.city.batch import BatchOptions, plan_tasks, run_batch, run_task, task_features  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402

EXTRACTS = ["beijing_haidian_qinghua-east-rd.osm", "beijing_haidian_wudaokou-2017.osm", "beijing_haidian_xitucheng-bupt.osm"]


def beijing() -> gpd.GeoDataFrame:
    frames = [read_osm(ROOT / "data" / "osm" / name) for name in EXTRACTS]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326).drop_duplicates("source_id")


def tiled(base: gpd.GeoDataFrame, tiles: int) -> gpd.GeoDataFrame:
    """Copies of the base side by side, 0.08° apart in longitude, with ids made unique per tile."""
    copies = []
    for k in range(tiles):
        copy = base.copy()
        copy["geometry"] = copy.geometry.translate(xoff=0.08 * (k % 6), yoff=0.05 * (k // 6))
        copy["source_id"] = copy["source_id"] + (f"-t{k}" if k else "")
        copies.append(copy)
    return gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=4326)


def loop(features: gpd.GeoDataFrame, out: Path) -> int:
    """The same work as the batch (inventory, coverage, files), one compound after another."""
    tasks = plan_tasks(features)
    for task in tasks:
        run_task(task, task_features(features, task, radius_m=50.0), str(out), BatchOptions())
    return len(tasks)


STAGES = ("cut_s", "build_s", "write_s", "coverage_s")


def batch_once(features: gpd.GeoDataFrame, out: Path, workers: int, dashboard: bool = False) -> dict:
    """One batch run: wall seconds, the rows, the client's phases and peaks, and the load after it."""
    start = time.perf_counter()
    table = run_batch(features, out, workers=workers, dashboard=dashboard)
    seconds = time.perf_counter() - start
    summary = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    shutil.rmtree(out)
    return {"s": seconds, "table": table, "summary": summary, "load": load()}


def measure(label: str, features: gpd.GeoDataFrame, repeats: int, dashboard: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        n = loop(features, Path(tmp) / "loop")
        loop_s = time.perf_counter() - start
        print(f"{label:<28} {'loop':<10} {n:>5} {loop_s:>8.1f} s {n / loop_s:>7.2f}/s {'1.00x':>7}  load {load():.1f}")
        configs = [(1, False), (2, False), *([(1, True), (2, True)] if dashboard else [])]
        runs: dict[tuple[int, bool], list[dict]] = {config: [] for config in configs}
        for k in range(repeats):  # one worker, two workers (with and without the dashboard), in turn
            for workers, served in configs:
                out = Path(tmp) / f"batch{workers}-{served}-{k}"
                runs[workers, served].append(batch_once(features, out, workers, served))
        medians = {}
        for (workers, served), done in runs.items():
            seconds = statistics.median(r["s"] for r in done)
            medians[workers, served] = seconds
            how = f"dask x{workers}" + (" +dash" if served else "")
            table = done[0]["table"]
            peak = max(r["table"]["peak_rss_mb"].max() for r in done)
            client = max(r["summary"]["client_peak_rss_mb"] for r in done)
            loads = ", ".join(f"{r['load']:.1f}" for r in done)
            times = ", ".join(f"{r['s']:.1f}" for r in done)
            print(
                f"{label:<28} {how:<10} {len(table):>5} {seconds:>8.1f} s {len(table) / seconds:>7.2f}/s "
                f"{loop_s / seconds:>6.2f}x  runs: {times} s (load {loads}); "
                f"peak: worker {peak:.0f} MB, client {client:.0f} MB"
            )
            rows = pd.concat([r["table"] for r in done], ignore_index=True)
            stages = [c for c in STAGES if c in rows]
            print(
                f"{'':<28} {'':<10} per compound, median (sum per run): "
                + ", ".join(f"{c[:-2]} {rows[c].median():.3f} s ({rows[c].sum() / len(done):.1f})" for c in stages)
            )
            phases = pd.DataFrame([r["summary"].get("phases_s", {}) for r in done]).median()
            print(f"{'':<28} {'':<10} client phases, median: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in phases.items()))
        speed_up = medians[1, False] / medians[2, False]
        print(f"{label:<28} two workers / one: {speed_up:.2f}x")
        if dashboard:
            print(f"{label:<28} two workers / one, with the dashboard: "
                  f"{medians[1, True] / medians[2, True]:.2f}x; two workers without / with it: "
                  f"{medians[2, True] / medians[2, False]:.2f}x")
            result(f"batch, {n} compounds, two workers: no dashboard", medians[2, False], "dashboard and profiler",
                   medians[2, True])
        if len(features) and n >= 100:
            result(f"batch, {n} compounds: two workers", medians[2, False], "one worker", medians[1, False],
                   target="≥ 1.8× one worker", met=speed_up >= 1.8)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiles", type=int, default=6, help="copies of the Beijing extracts (19 compounds each)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of 1 and 2 workers")
    parser.add_argument("--no-small", action="store_true", help="skip the shipped extracts alone")
    parser.add_argument("--dashboard", action="store_true", help="also runs that serve the Dask dashboard")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    base = beijing()
    print(f"{'input':<28} {'how':<10} {'n':>5} {'time':>10} {'rate':>9} {'speed-up':>8}")
    if not args.no_small:
        measure("shipped Beijing extracts", base, args.repeats, args.dashboard)
    measure(f"tiled x{args.tiles}", tiled(base, args.tiles), args.repeats, args.dashboard)


if __name__ == "__main__":
    main()
