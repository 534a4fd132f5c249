"""Planners' sign-in: salted scrypt password hashes from a TOML file or the environment.

Hashes look like ``scrypt$16384$8$1$<salt hex>$<hash hex>`` (``pbkdf2_sha256$<iterations>$<salt
hex>$<hash hex>`` is read too). Make one with ``python -m pipeline spots hash-password`` and put it

- in a TOML file (``$MAPPER_PLANNERS_FILE``, or the path given)::

      [planners]
      wang = "scrypt$16384$8$1$…$…"

- or in ``$MAPPER_PLANNERS`` as ``name=hash`` entries separated by ``;`` or newlines (quote the
  value in a shell: it contains ``$``).

Plain passwords are never stored or logged. :func:`sign_in` wraps :func:`authenticate` with a
throttle kept in the store, so it holds across tabs, browsers and server processes: every failure
is a row of ``signin_failures`` (the account name typed and the client's address) and an entry of
the audit log (``signin.fail``); after :data:`FREE_FAILURES` (5) failures in the last hour, for
the account or for the address, each further attempt waits a delay that doubles with each failure
(30 s, 60 s, 120 s … up to an hour) after the latest one, and is refused with "try again in N s"
(logged as ``signin.throttled``). A successful sign-in clears the account's failures. The app may instead trust Streamlit's ``st.login``
(OIDC) and build a :class:`~store.identity.Planner` from the identity it returns.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from pipeline.core.settings import PLANNERS_ENV, PLANNERS_FILE_ENV, Settings
from store import audit
from store.db import Store
from store.errors import AuthError, DataError, SignInPausedError
from store.identity import Planner
from store.models import SignInFailure

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_MAXMEM = 64 * 1024 * 1024
_DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32
_MIN_PASSWORD_CHARS = 8


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of ``password`` to put in the planners' config.

    Raises
    ------
    DataError
        When the password is shorter than 8 characters.
    """
    if len(password) < _MIN_PASSWORD_CHARS:
        raise DataError("error.auth.password_short", n=len(password), min=_MIN_PASSWORD_CHARS)
    salt = secrets.token_bytes(16)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches the ``stored`` hash (constant-time comparison).

    Raises
    ------
    DataError
        When ``stored`` is not a hash this module writes or reads.
    """
    parts = stored.strip().split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, want = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
            got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(want))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            salt, want = bytes.fromhex(parts[2]), bytes.fromhex(parts[3])
            got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, len(want))
        else:
            raise ValueError(parts[0])
    except ValueError as exc:
        shown = stored[:20] + ("…" if len(stored) > 20 else "")
        raise DataError("error.auth.hash_format", hash=repr(shown)) from exc
    return hmac.compare_digest(got, want)


def load_planners(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Read the planners' names and password hashes.

    Parameters
    ----------
    path
        A TOML file with a ``[planners]`` table; ``$MAPPER_PLANNERS_FILE`` when omitted.
    env
        The environment (``os.environ`` when omitted); entries of ``$MAPPER_PLANNERS`` are
        added to (and override) those of the file.

    Returns
    -------
    dict
        ``{name: hash}``; empty when nothing is configured.

    Raises
    ------
    DataError
        When the file is missing or malformed, or an entry has no ``=``.
    """
    settings = Settings.from_env(env)
    planners: dict[str, str] = {}
    path = path or settings.planners_file
    if path is not None:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DataError("error.auth.planners_missing", file=Path(file), env=PLANNERS_FILE_ENV) from exc
        except tomllib.TOMLDecodeError as exc:
            raise DataError("error.auth.planners_toml", file=Path(file), detail=str(exc)) from exc
        table = data.get("planners")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise DataError("error.auth.planners_table", file=Path(file))
        planners.update({str(k).strip(): v.strip() for k, v in table.items()})
    for raw in settings.planners.replace("\n", ";").split(";"):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, hashed = entry.partition("=")
        if not sep or not name.strip() or not hashed.strip():
            raise DataError("error.auth.planners_entry", entry=repr(entry[:30]), env=PLANNERS_ENV)
        planners[name.strip()] = hashed.strip()
    return planners


def authenticate(name: str, password: str, planners: Mapping[str, str]) -> Planner:
    """Check a planner's name and password against the configured hashes.

    Parameters
    ----------
    name, password
        What the planner typed.
    planners
        ``{name: hash}`` from :func:`load_planners`.

    Returns
    -------
    Planner

    Raises
    ------
    AuthError
        When no planner is configured, or the name or the password is wrong (the message does
        not say which, and an unknown name costs the same time as a wrong password).
    """
    if not planners:
        raise AuthError("error.auth.no_planners", file_env=PLANNERS_FILE_ENV, env=PLANNERS_ENV)
    stored = planners.get(name.strip())
    ok = verify_password(password, stored or _DUMMY)
    if stored is None or not ok:
        raise AuthError("error.auth.wrong")
    return Planner(name.strip())


#: Failed sign-ins (per account, or per client address) allowed in :data:`FAILURE_WINDOW` before the delay.
FREE_FAILURES = 5
#: The delay after the sixth failure; it doubles with each further failure, up to :data:`MAX_DELAY`.
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
FAILURE_WINDOW = timedelta(hours=1)


def signin_delay(failures: int) -> timedelta:
    """Return how long to wait after the latest of ``failures`` failures (zero up to :data:`FREE_FAILURES`)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def sign_in(
    store: Store, name: str, password: str, planners: Mapping[str, str], *, client: str = "unknown"
) -> Planner:
    """Check a planner's name and password like :func:`authenticate`, counting failures in the store.

    Parameters
    ----------
    store
        The open store that keeps the failures and the audit log.
    name, password, planners
        As for :func:`authenticate`.
    client
        The client's address (``st.context.ip_address``), counted like the account.

    Returns
    -------
    Planner

    Raises
    ------
    AuthError
        A wrong name or password (recorded), or "try again in N s" while a delay runs (no
        password is checked then).
    """
    account = (name or "").strip()[:80]
    where = (client or "unknown").strip()[:64] or "unknown"
    now = store.settings.clock()
    since = now - FAILURE_WINDOW
    with store.read() as session:
        counts = [
            session.execute(
                select(func.count(SignInFailure.id), func.max(SignInFailure.at)).where(
                    column == value, SignInFailure.at > since
                )
            ).one()
            for column, value in ((SignInFailure.account, account), (SignInFailure.client, where))
        ]
    failures = max(int(n or 0) for n, _ in counts)
    latest = max((at for _, at in counts if at is not None), default=None)
    if latest is not None:
        wait = (latest + signin_delay(failures) - now).total_seconds()
        if wait > 0:
            seconds = math.ceil(wait)
            with store.write() as session:
                audit.record(
                    session, store, actor=f"planner:{account}", action="signin.throttled",
                    object_type="signin", object_id=None, compound_id=None,
                    detail={"account": account, "client": where, "failures": failures, "wait_s": seconds},
                )  # fmt: skip
            raise SignInPausedError("error.auth.paused", seconds, failures=failures, s=seconds)
    try:
        planner = authenticate(name, password, planners)
    except AuthError:
        with store.write() as session:
            session.add(SignInFailure(at=now, account=account, client=where))
            audit.record(
                session, store, actor=f"planner:{account}", action="signin.fail",
                object_type="signin", object_id=None, compound_id=None,
                detail={"account": account, "client": where, "failures": failures + 1},
            )  # fmt: skip
        raise
    with store.write() as session:
        session.execute(delete(SignInFailure).where(SignInFailure.account == account))
    return planner
