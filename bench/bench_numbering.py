"""Numbering 10^3…10^6 assets: the vectorised kernel versus a plain Python loop.

Run: .venv/bin/python bench/bench_numbering.py
The loop is the obvious way: math.atan2 per asset (polar) or ring.project per asset (perimeter),
then sorted() with a tuple key. Prints medians and the ratio loop / kernel.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from _timing import median_s  # noqa: E402

from pipeline.inventory.numbering import clockwise_ring, compound_centre, locate_on_ring, number_assets  # noqa: E402

# A 64-vertex compound, 400 m across, gate on the south.
ANGLES = np.linspace(0, 2 * np.pi, 65)[:-1]
BOUNDARY = shapely.Polygon(np.c_[200 + 200 * np.cos(ANGLES) * (1 + 0.1 * np.sin(5 * ANGLES)), 200 + 200 * np.sin(ANGLES)])
GATE = shapely.Point(200, 0)


def scene(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(n)
    xy = rng.uniform(0, 400, size=(n, 2))
    return gpd.GeoDataFrame(
        {"source_id": [f"node/{i}" for i in range(n)], "name": "", "category": "facility"},
        geometry=shapely.points(xy), crs="EPSG:32650",
    )


def loop(assets: gpd.GeoDataFrame, method: str) -> list[str]:
    centre = compound_centre(BOUNDARY)
    ring = shapely.LineString(clockwise_ring(BOUNDARY).coords)
    start = ring.project(GATE)
    gate_bearing = math.degrees(math.atan2(GATE.x - centre.x, GATE.y - centre.y)) % 360
    keyed = []
    for sid, point in zip(assets["source_id"], assets.geometry, strict=True):
        if method == "polar":
            bearing = math.degrees(math.atan2(point.x - centre.x, point.y - centre.y)) % 360
            keyed.append((round((bearing - gate_bearing) % 360, 6), round(centre.distance(point), 6), sid))
        else:
            keyed.append((round((ring.project(point) - start) % ring.length, 6), round(ring.distance(point), 6), sid))
    return [k[2] for k in sorted(keyed)]


def perimeter_vs_geos() -> None:
    """The STRtree projection against shapely.line_locate_point on rings of 64 and 1,024 vertices."""
    rng = np.random.default_rng(1)
    xy = rng.uniform(-50, 450, size=(10**5, 2))
    print(f"{'vertices':>8} {'strtree s':>10} {'geos s':>9} {'ratio':>7} {'max diff m':>11}")
    for vertices in (64, 1024):
        angles = np.linspace(0, 2 * np.pi, vertices + 1)[:-1]
        poly = shapely.Polygon(np.c_[200 + 200 * np.cos(angles) * (1 + 0.1 * np.sin(5 * angles)), 200 + 200 * np.sin(angles)])
        ring = clockwise_ring(poly)
        line = shapely.LineString(ring.coords)
        points = shapely.points(xy)
        ours = median_s(lambda r=ring: locate_on_ring(r, xy), repeats=3)  # STRtree from 256 vertices
        geos = median_s(lambda ln=line, pts=points: shapely.line_locate_point(ln, pts), repeats=3)
        diff = np.abs(locate_on_ring(ring, xy)[0] - shapely.line_locate_point(line, points)).max()
        print(f"{vertices:>8} {ours:>10.4f} {geos:>9.4f} {geos / ours:>6.1f}x {diff:>11.2e}")


def main() -> None:
    perimeter_vs_geos()
    print(f"{'n':>8} {'method':<10} {'kernel s':>9} {'loop s':>9} {'ratio':>7}")
    for n in (10**3, 10**4, 10**5, 10**6):
        assets = scene(n)
        repeats = 5 if n <= 10**4 else 3 if n <= 10**5 else 1
        for method in ("polar", "perimeter"):
            kernel = median_s(lambda a=assets, m=method: number_assets(a, BOUNDARY, GATE, method=m), repeats=repeats)
            if n <= 10**5:
                slow = median_s(lambda a=assets, m=method: loop(a, m), repeats=repeats)
                same = loop(assets, method) == list(number_assets(assets, BOUNDARY, GATE, method=method)["source_id"])
                print(f"{n:>8} {method:<10} {kernel:>9.4f} {slow:>9.4f} {slow / kernel:>6.1f}x  same order: {same}")
            else:
                print(f"{n:>8} {method:<10} {kernel:>9.4f} {'(skipped)':>9}")


if __name__ == "__main__":
    main()
