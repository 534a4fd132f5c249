"""The app's map: build time, HTML size, gate change to new numbers, and drawing in Chromium.

Run: .venv/bin/python bench/bench_app.py
For the demo compound (石科院生活区, 22 assets) and a synthetic compound of 2,000 point assets
inside the demo's boundary, it times:

- building the map and rendering its HTML: ``layers.web.inventory.build_map`` (one data array drawn by
  ``DivMarkers``, clustered above 400 assets) against two folium ways: one ``folium.Marker`` with a
  ``DivIcon``, ``Tooltip`` and ``Popup`` per asset and gate, and the strongest, one ``folium.GeoJson``
  layer of all assets (default markers, the same tooltip and popup from each feature's properties;
  it draws no numbers on the map);
- a gate change, server side, from the click to the new map's HTML: ``apply_edits`` (renumber
  only) + ``build_map`` against rebuilding the inventory from the OSM extract with the new gate
  (the demo) or renumbering and drawing the naive map (2,000 assets);
- with Chromium at /usr/bin/chromium, the time until the markers are on screen for a standalone
  copy of each map (vendored libraries from ``file://``).

Prints medians of alternating runs and the ratio alternative / ours.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from _timing import alternating_s, median_s, result  # noqa: E402

from layers.definitions import ASSETS, BASE_LAYERS, GATES  # noqa: E402
from layers.web import VENDOR_DIR, asset_rows, build_map, escape_text, to_display, use_local_assets  # noqa: E402
from pipeline.core import schema as S  # noqa: E402
from pipeline.inventory.build import GateOverride, Inventory, build_inventory, renumber  # noqa: E402
from pipeline.inventory.gates import MainGate  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402
from pipeline.workspace.edits import Edits, apply_edits  # noqa: E402

DEMO = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
COMPOUND = "way/595108678"
OTHER_GATE = "node/5671590330"
CHROMIUM = Path("/usr/bin/chromium")


def synthetic(inventory: Inventory, n: int) -> Inventory:
    """The demo compound with ``n`` point assets on a grid inside its boundary, categories in turn."""
    poly = inventory.boundary.geometry.iloc[0]
    x0, y0, x1, y1 = poly.bounds
    side = int(np.ceil(np.sqrt(n * 2)))
    grid = [shapely.Point(x, y) for x in np.linspace(x0, x1, side) for y in np.linspace(y0, y1, side)]
    points = [p for p in grid if poly.contains(p)][:n]
    categories = [c.value for c in S.Category]
    assets = gpd.GeoDataFrame(
        {
            S.SOURCE: "osm",
            S.SOURCE_ID: [f"node/{i}" for i in range(len(points))],
            S.NAME: [f"资产{i}" for i in range(len(points))],
            S.CATEGORY: [categories[i % 3] for i in range(len(points))],
            S.KIND: [("park", "parking", "kindergarten")[i % 3] for i in range(len(points))],
            S.INSIDE: True,
        },
        geometry=points,
        crs=inventory.crs,
    )
    return renumber(replace(inventory, assets=assets))


def naive_map(inventory: Inventory) -> folium.Map:
    """The obvious folium map: a GeoJson per layer and one Marker (DivIcon, Tooltip, Popup) per point."""
    outline = to_display(inventory.boundary)
    lon, lat = outline.iloc[0].centroid.x, outline.iloc[0].centroid.y
    m = folium.Map(location=[lat, lon], zoom_start=17, tiles=None)
    for layer in BASE_LAYERS:
        frame = layer.data(inventory)
        if len(frame):
            style = {"color": layer.style.color, "weight": layer.style.weight}
            data = gpd.GeoDataFrame(geometry=frame.geometry, crs=frame.crs).to_crs(S.WGS84)
            folium.GeoJson(data, name=layer.name("zh"), style_function=lambda _, s=style: s).add_to(m)
    gates = folium.FeatureGroup(name=GATES.name("zh")).add_to(m)
    for point, name in zip(to_display(inventory.gates), inventory.gates[S.NAME], strict=True):
        folium.Marker([point.y, point.x], tooltip=folium.Tooltip(escape_text(name))).add_to(gates)
    assets = folium.FeatureGroup(name=ASSETS.name("zh")).add_to(m)
    for lat_, lon_, icon, tip, width, *_ in asset_rows(inventory):
        folium.Marker(
            [lat_, lon_],
            icon=folium.DivIcon(html=icon, icon_size=(width, 22), icon_anchor=(width // 2, 11)),
            tooltip=folium.Tooltip(tip),
            popup=folium.Popup(tip),
        ).add_to(assets)
    folium.LayerControl().add_to(m)
    return m


def geojson_map(inventory: Inventory) -> folium.Map:
    """The strongest folium way: the same base layers, then all assets as one GeoJson layer."""
    outline = to_display(inventory.boundary)
    m = folium.Map(location=[outline.iloc[0].centroid.y, outline.iloc[0].centroid.x], zoom_start=17, tiles=None)
    for layer in BASE_LAYERS:
        frame = layer.data(inventory)
        if len(frame):
            style = {"color": layer.style.color, "weight": layer.style.weight}
            data = gpd.GeoDataFrame(geometry=frame.geometry, crs=frame.crs).to_crs(S.WGS84)
            folium.GeoJson(data, name=layer.name("zh"), style_function=lambda _, s=style: s).add_to(m)
    gates = to_display(inventory.gates)
    folium.GeoJson(
        gpd.GeoDataFrame({"tip": inventory.gates[S.NAME].map(escape_text).to_numpy()}, geometry=gates.to_numpy(), crs=S.WGS84),
        name=GATES.name("zh"),
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
    ).add_to(m)
    rows = asset_rows(inventory)
    assets = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {"tip": tip}}
            for lat, lon, _icon, tip, *_ in rows
        ],
    }
    folium.GeoJson(
        assets,
        name=ASSETS.name("zh"),
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
        popup=folium.GeoJsonPopup(["tip"], labels=False),
    ).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def render(m: folium.Map) -> str:
    return m.get_root().render()


def browser_ms(pages: dict[str, str], repeats: int = 3) -> dict[str, float]:
    """Median milliseconds from navigation to the first marker on screen, per standalone HTML page."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        paths = {}
        for name, html in pages.items():
            paths[name] = Path(folder) / f"{name}.html"
            paths[name].write_text(html, encoding="utf-8")
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(repeats + 1):  # the pages in turn; the first round warms the browser's caches
            for name, path in paths.items():
                page = browser.new_page(viewport={"width": 1000, "height": 700})
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector(".leaflet-marker-icon", state="visible", timeout=60_000)
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                times[name].append((time.perf_counter() - start) * 1000)
                page.close()
        out = {name: statistics.median(t[1:]) for name, t in times.items()}
        browser.close()
    return out


