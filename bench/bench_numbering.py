"""Numbering 10^3…10^6 assets: the vectorised kernel versus a plain Python loop, perimeter versus polar.

Run: .venv/bin/python bench/bench_numbering.py [--quick]
Three tables, medians:
1. the perimeter walk's nearest-point search (``locate_on_ring``) against ``shapely.line_locate_point``
   and against the STRtree search it replaced, on rings of 64 to 1,024 vertices (10^5 points);
2. ``number_assets`` with the perimeter method against the polar method on the same input, 10^3 to
   10^6 assets on a 1,000-vertex boundary, with the ratio perimeter / polar;
3. the kernel against the obvious loop (math.atan2 or ring.project per asset, then sorted()), on a
   64-vertex boundary.
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
from _timing import alternating_s, median_s, result  # noqa: E402

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


def boundary(vertices: int) -> shapely.Polygon:
    """The benchmark's compound drawn with ``vertices`` vertices."""
    angles = np.linspace(0, 2 * np.pi, vertices + 1)[:-1]
    return shapely.Polygon(np.c_[200 + 200 * np.cos(angles) * (1 + 0.1 * np.sin(5 * angles)), 200 + 200 * np.sin(angles)])


def strtree_locate(ring: shapely.LinearRing, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The search ``locate_on_ring`` used before on 256+ vertex rings: an STRtree of the segments."""
    coords = shapely.get_coordinates(ring)
    a, b = coords[:-1], coords[1:]
    seg_len = np.hypot(*(b - a).T)
    offset = np.r_[0.0, np.cumsum(seg_len)[:-1]]
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    (point_idx, seg_idx), dist = tree.query_nearest(shapely.points(xy), all_matches=True, return_distance=True)
    first = np.lexsort((seg_idx, point_idx))
    point_idx, seg_idx, dist = point_idx[first], seg_idx[first], dist[first]
    keep = np.r_[True, point_idx[1:] != point_idx[:-1]]
    point_idx, seg_idx, dist = point_idx[keep], seg_idx[keep], dist[keep]
    d = b[seg_idx] - a[seg_idx]
    p = xy[point_idx] - a[seg_idx]
    length2 = np.einsum("ij,ij->i", d, d)
    t = np.clip(np.einsum("ij,ij->i", p, d) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    along = np.empty(len(xy))
    near = np.empty(len(xy))
    along[point_idx] = offset[seg_idx] + t * seg_len[seg_idx]
    near[point_idx] = dist
    return along, near


def perimeter_vs_geos(quick: bool) -> None:
    """The ring search against shapely.line_locate_point and the earlier STRtree search."""
    rng = np.random.default_rng(1)
    xy = rng.uniform(-50, 450, size=(10**4 if quick else 10**5, 2))
    print(f"{len(xy)} points; 'same' = equal to line_locate_point bit for bit")
    print(f"{'vertices':>8} {'ours s':>9} {'geos s':>9} {'strtree s':>10} {'geos/ours':>10} {'strtree/ours':>13} {'same':>5}")
    for vertices in (64, 256, 1024):
        ring = clockwise_ring(boundary(vertices))
        line = shapely.LineString(ring.coords)
        points = shapely.points(xy)
        ours = median_s(lambda r=ring: locate_on_ring(r, xy), repeats=3)
        geos = median_s(lambda ln=line, pts=points: shapely.line_locate_point(ln, pts), repeats=3)
        tree = median_s(lambda r=ring: strtree_locate(r, xy), repeats=3)
        same = bool(np.array_equal(locate_on_ring(ring, xy)[0], shapely.line_locate_point(line, points)))
        print(f"{vertices:>8} {ours:>9.4f} {geos:>9.4f} {tree:>10.4f} {geos / ours:>9.1f}x {tree / ours:>12.1f}x {same!s:>5}")


def perimeter_vs_polar(quick: bool) -> None:
    """number_assets, perimeter against polar, same assets, same 1,000-vertex boundary."""
    poly = boundary(1000)
    print("\nnumber_assets on a 1,000-vertex boundary, same assets for both methods")
    print(f"{'n':>8} {'polar s':>9} {'perimeter s':>12} {'perimeter/polar':>16}")
    for n in (10**3, 10**4, 10**5) if quick else (10**3, 10**4, 10**5, 10**6):
        assets = scene(n)
        repeats = 5 if n <= 10**5 else 3
        timed = alternating_s(
            {
                "polar": lambda a=assets: number_assets(a, poly, GATE, method="polar"),
                "perimeter": lambda a=assets: number_assets(a, poly, GATE, method="perimeter"),
            },
            repeats=repeats,
        )
        polar, perimeter = timed["polar"], timed["perimeter"]
        print(f"{n:>8} {polar:>9.4f} {perimeter:>12.4f} {perimeter / polar:>15.2f}x", flush=True)
    if not quick:
        result(
            "perimeter numbering, 10^6 assets, 1,000-vertex boundary",
            perimeter,
            "polar numbering, same input",
            polar,
            target="< 1 s and ≤ 1.25× polar",
            met=perimeter < 1 and perimeter <= 1.25 * polar,
        )


def main() -> None:
    quick = "--quick" in sys.argv
    perimeter_vs_geos(quick)
    perimeter_vs_polar(quick)
    print("\nagainst a Python loop, 64-vertex boundary")
    print(f"{'n':>8} {'method':<10} {'kernel s':>9} {'loop s':>9} {'ratio':>7}")
    for n in (10**3, 10**4) if quick else (10**3, 10**4, 10**5, 10**6):
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
