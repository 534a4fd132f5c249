"""The community asset mapper's Streamlit app: page config, the shared sidebar, the pages.

Run it with ``make run`` (or ``.venv/bin/streamlit run app.py``). Every page is a thin script in
``views/``; the sidebar (language, compound, numbering, base map) is drawn here once for all of them,
and the view is mirrored in the URL (:mod:`ui.state`).
"""

import streamlit as st

from pipeline.core.errors import MapperError
from pipeline.core.words import word
from ui import state
from ui.crash import run_guarded
from ui.i18n import t
from ui.settings import load_settings
from ui.widgets import language_switch, phone_style, show_error, sidebar

#: The pages in menu order: script, title key (``app.<key>`` of ``pipeline/core/words.toml``), icon.
PAGES = (
    ("views/layout.py", "layout", ":material/map:"),
    ("views/inventory.py", "inventory", ":material/table_rows:"),
    ("views/profile.py", "profile", ":material/info:"),
    ("views/spots.py", "spots", ":material/report:"),
    ("views/vote.py", "vote", ":material/how_to_vote:"),
    ("views/results.py", "results", ":material/campaign:"),
    ("views/sites.py", "sites", ":material/location_on:"),
    ("views/export.py", "export", ":material/download:"),
    ("views/import_survey.py", "import_survey", ":material/upload_file:"),
    ("views/city.py", "city", ":material/location_city:"),
)

st.set_page_config(
    page_title=f"{word('app.app_title', 'zh')} · {word('app.app_title', 'en')}",
    page_icon="static/favicon.png",
    layout="wide",
)
state.start()
phone_style()
language_switch()
page = st.navigation(
    [
        st.Page(script, title=t(key), icon=icon, url_path=key, default=i == 0)
        for i, (script, key, icon) in enumerate(PAGES)
    ]
)
try:
    sidebar(load_settings(st.get_option("server.maxUploadSize")))
except MapperError as exc:
    show_error(exc)
    st.stop()
state.sync_url(state.current())
run_guarded(page.run)  # an unexpected error: one line, the traceback in runtime/logs/
