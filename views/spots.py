"""Spots (问题点): residents mark problem spots on the map, support each other's, and see them as markers or heat.

A click on the map places a pin; the form beside it names the nearest numbered asset, suggests supporting an
open spot of the same category nearby instead, and adds the spot (category, text, optional photo, pseudonym).
The public map shows spots snapped to the store's grid; a signed-in planner sees exact places and hidden
spots. Resident text is shown with ``st.text`` and in dataframes only; the map escapes its own.
"""

import pandas as pd
import streamlit as st
import streamlit_folium

from layers.web import display_to_wgs84
from layers.web.spots import REACH_M, asset_places, build_spots_map, distance_outside_m, pending_pin, spots_at
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.core.words import word
from store import (
    MODERATION,
    SpotCategory,
    add_spot,
    get_photo,
    list_spots,
    remove_spot,
    suggest_support,
    support_spot,
)
from store.geo import nearest_asset, spots_frame, with_current_labels
from store.spots import NEXT_STAGES, STAGES, current_stages, set_stage, spot_history
from ui import roles, state, widgets
from ui.i18n import lang, t
from ui.state import K_TIANDITU

K_PENDING = "spots_pending"  # (lon, lat) WGS-84 of the pin being placed
K_SELECTED = "spots_selected"  # id of the spot shown beside the map (a select box)
K_PHOTO_N = "_spots_photo_n"  # bumps the upload widget's key to empty it after a spot is added
K_SUPPORTED = "_spots_supported"  # spot ids this session supported
K_BY_ASSET = "spots_by_asset"  # the numbered asset picked from the list (without the map)
PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]
TIME_ZONE = "Asia/Shanghai"
#: The map's expected width in pixels (three fifths of a wide page), for its opening zoom.
MAP_WIDTH = 580

view, inventory, store, planner = roles.open_page("spots")
code = lang()
cell_m = store.settings.blur_cell_m

# "near 9 · 畅乐园" as the map numbers it now, not as it was numbered when the spot was made
records = with_current_labels(
    list_spots(store, view.compound, statuses=MODERATION if planner else ("open",)),
    inventory.assets,
    max_dist_m=store.settings.near_asset_m,
)
# each spot's progress (open -> confirmed -> planned -> in progress -> done, or closed); the map and the
# list show the stages chosen under the list (all by default)
stage_of = current_stages(store, view.compound)
only_stages = st.session_state.get("spots_stage_filter") or []
if only_stages:
    records = [r for r in records if stage_of.get(r.id, "open") in only_stages]
by_id = {r.id: r for r in records}
mine = [r for r in records if roles.is_mine(r)]
if planner:
    frame = spots_frame(records, lang=code)
    frame["mine"] = [roles.is_mine(r) for r in records]
else:  # others' spots snapped to the grid; a resident's own at their exact place
    others = spots_frame(
        [r for r in records if not roles.is_mine(r)], blur_m=cell_m, lang=code, crs=inventory.crs
    )
    own = spots_frame(mine, lang=code)
    others["mine"], own["mine"] = False, True
    frame = pd.concat([others, own], ignore_index=True).sort_values("id", ignore_index=True)
frame["stage_label"] = [
    "" if stage_of.get(int(i), "open") == "open" else word(f"spot.stage.{stage_of[int(i)]}", code) for i in frame["id"]
]


def _local(when: object) -> str:
    """A stored UTC time as Beijing time, to the minute."""
    return pd.Timestamp(when).tz_localize("UTC").tz_convert(TIME_ZONE).strftime("%Y-%m-%d %H:%M")


def _category_name(category: str) -> str:
    return word(f"spot.category.{category}", code)


def _named(scope: str) -> bool:
    """Whether the resident gave a pseudonym; if not, say so where they clicked."""
    if roles.pseudonym("spots"):
        return True
    roles.flash(scope, "warning", t("spots_need_name"))
    return False


def _submit(lon: float, lat: float) -> None:
    if not _named("spots_add"):
        return
    upload = st.session_state.get(f"spots_photo_{st.session_state.get(K_PHOTO_N, 0)}")
    record = roles.attempt(
        "spots_add",
        lambda: add_spot(
            store,
            view.compound,
            roles.resident("spots"),
            lon,
            lat,
            st.session_state["spots_category"],
            st.session_state.get("spots_text", ""),
            photo=upload,
            photo_name=upload.name if upload is not None else "photo",
            assets=inventory.assets,
        ),
        lambda r: t("spots_added", id=r.id),
    )
    if record is not None:
        st.session_state["spots_text"] = ""
        st.session_state[K_PHOTO_N] = st.session_state.get(K_PHOTO_N, 0) + 1
        st.session_state.pop(K_PENDING, None)
        st.session_state[K_SELECTED] = record.id


