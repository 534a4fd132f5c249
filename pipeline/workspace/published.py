"""Published numbering: once a planner publishes the labels, they are printed and never change.

A published numbering (kept in the compound's edits file, :mod:`pipeline.workspace.edits`) maps each
asset's ``source_id`` to the label it had when it was published, hidden assets' included. Every later
numbering of the compound keeps them by the one rule ``build --keep-labels`` follows
(:class:`pipeline.inventory.numbering.PreviousLabels`): every published label stays on its asset, whichever
gate or method is chosen; a hidden asset's label stays unused (it comes back if the asset is shown again);
an asset added later takes a sub-number after its clockwise predecessor (``7.1``, ``B04.1`` with
``--scheme category``); a label once published is never given to another asset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.core import schema as S
from pipeline.core.errors import DataError, Words
from pipeline.inventory.numbering import PreviousLabels


@dataclass(frozen=True)
class Published:
    """The labels a planner published: ``source_id`` -> label, in one numbering ``scheme``, on a date."""

    scheme: str
    labels: Mapping[str, str] = field(default_factory=dict)
    date: str = ""

    def previous(self) -> PreviousLabels:
        """The published labels as the ``--keep-labels`` rule keeps them."""
        return PreviousLabels(by_source=dict(self.labels))


def publish(previous: Published | None, assets: pd.DataFrame, scheme: str, date: str) -> Published:
    """Publish the labels ``assets`` show now, keeping every label published before (hidden assets' too)."""
    kept = dict(previous.labels) if previous is not None and previous.scheme == scheme else {}
    current = dict(zip(assets[S.SOURCE_ID].astype(str), assets[S.LABEL].astype(str), strict=True))
    return Published(scheme=scheme, labels={**kept, **current}, date=date)


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
