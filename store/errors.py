"""Errors the store raises, under the mapper's root :class:`~pipeline.core.errors.MapperError`.

Each class also derives from the matching builtin. Messages say what is wrong, the offending
value, and what to do next; they are catalogue keys with values (``error.…`` in
``pipeline/core/words.toml``), so the app shows them in the page's language.
"""

from __future__ import annotations

from pipeline.core.errors import DataError, MapperError


class StoreError(MapperError):
    """The store cannot be opened, migrated or written."""


class StoreBusyError(StoreError):
    """Another writer kept the store locked through every retry; nothing was written."""


class NotFoundError(MapperError, LookupError):
    """No spot, topic, session or photo has the id asked for."""


class PermissionDeniedError(MapperError, PermissionError):
    """The resident or planner may not make this change."""


class AuthError(PermissionDeniedError):
    """A planner's name or password is wrong, or no planners are configured."""


class SignInPausedError(AuthError):
    """Too many failed sign-ins for the account or the address: wait ``wait_s`` seconds."""

    def __init__(self, message: str, wait_s: int, /, **values: object) -> None:
        super().__init__(message, **values)
        self.wait_s = wait_s


class RateLimitError(MapperError):
    """A resident added more spots in the last hour than the store allows."""


class ConflictError(MapperError, ValueError):
    """The change clashes with the stored state (already supported, already voted, closed)."""


class PhotoError(DataError):
    """An uploaded photo is not an image the store accepts, or is too large."""


__all__ = [
    "AuthError",
    "ConflictError",
    "DataError",
    "MapperError",
    "NotFoundError",
    "PermissionDeniedError",
    "PhotoError",
    "RateLimitError",
    "SignInPausedError",
    "StoreBusyError",
    "StoreError",
]
