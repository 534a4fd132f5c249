"""Residents' problem spots on the web map: a marker layer, a heat map and the new spot's pin.

The spots are drawn over the compound's map from :func:`layers.web.inventory.build_map`, from a frame made by
:func:`store.geo.spots_frame` (WGS-84 points with ``id``, ``category``, ``category_label``, ``text``,
``author``, ``supports``, ``status``, ``near``, ``created_at``; optionally ``mine``).

- **Escaping.** Spot text and pseudonyms are the most dangerous strings the app shows
  (docs/reliability.md). Every one goes through :func:`layers.web.html.escape_text`, the project's one
  escaping function, and reaches the page inside script-safe JSON; the text is kept whole (newlines are
  shown by CSS ``white-space: pre-wrap``, not turned into markup), so it reads back exactly.
- **Blurring.** On the public map the frame's points are already snapped to a grid
  (``spots_frame(blur_m=...)``). Spots that share a cell are drawn as one marker whose popup lists them
  all, so the marker says nothing finer than the cell; planners get one marker per spot at its exact place.
- **One data array.** Markers are ``L.circleMarker`` made by a few lines of JavaScript from one compact
  array (:class:`SpotMarkers`), not one folium ``Marker`` per spot: for 5,000 spots the HTML is a
  fraction of the size and built many times faster (``bench/bench_spots_map.py``). Above
  :data:`CANVAS_ABOVE` spots they are painted on a canvas.
- **Offline.** The heat map is ``folium.plugins.HeatMap``; its script is served from ``static/vendor``
  like Leaflet's (:func:`layers.web.vendor.use_local_assets`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
from folium.template import Template

from layers.web.basemaps import to_display
from layers.web.elements import DivMarkers, VerbatimMacroElement, folded_legend, map_of
from layers.web.html import FONT, escape_text, js_json
from layers.web.inventory import build_map
from layers.web.vendor import VENDOR_URL, use_local_assets
from pipeline.core import schema as S
from pipeline.core.spots import SpotCategory
from pipeline.core.words import word
from pipeline.inventory.build import Inventory

#: Marker colour of each spot category (distinct hues; the asset markers keep their own shapes).
SPOT_COLORS: dict[SpotCategory, str] = {
    SpotCategory.PARKING: "#e41a1c",
    SpotCategory.LIGHTING: "#e6ab02",
    SpotCategory.PAVING: "#a65628",
    SpotCategory.WASTE: "#525252",
    SpotCategory.GREENERY: "#4daf4a",
    SpotCategory.SEATING: "#f781bf",
    SpotCategory.ACCESSIBILITY: "#17becf",
    SpotCategory.SAFETY: "#7a0177",
    SpotCategory.DRAINAGE: "#1f4e9c",
    SpotCategory.NOISE: "#7570b3",
    SpotCategory.OTHER: "#a0a0a0",
}
#: Colour of a blurred cell holding spots of several categories.
MIXED_COLOR = "#333333"
#: Above this many markers the layer is painted on a canvas (SVG slows down with thousands of paths).
CANVAS_ABOVE = 1000
#: Tooltips show at most this many characters of a spot's text; the popup shows all of it.
TIP_CHARS = 80
#: Marker radius in pixels of one spot, and the largest radius of a cell holding many (Leaflet reports
#: a click on a circle marker of radius 10 or less at the marker's own position, which picks it).
RADIUS_PX, MAX_RADIUS_PX = 6, 10
#: Style codes of a marker row.
PLAIN, HIDDEN, MINE = 0, 1, 2

#: Declutter rank of spot markers: after the gates and the numbered assets (:mod:`layers.web.inventory`).
RANK_SPOTS = 2
#: A spot may lie at most this far (metres) outside the compound's boundary: adjacent streets and gates. The
#: page refuses a tap farther out, and "use my location" a position farther out.
REACH_M = 100.0
#: "Use my location" places no spot from a position vaguer than this (metres): a desktop's guess from its
#: network is often a kilometre off, and the spot would name the wrong asset.
LOCATE_ACCURACY_M = 50.0
#: The zoom "use my location" shows the new spot at (or the zoom the resident chose, if closer).
LOCATE_ZOOM = 18


def spot_color(category: str) -> str:
    """Return the marker colour of a spot category (grey for one that is not known)."""
    try:
        return SPOT_COLORS[SpotCategory(category)]
    except ValueError:
        return SPOT_COLORS[SpotCategory.OTHER]


def _short(text: str, limit: int = TIP_CHARS) -> str:
    """The first ``limit`` characters of raw text, with an ellipsis when cut (cut before escaping)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _spot_html(row: Any, lang: str) -> str:
    """One spot's popup block; every resident string escaped once, here."""
    head = [f"<b>#{int(row.id)}</b>", escape_text(row.category_label)]
    if row.near:
        head.append(escape_text(row.near))
    if row.status != "open":
        head.append(f'<span class="sp-flag">{escape_text(word("spot.hidden", lang))}</span>')
    if getattr(row, "stage_label", ""):  # its progress, when past "open" (the page names the stage)
        head.append(f'<span class="sp-flag">{escape_text(row.stage_label)}</span>')
    if getattr(row, "mine", False):
        head.append(f'<span class="sp-flag">{escape_text(word("spot.mine", lang))}</span>')
    meta = [escape_text(row.author), escape_text(word("spot.supports", lang, n=int(row.supports)))]
    return (
        f'<div class="sp-spot" data-spot="{int(row.id)}"><div class="sp-head">{" · ".join(head)}</div>'
        f'<div class="sp-text">{escape_text(row.text)}</div>'
        f'<div class="sp-meta">— {" · ".join(meta)}</div></div>'
    )


