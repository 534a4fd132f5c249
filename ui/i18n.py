"""The page's language, and its words: :func:`t` reads ``app.<key>`` from the catalogue of words.

Every word lives in ``pipeline/core/words.toml`` (:mod:`pipeline.core.words`); the pages' words are its
``app.`` keys, the map's ``map.`` keys, and so on. ``t(key)`` is ``word("app." + key, lang())``.
"""

from __future__ import annotations

import streamlit as st

from pipeline.core.words import LANGS, word
from ui.state import K_LANG

__all__ = ["LANGS", "lang", "t"]


def lang() -> str:
    """The language of this session: ``zh`` unless the user switched."""
    value = st.session_state.get(K_LANG, "zh")
    return value if value in LANGS else "zh"


def t(key: str, **values: object) -> str:
    """Return the page word ``app.<key>`` in the session's language, formatted with ``values``."""
    return word(f"app.{key}", lang(), default=None, **values)
