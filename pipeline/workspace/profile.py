"""A compound's basic profile and its resources: the expert stage's first two steps (``docs/domain.md``).

Step 1 collects the profile: administrative division, year built, households, population, the
share of residents aged 60 and over, building groups (楼组), property company (物业), owners'
committee (业委会) and party branch. Step 2 lists the resources already there: programmes,
platforms, projects, funds, and the activities of social organisations, each with who provides it.

A profile is kept per compound in a readable JSON file, ``<runtime>/compounds/<safe id>/profile.json``,
beside the compound's edits (:mod:`pipeline.workspace.edits`). :func:`profile_from_dict` checks every value and
says which field is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from pipeline.core.errors import DataError, Words
from pipeline.core.words import word
from pipeline.workspace.edits import compound_dir, read_json, write_json_atomic

log = logging.getLogger(__name__)

PROFILE_FILE = "profile.json"
FORMAT_VERSION = 1
MAX_TEXT_CHARS = 200
MAX_NOTE_CHARS = 1000
#: Households and population above this are not one compound (docs/domain.md: 500–3,000 households).
MAX_COUNT = 100_000
EARLIEST_YEAR = 1900

#: Kinds of resource (step 2); their words are the catalogue's ``profile.resource.<kind>``.
RESOURCE_KINDS = ("programme", "fund", "platform", "organisation", "activity")

#: Profile fields (step 1) in display order; their words are the catalogue's ``profile.field.<name>``.
PROFILE_FIELDS = (
    "district",
    "year_built",
    "households",
    "population",
    "aged_60_plus_pct",
    "building_groups",
    "property_company",
    "owners_committee",
    "party_branch",
)


@dataclass(frozen=True)
class Resource:
    """One resource already there: a programme, fund, platform, organisation or activity."""

    kind: str
    name: str
    provider: str = ""
    amount_cny: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Profile:
    """A compound's basic profile; ``None`` or ``""`` means not known yet."""

    compound: str
    district: str = ""
    year_built: int | None = None
    households: int | None = None
    population: int | None = None
    aged_60_plus_pct: float | None = None
    building_groups: int | None = None
    property_company: str = ""
    owners_committee: str = ""
    party_branch: str = ""
    resources: tuple[Resource, ...] = ()
    updated: str = ""

    @property
    def aged_60_plus(self) -> int | None:
        """Residents aged 60 and over, from the population and the share (rounded)."""
        if self.population is None or self.aged_60_plus_pct is None:
            return None
        return round(self.population * self.aged_60_plus_pct / 100)

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing has been filled in."""
        return replace(self, updated="") == Profile(compound=self.compound)


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _field(name: str) -> Words:
    """A profile field as people read it: its words in the catalogue (``profile.field.<name>``)."""
    return Words(f"profile.field.{name}")


def _integer(name: Words, value: Any, low: int, high: int) -> int | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError("error.profile.integer", field=name, value=value, low=low, high=high) from None
    if not number.is_integer() or not low <= number <= high:
        raise DataError("error.profile.integer", field=name, value=value, low=low, high=high)
    return int(number)


def _number(name: Words, value: Any, low: float, high: float) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError("error.profile.number", field=name, value=value, low=low, high=high) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise DataError("error.profile.number", field=name, value=value, low=low, high=high)
    return number


def _text(name: Words, value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    text = "" if _missing(value) else str(value).strip()
    if len(text) > limit:
        raise DataError("error.profile.text_long", field=name, n=len(text), max=limit)
    return text


def _resource(raw: Any, index: int) -> Resource:
    i = index + 1
    if not isinstance(raw, dict):
        raise DataError("error.profile.resource_shape", i=i)
    kind = raw.get("kind")
    if kind not in RESOURCE_KINDS:
        raise DataError("error.profile.resource_kind", i=i, kind=kind, kinds=", ".join(RESOURCE_KINDS))

    def field_of(column: str) -> Words:
        return Words("error.profile.resource_field", i=i, field=Words(f"app.resource_{column}"))

    name = _text(field_of("name"), raw.get("name"))
    if not name:
        raise DataError("error.profile.resource_no_name", i=i)
    return Resource(
        kind=kind,
        name=name,
        provider=_text(field_of("provider"), raw.get("provider")),
        amount_cny=_number(field_of("amount"), raw.get("amount_cny"), 0, 1e12),
        note=_text(field_of("note"), raw.get("note"), MAX_NOTE_CHARS),
    )


def profile_from_dict(data: dict[str, Any], *, compound: str) -> Profile:
    """Check every value of a profile and return it.

    Parameters
    ----------
    data
        Field names of :class:`Profile` to values (numbers may be given as text); resources as a
        list of dictionaries with the fields of :class:`Resource`.
    compound
        The compound's ``source_id``.

    Raises
    ------
    DataError
        Naming the field, its value and the range or form it must have.
    """
    known = {f.name for f in fields(Profile)} | {"version"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DataError("error.profile.unknown", fields=", ".join(unknown), known=", ".join(PROFILE_FIELDS))
    this_year = dt.date.today().year
    profile = Profile(
        compound=compound,
        district=_text(_field("district"), data.get("district")),
        year_built=_integer(_field("year_built"), data.get("year_built"), EARLIEST_YEAR, this_year),
        households=_integer(_field("households"), data.get("households"), 0, MAX_COUNT),
        population=_integer(_field("population"), data.get("population"), 0, MAX_COUNT * 10),
        aged_60_plus_pct=_number(_field("aged_60_plus_pct"), data.get("aged_60_plus_pct"), 0, 100),
        building_groups=_integer(_field("building_groups"), data.get("building_groups"), 0, 10_000),
        property_company=_text(_field("property_company"), data.get("property_company")),
        owners_committee=_text(_field("owners_committee"), data.get("owners_committee")),
        party_branch=_text(_field("party_branch"), data.get("party_branch")),
        resources=tuple(_resource(r, i) for i, r in enumerate(data.get("resources") or [])),
        updated=_text(Words("error.profile.updated"), data.get("updated")),
    )
    if (
        profile.households is not None
        and profile.population is not None
        and 0 < profile.population < profile.households
    ):
        raise DataError(
            "error.profile.population", population=profile.population, households=profile.households
        )
    return profile


def to_dict(profile: Profile) -> dict[str, Any]:
    """Return the profile as the JSON-ready dictionary written to the file."""
    data = asdict(profile)
    data["resources"] = [asdict(r) for r in profile.resources]
    return {"version": FORMAT_VERSION, **data}


def profile_rows(profile: Profile, lang: str = "zh") -> list[tuple[str, str]]:
    """Return ``(label, value)`` pairs of the filled-in fields, in display order, for a table."""
    rows = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        if _missing(value):
            continue
        text = f"{value:g}" if isinstance(value, float) else str(value)
        rows.append((word(f"profile.field.{name}", lang), text))
    return rows


def profile_path(root: str | Path, compound_id: str) -> Path:
    """Return the profile file of a compound under the runtime folder ``root``."""
    return compound_dir(root, compound_id) / PROFILE_FILE


def read_profile(path: str | Path, compound: str) -> Profile:
    """Read a compound's profile file; a missing file gives an empty profile."""
    path = Path(path)
    if not path.is_file():
        return Profile(compound=compound)
    data = read_json(path, Words("error.profile.file"))
    if not isinstance(data, dict) or data.get("compound") != compound:
        found = data.get("compound") if isinstance(data, dict) else None
        raise DataError("error.profile.other_compound", path=path, detail=f"`{found}`, not `{compound}`")
    try:
        return profile_from_dict({k: v for k, v in data.items() if k != "compound"}, compound=compound)
    except DataError as exc:
        raise DataError("error.profile.in_file", path=path, problem=exc) from exc


def write_profile(profile: Profile, path: str | Path) -> Path:
    """Write the profile file atomically, stamped with today's date, and return its path."""
    stamped = replace(profile, updated=dt.date.today().isoformat())
    written = write_json_atomic(to_dict(stamped), path)
    log.info(
        "Wrote the profile of %s (%d resources) to %s.", profile.compound, len(profile.resources), written
    )
    return written