def _tip_html(rows: Sequence[Any], lang: str) -> str:
    if len(rows) == 1:
        row = rows[0]
        return (
            f"<b>#{int(row.id)}</b> {escape_text(row.category_label)}<br>"
            f'<span class="sp-text">{escape_text(_short(row.text))}</span>'
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.category_label] = counts.get(row.category_label, 0) + 1
    parts = " · ".join(f"{escape_text(label)} {n}" for label, n in counts.items())
    return f"<b>{escape_text(word('spot.n_spots', lang, n=len(rows)))}</b><br>{parts}"


def spot_rows(
    frame: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str = "none",
    blurred_m: float | None = None,
) -> list[list[Any]]:
    """Return the :class:`SpotMarkers` rows of a spots frame: one per place.

    Parameters
    ----------
    frame
        Spots from :func:`store.geo.spots_frame` (WGS-84), optionally with a boolean ``mine``.
    lang
        ``zh`` or ``en``.
    basemap
        A key of :data:`layers.web.basemaps.BASEMAPS`; with Gaode the points are shifted to GCJ-02.
    blurred_m
        The grid the frame was blurred to (said in the popup of every blurred spot); ``None`` for exact
        positions. Spots at the same place are drawn as one marker either way.

    Returns
    -------
    list of list
        ``[lat, lon, colour, radius_px, tooltip_html, popup_html, style, ids]`` in the frame's order of
        first appearance; ``style`` is :data:`PLAIN`, :data:`HIDDEN` (every spot there hidden) or
        :data:`MINE` (one of them is the viewer's own). The HTML is escaped.
    """
    if frame.empty:
        return []
    points = to_display(frame, basemap)
    places: dict[tuple[float, float], list[Any]] = {}
    for row, point in zip(frame.itertuples(index=False), points, strict=True):
        places.setdefault((round(point.y, 7), round(point.x, 7)), []).append(row)
    note = (
        f'<div class="sp-note">{escape_text(word("spot.blurred", lang, m=blurred_m))}</div>'
        if blurred_m is not None
        else ""
    )
    rows = []
    for (lat, lon), here in places.items():
        categories = {r.category for r in here}
        color = spot_color(next(iter(categories))) if len(categories) == 1 else MIXED_COLOR
        radius = min(MAX_RADIUS_PX, RADIUS_PX + 2 * math.sqrt(len(here) - 1))
        if any(getattr(r, "mine", False) for r in here):
            style = MINE
        elif all(r.status != "open" for r in here):
            style = HIDDEN
        else:
            style = PLAIN
        popup = note + "".join(_spot_html(r, lang) for r in here)
        ids = [int(r.id) for r in here]
        rows.append([lat, lon, color, round(radius, 1), _tip_html(here, lang), popup, style, ids])
    return rows


