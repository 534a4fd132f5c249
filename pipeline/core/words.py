"""The one catalogue of words: every word people read, in Chinese and English, behind :func:`word`.

The words are data, in ``words.toml`` beside this module: one table per key with ``zh`` and ``en`` and
the same ``{placeholders}`` in both. Keys are grouped by their first part (``app.``, ``map.``,
``figure.``, ``vote.``, ``spot.``, ``city.``, ``survey.``, ``gate.rule.``, ``site.``, ``category.``,
``profile.``). Two groups are read from the data file of what they name, through the same function:

- ``kind.<key>``: a kind's label in the taxonomy (``pipeline/core/taxonomy.toml``);
- ``facility.<kind>``: a facility's name in GB 50180-2018's table (``data/standards/``), as listed
  first (the 5-minute circle's name where the block level names it differently).

The core returns keys and values (a main-gate rule id, a site's reason parts); the app, the figures
and the command line turn them into words here. :func:`gate_rule_text`, :func:`reason_text` and
:func:`uses_text` do that for the structured values the core returns, with catalogue words only.
"""

from __future__ import annotations

import csv
import re
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.core import schema as S
from pipeline.core.errors import DataError, Words

CATALOGUE = Path(__file__).with_name("words.toml")
#: GB 50180-2018's facility table; the same file :mod:`pipeline.sites.standards` reads.
FACILITIES = Path(__file__).resolve().parents[2] / "data" / "standards" / "gb50180_2018_facilities.csv"
LANGS = ("zh", "en")
KIND, FACILITY = "kind.", "facility."


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Return ``words.toml`` as ``{key: {"zh": ..., "en": ...}}`` with dotted keys (read once).

    Raises
    ------
    DataError
        When the file is not valid TOML, or a table mixes words and sub-tables.
    """
    try:
        raw = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"The catalogue of words `{CATALOGUE}` is not valid TOML: {exc}.") from exc
    found: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        texts = {k: v for k, v in table.items() if isinstance(v, str)}
        if texts and len(texts) < len(table):
            raise DataError(f"`[{prefix}]` in `{CATALOGUE}` holds both words and keys; split them.")
        if texts:
            found[prefix] = texts
            return
        for name, value in table.items():
            walk(f"{prefix}.{name}" if prefix else name, value)

    walk("", raw)
    return found


@cache
def _facilities() -> dict[str, dict[str, str]]:
    with FACILITIES.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    names: dict[str, dict[str, str]] = {}
    for row in rows:  # a kind listed at two levels is named by its first row
        names.setdefault(row["kind"], {"zh": row["facility_zh"], "en": row["facility_en"]})
    return names


def _entry(key: str) -> dict[str, str] | None:
    if key.startswith(KIND):
        from pipeline.core.taxonomy import load_taxonomy

        kind = load_taxonomy().kinds.get(key[len(KIND) :])
        return None if kind is None else {"zh": kind.zh, "en": kind.en}
    if key.startswith(FACILITY):
        return _facilities().get(key[len(FACILITY) :])
    return catalogue().get(key)


def has_word(key: str) -> bool:
    """Tell whether ``key`` names a word (in the catalogue, the taxonomy or the facility table)."""
    return _entry(key) is not None


def word(key: str, lang: str = "zh", *, default: str | None = None, **values: object) -> str:
    """Return the word ``key`` in ``lang``, its ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key
        A catalogue key such as ``app.sites_intro``, ``map.main_gate``, ``kind.playground``.
    lang
        ``zh`` or ``en``.
    default
        Returned as it is when ``key`` is not a word, for keys made from data that may name nothing
        (a kind key an older taxonomy lacks, a column a batch added); without it such a key raises.
    **values
        The placeholders' values (``str.format``: ``word("spot.n_spots", "en", n=3)``).

    Raises
    ------
    KeyError
        When ``key`` is not a word (and no ``default``), or a placeholder has no value; the message
        names it.
    ValueError
        When ``lang`` is neither ``zh`` nor ``en``.
    """
    if lang not in LANGS:
        raise ValueError(f"Language `{lang}` is not one of {', '.join(LANGS)}.")
    entry = _entry(key)
    if entry is None and default is not None:
        return default
    if entry is None:
        raise KeyError(
            f"No word `{key}` in the catalogue {CATALOGUE.name}; add a [{key}] table with zh and en."
        )
    try:
        return entry[lang].format(**values)
    except KeyError as exc:
        raise KeyError(f"The word `{key}` needs a value for {exc}.") from None


def placeholders(text: str) -> set[str]:
    """Return the names of the ``{placeholders}`` in a text (``{n:,}`` counts as ``n``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --------------------------------------------------------------- what the core returns, as words


def gate_rule_text(rule: str, lang: str = "zh") -> str:
    """Return a recorded main-gate rule in ``lang``.

    A rule is recorded as its id (``tagged_main``) or its id and the road class it names
    (``vehicle_gate_road:tertiary``); its words are ``gate.rule.<id>``, the road class said in words
    (``gate.road.<class>``: 支路, a tertiary road). Inventories written before rules had ids recorded
    the English words themselves, a road as its tag (``highway=tertiary``); those are recognised too
    and said in ``lang``. Anything else is returned as recorded.
    """
    rule_id, _, road = rule.partition(":")
    key = f"gate.rule.{rule_id}"
    if not (rule_id and has_word(key)):
        for recorded, pattern in _recorded_rules():
            found = pattern.fullmatch(rule)
            if found:
                key, road = recorded, found.group("road") or ""
                break
        else:
            return rule
    return word(key, lang, road=word(f"gate.road.{road}", lang, default=road) if road else "")


@cache
def _recorded_rules() -> list[tuple[str, re.Pattern[str]]]:
    """Each ``gate.rule.<id>`` with the English words it was recorded as, ``highway=<class>`` for its road."""
    rules = []
    for key, entry in catalogue().items():
        if key.startswith("gate.rule."):
            words = re.escape(entry["en"]).replace(re.escape("{road}"), r"highway=(?P<road>\w+)")
            rules.append((key, re.compile(words if "(?P<road>" in words else words + "(?P<road>)")))
    return rules


def reason_text(parts: Mapping[str, Any], lang: str = "zh") -> str:
    """Return a candidate site's one-line reason in ``lang`` from the parts :mod:`pipeline.sites.rank` gives.

    ``parts``: ``fills`` (the kind the site would add, or ``""``), ``radius_m``, ``buildings`` (the
    buildings it would newly bring within the radius, ``None`` when no building has one now), ``type``
    and ``name`` (for a site that fills nothing), ``spots`` (residents' spots nearby) and ``area_m2``.
    """
    said = []
    if parts.get("fills"):
        facility = word(f"{FACILITY}{parts['fills']}", lang)
        if parts.get("buildings") is None:
            said.append(word("site.reason.fills_none", lang, facility=facility, radius_m=parts["radius_m"]))
        else:
            said.append(
                word(
                    "site.reason.fills_more",
                    lang,
                    facility=facility,
                    buildings=parts["buildings"],
                    radius_m=parts["radius_m"],
                )
            )
    else:
        site_type = word(f"site.type.{parts['type']}", lang)
        said.append(word("site.reason.upgrade", lang, type=site_type, name=parts.get("name") or "").rstrip())
    if parts.get("spots"):
        said.append(word("site.reason.spots", lang, n=parts["spots"]))
    said.append(word("site.reason.area", lang, area_m2=parts["area_m2"]))
    return word("site.sep", lang).join(said)


def uses_text(uses: Mapping[str, Any], lang: str = "zh") -> str:
    """Return a candidate site's suggested uses in ``lang``, each with its renovation class.

    ``uses``: ``kinds`` (up to three kinds the site would add, best first) with ``classes`` (the
    renovation class of each, ``""`` when the guidance names none), or, when it adds none,
    ``upgrade`` (the site type whose upgrade is suggested) with ``classes`` of one.
    """
    if uses.get("kinds"):
        names = [word(f"{FACILITY}{k}", lang) for k in uses["kinds"]]
    else:
        names = [word(f"site.upgrade.{uses['upgrade']}", lang)]
    return word("site.sep", lang).join(
        word("site.use", lang, use=name, renovation_class=word(f"site.class.{c or 'none'}", lang))
        for name, c in zip(names, uses["classes"], strict=True)
    )


def coverage_note_text(row: Mapping[str, Any], lang: str = "zh") -> str:
    """Return why a kind's coverage falls short, from a coverage-table row (``""`` when nothing to say).

    ``row``: ``off_network`` (facilities of the kind off the walking network), ``off_network_ids`` (the
    first of them) and ``unreachable`` (none reachable on foot from the compound).
    """
    if row.get("off_network"):
        return word("site.coverage.off_network", lang, n=row["off_network"], ids=row["off_network_ids"])
    if row.get("unreachable"):
        return word("site.coverage.unreachable", lang)
    return ""


def coverage_with_words(table: Any) -> Any:
    """Return a copy of a coverage table with its note said in both languages (``note_en``, ``note_zh``)."""
    out = table.copy()
    rows = out.to_dict("records")
    for lang in ("en", "zh"):
        out[f"note_{lang}"] = [coverage_note_text(row, lang) for row in rows]
    return out


def sites_with_words(sites: Any) -> Any:
    """Return a copy of a ranked sites frame with ``uses`` and ``reason`` said in both languages, for files.

    Each structured column is replaced, where it stood, by its text in English and in Chinese
    (``uses_en``, ``uses_zh``, ``reason_en``, ``reason_zh``), so a CSV or GeoPackage reads on its own.
    """
    out = sites.copy()
    for column, say in (("uses", uses_text), ("reason", reason_text)):
        if column not in out.columns:
            continue
        at = list(out.columns).index(column)
        values = list(out[column])
        out = out.drop(columns=column)
        for offset, lang in enumerate(("en", "zh")):
            out.insert(at + offset, f"{column}_{lang}", [say(v, lang) for v in values])
    return out


def source_text(source: str, lang: str = "zh") -> str:
    """Where an asset came from, in words (OSM, a survey, added by hand); never its id."""
    return (
        word(f"app.source.{source}", lang)
        if source in (S.SOURCE_OSM, S.SOURCE_SURVEY, S.SOURCE_MANUAL)
        else str(source)
    )


#: pyproj's names of the projected systems a Chinese survey uses: ``CGCS2000 / 3-degree Gauss-Kruger CM 117E``,
#: ``… / Gauss-Kruger zone 20``, ``WGS 84 / UTM zone 50N``.
_GAUSS_KRUGER = re.compile(
    r"(?P<datum>.+?) / (?P<three>3-degree )?Gauss-Kruger (?:CM (?P<cm>\d+)E|zone (?P<zone>\d+))"
)
_UTM = re.compile(r"(?P<datum>.+?) / UTM zone (?P<zone>\d+[NS])")


def crs_name_text(name: str, lang: str = "zh") -> str:
    """A coordinate system's name in ``lang``: Gauss-Krüger and UTM zones in words, other names as pyproj gives them."""
    found = _GAUSS_KRUGER.fullmatch(name)
    if found:
        band = 3 if found["three"] else 6
        if found["cm"]:
            return word("crs.gauss_kruger_cm", lang, datum=found["datum"], band=band, cm=found["cm"])
        return word("crs.gauss_kruger_zone", lang, datum=found["datum"], band=band, zone=found["zone"])
    found = _UTM.fullmatch(name)
    if found:
        return word("crs.utm", lang, datum=found["datum"], zone=found["zone"])
    return name


class CRSName(Words):
    """A coordinate system's name said later in the reader's language (:func:`crs_name_text`)."""

    def __init__(self, name: str) -> None:
        super().__init__("")
        self.name = name

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The name in ``lang``: Gauss-Krüger and UTM zones in words, other names as pyproj gives them."""
        return crs_name_text(self.name, lang)

    def __repr__(self) -> str:
        return f"CRSName({self.name!r})"
