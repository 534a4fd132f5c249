"""Candidate sites on the web map: their numbers, and the ground kept open for sunlight.

Each site's number (``S01``…) sits on the site, so table rows match shapes; the sunlight spacing
ground (日照间距), where only open-air uses go, shows why a site lists no building.

The numbers are :class:`layers.web.elements.DivMarkers` handed to the map's declutter before the numbered
assets (a site's number is what the sites page is about), after the gates.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from layers.web.basemaps import to_display
from layers.web.elements import LABEL_H, DivMarkers, label_width
from layers.web.html import escape_text
from pipeline.core.words import reason_text

#: The sites' colour (brown, ColorBrewer Set1, apart from the asset categories).
SITE_COLOR = "#a65628"
#: The sunlight spacing ground: grey, dashed, faint, under the sites.
SPACING_STYLE = {
    "color": "#666666",
    "weight": 1,
    "dashArray": "4 3",
    "fillColor": "#999999",
    "fillOpacity": 0.18,
}
#: Declutter rank of the site numbers: after the gates (0), before the numbered assets (1).
RANK_SITES = 0.5


def site_rows(sites: gpd.GeoDataFrame, lang: str = "zh", basemap: str = "none") -> list[list[Any]]:
    """:class:`DivMarkers` rows: each site's ``site_id`` on a point inside it, its rank and reason as tooltip."""
    if sites.empty:
        return []
    points = to_display(
        gpd.GeoDataFrame(geometry=sites.geometry.representative_point(), crs=sites.crs), basemap
    )
    reasons = [reason_text(p, lang) for p in sites["reason"]] if "reason" in sites else [""] * len(sites)
    rows = []
    for (rank, site_id, reason), point in zip(
        zip(sites["rank"], sites["site_id"], reasons, strict=True), points, strict=True
    ):
        label = escape_text(site_id)
        icon = (
            f'<div class="am-num am-site" style="background:{SITE_COLOR};border-radius:4px" '
            f'data-site="{label}">{label}</div>'
        )
        tip = f"<b>#{int(rank)} {label}</b> · {escape_text(reason)}"
        rows.append(
            [round(point.y, 7), round(point.x, 7), icon, tip, label_width(str(site_id)), 0.0, 0.0, 2500]
        )
    return rows


def add_site_numbers(
    m: folium.Map, sites: gpd.GeoDataFrame, *, lang: str = "zh", basemap: str = "none"
) -> None:
    """Draw each site's number on the map (no layer-control entry: the control is drawn already)."""
    rows = site_rows(sites, lang, basemap)
    if rows:
        group = folium.FeatureGroup(name="sites", control=False).add_to(m)
        DivMarkers(rows, role="sites", popups=False, height=LABEL_H, declutter=RANK_SITES).add_to(group)


def polygons(geoms: np.ndarray) -> np.ndarray:
    """The polygons in ``geoms``, taken out of any multi-part geometry or collection."""
    while (nested := shapely.get_type_id(geoms) >= 4).any():
        geoms = np.concatenate([geoms[~nested], shapely.get_parts(geoms[nested])])
    return geoms[(shapely.get_type_id(geoms) == 3) & ~shapely.is_empty(geoms)]


def add_spacing(
    m: folium.Map, spacing: gpd.GeoSeries, *, label: str, basemap: str = "none"
) -> folium.GeoJson | None:
    """Draw the sunlight spacing ground (one geometry, any projected CRS) with ``label`` as its tooltip.

    Only its polygons are drawn: clipped to the compound, the ground can come with slivers of lines
    and points, which a map cannot fill (and which folium cannot bound). Nothing is drawn for empty
    ground. No layer-control entry: the control is drawn already.
    """
    spacing = gpd.GeoSeries(polygons(spacing.to_numpy()), crs=spacing.crs)
    if spacing.empty:
        return None
    shown = gpd.GeoDataFrame(
        {"tip": [escape_text(label)] * len(spacing)},
        geometry=to_display(gpd.GeoDataFrame(geometry=spacing), basemap).to_numpy(),
        crs="EPSG:4326",
    )
    layer = folium.GeoJson(
        shown.to_json(),
        name=escape_text(label),
        control=False,
        style_function=lambda _: SPACING_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )
    layer.add_to(m)
    return layer