class SpotMarkers(VerbatimMacroElement):
    """Spot markers drawn from one data array of :func:`spot_rows` rows (HTML already escaped)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, group, rows, canvas, rank) {
            var items = canvas ? null : (map._amItems = map._amItems || []);
            // Spots lie above the numbered assets (marker pane 600) and below tooltips (650).
            if (!map.getPane('spots')) { map.createPane('spots').style.zIndex = 620; }
            var renderer = canvas ? L.canvas({padding: 0.5, pane: 'spots'}) : L.svg({pane: 'spots'});
            rows.forEach(function (r) {
                var marker = L.circleMarker([r[0], r[1]], {
                    radius: r[3], fillColor: r[2], fillOpacity: r[6] === 1 ? 0.35 : 0.9,
                    color: r[6] === 2 ? '#111' : '#fff', weight: r[6] === 2 ? 2.5 : 1.5,
                    dashArray: r[6] === 1 ? '3 3' : null, bubblingMouseEvents: false, renderer: renderer,
                    pane: 'spots'
                });
                marker.bindTooltip(r[4], {direction: 'top', className: 'sp-tip', offset: [0, -r[3]]});
                marker.bindPopup(r[5], {maxWidth: 320, maxHeight: 280, className: 'sp-popup'});
                marker.spotIds = r[7];
                group.addLayer(marker);
                if (items) {
                    var d = 2 * r[3] + (r[6] === 2 ? 2.5 : 1.5);
                    items.push({layer: marker, w: d, h: d, dx: 0, dy: 0, rank: rank, z: 0, i: items.length});
                }
            });
        })({{ this.map_name }}, {{ this._parent.get_name() }}, {{ this.rows_json }}, {{ this.canvas_json }},
           {{ this.rank }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], *, canvas: bool | None = None):
        super().__init__()
        self._name = "SpotMarkers"
        self.rows = rows
        self.canvas = len(rows) > CANVAS_ABOVE if canvas is None else canvas
        self.rank = RANK_SPOTS

    @property
    def rows_json(self) -> str:
        """The rows as script-safe JSON."""
        return js_json(self.rows)

    @property
    def map_name(self) -> str:
        """The JavaScript name of the map this element is drawn on."""
        element = map_of(self)
        if element is None:
            raise ValueError("SpotMarkers must be added to a folium map, or to a layer on one.")
        return element.get_name()

    @property
    def canvas_json(self) -> str:
        """``true`` when the markers are painted on a canvas."""
        return "true" if self.canvas else "false"


class SpotStyle(VerbatimMacroElement):
    """The CSS of spot tooltips, popups, the new spot's pin and the spot legend."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .sp-tip { white-space: normal; width: max-content; max-width: 280px; }
        .sp-text { white-space: pre-wrap; overflow-wrap: anywhere; }
        .sp-popup .leaflet-popup-content { margin: 10px 12px; font-size: 13px; line-height: 1.45; }
        .sp-spot + .sp-spot { border-top: 1px solid #ddd; margin-top: 6px; padding-top: 6px; }
        .sp-head { color: #333; margin-bottom: 2px; }
        .sp-meta, .sp-note { color: #666; font-size: 12px; }
        .sp-note { margin-bottom: 4px; }
        .sp-flag { background: #eee; border-radius: 3px; padding: 0 4px; font-size: 11px; }
        .sp-new { box-sizing: border-box; width: 100%; height: 100%; border-radius: 50%;
                  border: 3px solid #e41a1c; background: rgba(228, 26, 28, .25);
                  box-shadow: 0 0 0 2px #fff; }
        .sp-legend { font-size: 11px; line-height: 16px; }
        .sp-legend i { border-radius: 50%; width: 10px !important; height: 10px !important; margin-right: 5px;
                       vertical-align: -1px; }
        .sp-add-box { display: flex; gap: 6px; align-items: stretch; }
        .sp-add-box a { display: block; min-height: 44px; min-width: 44px; line-height: 44px; padding: 0 14px;
                        box-sizing: border-box; border-radius: 22px; text-decoration: none; text-align: center;
                        font: 600 15px/44px {{ this.font }}; box-shadow: 0 1px 5px rgba(0,0,0,.35);
                        cursor: pointer; white-space: nowrap; }
        .sp-add, .sp-add-here { background: #d7301f; color: #fff !important; }
        .sp-add-cancel, .sp-locate { background: #fff; color: #222 !important; }
        .sp-add-box .sp-add-here, .sp-add-box .sp-add-cancel { display: none; }
        .sp-placing .sp-add-box .sp-add { display: none; }
        .sp-placing .sp-add-box .sp-add-here, .sp-placing .sp-add-box .sp-add-cancel { display: block; }
        .sp-cross, .sp-hint { display: none; position: absolute; z-index: 800; pointer-events: none; }
        .sp-placing .sp-cross { display: block; left: 50%; top: 50%; width: 36px; height: 36px;
                                margin: -18px 0 0 -18px; }
        .sp-cross::before, .sp-cross::after { content: ""; position: absolute; background: #d7301f;
                                              box-shadow: 0 0 0 1px #fff; }
        .sp-cross::before { left: 17px; top: 0; width: 2px; height: 36px; }
        .sp-cross::after { top: 17px; left: 0; height: 2px; width: 36px; }
        .sp-placing .sp-locate { display: none; }
        .sp-msg { display: none; position: absolute; z-index: 800; left: 8px; right: 8px; top: 8px; margin: 0 52px;
                  padding: 6px 10px; background: #fff8e1; border: 1px solid #e0b000; border-radius: 4px;
                  font-size: 13px; line-height: 1.4; box-shadow: 0 1px 4px rgba(0,0,0,.3); cursor: pointer; }
        .sp-msg.sp-on { display: block; }
        .sp-placing .sp-msg { display: none; }
        .leaflet-container .leaflet-marker-icon:focus-visible, .leaflet-container a:focus-visible {
            outline: 3px solid #1a5fb4; outline-offset: 2px; }
        .leaflet-spots-pane path:focus-visible { stroke: #1a5fb4; stroke-width: 4px; outline: none; }
        .sp-placing .sp-hint { display: block; left: 8px; right: 8px; top: 8px; margin: 0 52px; padding: 6px 10px;
                               background: rgba(255,255,255,.95); border-radius: 4px; font-size: 13px;
                               box-shadow: 0 1px 4px rgba(0,0,0,.3); }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SpotStyle"
        self.font = FONT


class AddSpotButton(VerbatimMacroElement):
    """The button on the map that starts a new spot, big enough for a thumb.

    A tap shows a cross at the map's centre and a hint; the resident drags the map until the cross is on the
    problem and taps "here", which clicks the map at its centre, exactly as a tap on the map itself would
    (``st_folium`` reports either as ``last_clicked``). "Cancel" leaves without a click.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, words) {
            var container = map.getContainer();
            var cross = L.DomUtil.create('div', 'sp-cross', container);
            var hint = L.DomUtil.create('div', 'sp-hint', container);
            hint.innerHTML = words.hint;
            var control = L.control({position: 'bottomleft'});
            control.onAdd = function () {
                var div = L.DomUtil.create('div', 'sp-add-box');
                function button(cls, html, act) {
                    var a = L.DomUtil.create('a', cls, div);
                    a.href = '#';
                    a.setAttribute('role', 'button');
                    a.innerHTML = html;
                    L.DomEvent.on(a, 'click', function (e) { L.DomEvent.preventDefault(e); act(); });
                    return a;
                }
                function placing(on) { container.classList.toggle('sp-placing', on); }
                var here;
                button('sp-add', words.add, function () { placing(true); here.focus(); });
                here = button('sp-add-here', words.here, function () {
                    placing(false);
                    var latlng = map.getCenter();
                    map.fire('click', {latlng: latlng, layerPoint: map.latLngToLayerPoint(latlng),
                                       containerPoint: map.latLngToContainerPoint(latlng)});
                });
                button('sp-add-cancel', words.cancel, function () { placing(false); });
                map.on('click', function () { placing(false); });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }}, {{ this.words_json }});
        {% endmacro %}
        """
    )

    def __init__(self, lang: str = "zh") -> None:
        super().__init__()
        self._name = "AddSpotButton"
        self.words_json = js_json(
            {
                key: escape_text(word(f"spot.{name}", lang))
                for key, name in (("add", "add"), ("here", "add_here"), ("cancel", "add_cancel"), ("hint", "add_hint"))
            }
        )


class LocateButton(VerbatimMacroElement):
    """A "use my location" button on the map that places the new spot where the browser says the resident is.

    The browser's position (WGS-84) is measured against the compound's boundary here, in the page, so a
    position more than :data:`REACH_M` outside it, one vaguer than :data:`LOCATE_ACCURACY_M`, a refused
    permission or no answer is said at once in a line over the map (in the page's language), and the resident
    can still tap the map. A position near enough is handed on exactly as a tap there would be (a map click,
    which ``st_folium`` reports as ``last_clicked``), so the page checks it again and places the pin. Over
    Gaode's tiles the position is shifted by the GCJ-02 offset at the compound's centre, which changes by less
    than a metre within 300 m of it. No button is drawn where the browser cannot locate (no geolocation, or a page
    not served over HTTPS or from this machine).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, cfg) {
            if (!window.isSecureContext || !navigator.geolocation) { return; }
            var container = map.getContainer();
            var note = L.DomUtil.create('div', 'sp-msg', container);
            note.setAttribute('role', 'status');
            function say(text) { note.textContent = text; note.classList.toggle('sp-on', !!text); }
            L.DomEvent.on(note, 'click', function (e) { L.DomEvent.stop(e); say(''); });
            map.on('click', function () { say(''); });
            // metres outside the boundary (0 inside): even-odd rule over every ring, then the nearest edge
            var kx = cfg.scale[0], ky = cfg.scale[1];
            function outside(lon, lat) {
                var inside = false, best = Infinity;
                cfg.rings.forEach(function (ring) {
                    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                        var ax = (ring[j][0] - lon) * kx, ay = (ring[j][1] - lat) * ky;
                        var bx = (ring[i][0] - lon) * kx, by = (ring[i][1] - lat) * ky;
                        if ((ay > 0) !== (by > 0) && 0 < ax + (0 - ay) * (bx - ax) / (by - ay)) { inside = !inside; }
                        var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
                        var t = len ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len)) : 0;
                        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
                    }
                });
                return inside ? 0 : best;
            }
            function far(metres) {
                return metres < 1000 ? cfg.words.far_m.replace('{dist}', Math.round(metres))
                                     : cfg.words.far_km.replace('{dist}', (metres / 1000).toFixed(1));
            }
            function located(pos) {
                var lon = pos.coords.longitude, lat = pos.coords.latitude, off = outside(lon, lat);
                if (off > cfg.reach) { return say(far(off)); }
                if (pos.coords.accuracy > cfg.accuracy) {
                    return say(cfg.words.vague.replace('{dist}', Math.round(pos.coords.accuracy)));
                }
                say('');
                var here = L.latLng(lat + cfg.shift[1], lon + cfg.shift[0]);
                map.setView(here, Math.max(map.getZoom(), cfg.zoom), {animate: false});
                map.fire('click', {latlng: here, layerPoint: map.latLngToLayerPoint(here),
                                   containerPoint: map.latLngToContainerPoint(here)});
            }
            function failed(error) { say(error.code === 1 ? cfg.words.denied : cfg.words.failed); }
            var control = L.control({position: 'bottomleft'});
            control.onAdd = function () {
                var div = L.DomUtil.create('div', 'sp-add-box');
                var a = L.DomUtil.create('a', 'sp-locate', div);
                a.href = '#';
                a.setAttribute('role', 'button');
                a.textContent = cfg.words.locate;
                L.DomEvent.on(a, 'click', function (e) {
                    L.DomEvent.preventDefault(e);
                    say(cfg.words.wait);
                    navigator.geolocation.getCurrentPosition(located, failed,
                                                             {enableHighAccuracy: true, timeout: 20000, maximumAge: 30000});
                });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, inventory: Inventory, *, lang: str = "zh", basemap: str = "none") -> None:
        super().__init__()
        self._name = "LocateButton"
        boundary = inventory.boundary.geometry.simplify(0.5).to_crs(S.WGS84).iloc[0]
        rings = [
            [[round(x, 7), round(y, 7)] for x, y in ring.coords]
            for polygon in getattr(boundary, "geoms", [boundary])
            for ring in (polygon.exterior, *polygon.interiors)
        ]
        centre = gpd.GeoDataFrame(geometry=[boundary.centroid], crs=S.WGS84)
        shown = to_display(centre, basemap).iloc[0]
        # metres per degree of longitude and latitude there, measured in the inventory's own metric CRS
        x, y, d = boundary.centroid.x, boundary.centroid.y, 0.0005
        ends = gpd.GeoSeries.from_xy([x - d, x + d, x, x], [y, y, y - d, y + d], crs=S.WGS84).to_crs(inventory.crs)
        scale = [ends.iloc[0].distance(ends.iloc[1]) / (2 * d), ends.iloc[2].distance(ends.iloc[3]) / (2 * d)]
        keys = ("locate", "wait", "far_m", "far_km", "vague", "denied", "failed")
        # the distances are filled in by the page: "{dist}" stays in the words
        words = {
            key: word("spot.locate" if key == "locate" else f"spot.locate_{key}", lang, dist="{dist}")
            for key in keys
        }
        self.config_json = js_json(
            {
                "rings": rings,
                "shift": [shown.x - x, shown.y - y],
                "scale": scale,
                "reach": REACH_M,
                "accuracy": LOCATE_ACCURACY_M,
                "zoom": LOCATE_ZOOM,
                "words": words,
            }
        )


class KeyboardMarkers(VerbatimMacroElement):
    """Numbered markers, gates and spots reachable by keyboard: Tab gives each shown marker focus, Enter opens it.

    Leaflet's own ``keyboard`` option opens a popup on Enter but does not click, and the page learns of a
    marker only through a click (``st_folium``'s ``last_object_clicked``); so Enter (or Space) clicks the
    focused marker, as a tap does: its popup opens and the page acts on it. Markers the declutter hides are
    out of the tab order until zooming in shows them. The map's controls (the add-spot and location buttons,
    zoom, legend) come first in the tab order, before the markers; Leaflet shows a marker's tooltip while it
    has focus. The drawn context (roads, buildings, areas with a tooltip) is taken out of the tab order:
    Chromium makes every SVG shape with a focus listener a tab stop, dozens before the first number.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var container = map.getContainer();
            container.insertBefore(map._controlContainer, container.firstChild);
            function plain(html) {
                var div = document.createElement('div');
                div.innerHTML = String(html).split('<br>').join(' · ');
                return div.textContent;
            }
            function reachable(layer) {
                var el = layer && (layer._icon || layer._path);
                if (!el || el._amKeys === layer) { return; }
                if (!layer._icon && !layer.spotIds) {  // roads, buildings, areas: Chromium would stop on each
                    el.setAttribute('tabindex', '-1');
                    return;
                }
                el._amKeys = layer;
                el.setAttribute('tabindex', '0');
                el.setAttribute('role', 'button');
                var tip = layer.getTooltip && layer.getTooltip();
                if (tip && typeof tip.getContent() === 'string') { el.setAttribute('aria-label', plain(tip.getContent())); }
            }
            map.on('layeradd', function (e) { reachable(e.layer); });
            map.whenReady(function () {
                setTimeout(function () { map.eachLayer(reachable); }, 0);
            });
            L.DomEvent.on(container, 'keydown', function (e) {
                var layer = e.target._amKeys;
                if (!layer || (e.key !== 'Enter' && e.key !== ' ')) { return; }
                L.DomEvent.stop(e);
                var at = layer.getLatLng();
                layer.fire('click', {latlng: at, layerPoint: map.latLngToLayerPoint(at),
                                     containerPoint: map.latLngToContainerPoint(at), originalEvent: e});
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "KeyboardMarkers"


def asset_places(inventory: Inventory) -> dict[int, tuple[float, float]]:
    """Return WGS-84 ``(lon, lat)`` of each numbered asset's marker, by its number (``seq``).

    A point asset's own place; for an area or a line its representative point, which lies on it (inside an
    area) and is where the map draws its number. A spot reported from the list of assets (without the map)
    is placed there, so it reads "近 N · 名称" like a spot tapped on that marker.
    """
    assets = inventory.assets
    points = gpd.GeoSeries(assets.geometry.representative_point(), crs=assets.crs).to_crs(S.WGS84)
    return {
        int(seq): (round(float(p.x), 7), round(float(p.y), 7))
        for seq, p in zip(assets[S.SEQ], points, strict=True)
    }


def heat_points(frame: gpd.GeoDataFrame, basemap: str = "none") -> list[list[float]]:
    """Return ``[lat, lon, weight]`` per open spot for the heat map; weight 1 + supports, scaled to ≤ 1."""
    open_spots = frame[frame["status"] == "open"] if "status" in frame else frame
    if open_spots.empty:
        return []
    points = to_display(open_spots, basemap)
    weight = 1.0 + open_spots["supports"].to_numpy(dtype=float)
    weight = weight / weight.max()
    return [
        [round(float(p.y), 7), round(float(p.x), 7), round(float(w), 3)]
        for p, w in zip(points, weight, strict=True)
    ]


def _legend_html(frame: gpd.GeoDataFrame, lang: str) -> str:
    counts = frame["category"].value_counts()
    rows = [
        f'<i style="background:{color}"></i>{escape_text(word(f"spot.category.{category}", lang))} '
        f"({int(counts[category.value])})"
        for category, color in SPOT_COLORS.items()
        if category.value in counts
    ]
    return "<br>".join([f"<b>{escape_text(word('spot.spots', lang))}</b>", *rows])


def _pending_row(lonlat: tuple[float, float], lang: str, basemap: str) -> list[Any]:
    """The :class:`~layers.web.elements.DivMarkers` row of the pin where a new spot is being placed."""
    where = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lonlat[0]], [lonlat[1]]), crs=S.WGS84)
    point = to_display(where, basemap).iloc[0]
    tip = escape_text(word("spot.new", lang))
    return [round(point.y, 7), round(point.x, 7), '<div class="sp-new"></div>', tip, 22, 0.0, 0.0, 3000]


def pending_pin(
    lonlat: tuple[float, float], *, lang: str = "zh", basemap: str = "none"
) -> folium.FeatureGroup:
    """Return the pin where a new spot is being placed, as a feature group of its own.

    The app hands it to ``st_folium(feature_group_to_add=...)``, which adds it to the map already shown
    without reloading it, so the resident keeps the zoom they clicked at.
    """
    pin = folium.FeatureGroup(name=escape_text(word("spot.new", lang)), control=False)
    DivMarkers([_pending_row(lonlat, lang, basemap)], role="pending", popups=False, height=22).add_to(pin)
    return pin


def distance_outside_m(inventory: Inventory, lon: float, lat: float) -> float:
    """Return how far in metres a WGS-84 point lies outside the compound's boundary (0 inside)."""
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=S.WGS84).to_crs(inventory.crs).iloc[0]
    return float(inventory.boundary.geometry.iloc[0].distance(point))


def move_layer_control_last(m: folium.Map) -> None:
    """Move the map's layer control after the layers added since :func:`layers.web.inventory.build_map` drew it.

    The control's script names every layer; one defined after it is still undefined there, and Leaflet
    stops the map's script ("Cannot read properties of undefined (reading 'setZIndex')").
    """
    for name, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            m._children.move_to_end(name)


def add_spots(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str = "none",
    heat: bool = False,
    blurred_m: float | None = None,
    pending: tuple[float, float] | None = None,
    vendor_url: str = VENDOR_URL,
    add_button: bool = True,
) -> folium.Map:
    """Add the spots to a map: markers, a heat map (both in the layer control), a legend, the new spot's pin.

    Parameters
    ----------
    m
        A map from :func:`layers.web.inventory.build_map`; changed in place and returned.
    frame
        Spots from :func:`store.geo.spots_frame`, blurred or exact (see :func:`spot_rows`).
    lang, basemap
        As for :func:`layers.web.inventory.build_map`.
    heat
        Open with the heat map shown and the markers hidden (either can be switched in the layer control).
    blurred_m
        The grid the frame was blurred to, said in the popups; ``None`` for exact positions.
    pending
        WGS-84 ``(lon, lat)`` of the spot being placed, drawn as a pin.
    vendor_url
        Where the vendored libraries are served (:func:`layers.web.vendor.use_local_assets`).
    add_button
        Draw the button that starts a new spot (:class:`AddSpotButton`).

    The spot colours join the map's one legend (:class:`layers.web.elements.FoldedLegend`) as a section; every
    marker can be reached by keyboard (:class:`KeyboardMarkers`).
    """
    SpotStyle().add_to(m)
    if add_button:
        AddSpotButton(lang).add_to(m)
    KeyboardMarkers().add_to(m)
    if not frame.empty:
        heat_layer = folium.plugins.HeatMap(
            heat_points(frame, basemap),
            name=escape_text(word("spot.heat", lang)),
            show=heat,
            radius=28,
            blur=20,
            min_opacity=0.35,
            max_zoom=18,
        )
        heat_layer.add_to(m)
        markers = folium.FeatureGroup(name=escape_text(word("spot.spots", lang)), show=not heat).add_to(m)
        SpotMarkers(spot_rows(frame, lang=lang, basemap=basemap, blurred_m=blurred_m)).add_to(markers)
        legend = folded_legend(m)
        if not heat and legend is not None:  # the legend names the markers' colours
            legend.add_section(f'<div class="sp-legend">{_legend_html(frame, lang)}</div>')
    if pending is not None:
        pending_pin(pending, lang=lang, basemap=basemap).add_to(m)
    move_layer_control_last(m)
    return use_local_assets(m, vendor_url)


def build_spots_map(
    inventory: Inventory,
    frame: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str = "",
    vendor_url: str = VENDOR_URL,
    size_px: tuple[int, int] = (760, 620),
    heat: bool = False,
    blurred_m: float | None = None,
    pending: tuple[float, float] | None = None,
) -> folium.Map:
    """Return the compound's map (:func:`layers.web.inventory.build_map`) with its residents' spots on it.

    See :func:`add_spots` for the spot parameters; the map also has a "use my location" button
    (:class:`LocateButton`).
    """
    m = build_map(
        inventory,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        vendor_url=vendor_url,
        size_px=size_px,
    )
    add_spots(
        m,
        frame,
        lang=lang,
        basemap=basemap,
        heat=heat,
        blurred_m=blurred_m,
        pending=pending,
        vendor_url=vendor_url,
    )
    LocateButton(inventory, lang=lang, basemap=basemap).add_to(m)  # above the add-spot button
    move_layer_control_last(m)
    return m


def spots_at(
    frame: gpd.GeoDataFrame, lat: float, lon: float, basemap: str = "none", tolerance_m: float = 1.0
) -> list[int]:
    """Return the ids of the spots drawn at a clicked marker's position (nearest place first), or ``[]``.

    A click on a spot marker reports the marker's own position, so the tolerance is small; on the
    public map every spot of the clicked cell is returned.
    """
    if frame.empty:
        return []
    points = to_display(frame, basemap)
    dx = (points.x.to_numpy() - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (points.y.to_numpy() - lat) * 110_540
    dist = np.hypot(dx, dy)
    near = dist <= tolerance_m
    if not near.any():
        return []
    order = np.argsort(dist[near], kind="stable")
    return [int(i) for i in frame["id"].to_numpy()[near][order]]
