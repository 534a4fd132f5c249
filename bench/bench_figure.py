"""Layout figure: render times, and how label placement grows with the number of labels.

1. The demo compound 石科院生活区 (22 assets) as an A3 PDF, and a synthetic compound with 300 assets
   (random points inside the demo's boundary), from inventory to file.
2. Label placement alone on the label inputs the A3 page really produces (anchors, text sizes, frame, in
   points) for 25…300 labels: :func:`layers.figure.labels.place_labels` against adjustText (the obvious
   alternative) and against no placement (labels centred on their symbols). Overlaps are counted after
   each: label–label pairs plus label–symbol pairs.

Medians over repeats; ratios adjustText / ours.

    python bench/bench_figure.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from adjustText import adjust_text  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import layers.figure.layout as F  # noqa: E402
from pipeline import schema as S  # noqa: E402
from pipeline.inventory.build import Inventory, build_inventory, read_inventory, write_inventory  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402

DEMO_OSM = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
COUNTS = (25, 50, 100, 200, 300)
KINDS = {
    S.Category.PUBLIC_SPACE: "park",
    S.Category.FACILITY: "parking",
    S.Category.INSTITUTION: "kindergarten",
}


def demo_inventory(folder: Path) -> Inventory:
    """Build the demo inventory into ``folder`` with the pipeline's functions and read it back."""
    return read_inventory(
        write_inventory(build_inventory(read_osm(DEMO_OSM), compound="way/595108678"), folder)
    )


def synthetic(inventory: Inventory, n: int, seed: int = 0) -> Inventory:
    """The demo compound with ``n`` point assets scattered inside its boundary, numbered 1..n."""
    rng = np.random.default_rng(seed)
    poly = inventory.boundary.geometry.iloc[0]
    x0, y0, x1, y1 = poly.bounds
    points: list[shapely.Point] = []
    while len(points) < n:
        p = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if poly.contains(p):
            points.append(p)
    cats = [S.Category(c) for c in rng.choice([c.value for c in S.Category], n)]
    assets = gpd.GeoDataFrame(
        {
            S.SEQ: np.arange(1, n + 1),
            S.LABEL: [str(i) for i in range(1, n + 1)],
            S.CATEGORY: [c.value for c in cats],
            S.KIND: [KINDS[c] for c in cats],
            S.NAME: [f"设施{i}" for i in range(1, n + 1)],
            S.SOURCE: "osm",
            S.SOURCE_ID: [f"node/{i}" for i in range(n)],
            S.INSIDE: True,
        },
        geometry=points,
        crs=inventory.crs,
    )
    return replace(inventory, assets=assets)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def render(inventory: Inventory, path: Path) -> None:
    fig, _ = F.plot_layout(inventory, paper="A3", lang="zh")
    F.save_figure(fig, path, dpi=300)


def label_inputs(inventory: Inventory) -> dict:
    """The arguments the A3 page passes to ``place_labels`` (captured from a real render)."""
    captured: dict = {}
    original = F.place_labels

    def record(anchors, sizes, **kwargs):
        captured.update(anchors=anchors, sizes=sizes, **kwargs)
        return original(anchors, sizes, **kwargs)

    F.place_labels = record
    try:
        F.plot_layout(inventory, paper="A3", lang="zh")
    finally:
        F.place_labels = original
    return captured


def overlaps(boxes: np.ndarray, symbols: np.ndarray) -> int:
    """Label pairs that intersect plus label–symbol pairs that intersect (boxes x0, y0, x1, y1)."""
    count = 0
    for a, b in itertools.combinations(boxes, 2):
        count += bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    for box in boxes:
        count += int(
            (
                (box[0] < symbols[:, 2])
                & (symbols[:, 0] < box[2])
                & (box[1] < symbols[:, 3])
                & (symbols[:, 1] < box[3])
            ).sum()
        )
    return count


def run_adjust_text(args: dict) -> np.ndarray:
    """Place the same labels with adjustText on an axes whose data units are points; return the boxes."""
    x0, y0, x1, y1 = args["frame"]
    fig = Figure(figsize=((x1 - x0) / 72, (y1 - y0) / 72), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    anchors, sizes = args["anchors"], args["sizes"]
    ax.scatter(anchors[:, 0], anchors[:, 1], s=(2 * np.asarray(args["radius"])) ** 2, marker="s")
    texts = [ax.text(x, y, "", ha="center", va="center") for x, y in anchors]
    for text, (w, h) in zip(texts, sizes, strict=True):
        # A box of the label's measured size stands in for its glyphs.
        text.set_text("8" * max(1, round(w / 6)))
        text.set_fontsize(h / 1.45)
    adjust_text(texts, x=anchors[:, 0], y=anchors[:, 1], ax=ax, arrowprops={"arrowstyle": "-", "lw": 0.5})
    canvas.draw()
    renderer = canvas.get_renderer()
    return np.array([t.get_window_extent(renderer).extents for t in texts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as tmp:
        inventory = demo_inventory(Path(tmp) / "demo")
        print("Render to file (A3, zh, 300 dpi), median of", repeats)
        demo = median_time(lambda: render(inventory, Path(tmp) / "demo.pdf"), repeats)
        print(f"  demo, {len(inventory.assets)} assets, PDF: {demo:6.2f} s")
        big = synthetic(inventory, 300)
        for fmt in ("pdf", "png"):
            t = median_time(lambda fmt=fmt: render(big, Path(tmp) / f"big.{fmt}"), repeats)
            print(f"  synthetic, 300 assets, {fmt.upper()}: {t:6.2f} s")
    print("\nLabel placement on the A3 page's real inputs (points), median of", repeats)
    print(
        f"  {'labels':>6} {'ours s':>8} {'overlaps':>8} {'adjustText s':>13} {'overlaps':>8} {'ratio':>6} {'none: overlaps':>15}"
    )
    for n in COUNTS:
        args = label_inputs(synthetic(inventory, n))
        kwargs = {k: v for k, v in args.items() if k not in ("anchors", "sizes")}
        ours = median_time(
            lambda args=args, kwargs=kwargs: F.place_labels(args["anchors"], args["sizes"], **kwargs), repeats
        )
        placement = F.place_labels(args["anchors"], args["sizes"], **kwargs)
        radius = np.broadcast_to(np.asarray(args["radius"], float), (len(args["anchors"]),))[:, None]
        symbols = np.column_stack([args["anchors"] - radius, args["anchors"] + radius])
        ours_overlaps = overlaps(placement.boxes, symbols)
        start = time.perf_counter()
        adjusted = run_adjust_text(args)
        adjust = time.perf_counter() - start
        adjust_overlaps = overlaps(adjusted, symbols)
        centred = np.column_stack([args["anchors"] - args["sizes"] / 2, args["anchors"] + args["sizes"] / 2])
        print(
            f"  {len(args['anchors']):>6} {ours:>8.3f} {ours_overlaps:>8} {adjust:>13.3f} {adjust_overlaps:>8} "
            f"{adjust / ours:>6.1f} {overlaps(centred, symbols):>15}"
        )
    print("\n(labels include the gate labels; adjustText timed once per size, it is slow and deterministic)")


if __name__ == "__main__":
    main()
