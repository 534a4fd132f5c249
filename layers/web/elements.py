"""Map elements that carry escaped data to the page verbatim, and the layout of label boxes.

Numbered markers are drawn as one compact data array turned into ``L.marker`` + ``L.divIcon`` by a few
lines of JavaScript (:class:`DivMarkers`), not as one folium ``Marker`` each: at 2,000 assets the HTML is
several times smaller and faster to build (``bench/bench_app.py``). Labels that would overlap at the opening
zoom are pushed apart with a leader line to their point (:func:`declutter`).
"""

from __future__ import annotations

import math
from typing import Any

import folium
import numpy as np
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from layers.definitions import GATE_COLOR, MAIN_GATE_COLOR
from layers.web.html import FONT, escape_text, js_json

#: Margin in pixels around the compound when the map opens; on maps narrower than :data:`NARROW_PX`
#: (a phone) the smaller :data:`FIT_PAD_NARROW_PX`.
FIT_PAD_PX = 30
FIT_PAD_NARROW_PX, NARROW_PX = 8, 500
#: Size of a label box in pixels: height, and width per character plus padding.
LABEL_H = 22
_CHAR_W, _PAD_W = 7, 10
#: The legend opens unfolded on maps at least this wide (folded on a phone).
LEGEND_OPEN_PX = 700
#: Grid cell (pixels) of the declutter's search, and the margin kept around every marker's box.
DECLUTTER_CELL_PX, DECLUTTER_MARGIN_PX = 64, 1


class _Verbatim(Element):
    """Text put into the page exactly as given.

    branca's ``Element(text)`` compiles ``text`` as a new Jinja template; this one's template only prints it.
    """

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text


