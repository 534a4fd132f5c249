"""Layout (布局): the compound's map with its numbered assets; click a gate to number from it."""

import pandas as pd
import streamlit as st

from layers.web import display_to_wgs84, point_at
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.core.words import gate_rule_text, word
from pipeline.inventory.numbering import MAX_GATE_DIST_M
from pipeline.workspace.profile import profile_rows
from ui import data, state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings

settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
widgets.header("layout", inventory)

map_col, side = st.columns([3, 1], gap="medium")
with map_col:
    pick = st.toggle(t("pick_boundary"), key="pick_boundary", help=t("pick_boundary_help"))
    # The map reports plain clicks whether or not picking is on: st_folium's frame keeps the objects it
    # returns from when the map was drawn, so a list that changed with the switch was never seen by the
    # browser, and a boundary click did nothing until something else redrew the map.
    out = widgets.show_map(inventory, view, key="layout_map", returned=["last_object_clicked", "last_clicked"])
    st.caption(t("gate_hint"))

clicked = out.get("last_object_clicked")
if state.is_new_click("layout_object", view, clicked):
    gate = point_at(inventory.gates, clicked["lat"], clicked["lng"], view.basemap)
    if gate is not None:
        gate_id = inventory.gates[S.SOURCE_ID].iloc[gate]
        if gate_id != inventory.main_gate.source_id:
            state.request(gate=gate_id)
    else:
        asset = point_at(inventory.assets, clicked["lat"], clicked["lng"], view.basemap)
        st.session_state["layout_selected"] = (
            None if asset is None else inventory.assets[S.SOURCE_ID].iloc[asset]
        )
point = out.get("last_clicked")
# every click counts once, so one made with picking off does not pick a gate when it is switched on
if state.is_new_click("layout_point", view, point) and pick:
    lon, lat = display_to_wgs84(point["lng"], point["lat"], view.basemap)
    dist = data.boundary_distance_m(inventory, lon, lat)
    if dist > MAX_GATE_DIST_M:
        with map_col:
            st.warning(t("too_far", dist=dist, max=MAX_GATE_DIST_M))
    else:
        state.request(gate=f"{lon:.7f},{lat:.7f}")

with side:
    main = inventory.main_gate
    st.subheader(t("main_gate"))
    st.text(main.title(lang()))
    st.caption(t("why_gate"))
    st.text(gate_rule_text(main.rule, lang()))
    st.subheader(t("numbered", n=len(inventory.assets)))
    walk = inventory.report.get("method_choice", {})
    if walk.get("asked") == "walk" and walk.get("method") != "walk":
        st.caption(t("walk_fallback"))
    elif walk.get("off_walk"):
        st.caption(t("walk_off", n=len(walk["off_walk"]), m=walk["max_off_m"]))
    counts = inventory.assets[S.CATEGORY].value_counts()
    st.dataframe(
        pd.DataFrame(
            {
                word("map.category", lang()): [widgets.category_label(c) for c in S.Category],
                t("count"): [int(counts.get(c.value, 0)) for c in S.Category],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    selected = st.session_state.get("layout_selected")
    rows = inventory.assets[inventory.assets[S.SOURCE_ID] == selected]
    if not rows.empty:
        st.subheader(t("selected"))
        table = widgets.asset_table(rows).T.reset_index()
        table.columns = ["", " "]
        st.dataframe(table, hide_index=True, width="stretch")
    st.subheader(t("profile"))
    try:
        profile = data.load_profile(view, settings)
    except MapperError as exc:
        widgets.show_error(exc)
    else:
        facts = profile_rows(profile, lang())
        if facts:
            st.dataframe(pd.DataFrame(facts, columns=["", " "]), hide_index=True, width="stretch")
        else:
            st.caption(t("profile_empty"))
        st.page_link("views/profile.py", label=t("edit_profile"), icon=":material/edit:")
