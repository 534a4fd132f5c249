"""Give survey features a role and a kind: from their layer, else from their name.

The layer rules live in ``survey_layers.toml`` (defaults for common Chinese and CASS layer
names); a user mapping is tried first. Kinds must be keys of the taxonomy
(:func:`pipeline.core.taxonomy.load_taxonomy`), whose name rules classify what the layer leaves open.
"""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.core.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

DEFAULT_LAYERS = Path(__file__).with_name("survey_layers.toml")

#: Column added beside the schema's: what the feature is in the survey.
ROLE = "role"
#: Column added beside the schema's: the survey layer (CAD layer, GIS layer, KML folder, sheet).
LAYER = "layer"
#: Reader-side column: a type or block name that hints at the kind (e.g. a ``类型`` column).
HINT = "hint"

ASSET = "asset"
ROLES = ("asset", "boundary", "gate", "building", "road", "green", "water", "other")
IGNORE = "ignore"
#: Roles whose features may still become assets when their name matches a taxonomy rule.
_NAMEABLE = frozenset({"building", "green", "water", "other"})


@dataclass(frozen=True)
class LayerRule:
    """One rule: layer names matching ``pattern`` get ``role`` (and ``kind`` for assets)."""

    pattern: re.Pattern[str]
    role: str
    kind: str | None
    origin: str

    def describe(self, layer: str) -> str:
        """Say what the rule did to ``layer``, e.g. ``layer 幼儿园 → kindergarten``."""
        return f"layer {layer} → {self.kind or self.role}"


@dataclass(frozen=True)
class LayerMapping:
    """Layer rules in the order they are tried."""

    rules: tuple[LayerRule, ...]

    def lookup(self, layer: str) -> LayerRule | None:
        """Return the first rule whose pattern is found in ``layer``, or ``None``."""
        if not layer:
            return None
        return next((r for r in self.rules if r.pattern.search(layer)), None)


def _rule(
    raw: Mapping[str, str], taxonomy: Taxonomy, origin: str, index: int, path: Path | None = None
) -> LayerRule:
    """Read rule ``index`` of a mapping; ``path`` is the file it is in, ``None`` for rules given in code."""
    where = (
        Words("error.layers.where", n=index + 1)
        if path is None
        else Words("error.layers.where_file", n=index + 1, path=path)
    )
    roles = f"{', '.join(ROLES[1:])}, {IGNORE}"
    pattern = raw.get("match")
    if not pattern:
        raise DataError("error.layers.no_match", where=where)
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise DataError("error.layers.bad_pattern", where=where, pattern=pattern, detail=str(exc)) from exc
    kind, role = raw.get("kind"), raw.get("role")
    if kind is not None:
        if kind not in taxonomy.kinds:
            close = difflib.get_close_matches(kind, list(taxonomy.kinds), n=1)
            hint = Words("error.layers.did_you_mean", kind=close[0]) if close else ""
            raise DataError(
                "error.layers.unknown_kind", where=where, pattern=pattern, kind=kind, hint=hint, roles=roles
            )
        return LayerRule(compiled, ASSET, kind, origin)
    if role not in (*ROLES, IGNORE):
        raise DataError("error.layers.bad_role", where=where, pattern=pattern, role=role, roles=roles)
    return LayerRule(compiled, str(role), None, origin)


def _read_rules(path: Path, taxonomy: Taxonomy) -> list[LayerRule]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError("error.layers.unreadable", path=path, detail=str(exc)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError("error.layers.bad_toml", path=path, detail=str(exc)) from exc
    return [_rule(r, taxonomy, f"`{path}`", i, path) for i, r in enumerate(raw.get("layers", []))]


def load_layer_mapping(
    user: str | Path | Mapping[str, str] | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    defaults: bool = True,
) -> LayerMapping:
    """Build the layer mapping: the user's rules first, then the shipped defaults.

    Parameters
    ----------
    user
        A TOML file in the form of ``survey_layers.toml``, or a mapping from a layer-name pattern
        to a taxonomy kind or a role, e.g. ``{"YEY": "kindergarten", "WQ": "boundary"}``.
    taxonomy
        The taxonomy kinds are checked against; the shipped one by default.
    defaults
        Append the shipped rules after the user's.

    Raises
    ------
    DataError
        A rule names a kind the taxonomy lacks, an unknown role, or a bad pattern.
    """
    taxonomy = taxonomy or load_taxonomy()
    rules: list[LayerRule] = []
    if isinstance(user, Mapping):
        for i, (pattern, target) in enumerate(user.items()):
            key = "role" if target in (*ROLES, IGNORE) else "kind"
            rules.append(_rule({"match": pattern, key: target}, taxonomy, "the layer mapping", i))
    elif user is not None:
        rules += _read_rules(Path(user), taxonomy)
    if defaults:
        rules += _read_rules(DEFAULT_LAYERS, taxonomy)
    return LayerMapping(tuple(rules))


def classify_survey(
    frame: gpd.GeoDataFrame,
    *,
    mapping: LayerMapping,
    taxonomy: Taxonomy | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` with ``role``, ``kind``, ``category`` and ``rule`` set.

    Order per feature: the layer rule; for building, green, water, other or unmapped layers the
    ``hint`` column through the layer rules (kinds only), then the taxonomy's name rules on the
    ``name``, then on the ``hint``. Features still without a kind keep their layer's role
    (``other`` when none).

    Parameters
    ----------
    frame
        Columns ``layer``, ``name`` and optionally ``hint``; a ``role`` column, when present, is
        taken as the layer's role already decided (rows with ``ignore`` must be gone).
    mapping
        From :func:`load_layer_mapping`.
    taxonomy
        The shipped taxonomy by default.
    """
    taxonomy = taxonomy or load_taxonomy()
    out = frame.copy()
    hints = out[HINT] if HINT in out.columns else pd.Series("", index=out.index)
    roles, kinds, rules = [], [], []
    for layer, name, hint in zip(out[LAYER], out[S.NAME], hints, strict=True):
        layer, name, hint = str(layer or ""), str(name or ""), str(hint or "")
        rule, why = mapping.lookup(layer), ""
        if rule is not None:
            why = rule.describe(layer)
        if rule is None or (rule.kind is None and rule.role in _NAMEABLE):
            hint_rule = mapping.lookup(hint)
            if hint_rule is not None and hint_rule.role != IGNORE:
                rule, why = hint_rule, f"type {hint_rule.describe(hint)[6:]}"
        role = rule.role if rule is not None else "other"
        kind = rule.kind if rule is not None and rule.kind else ""
        if not kind and role in _NAMEABLE and (layer in taxonomy.kinds or hint in taxonomy.kinds):
            kind = layer if layer in taxonomy.kinds else hint
            role, why = ASSET, f"{'layer' if kind == layer else 'type'} {kind} (a taxonomy key)"
        if not kind and role in _NAMEABLE:
            kind, by_name = _by_name(name, hint, taxonomy)
            if kind:
                role, why = ASSET, by_name
        roles.append(role)
        kinds.append(kind)
        rules.append(why)
    out[ROLE] = roles
    out[S.KIND] = kinds
    out[S.CATEGORY] = [taxonomy.kinds[k].category.value if k else "" for k in kinds]
    out[S.RULE] = rules
    return out


def _by_name(name: str, hint: str, taxonomy: Taxonomy) -> tuple[str, str]:
    for text, label in ((name, "name"), (hint, "type")):
        match = taxonomy.match({}, text) if text else None
        if match is not None:
            return match.kind, f"{label} {text!r}: {match.text}"
    return "", ""
