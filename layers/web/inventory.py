"""The web map: a folium map of one inventory, drawn from the layer definitions.

Three things this module owns for every page that shows a map:

- **Escaping.** Names come from files anyone can edit (OSM, uploads). folium puts popup and tooltip
  text into ``innerHTML`` and sometimes into JavaScript template literals, so every text that reaches
  the map goes through :func:`escape_text` here, once: ``html.escape(s, quote=True)``, then backslash,
  backtick and ``$`` as character references (``../shared/RELIABILITY.md``). Data reaches the page as
  JSON with ``<``, ``>``, ``&``, ``'`` escaped (:func:`_js_json`), so ``</script>`` cannot close a script.
- **Offline.** folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; with no internet
  the map never appears. :func:`use_local_assets` points every element at the copies in
  ``static/vendor/`` (served by Streamlit's static file serving at ``/app/static/vendor``); a CDN file
  that is not vendored raises, so a new plugin cannot silently reach the internet.
- **Tile base maps** are optional and online only: OpenStreetMap, Tianditu (with the user's key) and
  Gaode/AMap. Gaode's tiles are in GCJ-02, so with Gaode every overlay is shifted to GCJ-02 too
  (``pipeline.core.coords.wgs84_to_gcj02``); offline, the inventory's own context layers are the base map.

Numbered assets are drawn as one compact data array turned into ``L.marker`` + ``L.divIcon`` by a few
lines of JavaScript (:class:`DivMarkers`), not as one folium ``Marker`` per asset: at 2,000 assets the
HTML is several times smaller and faster to build (``bench/bench_app.py``). Labels that would overlap at
the opening zoom are pushed apart with a leader line to their asset (:func:`declutter`); above
:data:`CLUSTER_ABOVE` assets, markers are clustered until zoom 18.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from layers.definitions import (
    ASSETS,
    BASE_LAYERS,
    CATEGORY_COLORS,
    GATE_COLOR,
    GATES,
    MAIN_GATE_COLOR,
    ROAD_CLASS_WEIGHT,
    LayerDef,
    category_name,
    word,
)
from pipeline.core import schema as S
from pipeline.core.coords import gcj02_to_wgs84, wgs84_to_gcj02
from pipeline.core.errors import DataError
from pipeline.core.taxonomy import load_taxonomy
from pipeline.inventory.build import Inventory
from pipeline.inventory.gates import rule_text

#: Where the vendored web libraries live, and the URL Streamlit serves them at.
VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"
VENDOR_URL = "/app/static/vendor"

#: CDN files folium 0.20 and its plugins reference, and their copies under :data:`VENDOR_DIR`
#: (npm packages of the same versions; see ``static/vendor/README.md``).
VENDORED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet@1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet@1.9.3/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap@5.2.2/bootstrap.bundle.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap@5.2.2/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "leaflet.awesome-markers@2.0.2/leaflet.awesome-markers.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "leaflet.awesome-markers@2.0.2/leaflet.awesome-markers.css"
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "fontawesome-free@6.2.0/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster@1.1.0/leaflet.markercluster.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster@1.1.0/MarkerCluster.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "leaflet.markercluster@1.1.0/MarkerCluster.Default.css"
    ),
    # folium.plugins.HeatMap (residents' spots): the copy folium 0.20.0 ships in folium/templates.
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": (
        "leaflet-heat@folium-0.20.0/leaflet_heat.min.js"
    ),
}
#: CDN files left out: Bootstrap 3's glyphicon font (only ``folium.Icon(prefix="glyphicon")`` uses it)
#: and folium's icon-rotation stylesheet (only ``folium.Icon(angle=...)``); these maps use neither.
DROPPED: frozenset[str] = frozenset(
    {
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
    }
)

#: Above this many assets, markers are clustered until zoom 18 and labels are not decluttered.
CLUSTER_ABOVE = 400
#: Margin in pixels around the compound when the map opens.
FIT_PAD_PX = 30
#: Size of a label box in pixels: height, and width per character plus padding.
LABEL_H = 22
_CHAR_W, _PAD_W = 7, 10
#: Maximum distance in metres between a click and a marker for the click to pick that marker.
CLICK_TOLERANCE_M = 3.0
#: Context geometries are simplified to this tolerance in metres before drawing.
SIMPLIFY_M = 0.3
_FONT = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)


# --- text and data that reach the page ---------------------------------------------------------------


_INERT = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def escape_text(value: object) -> str:
    r"""Return ``value`` as text that is inert in HTML, attributes, JavaScript template literals and Jinja.

    Braces are escaped too: branca renders a folium element's output as a Jinja template a second time,
    so a name holding ``{{ … }}`` would otherwise run as Python on the server.

    >>> escape_text("<img src=x onerror=alert(1)> ${x} `\\\\ {{ 7*7 }}")
    '&lt;img src=x onerror=alert(1)&gt; &#36;&#123;x&#125; &#96;&#92;&#92; &#123;&#123; 7*7 &#125;&#125;'
    """
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return html.escape(text, quote=True).translate(_INERT)


def _js_json(data: Any) -> str:
    """JSON for a ``<script>``: ``<``, ``>``, ``&``, ``'`` and line separators escaped, UTF-8 kept."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# --- offline assets ------------------------------------------------------------------------------


