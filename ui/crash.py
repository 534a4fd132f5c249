"""The app's last resort: a page that fails in a way nobody planned shows one line, never a stack."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pipeline.core.crash import report_crash
from pipeline.core.errors import MapperError
from ui.i18n import t
from ui.widgets import show_error


def run_guarded(run: Callable[[], object]) -> None:
    """Run a page; a mapper error is shown as it is, anything else as one line and a log entry.

    Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) derives from
    ``BaseException`` and passes through untouched.
    """
    try:
        run()
    except MapperError as exc:
        show_error(exc)
    except Exception as exc:  # the last resort
        line = report_crash(exc, "the app", full_path=False)
        st.error(f"{t('error')} {line}", icon=":material/error:")
