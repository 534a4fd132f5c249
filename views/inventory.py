"""Inventory (清单): the numbered table, filters, CSV download, corrections kept per compound, and publishing.

Once a planner publishes the numbering, hiding or adding an asset keeps every printed label, by the
rule of ``build --keep-labels`` (:mod:`pipeline.workspace.published`).
"""

import datetime as dt

import pandas as pd
import streamlit as st

from layers.web import display_to_wgs84
from pipeline.core import schema as S
from pipeline.core.cells import csv_bytes
from pipeline.core.errors import MapperError
from pipeline.core.taxonomy import load_taxonomy
from pipeline.core.words import word
from pipeline.inventory.build import to_csv_frame
from pipeline.workspace import edits as E
from ui import data, state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings

settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
edits = data.load_edits(view, settings)
widgets.header("inventory", inventory)
assets = inventory.assets
code = lang()


def save(updated: E.Edits) -> None:
    """Write the compound's edits and show the pages again with the new numbers."""
    E.write_edits(updated, data.edits_file(view, settings))
    st.toast(t("saved"))
    st.rerun()


# --- the table -----------------------------------------------------------------------------------
search_col, category_col, where_col = st.columns([2, 2, 1])
query = search_col.text_input(t("search"), key="inventory_search").strip().lower()
categories = category_col.multiselect(
    word("map.category", code),
    [c.value for c in S.Category],
    default=[c.value for c in S.Category],
    format_func=widgets.category_label,
    key="inventory_categories",
)
where = where_col.selectbox(
    t("location"),
    ["all", "inside", "adjacent"],
    format_func=lambda w: t("all") if w == "all" else word(f"map.{w}", code),
    key="inventory_where",
)
table = widgets.asset_table(assets)
mask = assets[S.CATEGORY].isin(categories).to_numpy(copy=True)
if where != "all":
    mask &= assets[S.INSIDE].to_numpy() == (where == "inside")
if query:
    text = (
        table[word("map.label", code)]
        + " "
        + table[word("map.name", code)]
        + " "
        + table[word("map.kind", code)]
    )
    mask &= text.str.lower().str.contains(query, regex=False).to_numpy()
st.caption(t("shown_of", shown=int(mask.sum()), total=len(assets)))
st.dataframe(table[mask], hide_index=True, width="stretch", height=min(35 * (int(mask.sum()) + 1) + 3, 600))
st.download_button(
    t("download_csv"),
    csv_bytes(to_csv_frame(assets)),
    file_name=f"{E.compound_dir('', view.compound).name}-inventory.csv",
    mime="text/csv",
    icon=":material/download:",
)

# --- corrections ---------------------------------------------------------------------------------
st.header(t("corrections"))
st.caption(t("corrections_help"))
kinds = load_taxonomy().kinds
fix_col, add_col = st.columns(2, gap="large")

with fix_col:
    names = table[word("map.name", code)].where(
        table[word("map.name", code)] != "", table[word("map.kind", code)]
    )
    labels = dict(zip(assets[S.SOURCE_ID], table[word("map.label", code)] + " · " + names, strict=True))
    sid = st.selectbox(t("pick_asset"), list(labels), format_func=labels.get, key="inventory_pick")
    row = assets[assets[S.SOURCE_ID] == sid].iloc[0]
    with st.form(f"fix_{sid}"):
        category = st.selectbox(
            word("map.category", code),
            [c.value for c in S.Category],
            index=[c.value for c in S.Category].index(row[S.CATEGORY]),
            format_func=widgets.category_label,
        )
        kind_keys = sorted(kinds, key=lambda k: (kinds[k].category.value, k))
        kind = st.selectbox(
            word("map.kind", code),
            kind_keys,
            index=kind_keys.index(row[S.KIND]) if row[S.KIND] in kinds else 0,
            format_func=lambda k: f"{widgets.kind_label(k)} · {widgets.category_label(kinds[k].category)}",
        )
        name = st.text_input(
            word("map.name", code), value=row[S.NAME] if isinstance(row[S.NAME], str) else ""
        )
        hidden = st.checkbox(t("hide"))
        if st.form_submit_button(t("save"), type="primary"):
            updated = edits
            try:
                if kind != row[S.KIND]:
                    updated = E.set_kind(updated, sid, kind)
                if category != (kinds[kind].category.value if kind != row[S.KIND] else row[S.CATEGORY]):
                    updated = E.set_category(updated, sid, category)
                if name.strip() != (row[S.NAME] if isinstance(row[S.NAME], str) else ""):
                    updated = E.rename(updated, sid, name)
                if hidden:
                    updated = E.hide(updated, sid)
            except MapperError as exc:
                widgets.show_error(exc)
            else:
                save(updated)
    if sid in edits.changes and st.button(t("revert"), key=f"revert_{sid}"):
        save(E.revert(edits, sid))

