"""City overview (城市总览): open a batch result, list its compounds, map them, and open one.

A batch result is the folder ``python -m pipeline batch --out DIR`` wrote (:mod:`pipeline.city.city`). The
folders under ``build/`` (or ``MAPPER_BUILD_DIR``) that hold one are offered; another can be typed. The
inventories shown are the batch's, read as they were written: corrections and surveys made in the
other pages apply to the compound chosen in the sidebar, not to a batch result.
"""

import os
from collections import Counter
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit_folium

from layers.web import display_to_wgs84
from layers.web.city import NUMBER, build_city_map, compound_at
from pipeline.city.batch import COVERAGE_NOTE, ZH_COLUMNS, said
from pipeline.city.city import (
    COMPOUND_ID,
    COUNT_COLUMNS,
    INTERNAL_COLUMNS,
    REASON,
    STATUS,
    City,
    coverage_columns,
    find_cities,
    read_city,
    share_columns,
)
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import gate_rule_text, word
from pipeline.inventory.build import Inventory
from ui import state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings
from ui.state import K_TIANDITU

CITY_MAP_HEIGHT = 480
K_OPEN = "city_open"  # the compound opened, by compound_id
OTHER = "__other__"


@st.cache_data(max_entries=8, show_spinner=False)
def _city(folder: str, mtime: float) -> City:
    return read_city(folder)


@st.cache_data(max_entries=16, show_spinner=False)
def _inventory(folder: str, compound_id: str, mtime: float) -> Inventory:
    return read_city(folder).read_compound(compound_id)


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


view = state.current()
code = lang()
st.title(t("city"))
st.caption(t("city_intro"))

# --- which batch result --------------------------------------------------------------------------
root = load_settings(st.get_option("server.maxUploadSize")).build_dir
found = [str(p) for p in find_cities(root)]
choice = st.selectbox(
    t("city_folder"),
    [*found, OTHER],
    format_func=lambda p: t("city_other") if p == OTHER else os.path.relpath(p, root.parent),
    key="city_folder",
)
if choice == OTHER:
    folder = st.text_input(t("city_path"), key="city_path").strip()
    if not folder:
        if not found:
            st.caption(t("city_none"))
        st.stop()
else:
    folder = choice
try:
    city = _city(folder, _mtime(Path(folder) / "city.gpkg"))
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()
compounds = city.compounds
statuses = compounds[STATUS].value_counts()
st.text(Path(city.folder).name)  # the folder's name only: the server's folders are not shown
st.caption(
    t(
        "city_summary",
        n=len(compounds),
        done=int(statuses.get("done", 0)),
        failed=int(statuses.get("failed", 0)),
    )
)

# Coverage columns are whatever the batch wrote: shares (0..1) per kind, and the rest (gap counts,
# gap lists, notes). They are named from the taxonomy when their name ends in a kind, else shown as is.
coverage = [  # not the batch's timings, nor a note's Chinese (shown in its English column's place)
    c for c in coverage_columns(compounds) if c not in INTERNAL_COLUMNS and c not in ZH_COLUMNS
]
shares = [c for c in share_columns(compounds) if c in coverage]
gap_columns = [c for c in coverage if c not in shares]
kinds = load_taxonomy().kinds
numeric = [
    c
    for c in (*COUNT_COLUMNS, *gap_columns, *shares)
    if c in compounds and pd.api.types.is_numeric_dtype(compounds[c])
]
ids = compounds[COMPOUND_ID].astype(str).tolist()
titles = compounds[f"title_{code}"] if f"title_{code}" in compounds else compounds[S.NAME]
names = {
    sid: n or tt for sid, n, tt in zip(ids, compounds[S.NAME].fillna(""), titles.fillna(""), strict=True)
}
number = {sid: i + 1 for i, sid in enumerate(ids)}
share_kinds = Counter(c.split("_", 1)[-1] for c in shares)  # a kind named twice keeps the column names


def column_label(column: str) -> str:
    """A column's name for people: the table's words, a kind's coverage, or the column's own name."""
    if column in shares:
        kind = column.split("_", 1)[-1]
        if kind in kinds and share_kinds[kind] == 1:
            return t("city_share", kind=widgets.kind_label(kind))
    key = {"gap_kinds": "city_gap_kinds", "gaps": "city_gaps", "coverage_note": "city_note"}.get(column)
    return t(key) if key else word(f"city.column.{column}", code, default=column)


def kind_list(text: object) -> str:
    """A comma-separated list of kind keys, in the session's language (other text as it is)."""
    if not isinstance(text, str) or not text:
        return ""
    return t("enum_sep").join(widgets.kind_label(k.strip()) for k in text.split(","))


def compound_label(sid: str) -> str:
    """A compound as the select box shows it: its number on the map and its name or title (no id)."""
    return f"{number.get(sid, '')}. {names.get(sid) or t('no_name')}"


# --- the map of outlines -------------------------------------------------------------------------
map_col, side = st.columns([3, 2], gap="medium")
with side:
    color_by = st.selectbox(
        t("city_color_by"), [STATUS, *numeric], format_func=column_label, key="city_color_by"
    )
