"""Widgets every page shares: the sidebar, the map, the asset table, errors and the page header.

Users' text (names from OSM or typed in) is shown with ``st.text``, in dataframes or as select-box
options, never through markdown or HTML; the map escapes its own (:mod:`layers.web.html`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import streamlit_folium

from layers.web import BASEMAPS, build_map
from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, MapperError
from pipeline.core.words import source_text, word
from pipeline.inventory.build import Inventory
from pipeline.inventory.naming import compound_title, title_of
from ui import data
from ui.i18n import LANGS, lang, t
from ui.settings import Settings, load_settings
from ui.state import (
    K_BASEMAP,
    K_COMPOUND,
    K_EXTRACT,
    K_GATE,
    K_LANG,
    K_METHOD,
    K_SCHEME,
    K_TIANDITU,
    K_UPLOADS,
    View,
    set_field,
)

MAP_HEIGHT = 620
#: The map's height on a phone: the compound fits, and the form below it starts inside an 844 px screen.
PHONE_MAP_HEIGHT = 400
#: The map's expected width on a phone (390 px screen less the page's margins).
PHONE_MAP_WIDTH = 358

#: Styles for narrow screens: every control a thumb can hit (44 px, WCAG 2.5.5), nothing wider than the screen.
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stMain"] .block-container { padding-left: 1rem; padding-right: 1rem; padding-top: 3rem; }
  [data-testid="stMain"] button, [data-testid="stMain"] [role="button"] { min-height: 44px; min-width: 44px; }
  [data-testid="stMain"] input, [data-testid="stMain"] textarea { min-height: 44px; }
  [data-testid="stMain"] [data-baseweb="select"] > div { min-height: 44px; }
  [data-testid="stMain"] label:has(input[type="checkbox"]) { min-height: 44px; align-items: center; }
  [data-testid="stMain"] [data-testid="stTooltipHoverTarget"] { min-width: 44px; min-height: 44px;
      display: inline-flex; align-items: center; justify-content: center; }
  [data-testid="stMain"] [data-testid="stElementToolbarButton"] button { min-width: 44px; min-height: 44px; }
  [data-testid="stMain"] [data-testid="stPageLink-NavLink"] { min-height: 44px; }
  [data-testid="stMain"] { overflow-x: hidden; }
  [data-testid="stMain"] h1 { font-size: 1.75rem; padding-bottom: .25rem; }
}
</style>
"""


def is_phone() -> bool:
    """Whether the browser says it is a phone (``Mobi`` in its user agent, as MDN advises)."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # no browser behind this run (AppTest, bare mode)
        return False
    return "Mobi" in agent


def phone_style() -> None:
    """Add :data:`PHONE_CSS` to the page (it applies on narrow screens only)."""
    st.html(PHONE_CSS)


def error_text(exc: MapperError) -> str:
    """A mapper error's message in the page's language, files named without their server folders."""
    return exc.text(lang())


def show_error(exc: MapperError) -> None:
    """Show a mapper error: a fixed heading, then the message as plain text."""
    st.error(t("error"), icon=":material/error:")
    st.text(error_text(exc))


def numbered_or_stop(view: View, settings: Settings) -> Inventory:
    """The view's numbered inventory; on a mapper error, show it and stop the page."""
    try:
        return data.numbered(view, settings)
    except MapperError as exc:
        show_error(exc)
        st.stop()


def header(page: str, inventory: Inventory) -> None:
    """The page's title and, as plain text, the compound's name, id and source file."""
    st.title(t(page), anchor=False)
    compound = inventory.report.get("compound", {})
    name = compound_title(compound, lang()) or t("no_name")
    settings = load_settings(st.get_option("server.maxUploadSize"))
    source = data.source_name(str(inventory.report.get("source", "")), settings)
    st.text(f"{name} · {source}")


def vendor_url() -> str:
    """Where Streamlit serves ``static/vendor``, under the server's base path."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/vendor" if base else "/app/static/vendor"


def show_map(
    inventory: Inventory,
    view: View,
    *,
    key: str,
    returned: list[str],
    height: int = MAP_HEIGHT,
    width: int = 720,
) -> dict:
    """Draw the inventory's map and return what ``st_folium`` reports (clicks in ``returned``).

    ``width`` is the map's expected width in pixels; the map fills its column, and the opening zoom
    and label layout are chosen for this width. On a phone (:func:`is_phone`) the map is
    :data:`PHONE_MAP_WIDTH` by :data:`PHONE_MAP_HEIGHT`.
    """
    if is_phone():
        width, height = PHONE_MAP_WIDTH, PHONE_MAP_HEIGHT
    m = build_map(
        inventory,
        lang=view.lang,
        basemap=view.basemap,
        tianditu_key=st.session_state.get(K_TIANDITU, ""),
        vendor_url=vendor_url(),
        size_px=(width, height),
    )
    out = streamlit_folium.st_folium(
        m, key=key, height=height, use_container_width=True, returned_objects=returned
    )
    return out or {}


def kind_label(kind: str) -> str:
    """A kind's label in the session's language (``kind.<key>``; the key when the taxonomy lacks it)."""
    return word(f"kind.{kind}", lang(), default=str(kind))


def category_label(category: str) -> str:
    """A category's label in the session's language (``category.<key>``)."""
    return word(f"category.{S.Category(category)}", lang())


def source_label(source: str) -> str:
    """Where an asset comes from, in the session's language (OSM, a survey, by hand); never its id."""
    return source_text(source, lang())


