"""Export (导出): the layout figure (preview; PDF, SVG, PNG) and the inventory (GPKG, GeoJSON, CSV, XLSX, DXF)."""

import streamlit as st

from layers.figure.layout import PAPER_SIZES_MM, figure_bytes, figure_title, plot_layout
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.inventory.build import lonlat
from pipeline.inventory.export import cgcs2000_gk_crs, export_bytes
from pipeline.workspace.edits import compound_dir
from ui import state, widgets
from ui.i18n import lang, t
from ui.settings import load_settings

FORMATS = {
    "gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "csv": ("CSV", "text/csv"),
    "xlsx": ("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "dxf": ("DXF (CAD)", "image/vnd.dxf"),
}
FIGURE_MIME = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
PREVIEW_DPI = 80


settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
code = lang()
st.title(t("export"))
compound = inventory.report.get("compound", {})
st.text(f"{compound.get(S.NAME, '')} · {compound.get(S.SOURCE_ID, '')} · {len(inventory.assets)}")
stem = compound_dir("", view.compound).name

# --- the layout figure ---------------------------------------------------------------------------
st.header(t("export_figure"))
paper_col, orient_col, lang_col, dpi_col = st.columns(4)
paper = paper_col.selectbox(t("export_paper"), list(PAPER_SIZES_MM), index=1, key="export_paper")
orientation = orient_col.selectbox(
    t("export_orientation"), ["auto", "portrait", "landscape"], format_func=lambda o: t(f"export_{o}"), key="export_orientation"
)
figure_lang = lang_col.radio(
    t("export_figure_lang"), ["zh", "en"], index=0 if code == "zh" else 1, horizontal=True, key="export_lang"
)
dpi = dpi_col.selectbox(t("export_dpi"), [150, 300, 600], index=1, key="export_dpi")


def draw():
    """The figure for the options chosen (drawn again for each download: figures are not shared)."""
    fig, _ = plot_layout(inventory, paper=paper, orientation=orientation, lang=figure_lang)
    return fig


preview_key = ("export_preview", view, paper, orientation, figure_lang, len(inventory.assets))
try:
    if st.session_state.get("export_preview_key") != preview_key:
        st.session_state["export_preview"] = figure_bytes(draw(), "png", dpi=PREVIEW_DPI)
        st.session_state["export_preview_key"] = preview_key
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()
st.image(
    st.session_state["export_preview"], caption=f"{figure_title(inventory, figure_lang)} · {t('export_preview')}"
)
for column, fmt in zip(st.columns(3), ("pdf", "svg", "png"), strict=True):
    column.download_button(
        fmt.upper(),
        data=lambda fmt=fmt: figure_bytes(draw(), fmt, dpi=dpi),
        file_name=f"{stem}-layout-{paper}-{figure_lang}.{fmt}",
        mime=FIGURE_MIME[fmt],
        on_click="ignore",
        icon=":material/download:",
        key=f"export_figure_{fmt}",
    )

# --- the inventory data --------------------------------------------------------------------------
st.header(t("export_data"))
lon, _ = lonlat(inventory.boundary)
crs_options = {
    t("export_utm"): inventory.crs.to_string(),
    t("export_gk"): cgcs2000_gk_crs(float(lon.iloc[0])).to_string(),
    t("export_gk_zone"): cgcs2000_gk_crs(float(lon.iloc[0]), zone_prefix=True).to_string(),
    t("export_wgs84"): "EPSG:4326",
}
choice = st.selectbox(
    t("export_crs"),
    list(crs_options),
    format_func=lambda k: f"{k} · {crs_options[k]}",
    help=t("export_crs_help"),
    key="export_crs",
)
crs = crs_options[choice]
for column, (fmt, (label, mime)) in zip(st.columns(len(FORMATS)), FORMATS.items(), strict=True):
    geographic = crs == "EPSG:4326"
    column.download_button(
        label,
        data=lambda fmt=fmt: export_bytes(inventory, fmt, crs=None if fmt == "geojson" else crs),
        file_name=f"{stem}-inventory.{fmt}",
        mime=mime,
        on_click="ignore",
        disabled=fmt == "dxf" and geographic,
        help=t("export_dxf_geographic") if fmt == "dxf" and geographic else None,
        icon=":material/download:",
        key=f"export_data_{fmt}",
    )
