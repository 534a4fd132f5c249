"""Tests of layers.web.spots: escaped rows, blurred cells, heat points, the offline map, clicks and the pin.

Spots are plain :class:`store.records.SpotRecord` objects placed beside the demo compound's park (畅乐园,
number 9 from the detected gate); no database is needed.
"""

from __future__ import annotations

import html
import os
import re
from datetime import datetime

import folium
import geopandas as gpd
import pytest

from layers.web import VENDOR_DIR, DivMarkers, escape_text
from layers.web.spots import (
    CANVAS_ABOVE,
    HIDDEN,
    MINE,
    MIXED_COLOR,
    PLAIN,
    SPOT_COLORS,
    SpotMarkers,
    build_spots_map,
    distance_outside_m,
    heat_points,
    pending_pin,
    spot_rows,
    spots_at,
)
from pipeline.core import schema as S
from pipeline.core.spots import SpotCategory
from pipeline.inventory.build import Inventory
from store.geo import blur_lonlat, spots_frame
from store.records import SpotRecord

PARK = "way/595098643"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "\\`${alert(3)}`",
    "</script><script>alert(4)</script>",
    "\"quoted\" & 'single'",
    "trailing\\",
    "line\nbreak",
    "{{ 7*7 }} {% if true %}IF{% endif %} {# c #}",
]
#: Template code that, rendered as Jinja, prints the server's process id.
SERVER_CODE = "{{ cycler.__init__.__globals__.os.getpid() }}"
ALLOWED_TAGS = {"b", "br", "div", "span"}


def _park(inventory: Inventory) -> tuple[float, float]:
    park = inventory.assets[inventory.assets[S.SOURCE_ID] == PARK]
    point = gpd.GeoSeries(park.geometry.representative_point(), crs=inventory.crs).to_crs(S.WGS84).iloc[0]
    return point.x, point.y


def _record(i: int, lon: float, lat: float, text: str = "路灯坏了", **changes: object) -> SpotRecord:
    values: dict[str, object] = {
        "id": i,
        "compound_id": "way/595108678",
        "lon": lon,
        "lat": lat,
        "category": "lighting",
        "text": text,
        "author": f"居民{i}",
        "status": "open",
        "supports": 0,
        "has_photo": False,
        "origin": "web",
        "created_at": datetime(2025, 5, 1, 8, 0),
        "updated_at": datetime(2025, 5, 1, 8, 0),
        "near_label": "9",
        "near_name": "畅乐园",
    }
    values.update(changes)
    return SpotRecord(**values)  # type: ignore[arg-type]


