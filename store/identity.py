"""Who acts on the store: residents (a session pseudonym) and planners (signed in).

Residents need no account. The page makes a random secret key once per browser session
(:func:`new_resident_key`, kept in ``st.session_state``) and pairs it with the pseudonym the
resident types. The store keeps only a SHA-256 digest of the key: it ties a resident's spots and
supports together, lets only that resident edit or remove their spots, and counts the hourly
limit, while a typed pseudonym alone proves nothing. Ballots are not counted per key but per
participant code (:mod:`store.votes`), so a new browser session gives no second ballot.

A :class:`Planner` comes from :func:`store.auth.authenticate` (hashed passwords in a config
file or the environment) or from the app's trusted sign-in (``st.login``); the CLI acts as the
local operator.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from store.errors import DataError

#: Shortest resident key accepted: 128 bits in URL-safe base64.
MIN_KEY_CHARS = 22


def new_resident_key() -> str:
    """Return a new random resident key (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def digest(key: str) -> str:
    """Return the SHA-256 hex digest under which the store keeps a resident key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Resident:
    """A resident acting through a browser session.

    Parameters
    ----------
    key
        The session's secret from :func:`new_resident_key`; never shown, stored as a digest.
    pseudonym
        The name the resident gives, shown beside their spots (trimmed of outer spaces).
    """

    key: str = field(repr=False)
    pseudonym: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or len(self.key) < MIN_KEY_CHARS:
            raise DataError("error.store.resident_key")
        name = (self.pseudonym or "").strip()
        if not name:
            raise DataError("error.store.pseudonym")
        object.__setattr__(self, "pseudonym", name)

    @property
    def key_digest(self) -> str:
        """The SHA-256 digest of the key, as stored."""
        return digest(self.key)


@dataclass(frozen=True)
class Planner:
    """A signed-in community planner (or the operator running the CLI)."""

    name: str

    def __post_init__(self) -> None:
        if not (self.name or "").strip():
            raise DataError("error.store.planner")

    @property
    def actor(self) -> str:
        """The name under which the audit log records this planner's changes."""
        return f"planner:{self.name}"