def _elements(root: Element) -> list[Element]:
    found = [root]
    for child in root._children.values():
        found.extend(_elements(child))
    return found


def use_local_assets(m: folium.Map, vendor_url: str = VENDOR_URL) -> folium.Map:
    """Point every element of ``m`` at the vendored copies of its JavaScript and CSS files.

    Call it after the last element is added; it may be called again after adding more.

    Parameters
    ----------
    m
        The map; changed in place and returned.
    vendor_url
        Where ``static/vendor`` is served: ``/app/static/vendor`` in the app, or
        ``VENDOR_DIR.as_uri()`` for a standalone HTML file.

    Raises
    ------
    ValueError
        When an element needs a CDN file that is not vendored: vendor it (``static/vendor``,
        :data:`VENDORED`) rather than let the map reach the internet.
    """
    base = vendor_url.rstrip("/")
    for element in _elements(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = []
            for name, url in links:
                if url.startswith(base):
                    local.append((name, url))
                elif url in VENDORED:
                    local.append((name, f"{base}/{VENDORED[url]}"))
                elif url not in DROPPED:
                    raise ValueError(
                        f"{type(element).__name__} loads `{url}` from the internet; download that file into "
                        f"{VENDOR_DIR} and add it to layers.web.inventory.VENDORED."
                    )
            setattr(element, attr, local)
    return m


# --- base maps and display coordinates -----------------------------------------------------------------


@dataclass(frozen=True)
class Basemap:
    """A tile base map: its bilingual name, tile URL templates, credit, and datum."""

    key: str
    zh: str
    en: str
    tiles: tuple[str, ...] = ()
    attribution: str = ""
    subdomains: str = "abc"
    gcj02: bool = False
    needs_key: bool = False

    def name(self, lang: str = "zh") -> str:
        """Return the base map's name in ``lang``."""
        return self.zh if lang == "zh" else self.en


_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}"
)
BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none", "无底图（离线）", "None (offline)"),
    "osm": Basemap(
        "osm",
        "OpenStreetMap",
        "OpenStreetMap",
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
        "© OpenStreetMap contributors",
    ),
    "tianditu": Basemap(
        "tianditu",
        "天地图",
        "Tianditu",
        (_TIANDITU.format(layer="vec"), _TIANDITU.format(layer="cva")),
        "© 天地图 Tianditu",
        subdomains="01234567",
        needs_key=True,
    ),
    "gaode": Basemap(
        "gaode",
        "高德地图（GCJ-02）",
        "Gaode / AMap (GCJ-02)",
        ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
        "© 高德地图 AutoNavi",
        subdomains="1234",
        gcj02=True,
    ),
}


def _shift(basemap: str) -> Callable[[np.ndarray], np.ndarray]:
    """Return the function from WGS-84 (N×2 lon, lat) to the base map's datum, rounded to 1e-7°."""
    if not BASEMAPS[basemap].gcj02:
        return lambda xy: np.round(xy, 7)

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 7)

    return shift


def to_display(frame: gpd.GeoDataFrame, basemap: str = "none") -> gpd.GeoSeries:
    """Return the frame's geometries in the base map's lon/lat (WGS-84, or GCJ-02 for Gaode)."""
    wgs = frame.geometry.to_crs(S.WGS84)
    return gpd.GeoSeries(shapely.transform(wgs.values, _shift(basemap)), index=frame.index, crs=S.WGS84)


def display_to_wgs84(lon: float, lat: float, basemap: str = "none") -> tuple[float, float]:
    """Return WGS-84 lon/lat of a point clicked on a map drawn over ``basemap``."""
    if not BASEMAPS[basemap].gcj02:
        return lon, lat
    x, y = gcj02_to_wgs84(lon, lat)
    return float(x), float(y)