with add_col:
    st.subheader(t("add_asset"))
    out = widgets.show_map(
        inventory, view, key="inventory_map", returned=["last_clicked"], height=460, width=520
    )
    point = out.get("last_clicked")
    if state.is_new_click("inventory_point", view, point):
        st.session_state["new_asset_point"] = display_to_wgs84(point["lng"], point["lat"], view.basemap)
    placed = st.session_state.get("new_asset_point")
    if placed is None:
        st.caption(t("add_hint"))
    else:
        st.text(f"{t('position')}: {placed[0]:.6f}, {placed[1]:.6f}")
        with st.form("add_asset"):
            new_kind = st.selectbox(
                word("map.kind", code),
                sorted(kinds, key=lambda k: (kinds[k].category.value, k)),
                format_func=lambda k: (
                    f"{widgets.kind_label(k)} · {widgets.category_label(kinds[k].category)}"
                ),
                key="add_kind",
            )
            new_name = st.text_input(word("map.name", code), key="add_name")
            if st.form_submit_button(t("add"), type="primary"):
                try:
                    updated, _ = E.add_asset(
                        edits, kind=new_kind, name=new_name, lon=placed[0], lat=placed[1]
                    )
                except MapperError as exc:
                    widgets.show_error(exc)
                else:
                    del st.session_state["new_asset_point"]
                    save(updated)

# --- what the edits file holds -------------------------------------------------------------------
if edits.hidden:
    st.subheader(t("hidden_assets"))
    base = data.base_inventory(view, settings).assets
    manual = pd.DataFrame(
        {
            S.SOURCE_ID: [a.source_id for a in edits.added],
            S.NAME: [a.name for a in edits.added],
            S.KIND: [a.kind for a in edits.added],
        }
    )
    known = pd.concat([pd.DataFrame(base[[S.SOURCE_ID, S.NAME, S.KIND]]), manual], ignore_index=True)
    known = known[known[S.SOURCE_ID].isin(edits.hidden)].drop_duplicates(S.SOURCE_ID)
    hidden_names = {
        sid: (name if isinstance(name, str) and name else "")
        for sid, name in zip(known[S.SOURCE_ID], known[S.NAME], strict=True)
    }
    hidden_kinds = dict(zip(known[S.SOURCE_ID], known[S.KIND], strict=True))
    st.dataframe(
        pd.DataFrame(
            {
                word("map.name", code): [hidden_names.get(sid, "") for sid in edits.hidden],
                word("map.kind", code): [
                    widgets.kind_label(hidden_kinds.get(sid, "")) for sid in edits.hidden
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    again = st.selectbox(
        t("show_again"),
        edits.hidden,
        format_func=lambda sid: hidden_names.get(sid) or widgets.kind_label(hidden_kinds.get(sid, "")),
        key="inventory_unhide",
    )
    if st.button(t("show_again"), key="inventory_unhide_button"):
        save(E.hide(edits, again, hidden=False))
if edits.added:
    st.subheader(t("manual_assets"))
    added = {
        a.source_id: f"{i}. {a.name or widgets.kind_label(a.kind)}"
        for i, a in enumerate(edits.added, start=1)
    }
    gone = st.selectbox(t("remove"), list(added), format_func=added.get, key="inventory_remove")
    if st.button(t("remove"), key="inventory_remove_button"):
        save(E.remove_asset(edits, gone))
stale = inventory.report.get("edits", {}).get("stale", [])
if stale:
    st.text(t("stale_n", n=len(stale)))

# --- publishing the numbering --------------------------------------------------------------------
st.header(t("publish"))
published = edits.published
if published is None:
    st.caption(t("publish_help"))
    if st.button(t("publish_button"), key="inventory_publish", icon=":material/push_pin:"):
        save(E.publish(edits, inventory, dt.date.today().isoformat()))
else:
    st.text(t("published_on", date=published.date, n=len(published.labels)))
    unused = inventory.report.get("labels_retired", [])
    if unused and inventory.report.get("edits", {}).get("published"):
        st.text(t("published_unused", labels=t("enum_sep").join(unused)))
    if not inventory.report.get("edits", {}).get("published"):
        st.warning(
            t("published_other_scheme", scheme=t(f"scheme_{published.scheme}")), icon=":material/warning:"
        )
    st.caption(t("published_help"))
    again_col, withdraw_col = st.columns(2)
    if again_col.button(t("publish_again"), key="inventory_publish_again", icon=":material/push_pin:"):
        save(E.publish(edits, inventory, dt.date.today().isoformat()))
    if withdraw_col.button(t("publish_withdraw"), key="inventory_withdraw"):
        save(E.withdraw(edits))
