"""Text and data that reach a web page: one escape for every text, script-safe JSON, GeoJSON.

Names come from files anyone can edit (OSM, uploads, residents). folium puts popup and tooltip text into
``innerHTML`` and sometimes into JavaScript template literals, so every text that reaches a map goes
through :func:`escape_text`, once: ``html.escape(s, quote=True)``, then backslash, backtick, ``$`` and
braces as character references (docs/reliability.md, "Resident text on the map"). Data reaches the page
as JSON with ``<``, ``>``, ``&``, ``'`` escaped (:func:`js_json`), so ``</script>`` cannot close a script.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import geopandas as gpd
import shapely

#: The font stack of every map text (Chinese first).
FONT = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)


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


def js_json(data: Any) -> str:
    """JSON for a ``<script>``: ``<``, ``>``, ``&``, ``'`` and line separators escaped, UTF-8 kept."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")



def feature_collection(geoms: gpd.GeoSeries, properties: list[dict[str, Any]]) -> dict:
    """A GeoJSON FeatureCollection of the non-empty geometries, each with its properties."""
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
        for geom, props in zip(geoms, properties, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}

