"""Import a survey (导入测绘): upload, choose the CRS or register from control points, preview over OSM, accept.

The survey belongs to the compound chosen in the sidebar. Accepting keeps it in the compound's runtime
folder (:mod:`pipeline.workspace.surveys`), and every page's inventory is then built with it
(:func:`ui.data.numbered`): its boundary and gates replace OSM's, its assets merge with OSM's. One survey
per compound; accepting another replaces it, and it can be removed to go back to OSM alone.
"""

import json
import math
from pathlib import Path

import pandas as pd
import shapely
import streamlit as st
import streamlit_folium

from layers.web import build_map, display_to_wgs84
from layers.web.survey import ROLE_STYLES, add_survey, control_point_group
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.core.words import crs_name_text, word
from pipeline.survey.layers import LAYER, ROLE
from pipeline.survey.read import read_survey
from pipeline.survey.register import DEFAULT_TOLERANCE_M, METHODS, fit_registration
from pipeline.survey.result import SurveyResult
from pipeline.workspace import surveys as store
from ui import state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings
from ui.state import K_TIANDITU

MAP_HEIGHT = 560
_MIN_POINTS = {"similarity": 3, "affine": 4}
#: Session keys of this page.
K_PATH = "imp_path"  # the uploaded survey file being imported
K_SEEN = "imp_seen"  # the upload already saved (file ids), so a rerun does not save it again
K_POINTS = "imp_points"  # file → its control points
K_CLICK = "imp_click"  # a map click waiting to fill the lon/lat inputs
K_DONE = "imp_done"  # a message for the run after accepting or removing
K_ADDED = "imp_added"  # a control point was added in the last run


@st.cache_data(max_entries=16, show_spinner=False)
def _choices(path: str, mtime: float, near: tuple[float, float]) -> store.CRSChoices:
    return store.crs_choices(path, near=near)


@st.cache_data(max_entries=16, show_spinner=False)
def _read(
    path: str,
    mtime: float,
    crs: str,
    swap: bool,
    points_json: str,
    method: str,
    tolerance: float,
    near_wkt: str,
) -> SurveyResult:
    points = pd.DataFrame(json.loads(points_json)) if points_json else None
    return read_survey(
        path,
        crs=crs or None,
        swap_xy=swap,
        control_points=points,
        method=method,  # type: ignore[arg-type]
        tolerance_m=tolerance,
        near=shapely.from_wkt(near_wkt),
    )


settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
code = lang()
pending = st.session_state.pop(K_CLICK, None)
if pending is not None:  # a click from the last run fills the inputs before they are drawn
    st.session_state["imp_lon"], st.session_state["imp_lat"] = pending
if st.session_state.pop(K_ADDED, False):  # a point was added: empty the inputs for the next one
    for input_key in ("imp_x", "imp_y", "imp_lon", "imp_lat"):
        st.session_state[input_key] = None
inventory = widgets.numbered_or_stop(view, settings)
widgets.header("import_survey", inventory)
st.caption(t("imp_intro"))
done = st.session_state.pop(K_DONE, None)
if done:
    st.success(done, icon=":material/check_circle:")

# --- the compound's current survey ---------------------------------------------------------------
try:
    accepted = store.read_accepted(store.survey_path(settings.runtime_dir, view.compound), view.compound)
except MapperError as exc:
    widgets.show_error(exc)
    accepted = None
if accepted is not None:
    with st.container(border=True):
        st.markdown(f"**{t('imp_current')}**")
        when = accepted.accepted_at.replace("T", " ").replace("+00:00", " UTC")
        st.text(f"{accepted.source} · {accepted.placed} · {when}")
        notes = inventory.report.get("survey", {})
        st.caption(
            t("imp_merge", merged=len(notes.get("merged", [])), only=len(notes.get("survey_only", [])))
        )
        if st.button(t("imp_remove"), key="imp_remove", icon=":material/delete:"):
            store.remove_accepted(settings.runtime_dir, view.compound)
            st.session_state[K_DONE] = t("imp_removed")
            state.request(gate="")
