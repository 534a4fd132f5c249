"""The taxonomy of kinds: loaded once from ``taxonomy.toml`` and used by :mod:`pipeline.inventory.classify`.

The file is the single place where kinds, their category, their bilingual labels and the rules
that recognise them are kept, so planners can extend it without touching code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.core.errors import DataError, InputFileError
from pipeline.core.schema import Category

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")


@dataclass(frozen=True)
class Kind:
    """One kind of asset: its key, category and labels (read them as ``word("kind.<key>", lang)``)."""

    key: str
    category: Category
    zh: str
    en: str


@dataclass(frozen=True)
class Rule:
    """A rule that gives a feature its kind: a tag test, a name pattern, or both."""

    kind: str
    tag_key: str | None = None
    tag_value: str | None = None  # None means any value ("key=*")
    name: re.Pattern[str] | None = None

    @property
    def text(self) -> str:
        """Describe the rule as it is recorded on an asset, e.g. ``tag amenity=school + name 小学``."""
        parts = []
        if self.tag_key is not None:
            parts.append(f"tag {self.tag_key}={self.tag_value or '*'}")
        if self.name is not None:
            parts.append(f"name {self.name.pattern}")
        return " + ".join(parts)

    def matches(self, tags: dict[str, str], name: str) -> bool:
        """Tell whether a feature with ``tags`` and ``name`` satisfies every part of the rule."""
        if self.tag_key is not None:
            value = tags.get(self.tag_key)
            if value is None or (self.tag_value is not None and value != self.tag_value):
                return False
        return self.name is None or bool(name and self.name.search(name))


@dataclass(frozen=True)
class Taxonomy:
    """Kinds by key and the rules in the order they are tried (tag rules, then name rules)."""

    kinds: dict[str, Kind]
    rules: tuple[Rule, ...]

    @property
    def tag_keys(self) -> frozenset[str]:
        """OSM keys that any rule looks at; the OSM reader keeps features with these."""
        return frozenset(r.tag_key for r in self.rules if r.tag_key is not None)

    def match(self, tags: dict[str, str], name: str) -> Rule | None:
        """Return the rule that classifies a feature, or ``None``.

        The first tag rule that matches wins. Failing that, among the name rules that match, the
        one whose match ends last in the name wins (file order breaks ties): a Chinese name ends
        with its head noun, so 原幼儿园停车场 (the former kindergarten's car park) is a car park.
        """
        tag_rule = next((r for r in self.rules if r.tag_key is not None and r.matches(tags, name)), None)
        if tag_rule is not None or not name:
            return tag_rule
        best: tuple[int, int] | None = None
        chosen = None
        for index, rule in enumerate(self.rules):
            if rule.tag_key is None and rule.name is not None:
                found = [m.end() for m in rule.name.finditer(name)]
                if found and (best is None or (max(found), -index) > best):
                    best, chosen = (max(found), -index), rule
        return chosen


def _parse_rule(raw: dict[str, str], kinds: dict[str, Kind], path: Path, index: int) -> Rule:
    kind = raw.get("kind")
    if kind not in kinds:
        raise DataError("error.taxonomy.no_kind", n=index + 1, path=path, kind=kind)
    tag_key = tag_value = None
    if "tag" in raw:
        tag_key, sep, value = raw["tag"].partition("=")
        if not sep or not tag_key:
            raise DataError("error.taxonomy.bad_tag", n=index + 1, path=path, tag=raw["tag"])
        tag_value = None if value == "*" else value
    pattern = re.compile(raw["name"], re.IGNORECASE) if "name" in raw else None
    if tag_key is None and pattern is None:
        raise DataError("error.taxonomy.no_tag_name", n=index + 1, path=path)
    return Rule(kind=kind, tag_key=tag_key, tag_value=tag_value, name=pattern)


@cache
def load_taxonomy(path: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read a taxonomy TOML file; tag rules are ordered before name-only rules.

    Parameters
    ----------
    path
        The TOML file; the shipped one by default.
    """
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError("error.taxonomy.unreadable", path=Path(path), detail=str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError("error.taxonomy.bad_toml", path=Path(path), detail=str(exc)) from exc
    kinds: dict[str, Kind] = {}
    for key, spec in raw.get("kinds", {}).items():
        try:
            category = Category(spec["category"])
        except (KeyError, ValueError) as exc:
            categories = ", ".join(c.value for c in Category)
            raise DataError(
                "error.taxonomy.no_category", kind=key, path=Path(path), categories=categories
            ) from exc
        kinds[key] = Kind(key=key, category=category, zh=spec.get("zh", key), en=spec.get("en", key))
    rules = [_parse_rule(r, kinds, Path(path), i) for i, r in enumerate(raw.get("rules", []))]
    ordered = [r for r in rules if r.tag_key is not None] + [r for r in rules if r.tag_key is None]
    return Taxonomy(kinds=kinds, rules=tuple(ordered))
