"""Profile (基本情况): the compound's basic profile and resources, kept in the compound's own file."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from pipeline.core.errors import MapperError
from pipeline.core.words import word
from pipeline.workspace.profile import (
    PROFILE_FIELDS,
    RESOURCE_KINDS,
    profile_from_dict,
    profile_path,
    profile_rows,
    write_profile,
)
from ui import data, state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings

settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
widgets.header("profile", inventory)
st.caption(t("profile_help"))
try:
    profile = data.load_profile(view, settings)
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()
code = lang()
path = profile_path(settings.runtime_dir, view.compound)
kind_names = {k: word(f"profile.resource.{k}", code) for k in RESOURCE_KINDS}
kind_keys = {v: k for k, v in kind_names.items()}
columns = {
    "kind": t("resource_kind"),
    "name": t("resource_name"),
    "provider": t("resource_provider"),
    "amount_cny": t("resource_amount"),
    "note": t("resource_note"),
}

form_col, side = st.columns([3, 2], gap="large")
with form_col, st.form("profile"):
    label = {k: word(f"profile.field.{k}", code) for k in PROFILE_FIELDS}
    values: dict[str, object] = {"district": st.text_input(label["district"], value=profile.district)}
    left, right = st.columns(2)
    values["year_built"] = left.number_input(
        label["year_built"], value=profile.year_built, step=1, min_value=1900
    )
    values["building_groups"] = right.number_input(
        label["building_groups"], value=profile.building_groups, step=1, min_value=0
    )
    values["households"] = left.number_input(
        label["households"], value=profile.households, step=1, min_value=0
    )
    values["population"] = right.number_input(
        label["population"], value=profile.population, step=1, min_value=0
    )
    values["aged_60_plus_pct"] = left.number_input(
        label["aged_60_plus_pct"], value=profile.aged_60_plus_pct, min_value=0.0, max_value=100.0, step=0.5
    )
    for field in ("property_company", "owners_committee", "party_branch"):
        values[field] = st.text_input(label[field], value=getattr(profile, field))
    st.subheader(t("resources"))
    rows = pd.DataFrame([asdict(r) for r in profile.resources], columns=list(columns))
    rows["kind"] = rows["kind"].map(kind_names)
    edited = st.data_editor(
        rows.rename(columns=columns),
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            columns["kind"]: st.column_config.SelectboxColumn(
                options=list(kind_names.values()), required=True
            ),
            columns["amount_cny"]: st.column_config.NumberColumn(min_value=0, format="%.0f"),
        },
        key=f"profile_resources_{code}",
    )
    if st.form_submit_button(t("save_profile"), type="primary"):
        resources = edited.rename(columns={v: k for k, v in columns.items()})
        resources = resources.dropna(how="all")
        resources["kind"] = resources["kind"].map(kind_keys)
        values["resources"] = resources.to_dict("records")
        try:
            saved = profile_from_dict(values, compound=view.compound)
        except MapperError as exc:
            widgets.show_error(exc)
        else:
            write_profile(saved, path)
            st.toast(t("saved"))
            st.rerun()

with side:
    facts = profile_rows(profile, code)
    if facts:
        st.dataframe(pd.DataFrame(facts, columns=["", " "]), hide_index=True, width="stretch")
        if profile.aged_60_plus is not None:
            st.text(t("aged_count", n=profile.aged_60_plus))
    else:
        st.caption(t("profile_empty"))
    if profile.resources:
        st.dataframe(
            pd.DataFrame([asdict(r) for r in profile.resources])
            .assign(kind=lambda f: f["kind"].map(kind_names))
            .rename(columns=columns),
            hide_index=True,
            width="stretch",
        )