def asset_table(assets: pd.DataFrame) -> pd.DataFrame:
    """The assets as the table people read: number, name, category, kind, location, source (no ids)."""
    code = lang()
    return pd.DataFrame(
        {
            word("map.label", code): assets[S.LABEL].astype(str).to_numpy(),
            word("map.name", code): assets[S.NAME].fillna("").astype(str).to_numpy(),
            word("map.category", code): [category_label(c) for c in assets[S.CATEGORY]],
            word("map.kind", code): [kind_label(k) for k in assets[S.KIND]],
            t("location"): [word("map.inside" if i else "map.adjacent", code) for i in assets[S.INSIDE]],
            word("map.source", code): [source_label(s) for s in assets[S.SOURCE]],
        }
    )


# --- the sidebar ---------------------------------------------------------------------------------


def _reset_compound() -> None:
    set_field("compound", "")
    set_field("gate", "")


def _reset_gate() -> None:
    set_field("gate", "")


def _on_upload(settings: Settings) -> None:
    upload = st.session_state.get("upload_file")
    if upload is None:
        return
    if upload.size > settings.max_upload_bytes:  # the browser's limit is not enforced by the server
        st.session_state["upload_error"] = t(
            "upload_too_big", size=upload.size / 2**20, mb=settings.max_upload_mb
        )
        return
    try:
        extract = data.save_upload(upload.name, upload.getvalue(), settings)
    except MapperError as exc:
        st.session_state["upload_error"] = error_text(exc)
        return
    st.session_state.setdefault(K_UPLOADS, {})[extract] = upload.name
    set_field("extract", extract)
    _reset_compound()


def _valid(key: str, options: list[str], fallback: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback


def _compound_picker(settings: Settings) -> None:
    uploads: dict[str, str] = st.session_state.get(K_UPLOADS, {})
    extracts = data.shipped_extracts(settings) + list(uploads)
    current = st.session_state.get(K_EXTRACT, "")
    if current.startswith(data.UPLOAD_PREFIX) and current not in extracts:
        extracts.append(current)  # an upload reached through a link
    if extracts:
        _valid(K_EXTRACT, extracts, extracts[0])
        st.selectbox(
            t("extract"),
            extracts,
            key=K_EXTRACT,
            on_change=_reset_compound,
            format_func=lambda e: uploads.get(e) or data.source_name(e, settings),
        )
    with st.expander(t("upload")):
        st.file_uploader(
            t("upload"),
            type=["osm", "pbf"],
            key="upload_file",
            on_change=_on_upload,
            args=(settings,),
            label_visibility="collapsed",
        )
        st.caption(t("upload_help", mb=settings.max_upload_mb))
        if "upload_error" in st.session_state:
            st.text(st.session_state.pop("upload_error"))
    if not extracts:
        raise InputFileError("error.app.no_extracts", path=settings.data_dir)
    extract = st.session_state[K_EXTRACT]
    found = data.compounds(extract, settings)
    if found.empty:
        raise DataError(
            "error.app.no_compound", name=uploads.get(extract) or data.source_name(extract, settings)
        )
    ids = found[S.SOURCE_ID].tolist()
    titles = found[f"title_{lang()}"] if f"title_{lang()}" in found else found[S.NAME]
    names = {
        sid: f"{title or t('no_name')} · {area:,.0f} m²"
        for sid, title, area in zip(ids, titles.fillna(""), found["area_m2"], strict=True)
    }
    _valid(K_COMPOUND, ids, ids[0])
    st.selectbox(t("compound"), ids, key=K_COMPOUND, on_change=_reset_gate, format_func=names.get)


def _numbering_picker(settings: Settings) -> None:
    st.subheader(t("numbering"))
    base = data.base_inventory(
        View(extract=st.session_state[K_EXTRACT], compound=st.session_state[K_COMPOUND]), settings
    )
    gates = base.gates
    names = {row[S.SOURCE_ID]: title_of(row, lang()) for _, row in gates.iterrows()}
    detected = base.main_gate
    options = ["", *gates[S.SOURCE_ID].tolist()]
    chosen = st.session_state.get(K_GATE, "")
    if "," in chosen:
        options.append(chosen)
    _valid(K_GATE, options, "")

    def gate_name(sid: str) -> str:
        if sid == "":
            return t("gate_auto", name=names.get(detected.source_id, detected.title(lang())))
        if "," in sid:
            return t("gate_point", point=sid)
        return names[sid]

    st.selectbox(t("main_gate"), options, key=K_GATE, format_func=gate_name)
    st.radio(t("method"), list(S.METHODS), key=K_METHOD, format_func=lambda m: t(f"method_{m}"))
    st.radio(t("scheme"), list(S.SCHEMES), key=K_SCHEME, format_func=lambda s: t(f"scheme_{s}"))


def _basemap_picker() -> None:
    options = list(BASEMAPS)
    _valid(K_BASEMAP, options, "none")
    st.selectbox(
        t("basemap"),
        options,
        key=K_BASEMAP,
        format_func=lambda b: BASEMAPS[b].name(lang()),
        help=t("basemap_online"),
    )
    if BASEMAPS[st.session_state[K_BASEMAP]].needs_key:
        st.text_input(t("tianditu_key"), key=K_TIANDITU, type="password")


def language_switch() -> None:
    """The language switch, first in the sidebar; Chinese by default."""
    _valid(K_LANG, list(LANGS), "zh")
    st.sidebar.radio(
        t("language"), list(LANGS), key=K_LANG, format_func=lambda code: t(f"lang_{code}"), horizontal=True
    )


def sidebar(settings: Settings) -> None:
    """The compound picker, the upload, the numbering settings and the base map.

    Raises
    ------
    MapperError
        When the chosen extract or compound cannot be read or built; the widgets drawn before the
        failure stay, so the user can choose another.
    """
    with st.sidebar:
        st.subheader(t("compound_section"))
        _compound_picker(settings)
        _numbering_picker(settings)
        st.subheader(t("basemap"))
        _basemap_picker()
