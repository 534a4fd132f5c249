"""The categories of residents' problem spots; their names are the catalogue's ``spot.category.<key>``."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pipeline.core.errors import DataError
from pipeline.core.words import word


class SpotCategory(StrEnum):
    """What kind of problem a resident marks (issue 6's list)."""

    PARKING = "parking"
    LIGHTING = "lighting"
    PAVING = "paving"
    WASTE = "waste"
    GREENERY = "greenery"
    SEATING = "seating"
    ACCESSIBILITY = "accessibility"
    SAFETY = "safety"
    DRAINAGE = "drainage"
    NOISE = "noise"
    OTHER = "other"


@cache
def _aliases() -> dict[str, SpotCategory]:
    """Every way a category is written: its key, its Chinese name, its English name (lower case), synonyms."""
    return {
        **{c.value: c for c in SpotCategory},
        **{word(f"spot.category.{c}", "zh"): c for c in SpotCategory},
        **{word(f"spot.category.{c}", "en").lower(): c for c in SpotCategory},
        "噪声": SpotCategory.NOISE,
        "停车难": SpotCategory.PARKING,
    }


def parse_spot_category(value: str | SpotCategory) -> SpotCategory:
    """Read a spot category from its key, Chinese name or English name.

    Parameters
    ----------
    value
        ``"parking"``, ``"停车"`` or ``"Parking"`` (any case, surrounding spaces ignored).

    Returns
    -------
    SpotCategory

    Raises
    ------
    DataError
        When the value names no category; the message lists the accepted keys.
    """
    if isinstance(value, SpotCategory):
        return value
    key = str(value).strip()
    found = _aliases().get(key) or _aliases().get(key.lower())
    if found is None:
        accepted = ", ".join(f"{c.value} ({word(f'spot.category.{c}', 'zh')})" for c in SpotCategory)
        raise DataError("error.spot_category", value=value, accepted=accepted)
    return found
