"""GB 50180-2018's facility lists as data, with the user's overrides.

The shipped table (``data/standards/gb50180_2018_facilities.csv``, see its ``PROVENANCE.md``) lists
the facilities each life-circle level configures. :func:`read_standards` turns it into one row per
``kind`` for the levels asked (the 5-minute circle and the residential block by default): a kind
listed at both levels (outdoor fitness, parking) takes the stated radius of either, the 5-minute one
first. Kinds are listed from the compound's own level outwards (block, then 5-minute), in the table's
order. Where no radius is stated the 5-minute walk (:data:`DEFAULT_RADIUS_M`) is assumed and
``radius_basis`` says so. Rows the table marks "recalled" keep ``recalled=True``: show them to the
user as defaults, not as the law. An overrides file (TOML or CSV) changes any radius, size or class.

Each kind also gets the renovation class of the 2020 State Council guidance (国办发〔2020〕23号):
``basic`` (基础类), ``improvement`` (完善类) or ``enhancement`` (提升类), the team's reading of its
item lists (:data:`RENOVATION_CLASS`).
"""

from __future__ import annotations

import logging
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.errors import DataError, InputFileError

log = logging.getLogger(__name__)

DEFAULT_STANDARDS = Path(__file__).resolve().parents[2] / "data" / "standards" / "gb50180_2018_facilities.csv"

#: The levels whose facilities coverage is measured for (GB 50180-2018 5-minute circle and block).
COVERAGE_LEVELS = ("5min", "block")

#: Rows are listed from the compound's own level outwards: the residential block (居住街坊) first.
LEVEL_ORDER = {"block": 0, "5min": 1, "10min": 2, "15min": 3}

#: The 5-minute walk, assumed where the standard states no radius.
DEFAULT_RADIUS_M = 300.0

#: Kind → renovation class of 国办发〔2020〕23号 (basic 基础类, improvement 完善类, enhancement 提升类).
#: basic: waste sorting, fire safety, utilities; improvement: parking, charging, lockers, culture and
#: fitness, greening, property rooms; enhancement: service centres, health, care, childcare, meal help,
#: shops, post. ``toilets`` is the team's judgement (a barrier-free public facility: improvement).
RENOVATION_CLASS: dict[str, str] = {
    **dict.fromkeys(
        (
            "waste_point",
            "waste_station",
            "recycling",
            "fire_safety",
            "water_supply",
            "gas",
            "heating",
            "substation",
            "telecom",
        ),
        "basic",
    ),
    **dict.fromkeys(
        (
            "parking",
            "bicycle_parking",
            "charging_station",
            "parcel_locker",
            "fitness",
            "sports_ground",
            "playground",
            "culture_station",
            "property_management",
            "toilets",
            "green",
            "garden",
            "park",
            "square",
            "seating",
            "pavilion",
        ),
        "improvement",
    ),
    **dict.fromkeys(
        (
            "community_service",
            "clinic",
            "kindergarten",
            "childcare",
            "elderly_care",
            "canteen",
            "convenience",
            "shop",
            "marketplace",
            "post_office",
        ),
        "enhancement",
    ),
}

#: Renovation classes (their words: catalogue ``site.class.<class>``).
RENOVATION_CLASSES = ("basic", "improvement", "enhancement")

#: Columns of :func:`read_standards`' frame.
COLUMNS = (
    "kind",
    "level",
    "facility_zh",
    "facility_en",
    "radius_m",
    "radius_basis",
    "min_size",
    "size_unit",
    "confidence",
    "recalled",
    "source",
    "renovation_class",
)
#: Columns an overrides file may set, and ``enabled`` (false drops the kind).
OVERRIDABLE = ("radius_m", "min_size", "size_unit", "renovation_class", "enabled")
_REQUIRED = (
    "level",
    "facility_zh",
    "facility_en",
    "kind",
    "radius_m",
    "min_size",
    "size_unit",
    "confidence",
    "source",
)