def _support(spot_id: int, scope: str) -> None:
    if not _named(scope):
        return
    done = roles.attempt(
        scope, lambda: support_spot(store, spot_id, roles.resident("spots")), t("spots_supported", id=spot_id)
    )
    if done is not None:
        st.session_state.setdefault(K_SUPPORTED, set()).add(spot_id)
        st.session_state.pop(K_PENDING, None)
        st.session_state[K_SELECTED] = spot_id


def _remove(spot_id: int) -> None:
    done = roles.attempt(
        "spots_selected",
        lambda: remove_spot(store, spot_id, roles.resident(name=by_id[spot_id].author)) or True,
        t("spots_removed", id=spot_id),
    )
    if done is not None:
        st.session_state.pop(K_SELECTED, None)


def _move(spot_id: int) -> None:
    stage = st.session_state.get(f"spots_stage_to_{spot_id}")
    link = str(st.session_state.get(f"spots_stage_link_{spot_id}", "")).strip() or None
    roles.attempt(
        "spots_selected",
        lambda: set_stage(
            store,
            spot_id,
            planner,
            stage,
            st.session_state.get(f"spots_stage_note_{spot_id}", ""),
            link=link if stage == "planned" else None,
        ),
        t("spots_stage_moved", id=spot_id, stage=word(f"spot.stage.{stage}", code)),
    )


def _cancel() -> None:
    st.session_state.pop(K_PENDING, None)


def _place_at_asset() -> None:
    """Put the new spot's pin on the numbered asset picked from the list, as a tap on its marker would."""
    seq = st.session_state.get(K_BY_ASSET)
    if seq is not None:
        st.session_state[K_PENDING] = asset_places(inventory)[seq]
        st.session_state[K_BY_ASSET] = None


def _asset_option(seq: int) -> str:
    """``"14 · 畅乐园"``; an unnamed asset by its kind (``"3 · 自行车停车"``)."""
    row = inventory.assets.loc[inventory.assets[S.SEQ] == seq].iloc[0]
    name = row[S.NAME] if isinstance(row[S.NAME], str) and row[S.NAME] else widgets.kind_label(row[S.KIND])
    return f"{row[S.LABEL]} · {name}"


# --- the map ------------------------------------------------------------------------------------------
# On a phone the columns stack: the map (short enough for the form to start on the first screen), then the
# new spot's form, then the spot chosen. The map's own button starts a new spot.
phone = widgets.is_phone()
map_height = widgets.PHONE_MAP_HEIGHT if phone else widgets.MAP_HEIGHT
map_col, side = st.columns([3, 2], gap="medium")
with map_col:
    heat = bool(st.session_state.get("spots_heat", False))
    pending = st.session_state.get(K_PENDING)
    try:
        m = build_spots_map(
            inventory,
            frame,
            lang=code,
            basemap=view.basemap,
            tianditu_key=st.session_state.get(K_TIANDITU, ""),
            vendor_url=widgets.vendor_url(),
            size_px=(widgets.PHONE_MAP_WIDTH, map_height) if phone else (MAP_WIDTH, map_height),
            heat=heat,
            blurred_m=None if planner else cell_m,
        )
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    out = (
        streamlit_folium.st_folium(
            m,
            key="spots_map",
            height=map_height,
            use_container_width=True,
            returned_objects=["last_clicked", "last_object_clicked"],
            feature_group_to_add=(
                pending_pin(pending, lang=code, basemap=view.basemap) if pending is not None else None
            ),
        )
        or {}
    )


def _map_notes() -> None:
    """The heat map switch and what the map shows: under the map, or on a phone under the form."""
    st.toggle(t("spots_heat"), key="spots_heat", help=t("spots_heat_help"))
    st.caption(t("spots_exact_note") if planner else t("spots_blur_note", m=cell_m))


if not phone:
    with map_col:
        _map_notes()


def _place(lng: float, lat: float) -> None:
    """Put the new spot's pin where the map was clicked, unless that is far outside the compound."""
    lon, lat = display_to_wgs84(lng, lat, view.basemap)
    outside = distance_outside_m(inventory, lon, lat)
    if outside > REACH_M:
        roles.flash("spots_add", "warning", t("spots_too_far", dist=outside, max=REACH_M))
        return
    st.session_state[K_PENDING] = (round(lon, 7), round(lat, 7))
    st.rerun()