def _text_of(fragment: str) -> str:
    """The text a browser shows for an HTML fragment: tags dropped, references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_resident_string_is_escaped_once_and_reads_back(payload: str) -> None:
    frame = spots_frame([_record(1, 116.35, 39.998, payload, author=payload)], lang="en")
    [row] = spot_rows(frame, lang="en")
    for fragment in (row[4], row[5]):
        assert not set(fragment) & set("`$\\")
        assert {tag.lower() for tag in re.findall(r"</?([A-Za-z]+)", fragment)} <= ALLOWED_TAGS
    assert escape_text(payload) in row[5]
    text_div = re.search(r'<div class="sp-text">(.*?)</div>', row[5], re.DOTALL)
    assert text_div is not None and html.unescape(text_div.group(1)) == payload
    assert f"— {payload} · 0 supporting" in _text_of(row[5])


def test_a_long_text_is_cut_in_the_tooltip_and_whole_in_the_popup() -> None:
    text = "长" * 120 + "<b>"
    frame = spots_frame([_record(1, 116.35, 39.998, text)])
    [row] = spot_rows(frame)
    assert "长" * 79 + "…" in _text_of(row[4]) and "<b>" not in _text_of(row[4])
    assert text in _text_of(row[5])


def test_spots_sharing_a_blurred_cell_are_one_marker_listing_them_all(demo_inventory: Inventory) -> None:
    """Three spots 3 m apart snap to one 50 m cell; a fourth 200 m east is alone.

    The cell's marker lists #1, #2, #3 in its popup (with the blur note) and counts them in the tooltip.
    """
    lon, lat = _park(demo_inventory)
    records = [
        _record(1, lon, lat, "一"),
        _record(2, lon + 0.00003, lat, "二", category="parking"),
        _record(3, lon, lat + 0.00003, "三"),
        _record(4, lon + 0.0024, lat, "四"),
    ]
    blurred = spots_frame(records, blur_m=50, crs=demo_inventory.crs)
    rows = spot_rows(blurred, blurred_m=50)
    assert [row[7] for row in rows] == [[1, 2, 3], [4]]
    cell = rows[0]
    assert cell[2] == MIXED_COLOR and cell[3] > rows[1][3]
    assert "此处 3 个问题点" in _text_of(cell[4]) and "照明 2 · 停车 1" in _text_of(cell[4])
    shown = _text_of(cell[5])
    assert shown.startswith("位置已模糊到 50 米网格")
    assert all(word in shown for word in ("一", "二", "三", "近 9 · 畅乐园"))
    x, y = blur_lonlat([lon], [lat], cell_m=50, crs=demo_inventory.crs)
    assert (cell[0], cell[1]) == pytest.approx((y[0], x[0]), abs=1e-7)
    exact = spot_rows(spots_frame(records))
    assert [row[7] for row in exact] == [[1], [2], [3], [4]]
    assert (
        exact[0][2] == SPOT_COLORS[SpotCategory.LIGHTING] and exact[1][2] == SPOT_COLORS[SpotCategory.PARKING]
    )


def test_own_and_hidden_spots_are_drawn_apart() -> None:
    records = [
        _record(1, 116.35, 39.998),
        _record(2, 116.351, 39.998, status="hidden"),
        _record(3, 116.352, 39.998),
    ]
    frame = spots_frame(records)
    frame["mine"] = [False, False, True]
    rows = spot_rows(frame)
    assert [row[6] for row in rows] == [PLAIN, HIDDEN, MINE]
    assert "已隐藏" in _text_of(rows[1][5]) and "我的" in _text_of(rows[2][5])


def test_heat_points_weigh_supports_and_leave_hidden_spots_out() -> None:
    records = [
        _record(1, 116.35, 39.998, supports=3),
        _record(2, 116.351, 39.998),
        _record(3, 116.352, 39.998, status="hidden", supports=9),
    ]
    assert heat_points(spots_frame(records)) == [[39.998, 116.35, 1.0], [39.998, 116.351, 0.25]]
    assert heat_points(spots_frame([])) == []


def test_the_spots_map_is_offline_and_names_its_layers_before_the_control(demo_inventory: Inventory) -> None:
    lon, lat = _park(demo_inventory)
    frame = spots_frame([_record(i + 1, lon + i * 0.0003, lat, p) for i, p in enumerate(PAYLOADS)])
    m = build_spots_map(demo_inventory, frame, heat=True, pending=(lon, lat))
    page = m.get_root().render()
    assert re.findall(r"https?://[^\s\"')]+", page) == []
    assert 'src="/app/static/vendor/leaflet-heat@folium-0.20.0/leaflet_heat.min.js"' in page
    for url in re.findall(r'(?:src|href)="(/app/static/vendor/[^"]+)"', page):
        assert (VENDOR_DIR / url.removeprefix("/app/static/vendor/")).is_file()
    for payload in PAYLOADS[:5]:
        assert payload not in page
    assert PAYLOADS[-1] not in page  # template code is escaped like any markup: {{ never reaches Jinja
    assert page.count("7*7") == 2  # and stays text, in the tooltip and the popup
    heat = next(e for e in m._children.values() if isinstance(e, folium.plugins.HeatMap))
    assert heat.show and len(heat.data) == len(PAYLOADS)
    groups = [e for e in m._children.values() if isinstance(e, folium.FeatureGroup)]
    spots_group = next(g for g in groups if any(isinstance(c, SpotMarkers) for c in g._children.values()))
    assert not spots_group.show
    assert page.index(f"var {spots_group.get_name()} =") < page.index("L.control.layers(")
    assert isinstance(list(m._children.values())[-1], folium.LayerControl)


def test_spot_colours_join_the_one_folded_legend_and_the_map_has_an_add_button(
    demo_inventory: Inventory,
) -> None:
    lon, lat = _park(demo_inventory)
    frame = spots_frame([_record(1, lon, lat, "路灯坏了")])
    page = build_spots_map(demo_inventory, frame, lang="en").get_root().render()
    assert page.count("L.DomUtil.create('a', 'am-legend-toggle'") == 1  # one legend control
    assert page.count("L.control(") == 3  # the legend, the add button and the location button
    legend = page.split("L.DomUtil.create('a', 'am-legend-toggle'")[1].split("control.addTo(")[0]
    assert "sp-legend" in legend and "Residents\\u0026#x27; spots" in legend
    assert "L.control({position: 'bottomleft'})" in page and "+ Mark a spot" in page
    assert page.count("map._amItems = map._amItems || []") == 3  # gates, assets and spots are decluttered
    plain = build_spots_map(demo_inventory, frame, heat=True).get_root().render()
    assert "居民问题点 (" not in plain  # no colours to name when the heat map is shown


def test_a_map_without_spots_has_no_spot_layers(demo_inventory: Inventory) -> None:
    m = build_spots_map(demo_inventory, spots_frame([]))
    assert not any(isinstance(e, folium.plugins.HeatMap) for e in m._children.values())
    assert "SpotMarkers" not in {type(e).__name__ for g in m._children.values() for e in g._children.values()}


def test_thousands_of_spots_are_painted_on_a_canvas() -> None:
    few = SpotMarkers([[0, 0, "#000", 6, "", "", 0, [1]]])
    many = SpotMarkers([[0, 0, "#000", 6, "", "", 0, [i]] for i in range(CANVAS_ABOVE + 1)])
    assert (few.canvas_json, many.canvas_json) == ("false", "true")
    with pytest.raises(ValueError, match="must be added to a folium map"):
        _ = few.map_name


def test_a_click_on_a_marker_finds_its_spots() -> None:
    records = [_record(1, 116.35, 39.998), _record(2, 116.35, 39.998), _record(3, 116.3503, 39.998)]
    frame = spots_frame(records)
    assert spots_at(frame, 39.998, 116.35) == [1, 2]
    assert spots_at(frame, 39.998, 116.3503) == [3]
    assert spots_at(frame, 39.999, 116.35) == []
    assert spots_at(spots_frame([]), 39.998, 116.35) == []


def test_the_pin_of_a_new_spot_is_a_group_of_its_own() -> None:
    pin = pending_pin((116.35, 39.998), lang="en")
    [marker] = [e for e in pin._children.values() if isinstance(e, DivMarkers)]
    assert marker.rows[0][:2] == [39.998, 116.35]
    assert marker.rows[0][3] == "Place of the new spot" and not pin.control


def test_distance_outside_the_compound(demo_inventory: Inventory) -> None:
    lon, lat = _park(demo_inventory)
    assert distance_outside_m(demo_inventory, lon, lat) == 0.0
    west, south, _, _ = demo_inventory.boundary.to_crs(S.WGS84).total_bounds
    assert distance_outside_m(demo_inventory, west - 0.002, south - 0.002) > 150


def test_template_code_in_a_spot_is_never_run_on_the_server(demo_inventory: Inventory) -> None:
    """branca renders each element's output once more as a Jinja template; spot markers opt out of that."""
    import streamlit_folium

    lon, lat = _park(demo_inventory)
    frame = spots_frame([_record(1, lon, lat, SERVER_CODE, author=SERVER_CODE)])
    m = build_spots_map(demo_inventory, frame)
    page = m.get_root().render()
    assert SERVER_CODE not in page  # escaped
    assert page.count("cycler.__init__.__globals__.os.getpid()") == 3  # tooltip, popup and pseudonym, as text
    assert f"\\u003e{os.getpid()}\\u003c" not in page
    script = streamlit_folium._get_map_string(m)  # what the app's map component runs
    assert "cycler.__init__" in script
