"""Errors the mapper raises on bad input, said in the reader's language.

Every message says what is wrong, the offending value, and how to fix it. An error is raised with a
catalogue key and its values, ``DataError("error.edits.name_too_long", name=..., n=..., max=...)``:
``str(exc)`` is the English sentence (the command line, logs), ``exc.text(lang)`` the sentence in
``lang`` for the app. A value may itself be said later (:class:`Words`, another :class:`MapperError`)
and is said in the same language; a :class:`~pathlib.Path` is shown in full on the command line and by
its name alone in the app, which never shows a server's folders. A plain sentence instead of a key is
kept as it is; only the command line's own modules and the catalogue's loader raise one (a test holds
every other module to keys).

Each class also derives from the matching builtin so callers that catch ``ValueError`` or
``FileNotFoundError`` keep working. The app catches :class:`MapperError` only; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

#: Keys of error sentences start with this; anything else given to an error is a sentence already.
ERROR_PREFIX = "error."
#: A value holding a library's own words or an internal id (English only): the English sentence repeats it.
DETAIL = "detail"
#: Values only the command line shows: ``detail``, and a server's file (``path``, ``file``). The Chinese
#: sentence leaves them out; the app names a file without its folder.
CLI_ONLY = frozenset({DETAIL, "path", "file"})


def _say(value: object, lang: str, full_paths: bool) -> object:
    if isinstance(value, Words | MapperError):
        return value.text(lang, full_paths=full_paths)
    if isinstance(value, PurePath):
        return str(value) if full_paths else value.name
    return value


class Words:
    """A sentence of the catalogue to be said later, in the reader's language: a key and its values."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The sentence in ``lang``; paths by their name unless ``full_paths``."""
        from pipeline.core.words import word  # the catalogue module raises these errors itself

        said: dict[str, Any] = {k: _say(v, lang, full_paths) for k, v in self.values.items()}
        return word(self.key, lang, **said)

    def __str__(self) -> str:
        return self.text("en", full_paths=True)

    def __repr__(self) -> str:
        return f"Words({self.key!r}, **{self.values!r})"


class Listed(Words):
    """Several values said as one, each in the reader's language, joined by the separator ``sep`` names.

    ``error.sep.items`` lists names (、 in Chinese, a comma in English); ``error.sep.clauses`` lists
    sentences (；, a semicolon).
    """

    def __init__(self, items: Iterable[object], sep: str = "error.sep.items") -> None:
        super().__init__(sep)
        self.items = list(items)

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The values in ``lang``, joined by the separator of ``lang``."""
        from pipeline.core.words import word

        return word(self.key, lang).join(str(_say(item, lang, full_paths)) for item in self.items)

    def __repr__(self) -> str:
        return f"Listed({self.items!r}, {self.key!r})"


class MapperError(Exception):
    """Root of every error the mapper raises on purpose.

    ``MapperError(key, **values)`` with a catalogue key (``error.…``), or ``MapperError(sentence)``.
    """

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    @property
    def words(self) -> Words | None:
        """The catalogue sentence this error says, or ``None`` when it was raised with a plain sentence."""
        return Words(self.message, **self.values) if self.message.startswith(ERROR_PREFIX) else None

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The message in ``lang`` (``zh`` or ``en``); paths by their name unless ``full_paths``."""
        words = self.words
        return self.message if words is None else words.text(lang, full_paths=full_paths)

    def __str__(self) -> str:
        return self.text("en", full_paths=True)


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
