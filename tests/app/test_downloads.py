"""The app's CSV downloads go through the escaping writer, like every CSV the project writes."""

from __future__ import annotations

from unittest import mock

from streamlit.testing.v1 import AppTest

from pipeline.core import cells
from tests.helpers.app import APP, FakeMap
from tests.helpers.testdata import DEMO_ASSETS


def test_the_inventory_download_escapes_formula_like_names(fake_map: FakeMap) -> None:
    with mock.patch("pipeline.core.cells.csv_bytes", wraps=cells.csv_bytes) as spy:
        at = AppTest.from_file(APP, default_timeout=60).switch_page("views/inventory.py").run()
    assert not at.exception
    frames = [c.args[0] for c in spy.call_args_list]
    assert any("label" in f.columns and len(f) == DEMO_ASSETS for f in frames), frames


def test_the_sites_download_escapes_formula_like_text(fake_map: FakeMap) -> None:
    with mock.patch("pipeline.core.cells.csv_bytes", wraps=cells.csv_bytes) as spy:
        at = AppTest.from_file(APP, default_timeout=120).switch_page("views/sites.py").run()
    assert not at.exception
    assert any("site_id" in c.args[0].columns for c in spy.call_args_list)
