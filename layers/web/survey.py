"""The survey preview layer and the control points, drawn over an inventory's web map.

A survey being imported is shown in one colour (magenta, ColorBrewer Dark2, apart from the category
colours and OSM's greys) over the OSM layers, so a shift between the two reads at a glance; each
feature's role (boundary, building, gate, asset, road, green) has its own line or fill. Control points
are numbered circles, red until the fit has a residual for them.

Everything shown goes through :func:`layers.web.html.escape_text` once, here: survey names, layer names and
control-point names come from files and from what the user typed. The survey layer is for the app
only; an accepted survey's assets reach the print figure as the inventory's own.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from layers.definitions import Style
from layers.web.basemaps import to_display
from layers.web.elements import TIP_ON_EACH, DivMarkers, HtmlControl
from layers.web.html import escape_text, feature_collection, js_json
from layers.web.vendor import use_local_assets
from pipeline.core import schema as S
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import word
from pipeline.survey.layers import LAYER, ROLE

SURVEY_COLOR = "#e7298a"
CONTROL_COLOR = "#d7301f"
FITTED_COLOR = "#1a9850"

#: How each survey role is drawn (its words: catalogue ``survey.role.<role>``; other roles are ``other``).
ROLE_STYLES: dict[str, Style] = {
    "boundary": Style(color=SURVEY_COLOR, weight=3.0, dash="10 5"),
    "building": Style(color=SURVEY_COLOR, fill=SURVEY_COLOR, weight=1.2, fill_opacity=0.08),
    "asset": Style(color=SURVEY_COLOR, fill=SURVEY_COLOR, weight=2.0, fill_opacity=0.3),
    "gate": Style(color=SURVEY_COLOR, fill="#ffffff", weight=3.0, fill_opacity=1.0),
    "road": Style(color=SURVEY_COLOR, weight=1.5, dash="3 3"),
    "green": Style(color=SURVEY_COLOR, fill=SURVEY_COLOR, weight=1.0, fill_opacity=0.12, dash="2 3"),
    "other": Style(color=SURVEY_COLOR, weight=1.0, opacity=0.7),
}
#: Radius in pixels of a survey point (assets and gates drawn as points).
POINT_RADIUS = 6


def _leaflet(style: Style) -> dict[str, Any]:
    out: dict[str, Any] = {"color": style.color, "weight": style.weight, "opacity": style.opacity}
    out.update(
        fill=style.fill is not None, fillColor=style.fill or style.color, fillOpacity=style.fill_opacity
    )
    if style.dash:
        out["dashArray"] = style.dash
    return out


def _tip(row: Any, lang: str, kinds: dict[str, Any]) -> str:
    kind = word(f"kind.{row.kind}", lang) if row.kind in kinds else row.kind
    role = word(f"survey.role.{row.role if row.role in ROLE_STYLES else 'other'}", lang)
    head = escape_text(row.name) or escape_text(role)
    lines = [f"<b>{head}</b>", escape_text(role)]
    if kind:
        lines[-1] += f" · {escape_text(kind)}"
    lines.append(
        f"{escape_text(word('survey.layer', lang))}: {escape_text(row.layer)} · {escape_text(row.source_id)}"
    )
    return "<br>".join(lines)


def survey_group(
    features: gpd.GeoDataFrame, *, lang: str = "zh", basemap: str = "none"
) -> folium.FeatureGroup:
    """The survey's features as one map layer: shapes by role, points as circles, escaped tooltips.

    Parameters
    ----------
    features
        :attr:`pipeline.survey.result.SurveyResult.features` (any CRS; shown in the base map's).
    lang
        ``zh`` or ``en``.
    basemap
        A key of :data:`layers.web.basemaps.BASEMAPS`; Gaode's GCJ-02 shifts the layer as it shifts the others.
    """
    group = folium.FeatureGroup(name=escape_text(word("survey.preview", lang)), show=True)
    if features.empty:
        return group
    frame = features.reset_index(drop=True)
    geoms = to_display(frame, basemap)
    kinds = load_taxonomy().kinds
    columns = [S.NAME, S.KIND, ROLE, LAYER, S.SOURCE_ID]
    rows = pd.DataFrame({c: frame[c].fillna("").astype(str) for c in columns})
    properties = [
        {"tip": _tip(row, lang, kinds), "role": row.role if row.role in ROLE_STYLES else "other"}
        for row in rows.itertuples(index=False)
    ]
    styles = js_json({role: _leaflet(style) for role, style in ROLE_STYLES.items()})
    order = ["green", "road", "building", "other", "boundary", "asset", "gate"]
    for part in order:
        chosen = [i for i, p in enumerate(properties) if p["role"] == part]
        if not chosen:
            continue
        collection = feature_collection(geoms.iloc[chosen], [properties[i] for i in chosen])
        folium.GeoJson(
            collection,
            style=folium.utilities.JsCode(f"function (f) {{ return {styles}[f.properties.role]; }}"),
            marker=folium.CircleMarker(radius=POINT_RADIUS),
            on_each_feature=TIP_ON_EACH,
            control=False,
        ).add_to(group)
    return group


def legend_html(features: gpd.GeoDataFrame, lang: str = "zh") -> str:
    """The survey legend: the layer's name and a count per role, escaped."""
    counts = features[ROLE].value_counts() if not features.empty else pd.Series(dtype=int)
    rows = [f'<b style="color:{SURVEY_COLOR}">{escape_text(word("survey.preview", lang))}</b>']
    for role in ROLE_STYLES:
        if counts.get(role, 0):
            style = ROLE_STYLES[role]
            border = f"2px {'dashed' if style.dash else 'solid'} {style.color}"
            fill = style.fill or "transparent"
            rows.append(
                f'<i style="border:{border};background:{fill};opacity:{max(style.fill_opacity, 0.5)}"></i>'
                f"{escape_text(word(f'survey.role.{role}', lang))} ({int(counts[role])})"
            )
    return "<br>".join(rows)


def add_survey(
    m: folium.Map,
    features: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    basemap: str = "none",
    vendor_url: str | None = None,
) -> folium.Map:
    """Add the survey layer and its legend to an inventory's map (:func:`layers.web.inventory.build_map`).

    The layer is put below the map's layer control so the control lists it; ``m`` is changed in place
    and returned.
    """
    control = next((c for c in m._children.values() if isinstance(c, folium.LayerControl)), None)
    if control is not None:
        del m._children[control.get_name()]
    survey_group(features, lang=lang, basemap=basemap).add_to(m)
    HtmlControl(legend_html(features, lang), css_class="am-legend", position="bottomleft").add_to(m)
    if control is not None:
        control.add_to(m)
    return use_local_assets(m, vendor_url) if vendor_url else m


def control_point_group(
    points: pd.DataFrame,
    *,
    clicked: tuple[float, float] | None = None,
    lang: str = "zh",
    basemap: str = "none",
) -> folium.FeatureGroup:
    """Control points as numbered circles (green once fitted, with the residual), and the last click.

    Parameters
    ----------
    points
        Columns ``name``, ``lon``, ``lat`` (WGS-84) and optionally ``residual_m``.
    clicked
        ``(lon, lat)`` of a click not yet made into a control point, drawn as a hollow circle.
    """
    group = folium.FeatureGroup(name=escape_text(word("survey.control", lang)), show=True)
    rows: list[list[Any]] = []
    frame = points.reset_index(drop=True)
    lonlat = [
        (float(lon), float(lat)) for lon, lat in zip(frame.get("lon", []), frame.get("lat", []), strict=True)
    ]
    if clicked is not None:
        lonlat.append(clicked)
    if not lonlat:
        return group
    display = to_display(
        gpd.GeoDataFrame(geometry=gpd.points_from_xy(*zip(*lonlat, strict=True)), crs=S.WGS84), basemap
    )
    for i, row in frame.iterrows():
        residual = row.get("residual_m")
        fitted = residual is not None and pd.notna(residual)
        color = FITTED_COLOR if fitted else CONTROL_COLOR
        icon = (
            f'<div style="box-sizing:border-box;width:100%;height:100%;border-radius:50%;background:{color};'
            "border:2px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.5);color:#fff;font:700 11px/18px sans-serif;"
            f'text-align:center" data-cp="{escape_text(row["name"])}">{int(i) + 1}</div>'
        )
        tip = f"<b>{escape_text(word('survey.control', lang))} {escape_text(row['name'])}</b>"
        if fitted:
            tip += f"<br>{escape_text(word('survey.residual', lang))}: {float(residual):.2f} m"
        point = display.iloc[int(i)]
        rows.append([round(point.y, 7), round(point.x, 7), icon, tip, 22, 0.0, 0.0, 3000])
    if clicked is not None:
        point = display.iloc[-1]
        icon = (
            f'<div style="box-sizing:border-box;width:100%;height:100%;border-radius:50%;'
            f'border:3px solid {CONTROL_COLOR};background:rgba(255,255,255,.4)" data-cp-click="1"></div>'
        )
        rows.append(
            [
                round(point.y, 7),
                round(point.x, 7),
                icon,
                escape_text(word("survey.clicked", lang)),
                22,
                0.0,
                0.0,
                3100,
            ]
        )
    DivMarkers(rows, role="control_points", popups=False, height=22).add_to(group)
    return group
