"""Map elements that carry escaped data to the page verbatim, and the layout of label boxes.

Numbered markers are drawn as one compact data array turned into ``L.marker`` + ``L.divIcon`` by a few
lines of JavaScript (:class:`DivMarkers`), not as one folium ``Marker`` each: at 2,000 assets the HTML is
several times smaller and faster to build (``bench/bench_app.py``). Labels that would overlap at the opening
zoom are pushed apart with a leader line to their point (:func:`declutter`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from layers.definitions import GATE_COLOR, MAIN_GATE_COLOR
from layers.web.html import FONT, escape_text, js_json

#: Margin in pixels around the compound when the map opens.
FIT_PAD_PX = 30
#: Size of a label box in pixels: height, and width per character plus padding.
LABEL_H = 22
_CHAR_W, _PAD_W = 7, 10


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
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group, rows, h) {
            rows.forEach(function (r) {
                var w = r[4], dx = r[5], dy = r[6];
                var lead = (dx || dy) ? '<svg class="am-lead" width="' + w + '" height="' + h + '">' +
                    '<line x1="' + w / 2 + '" y1="' + h / 2 + '" x2="' + (w / 2 - dx) + '" y2="' + (h / 2 - dy) +
                    '"/><circle cx="' + (w / 2 - dx) + '" cy="' + (h / 2 - dy) + '" r="2.5"/></svg>' : '';
                var marker = L.marker([r[0], r[1]], {
                    icon: L.divIcon({html: lead + r[2], className: 'am-icon', iconSize: [w, h],
                                     iconAnchor: [w / 2 - dx, h / 2 - dy]}),
                    keyboard: false, riseOnHover: true, zIndexOffset: r[7]
                });
                if (r[3]) {
                    marker.bindTooltip(r[3], {direction: 'top', offset: [dx, dy - h / 2]});
                    {% if this.popups %}marker.bindPopup(r[3]);{% endif %}
                }
                group.addLayer(marker);
            });
        })({{ this._parent.get_name() }}, {{ this.rows_json }}, {{ this.height }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], *, role: str, popups: bool = True, height: int = LABEL_H):
        super().__init__()
        self._name = "DivMarkers"
        self.rows = rows
        self.role = role
        self.popups = popups
        self.height = height

    @property
    def rows_json(self) -> str:
        """The rows as script-safe JSON."""
        return js_json(self.rows)


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


def fit_zoom(
    bounds: tuple[float, float, float, float], size_px: tuple[int, int], pad_px: int = FIT_PAD_PX
) -> float:
    """The largest half-step zoom at which lon/lat ``bounds`` fit a map of ``size_px`` (width, height)."""
    west, south, east, north = bounds
    zoom = 20.0
    while zoom > 3:
        (x0, y0), (x1, y1) = pixels(np.array([west, east]), np.array([south, north]), zoom)
        if abs(x1 - x0) <= size_px[0] - 2 * pad_px and abs(y1 - y0) <= size_px[1] - 2 * pad_px:
            return zoom
        zoom -= 0.5
    return zoom


def declutter(
    xy: np.ndarray, widths: np.ndarray, height: float = LABEL_H, iterations: int = 200
) -> np.ndarray:
    """Return pixel offsets that move overlapping label boxes apart, as little as it takes.

    Parameters
    ----------
    xy
        N×2 label centres in pixels.
    widths
        Box widths in pixels; every box is ``height`` tall.
    iterations
        Rounds of pairwise separation; each pushes every overlapping pair apart along the axis
        of least overlap, half each way, with a 1 px margin.

    Returns
    -------
    numpy.ndarray
        N×2 offsets in pixels (zero for labels that did not collide).
    """
    pos = xy.astype(float).copy()
    n = len(pos)
    if n < 2:
        return np.zeros_like(pos)
    half_w = widths / 2.0 + 1.0
    half_h = height / 2.0 + 1.0
    rng = np.random.default_rng(0)  # breaks exact ties between coincident labels, reproducibly
    jitter = rng.uniform(-0.01, 0.01, size=pos.shape)
    pos += jitter
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    for _ in range(iterations):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        over_x = half_w[:, None] + half_w[None, :] - np.abs(dx)
        over_y = 2 * half_h - np.abs(dy)
        hit = (over_x > 0) & (over_y > 0) & upper
        if not hit.any():
            break
        i, j = np.nonzero(hit)
        along_x = over_x[i, j] * (over_x[i, j] * 0.6 < over_y[i, j])
        along_y = over_y[i, j] * (along_x == 0)
        push = np.column_stack([np.sign(dx[i, j]) * along_x, np.sign(dy[i, j]) * along_y]) / 2.0
        np.add.at(pos, i, push)
        np.add.at(pos, j, -push)
    offsets = pos - xy - jitter
    offsets[np.hypot(offsets[:, 0], offsets[:, 1]) < 0.5] = 0.0
    return np.round(offsets, 1)



#: ``onEachFeature`` that binds a feature's escaped ``tip`` property as a sticky tooltip.
TIP_ON_EACH = JsCode(
    "function (feature, layer) { if (feature.properties.tip) { layer.bindTooltip(feature.properties.tip, "
    "{sticky: true}); } }"
)
