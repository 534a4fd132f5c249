"""City scale: compounds per second, sequential `build` in a loop versus the Dask batch.

Run: .venv/bin/python bench/bench_batch.py [--tiles 26]
Two inputs: the three shipped Beijing extracts (19 compounds), and a larger city made by tiling
them side by side (26 tiles ≈ 500 compounds). For each: a plain loop doing the batch's work per
compound (inventory, coverage, files) one after another, the batch with 1 worker, and with 2
workers; compounds/s, the speed-up over the loop, the peak memory of the busiest worker and of the
client, and per stage (the client cutting neighbourhoods; a worker building, writing, measuring
coverage) the median and total seconds. One run each (these take minutes).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

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


def measure(label: str, features: gpd.GeoDataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        n = loop(features, Path(tmp) / "loop")
        loop_s = time.perf_counter() - start
        print(f"{label:<28} {'loop':<10} {n:>5} {loop_s:>8.1f} s {n / loop_s:>7.2f}/s {'1.00x':>7}")
        for workers in (1, 2):
            out = Path(tmp) / f"batch{workers}"
            start = time.perf_counter()
            table = run_batch(features, out, workers=workers)
            seconds = time.perf_counter() - start
            peak = table["peak_rss_mb"].max()
            client = json.loads((out / "batch.json").read_text(encoding="utf-8"))["client_peak_rss_mb"]
            print(f"{label:<28} {f'dask x{workers}':<10} {len(table):>5} {seconds:>8.1f} s {len(table) / seconds:>7.2f}/s "
                  f"{loop_s / seconds:>6.2f}x  peak: worker {peak:.0f} MB, client {client:.0f} MB")
            stages = [c for c in ("cut_s", "build_s", "write_s", "coverage_s") if c in table]
            print(f"{'':<28} {'':<10} per compound, median (sum): "
                  + ", ".join(f"{c[:-2]} {table[c].median():.3f} s ({table[c].sum():.1f})" for c in stages))
            shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiles", type=int, default=26, help="copies of the Beijing extracts (19 compounds each)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    base = beijing()
    print(f"{'input':<28} {'how':<10} {'n':>5} {'time':>10} {'rate':>9} {'speed-up':>8}")
    measure("shipped Beijing extracts", base)
    measure(f"tiled x{args.tiles}", tiled(base, args.tiles))


if __name__ == "__main__":
    main()
