"""Drawing 5,000 residents' spots on the compound's map: build time, HTML size, and drawing in Chromium.

Run: .venv/bin/python bench/bench_spots_map.py
On the demo compound (石科院生活区), 5,000 spots at random places inside its boundary (fixed seed), in the
eleven categories in turn, each with 20–120 characters of Chinese text that includes ``<``, ``$`` and a
backtick, it times:

- building the map and rendering its HTML: ``layers.web.spots.build_spots_map`` (one data array turned
  into ``L.circleMarker``s by a few lines of JavaScript, painted on a canvas above 1,000 markers) against
  the obvious folium way, ``layers.web.inventory.build_map`` plus one ``folium.Marker`` with an escaped ``Tooltip``
  and ``Popup`` per spot; both with exact places (the planner's map). The public map, blurred to the 50 m
  grid (one marker per cell), is timed too;
- the base map alone (the same for both), for reference;
- with Chromium at /usr/bin/chromium, the time from navigation until every spot is on the map, for a
  standalone copy of each map (vendored libraries from ``file://``).

Prints medians and the ratio alternative / ours.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from _timing import median_s  # noqa: E402

from layers.web import VENDOR_DIR, build_map, escape_text, use_local_assets  # noqa: E402
from layers.web.spots import TIP_CHARS, build_spots_map, move_layer_control_last  # noqa: E402
from pipeline.core import schema as S  # noqa: E402
from pipeline.core.spots import SpotCategory  # noqa: E402
from pipeline.inventory.build import Inventory, build_inventory  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402
from store.geo import spots_frame  # noqa: E402
from store.records import SpotRecord  # noqa: E402

DEMO = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
COMPOUND = "way/595108678"
N_SPOTS = 5000
CHROMIUM = Path("/usr/bin/chromium")
WORDS = "路灯不亮晚上很暗停车占用消防通道路面破损积水垃圾桶满了没有座椅台阶没有坡道噪音太大绿地被占"


def synthetic_spots(inventory: Inventory, n: int, seed: int = 7) -> list[SpotRecord]:
    """``n`` spots at random places inside the compound, categories in turn, text with markup characters."""
    rng = np.random.default_rng(seed)
    poly = inventory.boundary.geometry.iloc[0]
    x0, y0, x1, y1 = poly.bounds
    points: list[shapely.Point] = []
    while len(points) < n:
        xs, ys = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        points += [p for p in shapely.points(xs, ys) if poly.contains(p)]
    lonlat = gpd.GeoSeries(points[:n], crs=inventory.crs).to_crs(S.WGS84)
    categories = list(SpotCategory)
    now = datetime(2025, 5, 1, 8, 0)
    spots = []
    for i, point in enumerate(lonlat):
        length = int(rng.integers(20, 120))
        start = int(rng.integers(0, len(WORDS) - 20))
        text = (WORDS[start:] * 8)[:length] + f" <{i}> ${{x}} `"
        spots.append(
            SpotRecord(
                id=i + 1,
                compound_id=COMPOUND,
                lon=round(point.x, 7),
                lat=round(point.y, 7),
                category=categories[i % len(categories)].value,
                text=text,
                author=f"居民{i % 300}",
                status="open",
                supports=int(rng.integers(0, 12)),
                has_photo=False,
                origin="web",
                created_at=now,
                updated_at=now,
            )
        )
    return spots


def naive_map(inventory: Inventory, frame: gpd.GeoDataFrame, vendor_url: str | None = None) -> folium.Map:
    """The obvious way: the same base map, then one folium Marker with an escaped Tooltip and Popup per spot."""
    m = build_map(inventory) if vendor_url is None else build_map(inventory, vendor_url=vendor_url)
    group = folium.FeatureGroup(name="居民问题点").add_to(m)
    for row in frame.itertuples(index=False):
        text = row.text if len(row.text) <= TIP_CHARS else row.text[: TIP_CHARS - 1] + "…"
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            tooltip=folium.Tooltip(
                f"<b>#{row.id}</b> {escape_text(row.category_label)}<br>{escape_text(text)}"
            ),
            popup=folium.Popup(
                f"<b>#{row.id}</b> {escape_text(row.category_label)}<br>{escape_text(row.text)}"
                f"<br>— {escape_text(row.author)} · {row.supports} 人支持",
                max_width=320,
            ),
        ).add_to(group)
    move_layer_control_last(m)  # else the control's script meets an undefined layer and the map stops
    return m if vendor_url is None else use_local_assets(m, vendor_url)


def render(m: folium.Map) -> str:
    return m.get_root().render()


def browser_ms(pages: dict[str, tuple[str, str]], repeats: int = 3) -> dict[str, float]:
    """Median milliseconds from navigation until ``check`` (JavaScript) is true, per standalone HTML page."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for name, (html, check) in pages.items():
            path = Path(folder) / f"{name}.html"
            path.write_text(html, encoding="utf-8")
            times = []
            for _ in range(repeats + 1):  # the first load warms the browser's caches and is dropped
                page = browser.new_page(viewport={"width": 1000, "height": 700})
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function(check, timeout=120_000, polling=50)
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                times.append((time.perf_counter() - start) * 1000)
                page.close()
            out[name] = statistics.median(times[1:])
        browser.close()
    return out