else:
    st.caption(t("imp_none"))

# --- upload --------------------------------------------------------------------------------------
files = st.file_uploader(
    t("imp_upload"),
    type=list(store.UPLOAD_TYPES),
    accept_multiple_files=True,
    key="imp_files",
    help=t("imp_upload_help", mb=settings.max_upload_mb),
)
st.caption(t("imp_upload_help", mb=settings.max_upload_mb))
if not files:
    st.session_state.pop(K_PATH, None)
    st.session_state.pop(K_SEEN, None)
    st.stop()
signature = tuple(sorted(f.file_id for f in files))
if st.session_state.get(K_SEEN) != signature:
    st.session_state.pop(K_PATH, None)
    size = sum(f.size for f in files)
    if size > settings.max_upload_bytes:  # the widget's limit is enforced in the browser only
        st.error(t("upload_too_big", size=size / 2**20, mb=settings.max_upload_mb), icon=":material/error:")
        st.stop()
    try:
        saved = store.save_upload(
            [(f.name, f.getvalue()) for f in files], settings.runtime_dir, max_bytes=settings.max_upload_bytes
        )
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    st.session_state[K_PATH] = str(saved)
    st.session_state[K_SEEN] = signature
path = Path(st.session_state[K_PATH])
mtime = path.stat().st_mtime
outline = inventory.boundary.to_crs(S.WGS84).geometry.iloc[0]
near = store.compound_lonlat(inventory.boundary)
try:
    choices = _choices(str(path), mtime, near)
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()

# --- the coordinate system -----------------------------------------------------------------------
options: list[str] = []
if choices.stated:
    options.append("file")
suggested = [s for s in choices.suggestions if s.crs != "local"]
options += [f"s{i}" for i in range(len(suggested))]
options.insert(0 if choices.local and not choices.stated else len(options), "local")
options.append("other")
# The file's own CRS is the default; without one the user chooses (the mapper does not guess), except
# that a drawing on its own grid can only be registered from control points.
default = 0 if choices.stated or (choices.local and not suggested) else None


def crs_label(option: str) -> str:
    """How a CRS option reads in the select box."""
    if option == "file":
        return t("imp_crs_stated", name=f"{choices.stated} · {crs_name_text(choices.stated_label, code)}")
    if option == "local":
        return t("imp_crs_local")
    if option == "other":
        return t("imp_crs_other")
    s = suggested[int(option[1:])]
    where = t("imp_from_compound", km=s.dist_m / 1000) if s.dist_m is not None else ""
    swap = f" · {t('imp_swapped')}" if s.swap_xy else ""
    return f"{s.crs} · {crs_name_text(s.name, code)}{swap}{' · ' + where if where else ''}"


