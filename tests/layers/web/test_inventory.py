"""Tests of layers.web.inventory: escaping, offline assets, label layout, base maps, clicks, large compounds."""

from __future__ import annotations

import html
import os
import re
from dataclasses import replace

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.web import (
    VENDOR_DIR,
    asset_rows,
    build_map,
    declutter,
    display_to_wgs84,
    escape_text,
    fit_zoom,
    point_at,
    to_display,
    use_local_assets,
)
from layers.web.elements import LABEL_H, label_width
from layers.web.inventory import CLUSTER_ABOVE
from layers.web.vendor import VENDORED
from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.inventory.build import Inventory, renumber
from tests.helpers.app import PARK, SOUTH_EAST_GATE, marker_labels, markers

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(2)}",
    "`",
    "\\`${alert(3)}`",
    "</script><script>alert(4)</script>",
    "\"quoted\" 'single'",
    "trailing\\",
    "line\nbreak",
    "{{ 7 * 191 }} {% if true %}tpl{% endif %}",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_escaped_text_has_no_markup_or_template_characters(text: str) -> None:
    out = escape_text(text)
    assert not set(out) & set("<>\"'`$\\{}")
    assert html.unescape(out) == text


def test_escape_text_of_missing_values_is_empty() -> None:
    assert escape_text(None) == escape_text(float("nan")) == ""


def test_the_map_loads_nothing_from_the_internet(demo_inventory: Inventory) -> None:
    page = build_map(demo_inventory).get_root().render()
    assert re.findall(r"https?://[^\s\"')]+", page) == []
    for url in re.findall(r'(?:src|href)="(/app/static/vendor/[^"]+)"', page):
        assert (VENDOR_DIR / url.removeprefix("/app/static/vendor/")).is_file()


def test_every_vendored_file_is_shipped() -> None:
    assert [path for path in VENDORED.values() if not (VENDOR_DIR / path).is_file()] == []


def test_an_unvendored_plugin_is_refused() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(m)
    with pytest.raises(
        ValueError, match=r"loads `https://.*leaflet\.draw.*add it to layers\.web\.vendor\.VENDORED"
    ):
        use_local_assets(m)


def test_local_assets_for_a_standalone_file(demo_inventory: Inventory) -> None:
    page = build_map(demo_inventory, vendor_url=VENDOR_DIR.as_uri()).get_root().render()
    assert f'src="{VENDOR_DIR.as_uri()}/leaflet@1.9.3/leaflet.js"' in page


def test_every_asset_and_gate_has_a_marker(demo_inventory: Inventory) -> None:
    m = build_map(demo_inventory)
    assert list(marker_labels(m).values()) == demo_inventory.assets[S.LABEL].tolist()
    gates = markers(m, "gates")
    assert len(gates) == len(demo_inventory.gates)
    assert next(row for row in gates if 'data-main="1"' in row[2])[2].endswith(">主入口</div>")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", ["OSM", "测绘图", "手工添加"]),
        ("en", ["OSM", "Survey", "Added by hand"]),
    ],
)
def test_a_tooltip_says_where_an_asset_came_from_never_its_id(
    demo_inventory: Inventory, lang: str, said
) -> None:
    assets = demo_inventory.assets.copy()
    assets[S.SOURCE] = ([S.SOURCE_OSM, S.SOURCE_SURVEY, S.SOURCE_MANUAL] * len(assets))[: len(assets)]
    tips = [row[3] for row in markers(build_map(replace(demo_inventory, assets=assets), lang=lang), "assets")]
    assert [re.search(r"(?:来源|Source): ([^<]*)<", tip).group(1) for tip in tips[:3]] == said
    for tip, source_id in zip(tips, assets[S.SOURCE_ID], strict=True):
        assert source_id not in tip and "way/" not in tip and "node/" not in tip


