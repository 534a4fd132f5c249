"""Offline maps: every CDN file folium and its plugins load is served from ``static/vendor/``.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; with no internet the map never
appears. :func:`use_local_assets` points every element at the copies in ``static/vendor/`` (served by
Streamlit's static file serving at ``/app/static/vendor``); a CDN file that is not vendored raises, so a
new plugin cannot silently reach the internet.
"""

from __future__ import annotations

from pathlib import Path

import folium
from branca.element import Element

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
                        f"{VENDOR_DIR} and add it to layers.web.vendor.VENDORED."
                    )
            setattr(element, attr, local)
    return m

