"""The Streamlit layer's shared parts: settings, words, view state, cached loaders and widgets.

Only ``app.py``, ``views/`` and this package import streamlit. Everything computed here is a call
into :mod:`pipeline` or :mod:`layers`, cached with ``st.cache_data``; per-user state lives in
``st.session_state`` and the view is mirrored in the URL (:mod:`ui.state`).
"""