def main() -> None:
    inventory = build_inventory(read_osm(DEMO), compound=COMPOUND)
    spots = synthetic_spots(inventory, N_SPOTS)
    exact = spots_frame(spots)
    blurred = spots_frame(spots, blur_m=50, crs=inventory.crs)
    cells = len({(round(p.x, 7), round(p.y, 7)) for p in blurred.geometry})
    print(f"demo compound, {len(spots):,} spots; blurred to 50 m: {cells} cells\n")
    print(f"{'case':<44} {'ours':>10} {'alternative':>12} {'ratio':>7}")

    def row(case: str, ours: float, alternative: float, unit: str) -> None:
        print(f"{case:<44} {ours:>8.1f}{unit:>2} {alternative:>10.1f}{unit:>2} {alternative / ours:>7.1f}")

    base_s = median_s(lambda: render(build_map(inventory)), repeats=5)
    ours_s = median_s(lambda: render(build_spots_map(inventory, exact)), repeats=5)
    naive_s = median_s(lambda: render(naive_map(inventory, exact)), repeats=3)
    row("5,000 spots, exact: build + render map", ours_s * 1000, naive_s * 1000, "ms")
    ours_kb = len(render(build_spots_map(inventory, exact)).encode()) / 1024
    naive_kb = len(render(naive_map(inventory, exact)).encode()) / 1024
    row("5,000 spots, exact: HTML size", ours_kb, naive_kb, "KB")
    base_kb = len(render(build_map(inventory)).encode()) / 1024
    blur_s = median_s(lambda: render(build_spots_map(inventory, blurred, blurred_m=50)), repeats=5)
    blur_kb = len(render(build_spots_map(inventory, blurred, blurred_m=50)).encode()) / 1024
    print(f"{'5,000 spots, blurred (public map): ours':<44} {blur_s * 1000:>8.1f}ms {blur_kb:>10.1f}KB")
    print(f"{'base map alone (in both)':<44} {base_s * 1000:>8.1f}ms {base_kb:>10.1f}KB")
    spots_only = (ours_s - base_s) * 1000, (naive_s - base_s) * 1000
    row("5,000 spots, exact: the spots' part", spots_only[0], spots_only[1], "ms")

    if CHROMIUM.exists():
        print("\nChromium, navigation to every spot on the map (standalone HTML, vendored libraries):")
        uri = VENDOR_DIR.as_uri()
        ours_check = (
            "() => typeof L !== 'undefined' && Object.values(window).some(v => v instanceof L.Map && "
            f"Object.values(v._layers).filter(l => l.spotIds).length === {N_SPOTS})"
        )
        icons = N_SPOTS + len(inventory.assets) + len(inventory.gates)
        naive_check = f"() => document.querySelectorAll('.leaflet-marker-icon').length >= {icons}"
        timings = browser_ms(
            {
                "ours": (render(build_spots_map(inventory, exact, vendor_url=uri)), ours_check),
                "naive": (render(naive_map(inventory, exact, vendor_url=uri)), naive_check),
            }
        )
        row("5,000 spots, exact: on screen", timings["ours"], timings["naive"], "ms")


if __name__ == "__main__":
    main()
