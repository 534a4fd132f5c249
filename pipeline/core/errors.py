"""Errors the mapper raises on bad input.

Every message says what is wrong, the offending value, and how to fix it. Each class also
derives from the matching builtin so callers that catch ``ValueError`` or ``FileNotFoundError``
keep working. The app catches :class:`MapperError` only; anything else is a bug.
"""

from __future__ import annotations


class MapperError(Exception):
    """Root of every error the mapper raises on purpose."""


class InputFileError(MapperError, FileNotFoundError):
    """A file is missing, unreadable, or not in a format the mapper reads."""


class DataError(MapperError, ValueError):
    """The data was read but cannot be used as it is (empty, invalid, out of range)."""


class CompoundNotFoundError(MapperError, LookupError):
    """No compound matches the id or name asked for."""


class GeometryError(DataError):
    """A geometry is invalid, of the wrong type, or empty, and could not be repaired."""


class CRSError(DataError):
    """Coordinates are in the wrong or an unknown coordinate reference system."""


class GateError(DataError):
    """A gate cannot be used as the start of the numbering."""
