"""The web maps the app shows: folium maps whose every text is escaped and that load nothing from the internet.

``html`` escapes text and data, ``vendor`` serves the web libraries locally, ``basemaps`` holds the tile base
maps and display coordinates, ``elements`` the verbatim map elements and label layout; ``inventory``,
``spots``, ``survey`` and ``city`` draw one map each.
"""

from layers.web.basemaps import BASEMAPS, display_to_wgs84, point_at, to_display
from layers.web.city import build_city_map, compound_at
from layers.web.elements import DivMarkers, declutter, fit_zoom
from layers.web.html import escape_text
from layers.web.inventory import asset_rows, build_map
from layers.web.spots import build_spots_map, distance_outside_m, pending_pin, spots_at
from layers.web.survey import add_survey, control_point_group
from layers.web.vendor import VENDOR_DIR, VENDOR_URL, use_local_assets

__all__ = [
    "BASEMAPS",
    "VENDOR_DIR",
    "VENDOR_URL",
    "DivMarkers",
    "add_survey",
    "asset_rows",
    "build_city_map",
    "build_map",
    "build_spots_map",
    "compound_at",
    "control_point_group",
    "declutter",
    "display_to_wgs84",
    "distance_outside_m",
    "escape_text",
    "fit_zoom",
    "pending_pin",
    "point_at",
    "spots_at",
    "to_display",
    "use_local_assets",
]
