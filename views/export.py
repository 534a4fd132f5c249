"""Export (导出): the layout figure (preview; PDF, SVG, PNG) and the inventory (GPKG, GeoJSON, CSV, XLSX, DXF).

Nothing is drawn on a visit: the figure is drawn when asked for (a button, then again as options change in
that session), and every file is made when its download button is clicked. Figures and files are cached
for the whole server by the inventory's content and the options, so the same figure is never drawn twice.

The figure's downloads are offered once its preview is drawn, since only then is its number of pages
known: a figure whose index goes on to more pages downloads as one PDF of them all, or as a ZIP of one
PNG or SVG per page.
"""

import hashlib

import pandas as pd
import streamlit as st

from layers.figure.layout import PAPER_SIZES_MM, figure_files, figure_title, pages_archive, plot_layout
from pipeline.core.errors import MapperError
from pipeline.inventory.build import lonlat
from pipeline.inventory.export import cgcs2000_gk_crs, export_bytes, gk_zone
from pipeline.inventory.naming import compound_title
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
st.text(f"{compound_title(compound, code) or t('no_name')} · {t('numbered', n=len(inventory.assets))}")
stem = compound_dir("", view.compound).name

# --- the layout figure ---------------------------------------------------------------------------
st.header(t("export_figure"))
paper_col, orient_col, lang_col, dpi_col = st.columns(4)
paper = paper_col.selectbox(t("export_paper"), list(PAPER_SIZES_MM), index=1, key="export_paper")
orientation = orient_col.selectbox(
    t("export_orientation"), ["auto", "portrait", "landscape"], format_func=lambda o: t(f"export_{o}"), key="export_orientation"
)
figure_lang = lang_col.radio(
    t("export_figure_lang"),
    ["zh", "en"],
    index=0 if code == "zh" else 1,
    horizontal=True,
    format_func=lambda c: t(f"lang_{c}"),
    key="export_lang",
)
dpi = dpi_col.selectbox(t("export_dpi"), [150, 300, 600], index=1, key="export_dpi")


def fingerprint(inv: object) -> str:
    """A digest of everything a figure or a file is made from: the numbered assets, the context, the report."""
    parts = [str(sorted(inv.report.get("compound", {}).items())), inv.crs.to_string()]
    for frame in (inv.assets, inv.boundary, inv.gates, *(inv.context[k] for k in sorted(inv.context))):
        parts.append(str(pd.util.hash_pandas_object(frame.drop(columns="geometry").astype(str)).sum()))
        parts.append(hashlib.sha256(b"".join(frame.geometry.to_wkb())).hexdigest())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@st.cache_data(max_entries=48, show_spinner=False)
def figure_file(
    key: str, paper: str, orientation: str, figure_lang: str, fmt: str, dpi: int, _inv
) -> list[bytes]:
    """The figure's ``fmt`` files (:func:`figure_files`), cached by the :func:`fingerprint` ``key`` and options."""
    fig, _ = plot_layout(_inv, paper=paper, orientation=orientation, lang=figure_lang)
    return figure_files(fig, fmt, dpi=dpi)


def figure_download(fmt: str, filename: str) -> bytes:
    """The bytes of the figure's ``fmt`` download: its one file, or a ZIP of its pages named after ``filename``."""
    files = figure_file(key, paper, orientation, figure_lang, fmt, dpi, inventory)
    return files[0] if len(files) == 1 else pages_archive(files, filename)


@st.cache_data(max_entries=48, show_spinner=False)
def data_file(key: str, fmt: str, crs: str | None, _inv) -> bytes:
    """The inventory as ``fmt`` bytes; cached by the inventory's :func:`fingerprint` ``key``, format and CRS."""
    return export_bytes(_inv, fmt, crs=crs)


key = fingerprint(inventory)
wanted = f"_export_wanted:{view.compound}"  # the figure was asked for in this session
if not st.session_state.get(wanted):
    st.button(
        t("export_build"),
        type="primary",
        icon=":material/draw:",
        key="export_build",
        help=t("export_build_help"),
        on_click=st.session_state.__setitem__,
        args=(wanted, True),
    )
else:
    try:
        previews = figure_file(key, paper, orientation, figure_lang, "png", PREVIEW_DPI, inventory)
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    pages = len(previews)
    caption = f"{figure_title(inventory, figure_lang)} · {t('export_preview')}"
    numbered = [f"{caption} · {t('export_page', n=n, pages=pages)}" for n in range(1, pages + 1)]
    st.image(previews, caption=numbered if pages > 1 else caption)
    name = f"{stem}-layout-{paper}-{figure_lang}"
    for column, fmt in zip(st.columns(3), FIGURE_MIME, strict=True):
        several = fmt != "pdf" and pages > 1  # a ZIP of one file per page
        column.download_button(
            t("export_pages_zip", fmt=fmt.upper(), pages=pages) if several else fmt.upper(),
            data=lambda fmt=fmt: figure_download(fmt, f"{name}.{fmt}"),
            file_name=f"{name}-{fmt}.zip" if several else f"{name}.{fmt}",
            mime="application/zip" if several else FIGURE_MIME[fmt],
            on_click="ignore",
            help=t("export_pages_zip_help", pages=pages) if several else None,
            icon=":material/download:",
            key=f"export_figure_{fmt}",
        )

# --- the inventory data --------------------------------------------------------------------------
st.header(t("export_data"))
lon, _ = lonlat(inventory.boundary)
crs_options = {t("export_utm"): inventory.crs.to_string()}
if gk_zone(float(lon.iloc[0])) is not None:  # China's survey zones; a compound abroad has none
    crs_options[t("export_gk")] = cgcs2000_gk_crs(float(lon.iloc[0])).to_string()
    crs_options[t("export_gk_zone")] = cgcs2000_gk_crs(float(lon.iloc[0]), zone_prefix=True).to_string()
crs_options[t("export_wgs84")] = "EPSG:4326"
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
        data=lambda fmt=fmt: data_file(key, fmt, None if fmt == "geojson" else crs, inventory),
        file_name=f"{stem}-inventory.{fmt}",
        mime=mime,
        on_click="ignore",
        disabled=fmt == "dxf" and geographic,
        help=t("export_dxf_geographic") if fmt == "dxf" and geographic else None,
        icon=":material/download:",
        key=f"export_data_{fmt}",
    )
