"""Who acts on residents' spots and the vote, and the store they act on.

- **The store**: one :class:`store.Store` per server process and database URL (``$MAPPER_DB_URL``, else
  ``runtime/mapper.sqlite3``), shared with ``st.cache_resource``; it is thread-safe (every call checks a
  connection out for one transaction). Nothing per-user is cached.
- **A resident** needs no account: a random secret key made once per device (:func:`store.new_resident_key`)
  plus the pseudonym typed. The store keeps only the key's digest; it ties a resident's spots and supports
  together and counts the hourly limit (a ballot needs a participant code instead). The key and the pseudonym are kept on the device in two
  first-party cookies (``static/identity``, a component with no output, writes them; the app reads them
  with ``st.context.cookies`` when a session starts), so a reload or a visit next week is the same resident
  with the same "my spots". :func:`forget_device` starts afresh.
- **A planner** signs in with a name and a password checked against salted hashes
  (:func:`store.load_planners`: the TOML file named by ``$MAPPER_PLANNERS_FILE`` and/or
  ``$MAPPER_PLANNERS``), never by a name alone; failed attempts are counted in the store per account and
  per client address (:func:`store.sign_in`), so a new tab or browser does not reset them. When an OIDC
  provider is configured for ``st.login`` (an ``[auth]`` section in ``.streamlit/secrets.toml``), planners
  may sign in with it instead; the signed-in e-mail must be listed in ``$MAPPER_PLANNER_EMAILS``
  (comma-separated), since a provider such as Google admits anyone with an account.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from pipeline.core.errors import MapperError
from pipeline.core.settings import Settings as MapperSettings
from pipeline.inventory.build import Inventory
from store import Planner, Resident, Store, load_planners, new_resident_key, sign_in
from store.errors import SignInPausedError
from store.identity import digest
from store.records import SpotRecord
from store.settings import default_db_url
from ui import state, widgets
from ui.i18n import t
from ui.settings import load_settings
from ui.state import View

K_RESIDENT_KEY = "_resident_key"
K_PSEUDONYM = "_resident_pseudonym"
K_PLANNER = "_planner"
K_FLASH = "_flash"
MAX_PSEUDONYM_CHARS = 40
#: The cookies that keep a resident's key and pseudonym on their device (a year).
KEY_COOKIE, NAME_COOKIE = "mapper_resident", "mapper_name"
K_DEVICE_WRITTEN = "_resident_device_written"  # (key, name) last written to the device, or ("", "") forgotten
_KEY_FORM = re.compile(r"[A-Za-z0-9_-]{22,128}")
_device = components.declare_component(
    "resident_device", path=str(Path(__file__).resolve().parents[1] / "static" / "identity")
)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def open_store() -> Store:
    """The store of ``$MAPPER_DB_URL`` (or ``runtime/mapper.sqlite3``), opened once per server.

    Raises
    ------
    StoreError
        When the database cannot be opened or migrated.
    """
    return _store(default_db_url())


# --- residents --------------------------------------------------------------------------------------


def _cookies() -> dict[str, str]:
    try:
        return dict(st.context.cookies)
    except Exception:  # no browser behind this run (AppTest, bare mode)
        return {}


def resident_key() -> str:
    """Return the secret resident key: the one this device keeps, else a new one (made on first use).

    On a session's first call the pseudonym kept on the device is taken too, unless one was typed.
    """
    if K_RESIDENT_KEY not in st.session_state:
        cookies = _cookies()
        saved = cookies.get(KEY_COOKIE, "")
        if _KEY_FORM.fullmatch(saved):
            st.session_state[K_RESIDENT_KEY] = saved
            name = urllib.parse.unquote(cookies.get(NAME_COOKIE, ""))[:MAX_PSEUDONYM_CHARS].strip()
            if name and not st.session_state.get(K_PSEUDONYM):
                st.session_state[K_PSEUDONYM] = name
            st.session_state[K_DEVICE_WRITTEN] = (saved, name)
        else:
            st.session_state[K_RESIDENT_KEY] = new_resident_key()
    return st.session_state[K_RESIDENT_KEY]


def remember_on_device() -> None:
    """Keep the resident's key and pseudonym on this device (cookies), when they changed.

    Drawn (height 0) at the bottom of the sidebar; after :func:`forget_device` it deletes the cookies once.
    """
    key, name = resident_key(), pseudonym()
    written = st.session_state.get(K_DEVICE_WRITTEN)
    args: dict[str, object] = {"key_cookie": KEY_COOKIE, "name_cookie": NAME_COOKIE}
    if written == ("", ""):  # forgotten: delete, and write the new key only once a name is given
        args["forget"] = True
        if name:
            args.update(forget=False, secret=key, name=name)
            st.session_state[K_DEVICE_WRITTEN] = (key, name)
    elif written != (key, name):
        args.update(secret=key, name=name)
        st.session_state[K_DEVICE_WRITTEN] = (key, name)
    with st.sidebar:
        _device(**args, key="_resident_device", default=None)


def forget_device() -> None:
    """Start afresh on this device: a new key, no pseudonym, and the cookies deleted (a callback)."""
    st.session_state[K_RESIDENT_KEY] = new_resident_key()
    st.session_state[K_PSEUDONYM] = ""
    for widget in [k for k in st.session_state if str(k).startswith("_pseudonym_")]:
        st.session_state[widget] = ""
    st.session_state[K_DEVICE_WRITTEN] = ("", "")


def pseudonym(where: str | None = None) -> str:
    """The pseudonym this session gave (trimmed), or ``""``.

    In a callback, pass the ``where`` of :func:`pseudonym_input`: its box holds the newest value (typed
    just before a button was clicked) before the page copies it on.
    """
    widget = f"_pseudonym_{where}"
    if where is not None and widget in st.session_state:
        return str(st.session_state[widget]).strip()
    return str(st.session_state.get(K_PSEUDONYM, "")).strip()


def pseudonym_input(where: str) -> str:
    """Draw the pseudonym box (kept across pages) and return the pseudonym typed, trimmed."""
    widget = f"_pseudonym_{where}"
    if widget not in st.session_state or (
        not st.session_state[widget] and st.session_state.get(K_PSEUDONYM)
    ):  # the pseudonym kept on the device, or typed on another page
        st.session_state[widget] = st.session_state.get(K_PSEUDONYM, "")
    st.text_input(
        t("pseudonym"),
        key=widget,
        max_chars=MAX_PSEUDONYM_CHARS,
        help=t("pseudonym_help"),
        on_change=_copy_pseudonym,
        args=(widget,),
    )
    st.session_state[K_PSEUDONYM] = st.session_state[widget]
    return pseudonym()


def _copy_pseudonym(widget: str) -> None:
    """Take the name typed before the page runs, so it is kept on the device in the same run."""
    st.session_state[K_PSEUDONYM] = st.session_state[widget]


def resident(where: str | None = None, *, name: str | None = None) -> Resident:
    """Return the resident of this session: its key and ``name``, else the pseudonym given (see :func:`pseudonym`).

    Raises
    ------
    DataError
        When no pseudonym was given.
    """
    return Resident(resident_key(), pseudonym(where) if name is None else name)


def is_mine(record: SpotRecord) -> bool:
    """Whether this session's resident wrote the spot."""
    return record.author_key_digest is not None and record.author_key_digest == digest(resident_key())