class VerbatimMacroElement(MacroElement):
    """A MacroElement whose rendered header, html and script reach the page verbatim.

    branca's ``MacroElement.render`` wraps each rendered macro in ``Element(output)``, which compiles the output
    as a Jinja template and renders it once more when the page is rendered. Data inside the output is then
    template code: a spot whose text is ``{{ cycler.__init__.__globals__.os.getpid() }}`` printed the server's
    process id into the map (so any Python could run), and HTML escaping leaves ``{{`` alone. Elements that
    carry users' text should render through this class (:class:`layers.web.spots.SpotMarkers` does); it also
    spares Jinja lexing megabytes of data.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca's MacroElement.render
        """Render the macros into the figure's header, html and script, then the children."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class DivMarkers(VerbatimMacroElement):
    """Markers drawn from one data array: ``[lat, lon, icon_html, tooltip_html, width, dx, dy, z]`` rows.

    ``icon_html`` and ``tooltip_html`` must already be escaped; ``dx``/``dy`` move the label (pixels)
    away from its point, with a leader line back to it.

    With ``declutter`` (a rank: lower ranks are kept first), the markers are handed to the map's
    :class:`Declutter`, which hides those that would cover another at the current zoom; the leader-line
    offsets then apply from zoom ``layout_zoom`` in (they were computed for it), and not below it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, group, rows, h, rank, layoutZoom) {
            function icon(r, off) {
                var w = r[4], dx = off ? r[5] : 0, dy = off ? r[6] : 0;
                var lead = (dx || dy) ? '<svg class="am-lead" width="' + w + '" height="' + h + '">' +
                    '<line x1="' + w / 2 + '" y1="' + h / 2 + '" x2="' + (w / 2 - dx) + '" y2="' + (h / 2 - dy) +
                    '"/><circle cx="' + (w / 2 - dx) + '" cy="' + (h / 2 - dy) + '" r="2.5"/></svg>' : '';
                return L.divIcon({html: lead + r[2], className: 'am-icon', iconSize: [w, h],
                                  iconAnchor: [w / 2 - dx, h / 2 - dy]});
            }
            var items = rank === null ? null : (map._amItems = map._amItems || []);
            rows.forEach(function (r, i) {
                var w = r[4], dx = r[5], dy = r[6];
                var marker = L.marker([r[0], r[1]], {
                    icon: icon(r, true), keyboard: false, riseOnHover: true, zIndexOffset: r[7]
                });
                if (r[3]) {
                    marker.bindTooltip(r[3], {direction: 'top', offset: [dx, dy - h / 2]});
                    {% if this.popups %}marker.bindPopup(r[3]);{% endif %}
                }
                group.addLayer(marker);
                if (items) {
                    items.push({layer: marker, w: w, h: h, dx: dx, dy: dy, rank: rank, z: r[7], i: items.length,
                                offset: true, layoutZoom: layoutZoom, icon: function (off) { return icon(r, off); }});
                }
            });
        })({{ this.map_name }}, {{ this._parent.get_name() }}, {{ this.rows_json }}, {{ this.height }},
           {{ this.rank_json }}, {{ this.zoom_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        role: str,
        popups: bool = True,
        height: int = LABEL_H,
        declutter: float | None = None,
        layout_zoom: float | None = None,
    ):
        super().__init__()
        self._name = "DivMarkers"
        self.rows = rows
        self.role = role
        self.popups = popups
        self.height = height
        self.declutter = declutter
        self.layout_zoom = layout_zoom

    @property
    def map_name(self) -> str:
        """The JavaScript name of the map this element is drawn on (``null`` outside a map)."""
        found = map_of(self)
        if found is None:
            if self.declutter is not None:
                raise ValueError("Decluttered DivMarkers must be added to a folium map, or to a layer on one.")
            return "null"
        return found.get_name()

    @property
    def rank_json(self) -> str:
        """The declutter rank, or ``null`` when these markers are not decluttered."""
        return js_json(self.declutter)

    @property
    def zoom_json(self) -> str:
        """The zoom the leader-line offsets were computed for (``null``: at every zoom)."""
        return js_json(self.layout_zoom)

    @property
    def rows_json(self) -> str:
        """The rows as script-safe JSON."""
        return js_json(self.rows)


def map_of(element: Element) -> folium.Map | None:
    """The folium map an element is drawn on, or ``None`` (a layer not on a map yet)."""
    found: Element | None = element
    while found is not None and not isinstance(found, folium.Map):
        found = found._parent
    return found


class MapStyle(MacroElement):
    """The CSS of markers, labels, legend and background, added to the page header once."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: #f6f5f1; font-family: {{ this.font }}; }
        .leaflet-tooltip, .leaflet-popup-content, .am-legend, .leaflet-control-layers { font-family: {{ this.font }}; }
        .am-icon { background: none; border: none; }
        .am-num { position: relative; box-sizing: border-box; width: 100%; height: 100%; display: flex;
                  align-items: center; justify-content: center; color: #fff; font: 700 12px/1 {{ this.font }};
                  border: 1.5px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,.35); cursor: pointer; }
        .am-public_space { border-radius: 11px; }
        .am-facility { border-radius: 2px; }
        .am-institution { border: none; box-shadow: none; clip-path: polygon(50% 0, 100% 50%, 50% 100%, 0 50%); }
        .am-lead { position: absolute; left: 0; top: 0; overflow: visible; pointer-events: none; }
        .am-lead line { stroke: #444; stroke-width: 1; }
        .am-lead circle { fill: #444; }
        .am-gate { box-sizing: border-box; width: 100%; height: 100%; background: {{ this.gate }};
                   border: 2px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,.5); cursor: pointer; }
        .am-main { background: {{ this.main }}; color: #fff; font: 700 11px/1 {{ this.font }}; display: flex;
                   align-items: center; justify-content: center; white-space: nowrap; border-radius: 3px; }
        .leaflet-control-layers { font-size: 13px; line-height: 1.4; }
        .leaflet-control-layers label { margin-bottom: 0; }
        .am-legend { background: rgba(255,255,255,.92); padding: 6px 9px; border-radius: 4px; font-size: 12px;
                     line-height: 20px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
        .am-legend i { display: inline-block; width: 14px; height: 14px; margin-right: 6px; vertical-align: -2px; }
        .am-legend-box { display: flex; flex-direction: column; align-items: flex-end; }
        .am-legend-box .am-legend { display: none; max-height: 60vh; overflow-y: auto; }
        .am-legend-box.am-open .am-legend { display: block; margin-top: 4px; }
        .am-legend-toggle { display: block; min-width: 44px; height: 44px; line-height: 44px; padding: 0 12px;
                            box-sizing: border-box; text-align: center; background: #fff; color: #222 !important;
                            font: 600 13px/44px {{ this.font }}; border-radius: 4px; text-decoration: none;
                            box-shadow: 0 1px 4px rgba(0,0,0,.3); cursor: pointer; }
        .am-legend-toggle::after { content: " ▴"; }
        .am-open > .am-legend-toggle::after { content: " ▾"; }
        .am-legend-sec + .am-legend-sec { border-top: 1px solid #ddd; margin-top: 4px; padding-top: 4px; }
        .am-stacked > .am-num, .am-stacked > .am-gate {
            box-shadow: 0 0 0 1px rgba(0,0,0,.35), 2px 2px 0 1px #fff, 3px 3px 0 1.5px rgba(0,0,0,.45); }
        @media (max-width: 600px), (pointer: coarse) {
            .leaflet-bar a, .leaflet-touch .leaflet-bar a { width: 44px; height: 44px; line-height: 44px;
                                                           font-size: 22px; }
            .leaflet-control-layers-toggle, .leaflet-touch .leaflet-control-layers-toggle { width: 44px;
                                                                                           height: 44px; }
            .leaflet-control-layers label { min-height: 44px; display: flex; align-items: center; }
        }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapStyle"
        self.font = FONT
        self.gate = GATE_COLOR
        self.main = MAIN_GATE_COLOR


class MetricScale(MacroElement):
    """The scale bar in metres only (``L.control.scale({imperial: false})``).

    folium's ``control_scale=True`` adds Leaflet's default scale, which draws feet under the metres and
    takes no options; this is that control with the one option changed.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class HtmlControl(VerbatimMacroElement):
    """A Leaflet control holding escaped HTML (the legend, the credit line)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var control = L.control({position: {{ this.position_json }}});
            control.onAdd = function () {
                var div = L.DomUtil.create('div', {{ this.class_json }});
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo(map);
            {% if this.credit %}map.attributionControl.addAttribution({{ this.credit_json }});{% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, css_class: str, position: str = "bottomright", credit: str = ""):
        super().__init__()
        self._name = "HtmlControl"
        self.html_json = js_json(html_text)
        self.class_json = js_json(css_class)
        self.position_json = js_json(position)
        self.credit = credit
        self.credit_json = js_json(escape_text(credit))


class FoldedLegend(VerbatimMacroElement):
    """The map's one legend: a button that folds and unfolds every section (assets, spots, …).

    It opens unfolded on maps at least :data:`LEGEND_OPEN_PX` wide and folded on narrower ones (a phone),
    where two open legends would cover a third of the map. Sections are escaped HTML; pages add their own
    with :meth:`add_section` (the spots page adds the spot colours). The credit joins the attribution line.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var control = L.control({position: {{ this.position_json }}});
            control.onAdd = function () {
                var div = L.DomUtil.create('div', 'am-legend-box');
                var button = L.DomUtil.create('a', 'am-legend-toggle', div);
                button.href = '#';
                button.setAttribute('role', 'button');
                button.innerHTML = {{ this.title_json }};
                var body = L.DomUtil.create('div', 'am-legend', div);
                body.innerHTML = {{ this.html_json }};
                function show(open) {
                    div.classList.toggle('am-open', open);
                    button.setAttribute('aria-expanded', open ? 'true' : 'false');
                }
                show(map.getSize().x >= {{ this.open_px }});
                L.DomEvent.on(button, 'click', function (e) {
                    L.DomEvent.preventDefault(e);
                    show(!div.classList.contains('am-open'));
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo(map);
            {% if this.credit %}map.attributionControl.addAttribution({{ this.credit_json }});{% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, sections: list[str], *, title: str, credit: str = "", position: str = "bottomright"
    ) -> None:
        super().__init__()
        self._name = "FoldedLegend"
        self.sections = list(sections)
        self.title = title
        self.credit = credit
        self.position_json = js_json(position)
        self.open_px = LEGEND_OPEN_PX

    def add_section(self, html_text: str) -> None:
        """Add a section (escaped HTML) after the others."""
        self.sections.append(html_text)

    @property
    def html_json(self) -> str:
        """The sections as one JSON string of HTML."""
        return js_json("".join(f'<div class="am-legend-sec">{s}</div>' for s in self.sections))

    @property
    def title_json(self) -> str:
        """The button's text, escaped, as JSON."""
        return js_json(escape_text(self.title))

    @property
    def credit_json(self) -> str:
        """The credit line, escaped, as JSON."""
        return js_json(escape_text(self.credit))


def folded_legend(m: folium.Map) -> FoldedLegend | None:
    """The map's :class:`FoldedLegend`, or ``None``."""
    return next((c for c in m._children.values() if isinstance(c, FoldedLegend)), None)


class Declutter(VerbatimMacroElement):
    """Keep markers from covering each other at every zoom, and open the map fitted to its subject.

    **Declutter.** Markers handed over by :class:`DivMarkers` (``declutter=rank``) and
    :class:`layers.web.spots.SpotMarkers` are laid out again after every zoom, greedily: lower ranks first
    (gates, then the numbered assets in clockwise order, then spots), a marker is shown when its box (plus a
    1 px margin, as :func:`declutter` keeps) meets no box already shown, else it is hidden and its host (the first shown box it meets)
    is drawn as a stack. Zooming in spreads the boxes, so the hidden numbers come back. A grid of
    :data:`DECLUTTER_CELL_PX` cells keeps this linear in the number of markers.

    **Fit.** The map fits ``bounds`` (south-west, north-east) with ``padding`` pixels (:data:`FIT_PAD_NARROW_PX`
    on a map narrower than :data:`NARROW_PX`, as :func:`fit_pad` says) when it opens, and
    again whenever its size changes (the app's frame is sized after the map is made) until the user
    moves or zooms it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, bounds, pad, cell, margin) {
            var user = false, fitting = false;
            function fit() {
                if (user || !bounds) { return; }
                fitting = true;
                var p = map.getSize().x < {{ this.narrow }} ? {{ this.narrow_pad }} : pad;
                map.fitBounds(bounds, {padding: [p, p], animate: false});
                fitting = false;
            }
            map.on('dragstart', function () { user = true; });
            map.on('zoomstart', function () { if (!fitting) { user = true; } });
            map.on('resize', fit);
            map._amFit = bounds;
            fit();

            function display(item, shown) {
                var el = item.layer._icon || item.layer._path;
                if (el) { el.style.display = shown ? '' : 'none'; }
            }
            function stacked(item, on) {
                var el = item.layer._icon || item.layer._path;
                if (el && el.classList) { el.classList.toggle('am-stacked', on); }
            }
            function run() {
                var items = (map._amItems || []).filter(function (it) { return map.hasLayer(it.layer); });
                items.sort(function (a, b) { return a.rank - b.rank || b.z - a.z || a.i - b.i; });
                var zoom = map.getZoom(), grid = {}, shown = [];
                items.forEach(function (it) {
                    if (it.icon) {
                        var off = it.layoutZoom === null || zoom >= it.layoutZoom - 1e-9;
                        if (off !== it.offset && (it.dx || it.dy)) { it.layer.setIcon(it.icon(off)); }
                        it.offset = off;
                    }
                    var p = map.latLngToLayerPoint(it.layer.getLatLng());
                    var cx = p.x + (it.offset ? it.dx : 0), cy = p.y + (it.offset ? it.dy : 0);
                    var hw = it.w / 2 + margin, hh = it.h / 2 + margin;
                    var box = [cx - hw, cy - hh, cx + hw, cy + hh];
                    var i0 = Math.floor(box[0] / cell), i1 = Math.floor(box[2] / cell);
                    var j0 = Math.floor(box[1] / cell), j1 = Math.floor(box[3] / cell);
                    var host = null;
                    for (var i = i0; i <= i1 && !host; i++) {
                        for (var j = j0; j <= j1 && !host; j++) {
                            (grid[i + ',' + j] || []).some(function (o) {
                                if (box[0] < o.box[2] && o.box[0] < box[2] && box[1] < o.box[3] && o.box[1] < box[3]) {
                                    host = o;
                                    return true;
                                }
                                return false;
                            });
                        }
                    }
                    if (host) {
                        host.hidden += 1;
                        it.hiddenBy = host;
                        display(it, false);
                        return;
                    }
                    it.box = box;
                    it.hidden = 0;
                    it.hiddenBy = null;
                    display(it, true);
                    shown.push(it);
                    for (var a = i0; a <= i1; a++) {
                        for (var b = j0; b <= j1; b++) { (grid[a + ',' + b] = grid[a + ',' + b] || []).push(it); }
                    }
                });
                shown.forEach(function (it) { stacked(it, it.hidden > 0); });
                map._amShown = shown.length;
            }
            map.on('zoomend viewreset overlayadd overlayremove layeradd', function (e) {
                if (e.type !== 'layeradd' || e.layer instanceof L.FeatureGroup) { run(); }
            });
            map.whenReady(function () { setTimeout(run, 0); });
            map._amDeclutter = run;
            // The "Leaflet" credit stays, as text: a link would take a tap off this machine.
            if (map.attributionControl) { map.attributionControl.setPrefix('Leaflet'); }
        })({{ this._parent.get_name() }}, {{ this.bounds_json }}, {{ this.padding }}, {{ this.cell }},
           {{ this.margin }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]] | None, *, padding: int = FIT_PAD_PX) -> None:
        super().__init__()
        self._name = "Declutter"
        self.bounds_json = js_json(bounds)
        self.padding = padding
        self.cell = DECLUTTER_CELL_PX
        self.margin = DECLUTTER_MARGIN_PX
        self.narrow, self.narrow_pad = NARROW_PX, FIT_PAD_NARROW_PX


# --- layout of labels ------------------------------------------------------------------------------------


def label_width(label: str) -> int:
    """Width in pixels of a label's box."""
    return max(LABEL_H, _CHAR_W * len(label) + _PAD_W)


def pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> np.ndarray:
    """Web Mercator pixel coordinates at ``zoom`` (y grows southwards)."""
    scale = 256 * 2.0**zoom
    x = (lon + 180.0) / 360.0 * scale
    phi = np.radians(lat)
    y = (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0 * scale
    return np.column_stack([x, y])


def fit_pad(width_px: float) -> int:
    """The margin around the compound on a map ``width_px`` wide (as :class:`Declutter` fits it)."""
    return FIT_PAD_NARROW_PX if width_px < NARROW_PX else FIT_PAD_PX


def fit_zoom(
    bounds: tuple[float, float, float, float], size_px: tuple[int, int], pad_px: int | None = None
) -> float:
    """The largest half-step zoom at which lon/lat ``bounds`` fit a map of ``size_px`` (width, height).

    ``pad_px`` is the margin kept on every side (by default :func:`fit_pad` of the width).
    """
    pad_px = fit_pad(size_px[0]) if pad_px is None else pad_px
    west, south, east, north = bounds
    zoom = 20.0
    while zoom > 3:
        (x0, y0), (x1, y1) = pixels(np.array([west, east]), np.array([south, north]), zoom)
        if abs(x1 - x0) <= size_px[0] - 2 * pad_px and abs(y1 - y0) <= size_px[1] - 2 * pad_px:
            return zoom
        zoom -= 0.5
    return zoom


def declutter(
    xy: np.ndarray,
    widths: np.ndarray,
    height: float = LABEL_H,
    iterations: int = 200,
    *,
    heights: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Return pixel offsets that move overlapping label boxes apart, as little as it takes.

    Parameters
    ----------
    xy
        N×2 label centres in pixels.
    widths
        Box widths in pixels; every box is ``height`` tall unless ``heights`` says otherwise.
    iterations
        Rounds of pairwise separation; each pushes every overlapping pair apart along the axis
        of least overlap, half each way, with a 1 px margin.
    heights
        Box heights in pixels, one per box.
    fixed
        Boxes that never move (the gates): a label that meets one is pushed the whole way.

    Returns
    -------
    numpy.ndarray
        N×2 offsets in pixels (zero for labels that did not collide, and for fixed boxes).
    """
    pos = xy.astype(float).copy()
    n = len(pos)
    if n < 2:
        return np.zeros_like(pos)
    half_w = widths / 2.0 + 1.0
    half_h = (np.full(n, float(height)) if heights is None else np.asarray(heights, dtype=float)) / 2.0 + 1.0
    still = np.zeros(n, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    rng = np.random.default_rng(0)  # breaks exact ties between coincident labels, reproducibly
    jitter = rng.uniform(-0.01, 0.01, size=pos.shape)
    jitter[still] = 0.0
    pos += jitter
    upper = np.triu(np.ones((n, n), dtype=bool), k=1) & ~(still[:, None] & still[None, :])
    for _ in range(iterations):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        over_x = half_w[:, None] + half_w[None, :] - np.abs(dx)
        over_y = half_h[:, None] + half_h[None, :] - np.abs(dy)
        hit = (over_x > 0) & (over_y > 0) & upper
        if not hit.any():
            break
        i, j = np.nonzero(hit)
        along_x = over_x[i, j] * (over_x[i, j] * 0.6 < over_y[i, j])
        along_y = over_y[i, j] * (along_x == 0)
        push = np.column_stack([np.sign(dx[i, j]) * along_x, np.sign(dy[i, j]) * along_y])
        # half each way; the whole way for a label that meets a fixed box
        share_i = np.where(still[i], 0.0, np.where(still[j], 1.0, 0.5))[:, None]
        share_j = np.where(still[j], 0.0, np.where(still[i], 1.0, 0.5))[:, None]
        np.add.at(pos, i, push * share_i)
        np.add.at(pos, j, -push * share_j)
    offsets = pos - xy - jitter
    offsets[np.hypot(offsets[:, 0], offsets[:, 1]) < 0.5] = 0.0
    offsets[still] = 0.0
    return np.round(offsets, 1)



#: ``onEachFeature`` that binds a feature's escaped ``tip`` property as a sticky tooltip.
TIP_ON_EACH = JsCode(
    "function (feature, layer) { if (feature.properties.tip) { layer.bindTooltip(feature.properties.tip, "
    "{sticky: true}); } }"
)
