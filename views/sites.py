"""Sites (候选点位): coverage against GB 50180-2018 and the ranked micro-renovation sites, with reasons.

The weights re-rank at once (:func:`pipeline.sites.rank.rank_sites` routes nothing); coverage and the
candidates are computed once per compound, its edits and its profile (cached).
"""

import json
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
import streamlit_folium

from layers.web import build_map, escape_text, to_display, use_local_assets
from layers.web.sites import add_site_numbers, add_spacing
from pipeline.core import schema as S
from pipeline.core.cells import csv_bytes
from pipeline.core.errors import MapperError
from pipeline.core.words import coverage_note_text, reason_text, sites_with_words, uses_text, word
from pipeline.inventory.build import Inventory
from pipeline.osm.read import read_osm
from pipeline.sites.coverage import Coverage, assess_coverage, service_areas
from pipeline.sites.rank import SiteWeights, find_sites, rank_sites, supervision_zones
from pipeline.sites.spacing import sunlight_spacing
from pipeline.sites.standards import read_standards
from pipeline.workspace.edits import to_dict
from store import spots_from_store
from ui import data, state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings
from ui.state import K_TIANDITU


@st.cache_data(ttl=30, show_spinner=False)
def _spots(compound: str) -> gpd.GeoDataFrame | None:
    """The compound's open spots from the store (``$MAPPER_DB_URL`` or runtime/mapper.sqlite3), if there is one."""
    from store.settings import default_db_url

    url = default_db_url()
    if url.startswith("sqlite") and not Path(url.split(":///", 1)[-1]).is_file():
        return None
    return spots_from_store(url, compound)


@st.cache_data(max_entries=8, show_spinner=False)
def _coverage(path: str, mtime: float, compound: str, edits_json: str, _inventory: Inventory) -> Coverage:
    return assess_coverage(_inventory, read_osm(path))


@st.cache_data(max_entries=32, show_spinner=False)
def _assessed(
    path: str,
    mtime: float,
    compound: str,
    edits_json: str,
    aged: float | None,
    spots_json: str,
    _inventory: Inventory,
    _coverage: Coverage,
    _spots: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    return find_sites(_inventory, spots=_spots, aged_60_plus_pct=aged, coverage=_coverage)[1]


settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
code = lang()
st.title(t("sites"))
st.caption(t("sites_intro"))
try:
    path = data.extract_path(view.extract, settings)
    edits = json.dumps(to_dict(data.load_edits(view, settings)), ensure_ascii=False, sort_keys=True)
    aged = data.load_profile(view, settings).aged_60_plus_pct
    spots = _spots(view.compound)
    spots_json = "" if spots is None else spots.drop(columns="geometry").to_json(default_handler=str)
    # The gate is part of the key: a gate point chosen on the map is an opening of the wall too.
    key = (str(path), path.stat().st_mtime, view.compound, edits + view.gate)
    with st.spinner(t("sites_computing")):
        coverage = _coverage(*key, inventory)
        assessed = _assessed(*key, aged, spots_json, inventory, coverage, spots)
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()

if coverage.area.courtyard:  # distances inside the compound are estimated
    st.warning(t("sites_courtyard"), icon=":material/info:")
density = coverage.density
unmapped = coverage.table[coverage.table["status"] == "unmapped"]
if density.thin and len(unmapped):  # a survey first, not a list of gaps the map cannot show
    st.warning(
        t(
            "sites_thin",
            buildings=density.buildings,
            share=density.housing_share,
            area_ha=density.area_ha,
            n=len(unmapped),
            kinds=t("enum_sep").join(word(f"facility.{k}", code) for k in unmapped["kind"]),
        )
    )

with st.expander(t("sites_weights"), expanded=True):
    cols = st.columns(4)
    defaults = SiteWeights()
    chosen = {
        part: cols[i].slider(
            t(f"sites_{part}"), 0.0, 1.0, getattr(defaults, part), 0.05, key=f"sites_w_{part}"
        )
        for i, part in enumerate(("demand", "gap", "suitability", "profile"))
    }
try:
    sites = rank_sites(assessed, SiteWeights(**chosen))
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()

standards = read_standards()
kinds = list(coverage.table["kind"])
label_of = {k: word(f"facility.{k}", code) for k in kinds}
shown_kind = st.selectbox(
    t("sites_service_area"), ["", *kinds], format_func=lambda k: label_of.get(k, t("sites_none"))
)

phone = widgets.is_phone()
m = build_map(
    inventory,
    lang=code,
    basemap=view.basemap,
    tianditu_key=st.session_state.get(K_TIANDITU, ""),
    vendor_url=widgets.vendor_url(),
    size_px=(widgets.PHONE_MAP_WIDTH, widgets.PHONE_MAP_HEIGHT) if phone else (880, widgets.MAP_HEIGHT),
)
if shown_kind:
    area = service_areas(coverage.area, standards.loc[[shown_kind]])
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=to_display(area, view.basemap)).to_json(),
        name=escape_text(label_of[shown_kind]),
        control=False,  # build_map's layer control is already drawn; a later layer in it breaks the map
        style_function=lambda _: {"color": "#4daf4a", "weight": 1, "fillOpacity": 0.15},
    ).add_to(m)
