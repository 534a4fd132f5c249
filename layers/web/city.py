"""The city overview map: every compound of a batch result, coloured by its status or by a count.

Status uses ColorBrewer Set1 green (built) and red (failed); counts use the sequential YlGnBu scheme in
five classes, light for few, dark for many, with a legend stating each class's range. Names come from
OSM and go through :func:`layers.web.html.escape_text` once, here.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.web.basemaps import tile_layers, to_display
from layers.web.elements import (
    FIT_PAD_PX,
    TIP_ON_EACH,
    DivMarkers,
    HtmlControl,
    MapStyle,
    MetricScale,
    label_width,
)
from layers.web.html import escape_text, feature_collection
from layers.web.vendor import VENDOR_URL, use_local_assets
from pipeline.city.batch import REASON, said
from pipeline.city.city import COMPOUND_ID, STATUS
from pipeline.core import schema as S
from pipeline.core.words import word

STATUS_COLORS = {"done": "#4daf4a", "failed": "#e41a1c"}
OTHER_COLOR = "#999999"
#: ColorBrewer YlGnBu, 5 classes.
COUNT_COLORS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_VALUE_COLOR = "#d9d9d9"
#: The column of a compound's number, 1..N in the table's order, printed on its outline.
NUMBER = "no"
SELECTED_COLOR = "#000000"

#: The words of a compounds-table column are the catalogue's ``city.column.<column>``, of a status
#: ``city.status.<status>``; a column without words (coverage) is shown by its own name.


def count_classes(values: pd.Series, n: int = len(COUNT_COLORS)) -> list[tuple[float, float]]:
    """Up to ``n`` equal-width classes ``(low, high)`` over the finite values.

    A value belongs to the first class whose ``high`` it does not exceed. Whole numbers get whole,
    non-overlapping classes (``10–12``, ``13–15``, …); other values ``n`` equal intervals.

    >>> count_classes(pd.Series([10, 24, 19]))
    [(10.0, 12.0), (13.0, 15.0), (16.0, 18.0), (19.0, 21.0), (22.0, 24.0)]
    >>> count_classes(pd.Series([0, 1]))
    [(0.0, 0.0), (1.0, 1.0)]
    """
    finite = pd.to_numeric(values, errors="coerce").dropna()
    finite = finite[np.isfinite(finite)]
    if finite.empty:
        return []
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        return [(low, high)]
    if bool((finite == finite.round()).all()):
        count = int(high - low) + 1
        step = math.ceil(count / n)
        return [(low + i * step, min(high, low + (i + 1) * step - 1)) for i in range(math.ceil(count / step))]
    width = (high - low) / n
    return [(low + i * width, low + (i + 1) * width if i < n - 1 else high) for i in range(n)]


def _class_of(value: float, classes: list[tuple[float, float]]) -> int | None:
    if not classes or value is None or not np.isfinite(value):
        return None
    for i, (_, high) in enumerate(classes):
        if value <= high:
            return i
    return len(classes) - 1


def _colors(values: pd.Series, classes: list[tuple[float, float]]) -> list[str]:
    palette = COUNT_COLORS if len(classes) > 1 else COUNT_COLORS[2:3]
    step = (len(palette) - 1) / max(len(classes) - 1, 1)
    out = []
    for value in pd.to_numeric(values, errors="coerce"):
        i = _class_of(float(value), classes) if pd.notna(value) else None
        out.append(NO_VALUE_COLOR if i is None else palette[round(i * step)])
    return out


def is_share(values: pd.Series) -> bool:
    """Tell whether a column holds shares (every value in 0..1, not all whole), shown as percentages."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    return (
        bool(len(finite)) and bool(finite.between(0, 1).all()) and not bool((finite == finite.round()).all())
    )


def _fmt(value: float, *, share: bool = False) -> str:
    if share:
        return f"{value:.0%}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def legend_html(compounds: gpd.GeoDataFrame, color_by: str, lang: str = "zh", *, label: str = "") -> str:
    """The legend: status colours with counts, or the classes of a numeric column with their ranges."""
    title = label or word(f"city.column.{color_by}", lang, default=color_by)
    rows = [f"<b>{escape_text(title)}</b>"]
    if color_by == STATUS:
        counts = compounds[STATUS].value_counts()
        for status, color in STATUS_COLORS.items():
            rows.append(
                f'<i style="background:{color}"></i>{escape_text(word(f"city.status.{status}", lang))} '
                f"({int(counts.get(status, 0))})"
            )
        return "<br>".join(rows)
    share = is_share(compounds[color_by])
    classes = count_classes(compounds[color_by])
    palette = COUNT_COLORS if len(classes) > 1 else COUNT_COLORS[2:3]
    step = (len(palette) - 1) / max(len(classes) - 1, 1)
    for i, (low, high) in enumerate(classes):
        span = (
            _fmt(low, share=share) if low == high else f"{_fmt(low, share=share)}–{_fmt(high, share=share)}"
        )
        rows.append(f'<i style="background:{palette[round(i * step)]}"></i>{escape_text(span)}')
    if pd.to_numeric(compounds[color_by], errors="coerce").isna().any():
        rows.append(f'<i style="background:{NO_VALUE_COLOR}"></i>—')
    return "<br>".join(rows)


