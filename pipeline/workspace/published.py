"""Published numbering: once a planner publishes the labels, they are printed and never change.

A published numbering (kept in the compound's edits file, :mod:`pipeline.workspace.edits`) maps each
asset's ``source_id`` to the label it had when it was published. From then on every numbering of the
compound keeps those labels, the way ``build --keep-labels`` keeps a previous inventory's: a hidden
asset's label stays unused (it comes back if the asset is shown again), and an asset added later takes
the next free number, ``max + 1`` (``max + 1`` of its category's letter with ``--scheme category``),
in clockwise order from the main gate. A label once published is never given to another asset. The
numbers printed on plaques and in the figure stay true; the clockwise order only decides the new
assets' numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.core import schema as S
from pipeline.core.errors import DataError, Words

_LABEL = re.compile(r"^(?P<prefix>[A-Z]?)(?P<number>\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class Published:
    """The labels a planner published: ``source_id`` -> label, in one numbering ``scheme``, on a date."""

    scheme: str
    labels: Mapping[str, str] = field(default_factory=dict)
    date: str = ""


def publish(previous: Published | None, assets: pd.DataFrame, scheme: str, date: str) -> Published:
    """Publish the labels ``assets`` show now, keeping every label published before (hidden assets' too)."""
    kept = dict(previous.labels) if previous is not None and previous.scheme == scheme else {}
    current = dict(zip(assets[S.SOURCE_ID].astype(str), assets[S.LABEL].astype(str), strict=True))
    return Published(scheme=scheme, labels={**kept, **current}, date=date)


def _next_numbers(used: set[str]) -> dict[str, tuple[int, int]]:
    """Per prefix (``""`` for global labels, a category letter): the highest number used and its digits."""
    highest: dict[str, tuple[int, int]] = {}
    for label in used:
        match = _LABEL.match(label)
        if match:
            prefix, digits = match["prefix"], match["number"]
            number, width = highest.get(prefix, (0, 0))
            highest[prefix] = (max(number, int(digits)), max(width, len(digits)))
    return highest


def keep_published(numbered: pd.DataFrame, published: Published) -> pd.DataFrame:
    """Return ``numbered`` (in clockwise order, in ``published.scheme``) with the published labels.

    Assets the publication lacks take the next free numbers in their clockwise order.
    """
    scheme = published.scheme
    used = set(published.labels.values())
    highest = _next_numbers(used)
    labels = []
    for source_id, category in zip(numbered[S.SOURCE_ID].astype(str), numbered[S.CATEGORY], strict=True):
        label = published.labels.get(source_id)
        if label is None:
            prefix = S.CATEGORY_PREFIX[S.Category(category)] if scheme == "category" else ""
            number, width = highest.get(prefix, (0, 2 if prefix else 1))
            label = f"{prefix}{number + 1:0{width}d}"
            highest[prefix] = (number + 1, width)
        labels.append(label)
    out = numbered.copy()
    out[S.LABEL] = labels
    return out


def to_dict(published: Published) -> dict[str, Any]:
    """The published numbering as written to the edits file."""
    return {
        "scheme": published.scheme,
        "date": published.date,
        "labels": dict(sorted(published.labels.items())),
    }


def from_dict(raw: Any, where: Words) -> Published:
    """Read a published numbering from an edits file's ``published`` entry.

    Raises
    ------
    DataError
        Naming ``where`` when the entry is not a scheme and a table of labels.
    """
    labels = raw.get("labels") if isinstance(raw, dict) else None
    if (
        not isinstance(labels, dict)
        or raw.get("scheme") not in S.SCHEMES
        or not all(isinstance(v, str) and v for v in labels.values())
    ):
        raise DataError("error.published.entry", where=where)
    return Published(
        scheme=raw["scheme"], labels={str(k): v for k, v in labels.items()}, date=str(raw.get("date", ""))
    )