def point_at(
    frame: gpd.GeoDataFrame,
    lat: float,
    lon: float,
    basemap: str = "none",
    tolerance_m: float = CLICK_TOLERANCE_M,
) -> int | None:
    """Return the position in ``frame`` of the feature whose marker is at a clicked point, or ``None``.

    Markers stand on each feature's representative point, and a click on a marker reports the
    marker's own position, so the tolerance is small.
    """
    if frame.empty:
        return None
    points = to_display(
        gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=frame.crs), basemap
    )
    dx = (points.x.to_numpy() - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (points.y.to_numpy() - lat) * 110_540
    dist = np.hypot(dx, dy)
    i = int(np.argmin(dist))
    return i if dist[i] <= tolerance_m else None


# --- elements ------------------------------------------------------------------------------------


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
        return _js_json(self.rows)


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
        self.font = _FONT
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
        self.html_json = _js_json(html_text)
        self.class_json = _js_json(css_class)
        self.position_json = _js_json(position)
        self.credit = credit
        self.credit_json = _js_json(escape_text(credit))


# --- layout of labels ------------------------------------------------------------------------------------


def label_width(label: str) -> int:
    """Width in pixels of a label's box."""
    return max(LABEL_H, _CHAR_W * len(label) + _PAD_W)


def _pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> np.ndarray:
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
        (x0, y0), (x1, y1) = _pixels(np.array([west, east]), np.array([south, north]), zoom)
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


# --- the map -------------------------------------------------------------------------------------


def _feature_collection(geoms: gpd.GeoSeries, properties: list[dict[str, Any]]) -> dict:
    """A GeoJSON FeatureCollection of the non-empty geometries, each with its properties."""
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
        for geom, props in zip(geoms, properties, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _leaflet_style(layer: LayerDef) -> dict[str, Any]:
    style = layer.style
    out: dict[str, Any] = {"color": style.color, "weight": style.weight, "opacity": style.opacity}
    if style.fill:
        out.update(fillColor=style.fill, fillOpacity=style.fill_opacity, fill=True)
    else:
        out["fill"] = False
    if style.dash:
        out["dashArray"] = style.dash
    return out


_TIP_ON_EACH = JsCode(
    "function (feature, layer) { if (feature.properties.tip) { layer.bindTooltip(feature.properties.tip, "
    "{sticky: true}); } }"
)


def _context_layer(layer: LayerDef, inventory: Inventory, basemap: str, lang: str) -> folium.GeoJson | None:
    frame = layer.data(inventory)
    if frame.empty:
        return None
    local = frame.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    geoms = to_display(gpd.GeoDataFrame(geometry=local, crs=frame.crs), basemap)
    names = frame[S.NAME].fillna("").astype(str) if S.NAME in frame else [""] * len(frame)
    properties: list[dict[str, Any]] = [{"tip": escape_text(n)} for n in names]
    if layer.key == "roads" and "type" in frame:
        for props, road in zip(properties, frame["type"], strict=True):
            props["w"] = ROAD_CLASS_WEIGHT.get(road, 1.0)
    collection = _feature_collection(geoms, properties)
    interactive = layer.key not in ("boundary", "green", "water")
    style = _js_json(_leaflet_style(layer))
    return folium.GeoJson(
        collection,
        name=escape_text(layer.name(lang)),
        show=layer.on_by_default,
        on_each_feature=_TIP_ON_EACH if interactive else None,
        style=JsCode(
            f"function (f) {{ var s = {style}; if (f && f.properties.w) {{ s.weight *= f.properties.w; }} return s; }}"
        ),
        interactive=interactive,
    )


def _asset_tip(row: Any, lang: str, kinds: dict[str, Any]) -> str:
    kind = kinds[row.kind].label(lang) if row.kind in kinds else row.kind
    name = row.name if isinstance(row.name, str) and row.name else ""
    where = word("inside" if row.inside else "adjacent", lang)
    parts = [
        f"<b>{escape_text(row.label)}</b> {escape_text(name)}",
        f"{escape_text(word('kind', lang))}: {escape_text(kind)}",
        f"{escape_text(word('category', lang))}: {escape_text(category_name(row.category, lang))}",
        f"{escape_text(word('source', lang))}: {escape_text(row.source)} {escape_text(row.source_id)}",
        escape_text(where),
    ]
    return "<br>".join(parts)


def asset_rows(
    inventory: Inventory, *, lang: str = "zh", basemap: str = "none", zoom: float | None = None
) -> list[list[Any]]:
    """Return the :class:`DivMarkers` rows of the numbered assets, in clockwise order.

    With ``zoom``, labels that overlap at that zoom are moved apart (:func:`declutter`).
    """
    assets = inventory.assets
    points = to_display(
        gpd.GeoDataFrame(geometry=assets.geometry.representative_point(), crs=assets.crs), basemap
    )
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    labels = assets[S.LABEL].astype(str).tolist()
    widths = np.array([label_width(label) for label in labels], dtype=float)
    offsets = np.zeros((len(assets), 2))
    if zoom is not None and len(assets) <= CLUSTER_ABOVE:
        offsets = declutter(_pixels(lon, lat, zoom), widths)
    kinds = load_taxonomy().kinds
    rows = []
    for i, row in enumerate(assets.itertuples(index=False)):
        color = CATEGORY_COLORS[S.Category(row.category)]
        icon = (
            f'<div class="am-num am-{escape_text(row.category)}" style="background:{color}" '
            f'data-sid="{escape_text(row.source_id)}">{escape_text(row.label)}</div>'
        )
        tip = _asset_tip(row, lang, kinds)
        rows.append(
            [float(lat[i]), float(lon[i]), icon, tip, int(widths[i]), *offsets[i].tolist(), 1000 - i % 1000]
        )
    return rows


def _gate_rows(inventory: Inventory, lang: str, basemap: str) -> list[list[Any]]:
    gates = inventory.gates
    points = to_display(gates, basemap)
    main_word = escape_text(word("main_gate", lang))
    hint = {"zh": "点击设为主入口", "en": "Click to make it the main gate"}[lang]
    rows = []
    for (_, gate), point in zip(gates.iterrows(), points, strict=True):
        name = gate[S.NAME] if isinstance(gate[S.NAME], str) else ""
        title = escape_text(name or gate[S.SOURCE_ID])
        sid = escape_text(gate[S.SOURCE_ID])
        if gate["is_main"]:
            icon = f'<div class="am-gate am-main" data-sid="{sid}" data-main="1">{main_word}</div>'
            tip = f"<b>{main_word}</b> {title}<br>{escape_text(rule_text(gate['main_rule'], lang))}"
            width, z = 14 * len(word("main_gate", lang)) + 14 if lang == "zh" else 74, 2000
        else:
            icon = f'<div class="am-gate" data-sid="{sid}"></div>'
            tip = f"<b>{escape_text(word('gate', lang))}</b> {title}<br>{escape_text(gate['gate_type'])}<br>{hint}"
            width, z = 14, 1500
        rows.append([round(point.y, 7), round(point.x, 7), icon, tip, width, 0.0, 0.0, z])
    return rows


def _legend_html(inventory: Inventory, lang: str) -> str:
    counts = inventory.assets[S.CATEGORY].value_counts()
    shape = {S.Category.PUBLIC_SPACE: "50%", S.Category.FACILITY: "2px", S.Category.INSTITUTION: "0"}
    rows = []
    for category, color in CATEGORY_COLORS.items():
        clip = (
            "clip-path:polygon(50% 0,100% 50%,50% 100%,0 50%);" if category is S.Category.INSTITUTION else ""
        )
        rows.append(
            f'<i style="background:{color};border-radius:{shape[category]};{clip}"></i>'
            f"{escape_text(category_name(category, lang))} ({int(counts.get(category.value, 0))})"
        )
    rows.append(
        f'<i style="background:{MAIN_GATE_COLOR};border-radius:2px"></i>{escape_text(word("main_gate", lang))}'
    )
    rows.append(
        f'<i style="background:{GATE_COLOR};width:10px;height:10px"></i>{escape_text(word("gate", lang))}'
    )
    boundary = next(layer for layer in BASE_LAYERS if layer.key == "boundary")
    rows.append(
        f'<i style="height:0;border-top:2px dashed {boundary.style.color};vertical-align:4px"></i>'
        f"{escape_text(boundary.name(lang))}"
    )
    return "<br>".join(rows)


def _tile_layers(basemap: str, tianditu_key: str, lang: str) -> list[folium.TileLayer]:
    spec = BASEMAPS[basemap]
    if spec.needs_key and not (
        len(tianditu_key) == 32 and all(c in "0123456789abcdefABCDEF" for c in tianditu_key)
    ):
        raise DataError(
            "A Tianditu key is 32 hexadecimal characters; get one at console.tianditu.gov.cn "
            "and paste it, or choose another base map."
        )
    layers = []
    for i, url in enumerate(spec.tiles):
        layers.append(
            folium.TileLayer(
                tiles=url.replace("{tk}", tianditu_key),
                attr=escape_text(spec.attribution),
                name=escape_text(spec.name(lang)) if i == 0 else f"{escape_text(spec.name(lang))} ·",
                subdomains=spec.subdomains,
                max_zoom=20,
                max_native_zoom=18,
                overlay=i > 0,
                control=i == 0,
            )
        )
    return layers


def build_map(
    inventory: Inventory,
    *,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str = "",
    vendor_url: str = VENDOR_URL,
    size_px: tuple[int, int] = (760, 620),
) -> folium.Map:
    """Return the folium map of an inventory: context layers, gates, numbered assets, legend.

    Parameters
    ----------
    inventory
        A numbered inventory.
    lang
        ``zh`` or ``en``, for layer names, tooltips and the legend.
    basemap
        A key of :data:`BASEMAPS`; ``none`` (offline) draws no tiles.
    tianditu_key
        The user's Tianditu key, for ``basemap="tianditu"``.
    vendor_url
        Where the vendored libraries are served (:func:`use_local_assets`).
    size_px
        The map's expected size in pixels, to choose the opening zoom and declutter labels for it.
    """
    if basemap not in BASEMAPS:
        raise DataError(f"Unknown base map `{basemap}`; use one of {', '.join(BASEMAPS)}.")
    outline = to_display(inventory.boundary, basemap)
    anchors = inventory.assets.geometry.representative_point()
    points = to_display(gpd.GeoDataFrame(geometry=anchors, crs=inventory.crs), basemap)
    west, south, east, north = shapely.union_all([*outline.values, *points.values]).bounds
    zoom = fit_zoom((west, south, east, north), size_px)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=round(zoom),  # the FitBounds below sets the half-step zoom the labels were laid out for
        zoom_snap=0.5,
        tiles=None,
        min_zoom=12,
        max_zoom=20,
        control_scale=True,
        prefer_canvas=False,
    )
    MapStyle().add_to(m)
    for tiles in _tile_layers(basemap, tianditu_key, lang):
        tiles.add_to(m)
    for layer in BASE_LAYERS:
        drawn = _context_layer(layer, inventory, basemap, lang)
        if drawn is not None:
            drawn.add_to(m)

    gates = folium.FeatureGroup(name=escape_text(GATES.name(lang)), show=GATES.on_by_default).add_to(m)
    DivMarkers(_gate_rows(inventory, lang, basemap), role="gates", popups=False, height=14).add_to(gates)

    assets = folium.FeatureGroup(name=escape_text(ASSETS.name(lang)), show=ASSETS.on_by_default)
    assets.add_to(m)
    areas = inventory.assets[
        ~inventory.assets.geom_type.isin(["Point", "MultiPoint"]) & ~inventory.assets.is_empty
    ]
    if not areas.empty:
        colors = [CATEGORY_COLORS[S.Category(c)] for c in areas[S.CATEGORY]]
        styles = [{"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.12} for c in colors]
        collection = _feature_collection(to_display(areas, basemap), [{"style": style} for style in styles])
        folium.GeoJson(collection, control=False, interactive=False).add_to(assets)
    cluster = len(inventory.assets) > CLUSTER_ABOVE
    target: folium.FeatureGroup | folium.plugins.MarkerCluster = assets
    if cluster:
        target = folium.plugins.MarkerCluster(
            control=False,
            options={"disableClusteringAtZoom": 18, "maxClusterRadius": 45, "showCoverageOnHover": False},
        )
        target.add_to(assets)
    rows = asset_rows(inventory, lang=lang, basemap=basemap, zoom=None if cluster else zoom)
    DivMarkers(rows, role="assets").add_to(target)

    credit = inventory.report.get("credit", "© OpenStreetMap contributors")
    HtmlControl(_legend_html(inventory, lang), css_class="am-legend", credit=credit).add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    # The browser knows the map's real size: fit there too (the zoom above only lays out the labels).
    folium.FitBounds([[south, west], [north, east]], padding=(FIT_PAD_PX, FIT_PAD_PX)).add_to(m)
    return use_local_assets(m, vendor_url)
