"""Checks of what residents and planners type, shared by spots, votes and CSV import.

Each returns the value unchanged (text is never trimmed or escaped: it is stored exactly) or
raises :class:`~pipeline.core.errors.DataError` naming the value and the fix.
"""

from __future__ import annotations

import math
from typing import Any

from store.errors import DataError


def validate_text(text: Any, *, max_chars: int, what: str = "Spot text") -> str:
    """Check resident text and return it unchanged.

    Raises
    ------
    DataError
        When it is not a string, blank, longer than ``max_chars`` or holds a NUL character
        (which PostgreSQL cannot store).
    """
    if not isinstance(text, str):
        raise DataError(f"{what} must be text, not {type(text).__name__}: {text!r}.")
    if not text.strip():
        raise DataError(f"{what} is empty: write what the problem is.")
    if len(text) > max_chars:
        raise DataError(f"{what} has {len(text)} characters: the limit is {max_chars}; shorten it.")
    if "\x00" in text:
        raise DataError(f"{what} contains a NUL character (\\x00): remove it.")
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
        raise DataError(
            f"Position ({lon!r}, {lat!r}) is not a pair of numbers: give WGS-84 `lon` and `lat` "
            "in decimal degrees, e.g. 116.33, 40.01."
        ) from exc
    if not (math.isfinite(x) and math.isfinite(y)):
        raise DataError(f"Position ({lon!r}, {lat!r}) is not finite: give real coordinates.")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        hint = (
            " It looks like `lon` and `lat` are swapped: swap the two columns."
            if -90 <= x <= 90 and -180 <= y <= 180
            else " Give WGS-84 decimal degrees."
        )
        raise DataError(f"Position lon={x}, lat={y} is out of range (lat must be ±90).{hint}")
    return x, y


def validate_compound_id(compound_id: Any) -> str:
    """Check a compound id (e.g. ``way/595108678``) and return it."""
    if not isinstance(compound_id, str) or not compound_id.strip() or len(compound_id) > 64:
        raise DataError(
            f"Compound id {compound_id!r} is not usable: give the id the inventory records, "
            "e.g. `way/595108678` (at most 64 characters)."
        )
    return compound_id.strip()


def validate_reason(reason: Any) -> str:
    """Check a moderation reason and return it without outer spaces."""
    if not isinstance(reason, str) or not reason.strip():
        raise DataError("A reason is required for moderation: write why, for the audit log.")
    return reason.strip()