def test_names_reach_the_map_escaped(demo_inventory: Inventory) -> None:
    assets = demo_inventory.assets.copy()
    assets[S.NAME] = (PAYLOADS * 3)[: len(assets)]
    m = build_map(replace(demo_inventory, assets=assets))
    page = m.get_root().render()
    for payload in ("<img src=x", "${alert", "</script><script>alert", "`"):
        assert payload not in page
    tips = [row[3] for row in markers(m, "assets")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in tips[0]
    assert "&#36;&#123;alert(2)&#125;" in tips[1]


def test_template_code_in_names_never_runs_on_the_server(demo_inventory: Inventory) -> None:
    """branca renders element output as Jinja a second time: a name must not become template code."""
    payload = "[{{ cycler.__init__.__globals__.os.getpid() }}]"
    assets = demo_inventory.assets.copy()
    assets[S.NAME] = payload
    context = dict(demo_inventory.context)
    context["buildings"] = context["buildings"].assign(name=payload)
    gates = demo_inventory.gates.assign(name="[{{ 7 * 191 }}]")
    page = build_map(replace(demo_inventory, assets=assets, gates=gates, context=context)).get_root().render()
    # Bracketed, so that a process id or 1337 inside a random hex id cannot match by chance.
    assert f"[{os.getpid()}]" not in page
    assert "[1337]" not in page
    assert "cycler.__init__.__globals__.os.getpid()" in page  # shown as text
    assert "{{ cycler" not in page


@pytest.mark.parametrize("size", [(720, 620), (358, 400), (300, 300)])  # desktop, phone, smaller
def test_labels_of_the_demo_do_not_overlap_at_the_opening_zoom(demo_inventory: Inventory, size) -> None:
    anchors = demo_inventory.assets.geometry.representative_point()
    points = to_display(gpd.GeoDataFrame(geometry=anchors, crs=demo_inventory.crs))
    bounds = shapely.union_all([*to_display(demo_inventory.boundary), *points]).bounds
    zoom = fit_zoom(bounds, size)  # as build_map does for the app's map
    rows = asset_rows(demo_inventory, zoom=zoom)
    assert sum(1 for r in rows if r[5] or r[6]) >= 2  # some labels were moved
    lon = np.array([r[1] for r in rows])
    lat = np.radians([r[0] for r in rows])
    scale = 256 * 2.0**zoom
    x = (lon + 180) / 360 * scale + [r[5] for r in rows]
    y = (1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / np.pi) / 2 * scale + [r[6] for r in rows]
    w = np.array([r[4] for r in rows])
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            assert abs(x[i] - x[j]) >= (w[i] + w[j]) / 2 - 0.5 or abs(y[i] - y[j]) >= LABEL_H - 0.5, (i, j)
    # nor a gate (the gates stay where they are; 14 px tall)
    gates = markers(build_map(demo_inventory, size_px=size), "gates")
    glon = np.array([g[1] for g in gates])
    glat = np.radians([g[0] for g in gates])
    gx = (glon + 180) / 360 * scale
    gy = (1 - np.log(np.tan(glat) + 1 / np.cos(glat)) / np.pi) / 2 * scale
    for i in range(len(rows)):
        for k, gate in enumerate(gates):
            assert (
                abs(x[i] - gx[k]) >= (w[i] + gate[4]) / 2 - 0.5
                or abs(y[i] - gy[k]) >= (LABEL_H + 14) / 2 - 0.5
            ), (rows[i][2], k)


def test_declutter_separates_a_pile_and_leaves_loners_alone() -> None:
    """Five labels on one spot and one far away: the pile spreads out, the loner does not move."""
    xy = np.array([[100.0, 100.0]] * 5 + [[400.0, 400.0]])
    widths = np.array([label_width(str(i)) for i in range(6)], dtype=float)
    moved = xy + declutter(xy, widths)
    for i in range(5):
        for j in range(i + 1, 5):
            assert (
                abs(moved[i, 0] - moved[j, 0]) >= LABEL_H - 0.5
                or abs(moved[i, 1] - moved[j, 1]) >= LABEL_H - 0.5
            )
    assert moved[5].tolist() == [400.0, 400.0]


def test_declutter_moves_labels_off_fixed_boxes_and_never_moves_those() -> None:
    """A gate (fixed, 14 px tall) under two labels: the labels leave it, the gate stays."""
    xy = np.array([[100.0, 100.0], [104.0, 100.0], [100.0, 102.0]])
    widths = np.array([14.0, 30.0, 30.0])
    heights = np.array([14.0, LABEL_H, LABEL_H])
    offsets = declutter(xy, widths, heights=heights, fixed=np.array([True, False, False]))
    assert offsets[0].tolist() == [0.0, 0.0]
    moved = xy + offsets
    for i in range(3):
        for j in range(i + 1, 3):
            assert (
                abs(moved[i, 0] - moved[j, 0]) >= (widths[i] + widths[j]) / 2 - 0.5
                or abs(moved[i, 1] - moved[j, 1]) >= (heights[i] + heights[j]) / 2 - 0.5
            ), (i, j)


def test_every_marker_is_handed_to_the_declutter_and_the_map_fits_the_compound(
    demo_inventory: Inventory,
) -> None:
    html = build_map(demo_inventory).get_root().render()
    assert html.count("map._amItems = map._amItems || []") == 2  # gates and assets
    assert "fitBounds" in html and "_amFit" in html
    assert html.count('class="am-legend-box') == 0 and "am-legend-toggle" in html  # one folded legend


def test_gaode_shifts_every_overlay_to_gcj02(demo_inventory: Inventory) -> None:
    wgs = to_display(demo_inventory.gates)
    gcj = to_display(demo_inventory.gates, "gaode")
    shift_m = np.hypot((gcj.x - wgs.x) * 85_300, (gcj.y - wgs.y) * 111_000)
    assert shift_m.between(300, 700).all()  # GCJ-02 moves Beijing by a few hundred metres
    page = build_map(demo_inventory, basemap="gaode").get_root().render()
    assert "autonavi.com" in page
    lon, lat = display_to_wgs84(gcj.x.iloc[0], gcj.y.iloc[0], "gaode")
    assert (lon, lat) == pytest.approx((wgs.x.iloc[0], wgs.y.iloc[0]), abs=1e-6)


def test_tianditu_needs_a_well_formed_key(demo_inventory: Inventory) -> None:
    with pytest.raises(DataError, match="Tianditu key is 32 hexadecimal") as key:
        build_map(demo_inventory, basemap="tianditu", tianditu_key="abc'};alert(1)//")
    assert key.value.text("zh") == (
        "天地图密钥是 32 位十六进制字符：请在 console.tianditu.gov.cn 申请后粘贴，或选择其他底图。"
    )
    with pytest.raises(DataError) as basemap:
        build_map(demo_inventory, basemap="bing")
    assert basemap.value.text("zh") == "未知的底图 `bing`：请使用 none、osm、tianditu、gaode 之一。"
    page = (
        build_map(demo_inventory, basemap="tianditu", tianditu_key="0123456789abcdef" * 2).get_root().render()
    )
    assert "tk=0123456789abcdef0123456789abcdef" in page


def test_a_click_on_a_marker_finds_its_feature(demo_inventory: Inventory) -> None:
    gate = to_display(demo_inventory.gates[demo_inventory.gates[S.SOURCE_ID] == SOUTH_EAST_GATE]).iloc[0]
    i = point_at(demo_inventory.gates, gate.y, gate.x)
    assert demo_inventory.gates[S.SOURCE_ID].iloc[i] == SOUTH_EAST_GATE
    assert point_at(demo_inventory.gates, gate.y + 0.001, gate.x) is None  # 110 m away
    park = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK]
    where = to_display(gpd.GeoDataFrame(geometry=park.geometry.representative_point(), crs=park.crs)).iloc[0]
    assert demo_inventory.assets[S.SOURCE_ID].iloc[point_at(demo_inventory.assets, where.y, where.x)] == PARK