def main() -> None:
    features = read_osm(DEMO)
    demo = build_inventory(features, compound=COMPOUND)
    big = synthetic(demo, 2000)
    print(f"demo: {len(demo.assets)} assets; synthetic: {len(big.assets)} assets\n")
    print(f"{'case':<44} {'ours':>10} {'alternative':>12} {'ratio':>7}")

    def row(case: str, ours: float, alternative: float, unit: str) -> None:
        print(f"{case:<44} {ours:>8.1f}{unit:>2} {alternative:>10.1f}{unit:>2} {alternative / ours:>7.1f}")

    standalone = {}
    for label, inventory, repeats in (("demo", demo, 7), ("2,000 assets", big, 5)):
        timed = alternating_s(
            {
                "ours": lambda inv=inventory: render(build_map(inv)),
                "geojson": lambda inv=inventory: render(geojson_map(inv)),
                "naive": lambda inv=inventory: render(naive_map(inv)),
            },
            repeats=repeats,
        )
        sizes = {
            name: len(render(make(inventory)).encode()) / 1024
            for name, make in (("ours", build_map), ("geojson", geojson_map), ("naive", naive_map))
        }
        row(f"{label}: build + render, vs one Marker each", timed["ours"] * 1000, timed["naive"] * 1000, "ms")
        row(f"{label}: build + render, vs one GeoJson layer", timed["ours"] * 1000, timed["geojson"] * 1000, "ms")
        row(f"{label}: HTML size, vs one Marker each", sizes["ours"], sizes["naive"], "KB")
        row(f"{label}: HTML size, vs one GeoJson layer", sizes["ours"], sizes["geojson"], "KB")
        result(f"map, {label}: build + render", timed["ours"], "one folium GeoJson layer", timed["geojson"])
        standalone[f"{label} ours"] = render(build_map(inventory, vendor_url=VENDOR_DIR.as_uri()))
        standalone[f"{label} geojson"] = render(use_local_assets(geojson_map(inventory), VENDOR_DIR.as_uri()))
        standalone[f"{label} naive"] = render(use_local_assets(naive_map(inventory), VENDOR_DIR.as_uri()))

    gate_row = demo.gates[demo.gates[S.SOURCE_ID] == OTHER_GATE].iloc[0]
    gate = MainGate(gate_row.geometry, OTHER_GATE, gate_row[S.NAME], "user")
    ours_s = median_s(lambda: render(build_map(apply_edits(demo, Edits(COMPOUND), gate=gate))), repeats=7)
    rebuild_s = median_s(
        lambda: render(
            build_map(
                build_inventory(read_osm(DEMO), compound=COMPOUND, gate=GateOverride(source_id=OTHER_GATE))
            )
        ),
        repeats=5,
    )
    row("demo: gate change → new map", ours_s * 1000, rebuild_s * 1000, "ms")
    ours_s = median_s(lambda: render(build_map(apply_edits(big, Edits(COMPOUND), gate=gate))), repeats=5)
    naive_s = median_s(lambda: render(naive_map(apply_edits(big, Edits(COMPOUND), gate=gate))), repeats=5)
    row("2,000 assets: gate change → new map", ours_s * 1000, naive_s * 1000, "ms")
    renumber_s = median_s(lambda: apply_edits(big, Edits(COMPOUND), gate=gate), repeats=7)
    print(f"{'2,000 assets: renumbering alone':<34} {renumber_s * 1000:>8.1f}ms")

    if CHROMIUM.exists():
        print("\nChromium, navigation to markers on screen (standalone HTML, vendored libraries):")
        timings = browser_ms(standalone)
        for label in ("demo", "2,000 assets"):
            row(f"{label}: first paint, vs one Marker each", timings[f"{label} ours"], timings[f"{label} naive"], "ms")
            row(f"{label}: first paint, vs one GeoJson layer", timings[f"{label} ours"], timings[f"{label} geojson"], "ms")
            result(
                f"map, {label}: first paint in Chromium",
                timings[f"{label} ours"] / 1000,
                "one folium GeoJson layer",
                timings[f"{label} geojson"] / 1000,
            )


if __name__ == "__main__":
    main()