def _tip(row: pd.Series, color_by: str, lang: str, *, label: str, share: bool) -> str:
    name = row.get(S.NAME)
    title = name if isinstance(name, str) and name else word("city.no_name", lang)
    lines = [f"<b>{escape_text(title)}</b>"]  # no OSM id: the number and the name say which
    status = word(f"city.status.{row[STATUS]}", lang, default=str(row[STATUS]))
    lines.append(
        escape_text(word("app.label_value", lang, name=word(f"city.column.{STATUS}", lang), value=status))
    )
    if row[STATUS] == "failed":
        reason = str(said(row, REASON, lang))
        lines.append(escape_text(reason[:160] + ("…" if len(reason) > 160 else "")))
        return "<br>".join(lines)
    for column in ("assets", color_by):
        if column == STATUS or column not in row or pd.isna(row[column]):
            continue
        value = row[column]
        numeric = isinstance(value, int | float | np.number)
        shown = _fmt(float(value), share=share and column == color_by) if numeric else str(value)
        name = label if column == color_by and label else word(f"city.column.{column}", lang, default=column)
        lines.append(escape_text(word("app.label_value", lang, name=name, value=shown)))
    return "<br>".join(dict.fromkeys(lines))


def build_city_map(
    compounds: gpd.GeoDataFrame,
    *,
    color_by: str = STATUS,
    selected: str | None = None,
    lang: str = "zh",
    basemap: str = "none",
    tianditu_key: str = "",
    vendor_url: str = VENDOR_URL,
    label: str = "",
) -> folium.Map:
    """Return the folium map of a batch result's compounds, each outline filled by status or a count.

    Parameters
    ----------
    compounds
        :attr:`pipeline.city.city.City.compounds`: ``compound_id``, ``name``, ``status``, the counts, outlines.
    color_by
        ``status`` or a numeric column.
    selected
        The ``compound_id`` drawn with a heavy outline.
    label
        The name of ``color_by`` in the legend and tooltips (the catalogue's ``city.column.<column>`` by default).
    lang, basemap, tianditu_key, vendor_url
        As for :func:`layers.web.inventory.build_map`.
    """
    frame = compounds[~compounds.geometry.isna() & ~compounds.geometry.is_empty].reset_index(drop=True)
    if color_by == STATUS:
        fills = [STATUS_COLORS.get(s, OTHER_COLOR) for s in frame[STATUS]]
    else:
        fills = _colors(frame[color_by], count_classes(frame[color_by]))
    share = color_by != STATUS and is_share(frame[color_by])
    geoms = to_display(frame, basemap)
    if len(frame):
        west, south, east, north = shapely.union_all(geoms.values).bounds
    else:
        west, south, east, north = 73.5, 18.0, 135.0, 53.5
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=15,
        tiles=None,
        zoom_snap=0.5,
        max_zoom=20,
    )
    MapStyle().add_to(m)
    MetricScale().add_to(m)
    for tiles in tile_layers(basemap, tianditu_key, lang):
        tiles.add_to(m)
    properties: list[dict[str, Any]] = []
    for (_, row), fill in zip(frame.iterrows(), fills, strict=True):
        chosen = row[COMPOUND_ID] == selected
        properties.append(
            {
                "tip": _tip(row, color_by, lang, label=label, share=share),
                "style": {
                    "color": SELECTED_COLOR if chosen else "#525252",
                    "weight": 4 if chosen else 1.2,
                    "fillColor": fill,
                    "fillOpacity": 0.75,
                },
            }
        )
    folium.GeoJson(
        feature_collection(geoms, properties),
        name=escape_text(label or word(f"city.column.{color_by}", lang, default=color_by)),
        style=folium.utilities.JsCode("function (f) { return f.properties.style; }"),
        highlight_function=lambda _: {"weight": 3, "color": SELECTED_COLOR},
        on_each_feature=TIP_ON_EACH,
    ).add_to(m)
    DivMarkers(_number_rows(compounds, geoms, properties), role="compounds", popups=False).add_to(m)
    HtmlControl(
        legend_html(frame, color_by, lang, label=label),
        css_class="am-legend",
        credit="© OpenStreetMap contributors",
    ).add_to(m)
    folium.FitBounds([[south, west], [north, east]], padding=(FIT_PAD_PX, FIT_PAD_PX)).add_to(m)
    return use_local_assets(m, vendor_url)


def _number_rows(
    compounds: gpd.GeoDataFrame, geoms: gpd.GeoSeries, properties: list[dict[str, Any]]
) -> list[list[Any]]:
    """:class:`DivMarkers` rows: each compound's number (its row in ``compounds``, from 1) inside it."""
    number = {sid: i + 1 for i, sid in enumerate(compounds[COMPOUND_ID])}
    frame = compounds[~compounds.geometry.isna() & ~compounds.geometry.is_empty].reset_index(drop=True)
    rows = []
    for sid, geom, props in zip(frame[COMPOUND_ID], geoms, properties, strict=True):
        point = geom.representative_point()
        label = str(number[sid])
        width = label_width(label)
        icon = (
            f'<div class="am-num" style="background:#fff;color:#252525;border-color:#525252;border-radius:11px" '
            f'data-compound="{escape_text(sid)}">{escape_text(label)}</div>'
        )
        rows.append([round(point.y, 7), round(point.x, 7), icon, props["tip"], width, 0.0, 0.0, 1000])
    return rows


def compound_at(compounds: gpd.GeoDataFrame, lon: float, lat: float, basemap: str = "none") -> str | None:
    """The ``compound_id`` of the compound whose outline holds a clicked point (the smallest), or ``None``."""
    if compounds.empty:
        return None
    geoms = to_display(compounds, basemap)
    hits = geoms.contains(shapely.Point(lon, lat)).to_numpy()
    if not hits.any():
        return None
    areas = np.where(hits, shapely.area(geoms.to_numpy()), np.inf)
    return str(compounds[COMPOUND_ID].iloc[int(np.argmin(areas))])