spacing = sunlight_spacing(coverage.area.buildings, coverage.area.features)
add_spacing(
    m,
    gpd.GeoSeries([spacing.intersection(coverage.area.boundary)], crs=coverage.area.network.crs),
    label=t("sites_spacing_layer"),
    basemap=view.basemap,
)
reasons = [reason_text(parts, code) for parts in sites["reason"]]
if len(sites):
    shown = gpd.GeoDataFrame(
        {
            "tip": [
                escape_text(f"#{r} {s} · {reason}")
                for r, s, reason in zip(sites["rank"], sites["site_id"], reasons, strict=True)
            ],
            "top": sites["rank"] <= 3,
        },
        geometry=to_display(sites, view.basemap).to_numpy(),
        crs="EPSG:4326",
    )
    folium.GeoJson(
        shown.to_json(),
        name=escape_text(t("sites_sites")),
        control=False,
        # Brown (ColorBrewer Set1), apart from the category colours; the first three drawn stronger.
        style_function=lambda f: {
            "color": "#a65628",
            "fillColor": "#a65628",
            "weight": 3 if f["properties"]["top"] else 1.5,
            "fillOpacity": 0.45 if f["properties"]["top"] else 0.2,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(m)
    add_site_numbers(m, sites, lang=code, basemap=view.basemap)  # S01… on the map, as in the table
    use_local_assets(m, widgets.vendor_url())
streamlit_folium.st_folium(
    m,
    key="sites_map",
    height=widgets.PHONE_MAP_HEIGHT if phone else widgets.MAP_HEIGHT,
    use_container_width=True,
    returned_objects=[],
)

st.subheader(t("sites_sites"))
if sites.empty:
    st.info(t("sites_no_sites"))
else:
    st.caption(t("sites_spots_note", n=0 if spots is None else len(spots)))
    table = pd.DataFrame(
        {
            t("sites_col_rank"): sites["rank"],
            t("sites_col_site_id"): sites["site_id"],
            t("sites_col_type"): [word(f"site.type.{k}", code) for k in sites["type"]],
            t("sites_col_score"): sites["score"],
            t("sites_col_spacing"): (100 * sites["spacing_share"]).round(0),
            t("sites_demand"): sites["demand"],
            t("sites_gap"): sites["gap"],
            t("sites_suitability"): sites["suitability"],
            t("sites_profile"): sites["profile"],
            t("sites_col_reason"): reasons,
            t("sites_col_uses"): [uses_text(u, code) for u in sites["uses"]],
            t("sites_col_class"): [
                word(f"site.class.{c}", code, default=c) for c in sites["renovation_class"]
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(
        t("sites_download"),
        csv_bytes(sites_with_words(sites.drop(columns=["geometry", "options"]))),
        file_name="sites.csv",
        mime="text/csv",
        key="sites_csv",
    )

st.subheader(t("sites_coverage"))
cov = coverage.table[coverage.table["status"] != "unmapped"]  # the warning above names those
st.dataframe(
    pd.DataFrame(
        {
            t("sites_col_facility"): [label_of[k] for k in cov["kind"]],
            t("sites_col_radius_m"): cov["radius_m"],
            t("sites_col_share"): cov["share_covered"],
            t("sites_col_status"): [t(f"sites_status_{s}") for s in cov["status"]],
            t("sites_col_nearest"): cov["nearest_median_m"],
            t("sites_col_note"): [
                " · ".join(x for x in (t("sites_recalled") if r else "", coverage_note_text(row, code)) if x)
                for r, row in zip(cov["recalled"], cov.to_dict("records"), strict=True)
            ],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        t("sites_col_share"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")
    },
)

st.subheader(t("sites_zones"))
works = st.multiselect(t("sites_works"), list(sites["site_id"]), key="sites_works")
join = st.number_input(t("sites_join"), 20.0, 2000.0, 150.0, 10.0, key="sites_join")
if works:
    try:
        zones, assigned = supervision_zones(coverage.area, sites[sites["site_id"].isin(works)], join_m=join)
    except MapperError as exc:
        widgets.show_error(exc)
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("zones_col_zone"): zones["zone"].to_numpy(),
                    t("zones_col_works"): zones["works"].to_numpy(),
                    t("zones_col_buildings"): zones["buildings"].to_numpy(),
                    t("zones_col_weight"): zones["weight"].round(0).to_numpy(),
                }
            ),
            hide_index=True,
            width="stretch",
        )
        # buildings by name (their number on the map when unnamed), never by id
        st.dataframe(
            pd.DataFrame(
                {
                    t("zones_col_building"): [
                        n if isinstance(n, str) and n else t("zones_unnamed", i=i)
                        for i, n in enumerate(assigned[S.NAME], start=1)
                    ],
                    t("zones_col_zone"): assigned["zone"].to_numpy(),
                    t("zones_col_work"): assigned["work"].to_numpy(),
                    t("zones_col_dist_m"): assigned["dist_m"].to_numpy(),
                    t("zones_col_by"): [
                        t("zones_by_walk") if b == "walk" else t("zones_by_line") for b in assigned["by"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.download_button(
            t("sites_download"),
            csv_bytes(assigned),
            file_name="zones.csv",
            mime="text/csv",
            key="zones_csv",
        )