map_col, side = st.columns([3, 2], gap="medium")
key = path.parent.name  # widgets per uploaded file, so a new file starts from its own defaults
with side:
    st.subheader(t("imp_crs"))
    x0, y0, x1, y1 = choices.bounds
    st.caption(t("imp_bounds", x0=x0, x1=x1, y0=y0, y1=y1))
    option = st.selectbox(
        t("imp_crs"),
        options,
        index=default,
        format_func=crs_label,
        placeholder=t("imp_crs_placeholder"),
        key=f"imp_crs_{key}",
        label_visibility="collapsed",
    )
    crs, swap = "", False
    if option == "other":
        crs = st.text_input(
            t("imp_crs_code"), key=f"imp_code_{key}", placeholder="EPSG:4548 · gcj02 · bd09"
        ).strip()
    elif option is not None and option.startswith("s"):
        chosen = suggested[int(option[1:])]
        crs, swap = chosen.crs, chosen.swap_xy
        st.caption(
            t("imp_lands", lon=chosen.lon, lat=chosen.lat) + (f"; {chosen.reason}" if code == "en" else "")
        )
    if option not in (None, "local"):
        swap = st.checkbox(t("imp_swap"), value=swap, key=f"imp_swap_{key}_{option}")

    points: list[dict] = st.session_state.setdefault(K_POINTS, {}).setdefault(str(path), [])
    method, tolerance, fitted = "similarity", DEFAULT_TOLERANCE_M, None
    if option == "local":
        st.subheader(t("imp_points"))
        st.caption(t("imp_points_help"))
        method_col, tol_col = st.columns(2)
        method = method_col.selectbox(
            t("imp_method"), list(METHODS), format_func=lambda m: t(f"imp_method_{m}"), key="imp_method"
        )
        tolerance = tol_col.number_input(
            t("imp_tolerance"),
            min_value=0.05,
            max_value=100.0,
            value=DEFAULT_TOLERANCE_M,
            step=0.5,
            key="imp_tolerance",
        )
        with st.form("imp_add_point", clear_on_submit=False, border=True):
            name_col, x_col, y_col = st.columns([1, 2, 2])
            name = name_col.text_input(
                t("imp_point_name"), value=f"P{len(points) + 1}", key=f"imp_name_{len(points)}"
            )
            local_x = x_col.number_input(t("imp_local_x"), value=None, format="%.3f", key="imp_x")
            local_y = y_col.number_input(t("imp_local_y"), value=None, format="%.3f", key="imp_y")
            lon_col, lat_col = st.columns(2)
            lon = lon_col.number_input(t("imp_lon"), value=None, format="%.7f", key="imp_lon")
            lat = lat_col.number_input(t("imp_lat"), value=None, format="%.7f", key="imp_lat")
            st.caption(t("imp_click_first"))
            if st.form_submit_button(t("imp_add_point"), type="primary", icon=":material/add_location:"):
                values = [local_x, local_y, lon, lat]
                if any(v is None or not math.isfinite(v) for v in values):
                    st.warning(t("imp_point_incomplete"))
                else:
                    points.append(
                        {
                            "name": name.strip() or f"P{len(points) + 1}",
                            "local_x": local_x,
                            "local_y": local_y,
                            "lon": lon,
                            "lat": lat,
                        }
                    )
                    st.session_state[K_ADDED] = True
                    st.rerun()
        if points:
            table = pd.DataFrame(points)
            need = _MIN_POINTS[method]
            if len(points) >= need:
                try:
                    fitted = fit_registration(table, method=method, tolerance_m=math.inf)
                except MapperError as exc:
                    widgets.show_error(exc)
            if fitted is not None:
                shown = fitted.residuals
                st.metric(t("imp_rms"), f"{fitted.rms_m:.2f} m", delta=None)
                if fitted.rms_m > tolerance:
                    st.warning(t("imp_over_tolerance", rms=fitted.rms_m, tol=tolerance))
            else:
                shown = table.assign(residual_m=float("nan"))
                st.caption(t("imp_need_points", n=need - len(points)))
            st.dataframe(
                pd.DataFrame(
                    {
                        t("imp_point_name"): shown["name"].astype(str),
                        t("imp_residual"): shown["residual_m"],
                        t("imp_local_x"): shown["local_x"],
                        t("imp_local_y"): shown["local_y"],
                        t("imp_lon"): shown["lon"],
                        t("imp_lat"): shown["lat"],
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    t("imp_local_x"): st.column_config.NumberColumn(format="%.3f"),
                    t("imp_local_y"): st.column_config.NumberColumn(format="%.3f"),
                    t("imp_lon"): st.column_config.NumberColumn(format="%.6f"),
                    t("imp_lat"): st.column_config.NumberColumn(format="%.6f"),
                    t("imp_residual"): st.column_config.NumberColumn(format="%.2f"),
                },
            )
            gone_col, remove_col, clear_col = st.columns([2, 1, 1], vertical_alignment="bottom")
            gone = gone_col.selectbox(
                t("imp_remove_point"),
                range(len(points)),
                format_func=lambda i: f"{i + 1} · {points[i]['name']}",
                key="imp_gone",
                label_visibility="collapsed",
            )
            if remove_col.button(t("imp_remove_point"), key="imp_remove_point", width="stretch"):
                points.pop(gone)
                st.rerun()
            if clear_col.button(t("imp_clear_points"), key="imp_clear_points", width="stretch"):
                points.clear()
                st.rerun()

# --- read the survey -----------------------------------------------------------------------------
result: SurveyResult | None = None
error: MapperError | None = None
ready = (option not in (None, "local") and (crs or option == "file")) or (
    option == "local" and fitted is not None
)
if ready:
    points_json = json.dumps(points, ensure_ascii=False) if option == "local" else ""
    try:
        with st.spinner(t("imp_reading")):
            result = _read(
                str(path),
                mtime,
                crs if option != "local" else "",
                swap,
                points_json,
                method,
                float(tolerance),
                outline.wkt,
            )
    except MapperError as exc:
        error = exc

# --- the map: OSM, the survey over it, the control points ----------------------------------------
with map_col:
    m = build_map(
        inventory,
        lang=code,
        basemap=view.basemap,
        tianditu_key=st.session_state.get(K_TIANDITU, ""),
        vendor_url=widgets.vendor_url(),
        size_px=(760, MAP_HEIGHT),
    )
    if result is not None:
        add_survey(m, result.features, lang=code, basemap=view.basemap, vendor_url=widgets.vendor_url())
    group = None
    if option == "local":
        fitted_points = (
            fitted.residuals
            if fitted is not None
            else pd.DataFrame(points, columns=["name", "local_x", "local_y", "lon", "lat"])
        )
        clicked = (
            (st.session_state["imp_lon"], st.session_state["imp_lat"])
            if st.session_state.get("imp_lon") is not None and st.session_state.get("imp_lat") is not None
            else None
        )
        group = control_point_group(fitted_points, clicked=clicked, lang=code, basemap=view.basemap)
    out = (
        streamlit_folium.st_folium(
            m,
            key="imp_map",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=["last_clicked"] if option == "local" else [],
            feature_group_to_add=group,
        )
        or {}
    )
    st.caption(t("imp_map_help_local") if option == "local" else t("imp_map_help"))
point = out.get("last_clicked")
if option == "local" and state.is_new_click("imp_point", view, point):
    st.session_state[K_CLICK] = display_to_wgs84(point["lng"], point["lat"], view.basemap)
    st.rerun()

if result is None:
    with side:  # beside the choices that led here
        if error is not None:
            widgets.show_error(error)
        elif option != "local":
            st.info(t("imp_choose_crs"), icon=":material/info:")
    st.stop()

# --- what was read, and accepting it -------------------------------------------------------------
features = result.features
assets = features[features[ROLE] == "asset"]
st.subheader(t("imp_assets", n=len(assets)))
roles = features[ROLE].value_counts()
st.caption(
    t(
        "imp_features",
        n=len(features),
        roles=t("comma_sep").join(
            f"{word('survey.role.' + (r if r in ROLE_STYLES else 'other'), code)} {n}"
            for r, n in roles.items()
        ),
    )
)
st.dataframe(
    pd.DataFrame(
        {
            t("imp_name"): assets[S.NAME].fillna("").astype(str).to_numpy(),
            t("imp_category"): [widgets.category_label(c) if c else "" for c in assets[S.CATEGORY]],
            t("imp_kind"): [widgets.kind_label(k) for k in assets[S.KIND]],
            t("imp_layer"): assets[LAYER].astype(str).to_numpy(),
            t("imp_source_id"): assets[S.SOURCE_ID].astype(str).to_numpy(),
        }
    ),
    hide_index=True,
    width="stretch",
)
with st.expander(t("imp_report")):
    st.text(result.report(code))
if st.button(t("imp_accept"), type="primary", key="imp_accept", icon=":material/done_all:"):
    try:
        store.write_accepted(result, settings.runtime_dir, view.compound)
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    st.session_state[K_DONE] = t("imp_accepted")
    state.request(gate="")
