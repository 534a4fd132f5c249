"""The web map of one inventory: context layers, gates, numbered assets and legend, from the layer definitions.

Every text goes through :func:`layers.web.html.escape_text`; the map loads nothing from the internet
(:func:`layers.web.vendor.use_local_assets`); numbered assets are one :class:`layers.web.elements.DivMarkers`
array, decluttered at the opening zoom; above :data:`CLUSTER_ABOVE` assets, markers are clustered until zoom 18.
"""

from __future__ import annotations

from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
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
)
from layers.web.basemaps import BASEMAPS, tile_layers, to_display
from layers.web.elements import (
    LABEL_H,
    TIP_ON_EACH,
    Declutter,
    DivMarkers,
    FoldedLegend,
    MapStyle,
    MetricScale,
    declutter,
    fit_zoom,
    label_width,
    pixels,
)
from layers.web.html import escape_text, feature_collection, js_json
from layers.web.vendor import VENDOR_URL, use_local_assets
from pipeline.core import schema as S
from pipeline.core.errors import DataError, Listed
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import gate_rule_text, source_text, word
from pipeline.inventory.build import Inventory
from pipeline.inventory.naming import title_of

#: Above this many assets, markers are clustered until zoom 18 and labels are not decluttered.
CLUSTER_ABOVE = 400
#: Declutter ranks (lower ones are kept first when markers would cover each other): gates, then the numbered
#: assets in clockwise order; residents' spots come after them (:mod:`layers.web.spots`).
RANK_GATES, RANK_ASSETS = 0, 1
#: Height in pixels of a gate's marker.
GATE_H = 14
#: Context geometries are simplified to this tolerance in metres before drawing.
SIMPLIFY_M = 0.3


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
    collection = feature_collection(geoms, properties)
    interactive = layer.key not in ("boundary", "green", "water")
    style = js_json(_leaflet_style(layer))
    return folium.GeoJson(
        collection,
        name=escape_text(layer.name(lang)),
        show=layer.on_by_default,
        on_each_feature=TIP_ON_EACH if interactive else None,
        style=JsCode(
            f"function (f) {{ var s = {style}; if (f && f.properties.w) {{ s.weight *= f.properties.w; }} return s; }}"
        ),
        interactive=interactive,
    )


def _asset_tip(row: Any, lang: str, kinds: dict[str, Any]) -> str:
    kind = word(f"kind.{row.kind}", lang) if row.kind in kinds else row.kind
    name = row.name if isinstance(row.name, str) and row.name else ""
    where = word("map.inside" if row.inside else "map.adjacent", lang)
    parts = [
        f"<b>{escape_text(row.label)}</b> {escape_text(name)}",
        f"{escape_text(word('map.kind', lang))}: {escape_text(kind)}",
        f"{escape_text(word('map.category', lang))}: {escape_text(word(f'category.{row.category}', lang))}",
        f"{escape_text(word('map.source', lang))}: {escape_text(source_text(row.source, lang))}",
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
        # the gates stay where they are: labels move off them too
        gates = _gate_rows(inventory, lang, basemap)
        g_lat = np.array([g[0] for g in gates], dtype=float)
        g_lon = np.array([g[1] for g in gates], dtype=float)
        n = len(assets)
        moved = declutter(
            pixels(np.concatenate([lon, g_lon]), np.concatenate([lat, g_lat]), zoom),
            np.concatenate([widths, [float(g[4]) for g in gates]]),
            heights=np.concatenate([np.full(n, float(LABEL_H)), np.full(len(gates), float(GATE_H))]),
            fixed=np.arange(n + len(gates)) >= n,
        )
        offsets = moved[:n]
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
    main_word = escape_text(word("map.main_gate", lang))
    hint = word("map.gate_click_hint", lang)
    rows = []
    for (_, gate), point in zip(gates.iterrows(), points, strict=True):
        name = gate[S.NAME] if isinstance(gate[S.NAME], str) else ""
        title = escape_text(name or title_of(gate, lang))
        sid = escape_text(gate[S.SOURCE_ID])
        if gate["is_main"]:
            icon = f'<div class="am-gate am-main" data-sid="{sid}" data-main="1">{main_word}</div>'
            tip = f"<b>{main_word}</b> {title}<br>{escape_text(gate_rule_text(gate['main_rule'], lang))}"
            width, z = 14 * len(word("map.main_gate", lang)) + 14 if lang == "zh" else 74, 2000
        else:
            icon = f'<div class="am-gate" data-sid="{sid}"></div>'
            tip = f"<b>{escape_text(word('map.gate', lang))}</b> {title}<br>{escape_text(gate['gate_type'])}<br>{hint}"
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
            f"{escape_text(word(f'category.{category}', lang))} ({int(counts.get(category.value, 0))})"
        )
    rows.append(
        f'<i style="background:{MAIN_GATE_COLOR};border-radius:2px"></i>{escape_text(word("map.main_gate", lang))}'
    )
    rows.append(
        f'<i style="background:{GATE_COLOR};width:10px;height:10px"></i>{escape_text(word("map.gate", lang))}'
    )
    boundary = next(layer for layer in BASE_LAYERS if layer.key == "boundary")
    rows.append(
        f'<i style="height:0;border-top:2px dashed {boundary.style.color};vertical-align:4px"></i>'
        f"{escape_text(boundary.name(lang))}"
    )
    return "<br>".join(rows)


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
        raise DataError("error.map.basemap", basemap=basemap, basemaps=Listed(BASEMAPS))
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
        prefer_canvas=False,
    )
    MapStyle().add_to(m)
    MetricScale().add_to(m)
    for tiles in tile_layers(basemap, tianditu_key, lang):
        tiles.add_to(m)
    for layer in BASE_LAYERS:
        drawn = _context_layer(layer, inventory, basemap, lang)
        if drawn is not None:
            drawn.add_to(m)

    gates = folium.FeatureGroup(name=escape_text(GATES.name(lang)), show=GATES.on_by_default).add_to(m)
    DivMarkers(
        _gate_rows(inventory, lang, basemap), role="gates", popups=False, height=GATE_H, declutter=RANK_GATES
    ).add_to(gates)

    assets = folium.FeatureGroup(name=escape_text(ASSETS.name(lang)), show=ASSETS.on_by_default)
    assets.add_to(m)
    areas = inventory.assets[
        ~inventory.assets.geom_type.isin(["Point", "MultiPoint"]) & ~inventory.assets.is_empty
    ]
    if not areas.empty:
        colors = [CATEGORY_COLORS[S.Category(c)] for c in areas[S.CATEGORY]]
        styles = [{"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.12} for c in colors]
        collection = feature_collection(to_display(areas, basemap), [{"style": style} for style in styles])
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
    # Clustered markers are laid out by the cluster; the others by the map's Declutter, at every zoom.
    DivMarkers(
        rows,
        role="assets",
        declutter=None if cluster else RANK_ASSETS,
        layout_zoom=None if cluster else zoom,
    ).add_to(target)

    credit = inventory.report.get("credit", "© OpenStreetMap contributors")
    FoldedLegend([_legend_html(inventory, lang)], title=word("map.legend", lang), credit=credit).add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    # The browser knows the map's real size: it fits there, and again when the frame is resized.
    Declutter([[south, west], [north, east]]).add_to(m)
    return use_local_assets(m, vendor_url)