clicked = out.get("last_object_clicked")
if state.is_new_click("spots_object", view, clicked):
    ids = spots_at(frame, clicked["lat"], clicked["lng"], view.basemap)
    if ids:  # a spot: show it beside the map
        st.session_state[K_SELECTED] = ids[0]
    else:  # a numbered asset or a gate: the problem is there
        _place(clicked["lng"], clicked["lat"])
point = out.get("last_clicked")
if state.is_new_click("spots_point", view, point):
    _place(point["lng"], point["lat"])

# --- beside the map: the new spot, then the spot chosen ---------------------------------------------------
with side:
    st.subheader(t("spots_add"), anchor=False)
    roles.show_flash("spots_add")
    pending = st.session_state.get(K_PENDING)
    name = roles.pseudonym()
    if pending is None:
        st.caption(t("spots_click_hint"))
        st.selectbox(  # for a resident who can't use the map: the list is searchable by typing
            t("spots_by_asset"),
            sorted(int(seq) for seq in inventory.assets[S.SEQ]),
            index=None,
            key=K_BY_ASSET,
            format_func=_asset_option,
            placeholder=t("spots_by_asset_hint"),
            on_change=_place_at_asset,
        )
    else:
        lon, lat = pending
        near = nearest_asset(lon, lat, inventory.assets, max_dist_m=store.settings.near_asset_m)
        st.text(near.text(code) if near else t("spots_no_near", m=store.settings.near_asset_m))
        category = st.selectbox(
            t("spots_category"),
            [c.value for c in SpotCategory],
            format_func=_category_name,
            key="spots_category",
        )
        similar = suggest_support(store, view.compound, lon, lat, category)
        if similar:
            st.warning(
                t("spots_similar", n=len(similar), m=store.settings.similar_spot_m), icon=":material/info:"
            )
            for found in similar[:3]:
                spot = found.spot
                with st.container(border=True):
                    # Distances only for planners: three clicks and three distances would locate a spot
                    # that the public map blurs.
                    where = f"{found.dist_m:.0f} m" if planner else spot.near(code)
                    parts = (
                        f"#{spot.id}",
                        spot.category_label(code),
                        where,
                        t("spots_n_support", n=spot.supports),
                    )
                    st.text(" · ".join(x for x in parts if x))
                    st.text(spot.text)
                    st.button(
                        t("spots_support_this"),
                        key=f"spots_similar_{spot.id}",
                        on_click=_support,
                        args=(spot.id, "spots_add"),
                        disabled=roles.is_mine(spot),
                    )
        st.text_area(
            t("spots_text"),
            key="spots_text",
            max_chars=store.settings.max_text_chars,
            height=110,
            placeholder=t("spots_text_hint"),
        )
        name = roles.pseudonym_input("spots")
        st.file_uploader(
            t("spots_photo"),
            type=PHOTO_TYPES,
            key=f"spots_photo_{st.session_state.get(K_PHOTO_N, 0)}",
            help=t("spots_photo_help", mb=store.settings.max_photo_bytes // 2**20),
            max_upload_size=max(
                1, store.settings.max_photo_bytes // 2**20
            ),  # in the browser; the store checks
        )
        add_col, cancel_col = st.columns(2)
        add_col.button(
            t("spots_submit"),
            type="primary",
            key="spots_submit",
            on_click=_submit,
            args=(lon, lat),
        )
        cancel_col.button(t("spots_cancel"), key="spots_cancel", on_click=_cancel)
        if not name:
            st.caption(t("spots_need_name"))

    st.subheader(t("spots_selected"), anchor=False)
    roles.show_flash("spots_selected")
    if st.session_state.get(K_SELECTED) not in by_id:
        st.session_state.pop(K_SELECTED, None)
    spot_names = {  # no resident text in the options: it is shown below with st.text
        r.id: " · ".join(
            x
            for x in (f"#{r.id}", r.category_label(code), r.near(code), t("spots_n_support", n=r.supports))
            if x
        )
        for r in records
    }
    chosen = st.selectbox(
        t("spots_pick"),
        list(by_id),
        index=None,
        key=K_SELECTED,
        placeholder=t("spots_pick_hint"),
        format_func=spot_names.get,
    )
    if pending is None:  # the name box sits in the form while a spot is placed, else here (for supporting)
        name = roles.pseudonym_input("spots")
    if chosen is not None:
        spot = by_id[chosen]
        with st.container(border=True):
            st.text(" · ".join(x for x in (f"#{spot.id}", spot.category_label(code), spot.near(code)) if x))
            st.text(spot.text)
            st.text(f"— {spot.author} · {t('spots_n_support', n=spot.supports)} · {_local(spot.created_at)}")
            if spot.status != "open":
                st.caption(t("spots_hidden"))
                st.text(spot.status_reason or "")
            if spot.has_photo:
                try:
                    st.image(get_photo(store, spot.id, thumbnail=True, include_hidden=planner is not None))
                except MapperError as exc:
                    widgets.show_error(exc)
            stage = stage_of.get(spot.id, "open")
            st.text(t("label_value", name=t("spots_stage"), value=word(f"spot.stage.{stage}", code)))
            if stage != "open":
                with st.expander(t("spots_history")):
                    for step in spot_history(store, spot.id):
                        who = step.actor.removeprefix("planner:")
                        head = f"{_local(step.at)} · {word(f'spot.stage.{step.stage}', code)} · {who}"
                        st.text(" · ".join(x for x in (head, step.link or "") if x))
                        if step.note:
                            st.text(step.note)
            if planner is not None:
                onward = NEXT_STAGES[stage]
                if not onward:
                    st.caption(t("spots_stage_final"))
                else:
                    to = st.selectbox(
                        t("spots_stage_move"),
                        onward,
                        key=f"spots_stage_to_{spot.id}",
                        format_func=lambda s: word(f"spot.stage.{s}", code),
                    )
                    st.text_input(t("spots_stage_note"), key=f"spots_stage_note_{spot.id}", max_chars=500)
                    if to == "planned":
                        st.text_input(t("spots_stage_link"), key=f"spots_stage_link_{spot.id}", max_chars=32)
                    st.button(
                        t("spots_stage_button"), key=f"spots_stage_go_{spot.id}", on_click=_move, args=(spot.id,)
                    )
            if roles.is_mine(spot):
                st.caption(t("spots_yours"))
                st.button(t("spots_remove"), key=f"spots_remove_{spot.id}", on_click=_remove, args=(spot.id,))
            elif spot.status == "open":
                supported = spot.id in st.session_state.get(K_SUPPORTED, set())
                st.button(
                    t("spots_supported_already") if supported else t("spots_support"),
                    key=f"spots_support_{spot.id}",
                    on_click=_support,
                    args=(spot.id, "spots_selected"),
                    disabled=supported,
                    icon=":material/thumb_up:",
                )
                if not name:
                    st.caption(t("spots_need_name"))

    # --- what I reported on this device (the key survives a reload: ui.roles) ---
    with st.expander(t("spots_mine", n=len(mine)), expanded=bool(mine) and chosen is None):
        if not mine:
            st.caption(t("spots_mine_none"))
        for r in mine:
            st.button(
                spot_names[r.id],
                key=f"spots_mine_{r.id}",
                on_click=st.session_state.__setitem__,
                args=(K_SELECTED, r.id),
                width="stretch",
            )
        st.button(
            t("forget_device"), key="spots_forget", on_click=roles.forget_device, help=t("forget_device_help")
        )

if phone:
    _map_notes()

# --- the list -------------------------------------------------------------------------------------------
st.subheader(t("spots_list", n=len(records)), anchor=False)
filter_col, stage_col, mine_col = st.columns([2, 2, 1])
stage_col.multiselect(
    t("spots_stage"),
    list(STAGES),
    format_func=lambda s: word(f"spot.stage.{s}", code),
    key="spots_stage_filter",
    placeholder=t("all"),
)
only = filter_col.multiselect(
    t("spots_category"),
    [c.value for c in SpotCategory],
    format_func=_category_name,
    key="spots_filter",
    placeholder=t("all"),
)
only_mine = mine_col.toggle(t("spots_only_mine"), key="spots_only_mine")
shown = [r for r in records if (not only or r.category in only) and (not only_mine or roles.is_mine(r))]
table = pd.DataFrame(
    {
        t("spots_col_id"): [r.id for r in shown],
        t("spots_col_category"): [r.category_label(code) for r in shown],
        t("spots_col_text"): [r.text for r in shown],
        t("spots_col_near"): [r.near(code) for r in shown],
        t("spots_col_supports"): [r.supports for r in shown],
        t("spots_stage"): [word(f"spot.stage.{stage_of.get(r.id, 'open')}", code) for r in shown],
        t("spots_col_author"): [r.author for r in shown],
        t("spots_col_time"): [_local(r.created_at) for r in shown],
        t("spots_col_photo"): [r.has_photo for r in shown],
    }
)
if planner:
    table[t("spots_col_status")] = [t(f"spots_status_{r.status}") for r in shown]
    table[t("spots_col_lon")] = [r.lon for r in shown]
    table[t("spots_col_lat")] = [r.lat for r in shown]
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={t("spots_col_text"): st.column_config.TextColumn(width="large")},
)
