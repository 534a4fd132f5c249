"""The categories of residents' problem spots, with their Chinese and English names."""

from __future__ import annotations

from enum import StrEnum

from pipeline.core.errors import DataError


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


SPOT_CATEGORY_LABELS: dict[SpotCategory, dict[str, str]] = {
    SpotCategory.PARKING: {"zh": "停车", "en": "Parking"},
    SpotCategory.LIGHTING: {"zh": "照明", "en": "Lighting"},
    SpotCategory.PAVING: {"zh": "路面", "en": "Paving"},
    SpotCategory.WASTE: {"zh": "垃圾", "en": "Waste"},
    SpotCategory.GREENERY: {"zh": "绿化", "en": "Greenery"},
    SpotCategory.SEATING: {"zh": "座椅", "en": "Seating"},
    SpotCategory.ACCESSIBILITY: {"zh": "无障碍", "en": "Accessibility"},
    SpotCategory.SAFETY: {"zh": "安全", "en": "Safety"},
    SpotCategory.DRAINAGE: {"zh": "排水", "en": "Drainage"},
    SpotCategory.NOISE: {"zh": "噪音", "en": "Noise"},
    SpotCategory.OTHER: {"zh": "其他", "en": "Other"},
}

_ALIASES: dict[str, SpotCategory] = {
    **{c.value: c for c in SpotCategory},
    **{lab["zh"]: c for c, lab in SPOT_CATEGORY_LABELS.items()},
    **{lab["en"].lower(): c for c, lab in SPOT_CATEGORY_LABELS.items()},
    "噪声": SpotCategory.NOISE,
    "停车难": SpotCategory.PARKING,
}


def spot_category_label(category: str, lang: str = "zh") -> str:
    """Return the name of a spot category in ``lang`` (``"zh"`` or ``"en"``)."""
    return SPOT_CATEGORY_LABELS[parse_spot_category(category)][lang]


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
    found = _ALIASES.get(key) or _ALIASES.get(key.lower())
    if found is None:
        accepted = ", ".join(f"{c.value} ({SPOT_CATEGORY_LABELS[c]['zh']})" for c in SpotCategory)
        raise DataError(f"Spot category {value!r} is not known: use one of {accepted}.")
    return found
