"""Checks of what residents and planners type, shared by spots, votes and CSV import.

Each returns the value unchanged (text is never trimmed or escaped: it is stored exactly) or
raises :class:`~pipeline.core.errors.DataError` naming the value and the fix.
"""

from __future__ import annotations

import math
from typing import Any

from pipeline.core.errors import Words
from store.errors import DataError


def validate_text(text: Any, *, max_chars: int, what: Words | None = None) -> str:
    """Check resident text and return it unchanged.

    Raises
    ------
    DataError
        When it is not a string, blank, longer than ``max_chars`` or holds a NUL character
        (which PostgreSQL cannot store).
    """
    what = what or Words("error.what.spot_text")
    if not isinstance(text, str):
        raise DataError("error.text.not_text", what=what, detail=f"{type(text).__name__}: {text!r}")
    if not text.strip():
        raise DataError("error.text.empty", what=what)
    if len(text) > max_chars:
        raise DataError("error.text.long", what=what, n=len(text), max=max_chars)
    if "\x00" in text:
        raise DataError("error.text.nul", what=what)
    return text


def validate_lonlat(lon: Any, lat: Any) -> tuple[float, float]:
    """Check a WGS-84 position and return it as floats.

    Raises
    ------
    DataError
        When a value is not a finite number or out of range; a probable lon/lat swap is named.
    """
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise DataError("error.position.not_numbers", lon=repr(lon), lat=repr(lat)) from exc
    if not (math.isfinite(x) and math.isfinite(y)):
        raise DataError("error.position.not_finite", lon=repr(lon), lat=repr(lat))
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        swapped = -90 <= x <= 90 and -180 <= y <= 180
        raise DataError(
            "error.position.out_of_range",
            lon=x,
            lat=y,
            hint=Words("error.position.swapped" if swapped else "error.position.degrees"),
        )
    return x, y


def validate_compound_id(compound_id: Any) -> str:
    """Check a compound id (e.g. ``way/595108678``) and return it."""
    if not isinstance(compound_id, str) or not compound_id.strip() or len(compound_id) > 64:
        raise DataError("error.compound_id", detail=repr(compound_id))
    return compound_id.strip()


def validate_reason(reason: Any) -> str:
    """Check a moderation reason and return it without outer spaces."""
    if not isinstance(reason, str) or not reason.strip():
        raise DataError("error.moderation.reason")
    return reason.strip()