with map_col:
    m = build_city_map(
        compounds,
        color_by=color_by,
        selected=st.session_state.get(K_OPEN),
        lang=code,
        basemap=view.basemap,
        tianditu_key=st.session_state.get(K_TIANDITU, ""),
        vendor_url=widgets.vendor_url(),
        label=column_label(color_by),
    )
    out = (
        streamlit_folium.st_folium(
            m,
            key="city_map",
            height=CITY_MAP_HEIGHT,
            use_container_width=True,
            returned_objects=["last_object_clicked"],
        )
        or {}
    )
    st.caption(t("city_hint"))
clicked = out.get("last_object_clicked")
if state.is_new_click(f"city_map:{city.folder}", view, clicked):
    lon, lat = display_to_wgs84(clicked["lng"], clicked["lat"], view.basemap)
    hit = compound_at(compounds, lon, lat)
    if hit is not None and hit != st.session_state.get(K_OPEN):
        st.session_state[K_OPEN] = hit
        st.rerun()  # redraw the map with the opened compound outlined
with side:
    if st.session_state.get(K_OPEN) not in ids:
        st.session_state[K_OPEN] = None
    st.selectbox(
        t("city_open"),
        ids,
        index=None,
        format_func=compound_label,
        placeholder=t("city_pick"),
        key=K_OPEN,
    )

# --- one compound --------------------------------------------------------------------------------


def show_compound(compound_id: str) -> None:
    """The opened compound: its main gate, its numbered assets on the layout map, and their table."""
    st.header(compound_label(compound_id))
    row = city.row(compound_id)
    if row[STATUS] != "done":
        st.error(t("city_failed"), icon=":material/error:")
        st.text(str(said(row, REASON, code)))
        return
    try:
        inventory = _inventory(
            str(city.folder), compound_id, _mtime(city.compound_folder(compound_id) / "report.json")
        )
    except MapperError as exc:
        widgets.show_error(exc)
        return
    main = inventory.main_gate
    st.text(
        t("label_value", name=t("main_gate"), value=f"{main.title(code)} · {gate_rule_text(main.rule, code)}")
    )
    map_col, table_col = st.columns([3, 2], gap="medium")
    with map_col:
        widgets.show_map(inventory, view, key="city_compound_map", returned=[], height=520, width=720)
    with table_col:
        st.caption(t("numbered", n=len(inventory.assets)))
        st.dataframe(widgets.asset_table(inventory.assets), hide_index=True, width="stretch", height=520)


opened = st.session_state.get(K_OPEN)
if opened:
    show_compound(opened)

# --- the compounds table -------------------------------------------------------------------------
st.subheader(t("city_compounds"))
shown = [S.NAME, STATUS, REASON, "area_m2", *COUNT_COLUMNS, "main_gate", "main_gate_rule"]  # no OSM ids
hidden = (*shown, COMPOUND_ID, *coverage, "geometry", "title_zh", "title_en", *INTERNAL_COLUMNS, *ZH_COLUMNS)
rest = [c for c in compounds.columns if c not in hidden]
columns = [c for c in (*shown, *rest) if c in compounds]
table = pd.DataFrame(compounds[columns]).copy()
table.insert(0, NUMBER, range(1, len(table) + 1))  # the numbers on the map
table[S.NAME] = [names.get(sid) or t("no_name") for sid in compounds[COMPOUND_ID].astype(str)]
table[STATUS] = [word(f"city.status.{s}", code, default=str(s)) for s in table[STATUS]]
if REASON in table:
    table[REASON] = said(compounds, REASON, code).fillna("").to_numpy()
if "main_gate_rule" in table:
    table["main_gate_rule"] = [
        gate_rule_text(r, code) if isinstance(r, str) else r for r in table["main_gate_rule"]
    ]
st.dataframe(
    table.rename(columns={c: column_label(c) for c in [NUMBER, *columns]}),
    hide_index=True,
    width="stretch",
    height=min(35 * (len(table) + 1) + 3, 460),
)
if gap_columns:
    st.subheader(t("city_coverage"))
    gaps = pd.DataFrame({NUMBER: range(1, len(ids) + 1), S.NAME: [compound_label(c) for c in ids]})
    for column in gap_columns:
        values = said(compounds, column, code) if column == COVERAGE_NOTE else compounds[column]
        gaps[column] = [kind_list(v) for v in values] if column == "gaps" else values.to_numpy()
    st.dataframe(
        gaps.rename(columns={c: column_label(c) for c in [NUMBER, *gap_columns]} | {S.NAME: t("compound")}),
        hide_index=True,
        width="stretch",
    )
if shares:
    st.subheader(t("city_shares"))
    st.caption(t("city_shares_help"))
    matrix = pd.DataFrame({word(f"city.column.{NUMBER}", code): range(1, len(ids) + 1)})
    config = {}
    for column in shares:
        matrix[column_label(column)] = compounds[column].to_numpy(dtype=float)
        config[column_label(column)] = st.column_config.ProgressColumn(
            column_label(column), min_value=0.0, max_value=1.0, format="percent"
        )
    st.dataframe(matrix, hide_index=True, width="stretch", column_config=config)