def synthetic(inventory: Inventory, n: int) -> Inventory:
    """The demo compound holding ``n`` point assets on a regular grid inside its boundary."""
    poly = inventory.boundary.geometry.iloc[0]
    x0, y0, x1, y1 = poly.bounds
    side = int(np.ceil(np.sqrt(n * 2)))
    grid = [shapely.Point(x, y) for x in np.linspace(x0, x1, side) for y in np.linspace(y0, y1, side)]
    inside = [p for p in grid if poly.contains(p)][:n]
    categories = [c.value for c in S.Category]
    assets = gpd.GeoDataFrame(
        {
            S.SOURCE: "osm",
            S.SOURCE_ID: [f"node/{i}" for i in range(len(inside))],
            S.NAME: [f"资产{i}" for i in range(len(inside))],
            S.CATEGORY: [categories[i % 3] for i in range(len(inside))],
            S.KIND: [("park", "parking", "kindergarten")[i % 3] for i in range(len(inside))],
            S.INSIDE: True,
        },
        geometry=inside,
        crs=inventory.crs,
    )
    return renumber(replace(inventory, assets=assets))


def _clustered(m: folium.Map) -> bool:
    return any(
        isinstance(e, folium.plugins.MarkerCluster)
        for g in m._children.values()
        for e in g._children.values()
    )


def test_a_large_compound_is_clustered(demo_inventory: Inventory) -> None:
    big = synthetic(demo_inventory, 2000)
    assert len(big.assets) == 2000
    m = build_map(big)
    assert _clustered(m)
    assert len(markers(m, "assets")) == 2000
    assert "/app/static/vendor/leaflet.markercluster@1.1.0/leaflet.markercluster.js" in m.get_root().render()
    assert not _clustered(build_map(synthetic(demo_inventory, CLUSTER_ABOVE)))