def read_standards(
    path: str | Path | None = None,
    *,
    levels: Sequence[str] = COVERAGE_LEVELS,
    overrides: str | Path | Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Read the facility standards, one row per kind, with the user's overrides applied.

    Parameters
    ----------
    path
        The standards CSV; the shipped GB 50180-2018 table by default.
    levels
        Life-circle levels to keep (``5min``, ``block``, ``10min``, ``15min``).
    overrides
        A TOML or CSV file, or a mapping ``kind -> {field: value}`` (see :data:`OVERRIDABLE`).

    Returns
    -------
    DataFrame
        Indexed by ``kind`` with the columns of :data:`COLUMNS`; ``level`` joins the levels a kind is
        listed at (``5min+block``).
    """
    path = Path(path) if path is not None else DEFAULT_STANDARDS
    if not path.is_file():
        raise InputFileError("error.standards.missing", file=path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise DataError("error.standards.columns", file=path, missing=missing)
    raw = raw[raw["level"].isin(levels)]
    if raw.empty:
        raise DataError("error.standards.levels", file=path, levels=list(levels))
    raw["radius_m"] = _numbers(raw["radius_m"], path, "radius_m")
    raw["min_size"] = _numbers(raw["min_size"], path, "min_size")
    raw["order"] = [(LEVEL_ORDER.get(level, 9), i) for i, level in enumerate(raw["level"])]
    rows = [_merge(kind, group) for kind, group in raw.groupby("kind", sort=False)]
    table = pd.DataFrame(rows, columns=[*COLUMNS, "order"]).sort_values("order").drop(columns="order")
    table = table.set_index("kind", drop=False)
    if overrides is not None:
        table = apply_overrides(
            table, read_overrides(overrides) if isinstance(overrides, str | Path) else overrides
        )
    log.info(
        "Standards: %d kinds at %s (%d recalled figures to check).",
        len(table),
        "+".join(levels),
        int(table["recalled"].sum()),
    )
    return table


def _numbers(column: pd.Series, path: Path, name: str) -> pd.Series:
    values = pd.to_numeric(column.replace("", None), errors="coerce")
    bad = column[(column != "") & values.isna()]
    if len(bad):
        raise DataError("error.standards.not_number", column=name, file=path, value=bad.iloc[0])
    return values


def _merge(kind: str, group: pd.DataFrame) -> dict[str, Any]:
    """One kind's row: the first listed row, with the first stated radius and size of any level."""
    first = group.iloc[0]
    stated = group[group["radius_m"].notna()]
    sized = group[group["min_size"].notna()]
    row = stated.iloc[0] if len(stated) else first
    size_row = sized.iloc[0] if len(sized) else first
    return {
        "kind": kind,
        "level": "+".join(dict.fromkeys(group["level"])),
        "facility_zh": first["facility_zh"],
        "facility_en": first["facility_en"],
        "radius_m": float(row["radius_m"]) if len(stated) else DEFAULT_RADIUS_M,
        "radius_basis": "stated" if len(stated) else f"assumed: the 5-minute walk ({DEFAULT_RADIUS_M:.0f} m)",
        "min_size": float(size_row["min_size"]) if len(sized) else math.nan,
        "size_unit": size_row["size_unit"] if len(sized) else "",
        "confidence": row["confidence"],
        "recalled": bool(group["confidence"].str.startswith("recalled").any()),
        "source": row["source"],
        "renovation_class": RENOVATION_CLASS.get(kind, ""),
        "order": min(group["order"]),
    }


def read_overrides(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read an overrides file: TOML tables per kind, or a CSV with a ``kind`` column."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError("error.standards.overrides_missing", file=path)
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError("error.standards.overrides_toml", file=path, detail=exc) from exc
        if not all(isinstance(v, dict) for v in data.values()):
            raise DataError("error.standards.overrides_tables", file=path)
        return {str(k): dict(v) for k, v in data.items()}
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "kind" not in frame.columns:
            raise DataError("error.standards.overrides_kind", file=path)
        return {
            row["kind"]: {k: v for k, v in row.items() if k != "kind" and v != ""}
            for row in frame.to_dict("records")
        }
    raise InputFileError("error.standards.overrides_format", file=path)


def apply_overrides(table: pd.DataFrame, overrides: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Return the standards with the user's values; every changed figure gets ``radius_basis='user'``.

    Raises
    ------
    DataError
        For an unknown kind or field, or a radius or size that is not a positive number of metres.
    """
    out = table.copy()
    for kind, fields in overrides.items():
        if kind not in out.index:
            raise DataError("error.standards.unknown_kind", kind=kind, kinds=", ".join(out.index))
        for name, value in fields.items():
            if name not in OVERRIDABLE:
                raise DataError(
                    "error.standards.unknown_field", kind=kind, name=name, fields=", ".join(OVERRIDABLE)
                )
            if name == "enabled":
                if str(value).lower() in ("false", "0", "no"):
                    out = out.drop(index=kind)
                    break
                continue
            if name in ("radius_m", "min_size"):
                value = _positive(kind, name, value)
                if name == "radius_m":
                    out.loc[kind, "radius_basis"] = "user"
            if name == "renovation_class" and value not in RENOVATION_CLASSES:
                raise DataError(
                    "error.standards.renovation_class",
                    kind=kind,
                    value=value,
                    classes=", ".join(RENOVATION_CLASSES),
                )
            out.loc[kind, name] = value
    return out


def _positive(kind: str, name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and 0 < number <= 10_000):
        raise DataError("error.standards.positive", kind=kind, name=name, value=value)
    return number
