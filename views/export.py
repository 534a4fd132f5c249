"""Export (导出): the layout figure (preview; PDF, SVG, PNG) and the inventory (GPKG, GeoJSON, CSV, XLSX, DXF)."""

import streamlit as st

from layers.figure.layout import PAPER_SIZES_MM, figure_bytes, figure_title, plot_layout
from pipeline.core import schema as S
from pipeline.core.errors import MapperError
from pipeline.inventory.build import lonlat
from pipeline.inventory.export import cgcs2000_gk_crs, export_bytes
from pipeline.workspace.edits import compound_dir
from ui import state, widgets
from ui.i18n import lang
from ui.settings import load_settings

WORDS = {
    "title": {"zh": "导出", "en": "Export"},
    "figure": {"zh": "重要生活服务设施布局图", "en": "Layout figure"},
    "paper": {"zh": "纸张", "en": "Paper"},
    "orientation": {"zh": "方向", "en": "Orientation"},
    "auto": {"zh": "自动", "en": "Automatic"},
    "portrait": {"zh": "纵向", "en": "Portrait"},
    "landscape": {"zh": "横向", "en": "Landscape"},
    "figure_lang": {"zh": "图面语言", "en": "Figure language"},
    "dpi": {"zh": "PNG 分辨率（dpi）", "en": "PNG resolution (dpi)"},
    "preview": {"zh": "预览（低分辨率）", "en": "Preview (low resolution)"},
    "data": {"zh": "清单数据", "en": "Inventory data"},
    "crs": {"zh": "坐标系", "en": "Coordinate system"},
    "crs_help": {
        "zh": "GeoJSON 总是 WGS-84；DXF 需要以米为单位的投影坐标系；CSV/XLSX 另加该坐标系下的 x、y。",
        "en": "GeoJSON is always WGS-84; DXF needs a projected CRS in metres; CSV/XLSX add x, y in it.",
    },
    "utm": {"zh": "小区 UTM 分带", "en": "Compound's UTM zone"},
    "gk": {"zh": "CGCS2000 高斯-克吕格 3° 带", "en": "CGCS2000 Gauss-Krüger 3°"},
    "gk_zone": {"zh": "CGCS2000 高斯-克吕格 3° 带（带号）", "en": "CGCS2000 Gauss-Krüger 3° (zone prefix)"},
    "wgs84": {"zh": "WGS-84 经纬度", "en": "WGS-84 lon/lat"},
    "dxf_geographic": {
        "zh": "DXF 需要投影坐标系，请换一个坐标系。",
        "en": "DXF needs a projected CRS; pick another one.",
    },
}
FORMATS = {
    "gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "csv": ("CSV", "text/csv"),
    "xlsx": ("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "dxf": ("DXF (CAD)", "image/vnd.dxf"),
}
FIGURE_MIME = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
PREVIEW_DPI = 80


def w(key: str) -> str:
    """Return the page's word ``key`` in the session's language."""
    return WORDS[key][lang()]


settings = load_settings(st.get_option("server.maxUploadSize"))
view = state.current()
inventory = widgets.numbered_or_stop(view, settings)
code = lang()
st.title(w("title"))
compound = inventory.report.get("compound", {})
st.text(f"{compound.get(S.NAME, '')} · {compound.get(S.SOURCE_ID, '')} · {len(inventory.assets)}")
stem = compound_dir("", view.compound).name

# --- the layout figure ---------------------------------------------------------------------------
st.header(w("figure"))
paper_col, orient_col, lang_col, dpi_col = st.columns(4)
paper = paper_col.selectbox(w("paper"), list(PAPER_SIZES_MM), index=1, key="export_paper")
orientation = orient_col.selectbox(
    w("orientation"), ["auto", "portrait", "landscape"], format_func=w, key="export_orientation"
)
figure_lang = lang_col.radio(
    w("figure_lang"), ["zh", "en"], index=0 if code == "zh" else 1, horizontal=True, key="export_lang"
)
dpi = dpi_col.selectbox(w("dpi"), [150, 300, 600], index=1, key="export_dpi")


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
    st.session_state["export_preview"], caption=f"{figure_title(inventory, figure_lang)} · {w('preview')}"
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
st.header(w("data"))
lon, _ = lonlat(inventory.boundary)
crs_options = {
    w("utm"): inventory.crs.to_string(),
    w("gk"): cgcs2000_gk_crs(float(lon.iloc[0])).to_string(),
    w("gk_zone"): cgcs2000_gk_crs(float(lon.iloc[0]), zone_prefix=True).to_string(),
    w("wgs84"): "EPSG:4326",
}
choice = st.selectbox(
    w("crs"),
    list(crs_options),
    format_func=lambda k: f"{k} · {crs_options[k]}",
    help=w("crs_help"),
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
        help=w("dxf_geographic") if fmt == "dxf" and geographic else None,
        icon=":material/download:",
        key=f"export_data_{fmt}",
    )
