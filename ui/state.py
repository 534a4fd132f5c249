"""The view a user is looking at: which compound, main gate, method, scheme, language and base map.

The view lives in the sidebar widgets' ``st.session_state`` keys and is mirrored in the URL, so a
link reproduces it: ``?osm=beijing_haidian_qinghua-east-rd.osm&compound=way/595108678&gate=node/5671590330
&method=polar&scheme=global&lang=zh``. On a session's first run the URL seeds the widgets; after that the
widgets are the truth and the URL follows them.

A change that comes from the map (a clicked gate) arrives after the sidebar widgets were drawn, when
Streamlit no longer lets their keys be set; :func:`request` stores it and reruns, and :func:`start`
applies it before the widgets are drawn again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import streamlit as st

from pipeline.core import schema as S
from ui.settings import DEMO_COMPOUND, DEMO_EXTRACT

# Widget keys of the view.
K_EXTRACT = "view_extract"
K_COMPOUND = "view_compound"
K_GATE = "view_gate"
K_METHOD = "view_method"
K_SCHEME = "view_scheme"
K_LANG = "view_lang"
K_BASEMAP = "view_basemap"
K_TIANDITU = "tianditu_key"  # kept in the session only, never in the URL
# Other session keys.
K_STARTED = "_started"
K_PENDING = "_pending_view"
K_SEEN_CLICKS = "_seen_clicks"
K_LINK = "_link_params"  # a vote link's ?vote=N&code=… (older slips: ?session=ID), taken on the first run
K_UPLOADS = "_uploads"  # extract id -> the uploaded file's name, this session's uploads only

#: URL parameters a page writes for itself and the view keeps: the results page's vote number (``?vote=2``).
KEPT = ("vote",)
#: URL parameter of each view field.
PARAMS = {
    "extract": "osm",
    "compound": "compound",
    "gate": "gate",
    "method": "method",
    "scheme": "scheme",
    "lang": "lang",
    "basemap": "base",
}
_KEYS = {
    "extract": K_EXTRACT,
    "compound": K_COMPOUND,
    "gate": K_GATE,
    "method": K_METHOD,
    "scheme": K_SCHEME,
    "lang": K_LANG,
    "basemap": K_BASEMAP,
}


@dataclass(frozen=True)
class View:
    """Everything that decides what the pages show; ``gate=""`` means the detected main gate."""

    extract: str = DEMO_EXTRACT
    compound: str = DEMO_COMPOUND
    gate: str = ""
    method: str = S.METHODS[0]
    scheme: str = S.SCHEMES[0]
    lang: str = "zh"
    basemap: str = "none"


def _from_params(params: dict[str, str]) -> View:
    """Read a view from URL parameters; malformed values fall back to the defaults."""
    default = View()
    values = {field: params.get(param, getattr(default, field)) for field, param in PARAMS.items()}
    if values["method"] not in S.METHODS:
        values["method"] = default.method
    if values["scheme"] not in S.SCHEMES:
        values["scheme"] = default.scheme
    if values["lang"] not in ("zh", "en"):
        values["lang"] = default.lang
    if values["extract"] != default.extract and "compound" not in params:
        values["compound"] = ""
    return View(**values)


def start() -> None:
    """Seed the view's widget keys from the URL on a session's first run; apply a pending change."""
    if K_STARTED not in st.session_state:
        view = _from_params({k: st.query_params[k] for k in st.query_params})
        for field, key in _KEYS.items():
            st.session_state[key] = getattr(view, field)
        st.session_state[K_LINK] = {
            k: str(st.query_params[k]) for k in ("vote", "session", "code") if k in st.query_params
        }
        st.session_state[K_STARTED] = True
    pending = st.session_state.pop(K_PENDING, None)
    if pending:
        for field, value in pending.items():
            st.session_state[_KEYS[field]] = value


def current() -> View:
    """Return the view the widgets hold now."""
    default = View()
    return View(**{field: st.session_state.get(key, getattr(default, field)) for field, key in _KEYS.items()})


def set_field(field: str, value: str) -> None:
    """Set a view field before its widget is drawn (in a callback, or at the top of a run)."""
    st.session_state[_KEYS[field]] = value


def request(**changes: str) -> None:
    """Change view fields whose widgets are already drawn: store the change and rerun."""
    st.session_state[K_PENDING] = changes
    st.rerun()


def sync_url(view: View) -> None:
    """Write the view to the URL, leaving out fields that equal the default."""
    default = asdict(View())
    wanted = {
        PARAMS[f]: v for f, v in asdict(view).items() if v != default[f] or f in ("extract", "compound")
    }
    current_params = {k: st.query_params[k] for k in st.query_params}
    wanted.update({k: current_params[k] for k in KEPT if k in current_params})
    if current_params != wanted:
        st.query_params.from_dict(wanted)


def is_new_click(map_key: str, view: View, click: object) -> bool:
    """Tell whether a click the map returns has not been handled yet in this view.

    ``st_folium`` returns its last click on every rerun; a click counts once per map and view.
    """
    if not click:
        return False
    seen = st.session_state.setdefault(K_SEEN_CLICKS, {})
    signature = (view, repr(click))
    if seen.get(map_key) == signature:
        return False
    seen[map_key] = signature
    return True