# --- planners ---------------------------------------------------------------------------------------


def oidc_configured() -> bool:
    """Whether ``st.login`` has a provider (an ``[auth]`` section in the secrets)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file (StreamlitSecretNotFoundError derives from it)
        return False


def _oidc_planner() -> Planner | None:
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "").strip().lower()
    allowed = MapperSettings.from_env().planner_emails
    return Planner(email) if email and email in allowed else None


def planner() -> Planner | None:
    """The signed-in planner of this session, or ``None``."""
    found = st.session_state.get(K_PLANNER)
    return found if isinstance(found, Planner) else _oidc_planner()


def _sign_in() -> None:
    name = st.session_state.get("_signin_name", "")
    password = st.session_state.get("_signin_password", "")
    st.session_state["_signin_password"] = ""
    try:
        ip = st.context.ip_address
        client = ip if isinstance(ip, str) and ip else "unknown"
        st.session_state[K_PLANNER] = sign_in(open_store(), name, password, load_planners(), client=client)
    except SignInPausedError as exc:
        flash("signin", "error", t("signin_paused", s=exc.wait_s))
    except MapperError as exc:
        flash("signin", "error", widgets.error_text(exc))


def _sign_out() -> None:
    st.session_state.pop(K_PLANNER, None)


def planner_box() -> Planner | None:
    """The planner's sign-in (or signed-in line and sign-out) in the sidebar; returns the planner."""
    with st.sidebar:
        st.subheader(t("planner"))
        who = planner()
        if who is not None:
            st.text(t("signed_in_as", name=who.name))
            if K_PLANNER in st.session_state:
                st.button(t("sign_out"), key="_signout", on_click=_sign_out)
            else:
                st.button(t("sign_out"), key="_signout_oidc", on_click=st.logout)
            return who
        with st.expander(t("sign_in")):
            if oidc_configured():
                st.button(t("sign_in_oidc"), key="_signin_oidc", on_click=st.login)
            with st.form("_signin_form", clear_on_submit=False, border=False):
                st.text_input(t("planner_name"), key="_signin_name", max_chars=80)
                st.text_input(t("password"), key="_signin_password", type="password", max_chars=200)
                st.form_submit_button(t("sign_in"), on_click=_sign_in)
            show_flash("signin")
        return None


# --- messages that outlive the callback that made them --------------------------------------------------


def flash(scope: str, kind: str, message: str) -> None:
    """Keep a message (``kind`` ``success``/``error``/``warning``) to show once at :func:`show_flash`."""
    st.session_state.setdefault(K_FLASH, {})[scope] = (kind, message)


def show_flash(scope: str) -> None:
    """Show the message kept for ``scope``, once: a fixed heading, the message as plain text."""
    kind, message = st.session_state.get(K_FLASH, {}).pop(scope, (None, None))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "error":
        st.error(t("error"), icon=":material/error:")
        st.text(message)
    elif kind == "warning":
        st.warning(t("warning"), icon=":material/warning:")
        st.text(message)


def attempt(
    scope: str, action: Callable[[], object], success: str | Callable[[object], str]
) -> object | None:
    """Run a store action from a callback: keep a success message, or the mapper error's message.

    Returns what the action returned, or ``None`` when it raised a :class:`~pipeline.core.errors.MapperError`
    (anything else is a bug and propagates).
    """
    try:
        result = action()
    except MapperError as exc:
        flash(scope, "error", widgets.error_text(exc))
        return None
    flash(scope, "success", success(result) if callable(success) else success)
    return result


def open_page(key: str) -> tuple[View, Inventory, Store, Planner | None]:
    """Start a resident or planner page: its view, inventory and header, the store, who is signed in.

    Stops the page with the error shown when the inventory or the store cannot be opened.
    """
    settings = load_settings(st.get_option("server.maxUploadSize"))
    view = state.current()
    inventory = widgets.numbered_or_stop(view, settings)
    widgets.header(key, inventory)
    try:
        store = open_store()
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    signed_in = planner_box()
    resident_key()
    remember_on_device()
    return view, inventory, store, signed_in
