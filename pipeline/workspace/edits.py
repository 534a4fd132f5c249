"""A planner's corrections to a compound's inventory, kept per compound and applied on every build.

OSM is thin or wrong inside many Chinese compounds, so planners correct what the pipeline found:
recategorise or rekind an asset, rename it, hide it, or add a missing one. The corrections are kept
apart from the data, in a readable JSON file per compound (``<runtime>/compounds/<safe id>/edits.json``),
keyed by ``source_id``. A rebuild from a newer OSM extract keeps them: :func:`apply_edits` lays them on
top of whatever the build found and numbers the result again. A correction whose asset is gone from
the data is kept in the file and reported as stale, never silently dropped.

The file looks like this (every key optional but ``compound``)::

    {
      "compound": "way/595108678",
      "version": 1,
      "changes": {
        "way/595098625": {"kind": "square", "category": "public_space"},
        "node/5671638103": {"name": "石科院小卖部（已关闭）", "hidden": true}
      },
      "added": [
        {"source_id": "0b6c…", "category": "facility", "kind": "toilets", "name": "公厕",
         "lon": 116.3501, "lat": 39.9981}
      ]
    }

Every function here is pure except :func:`read_edits` and :func:`write_edits`; the operations return
a new :class:`Edits` and never change their argument.
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.core.fileio import write_text
from pipeline.core.taxonomy import Taxonomy, load_taxonomy
from pipeline.inventory.build import Inventory, renumber
from pipeline.inventory.gates import MainGate
from pipeline.workspace import published as P

log = logging.getLogger(__name__)

EDITS_FILE = "edits.json"
FORMAT_VERSION = 1
#: Longest name a planner may type; OSM's own limit is 255 characters.
MAX_NAME_CHARS = 200
#: The ``rule`` recorded on an asset whose category or kind was corrected by hand.
RULE_EDITED = "edited by hand"
#: The ``rule`` recorded on an asset added by hand.
RULE_MANUAL = "added by hand"


@dataclass(frozen=True)
class AssetEdit:
    """Corrections to one asset; ``None`` leaves the built value as it is."""

    category: str | None = None
    kind: str | None = None
    name: str | None = None
    hidden: bool = False

    @property
    def is_empty(self) -> bool:
        """Tell whether the edit changes nothing."""
        return self == AssetEdit()


@dataclass(frozen=True)
class ManualAsset:
    """An asset the data lacks, added by hand at a WGS-84 point."""

    source_id: str
    category: str
    kind: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Edits:
    """Every correction to one compound: changes by ``source_id`` and the assets added by hand."""

    compound: str
    changes: dict[str, AssetEdit] = field(default_factory=dict)
    added: tuple[ManualAsset, ...] = ()
    published: P.Published | None = None

    @property
    def hidden(self) -> list[str]:
        """The ``source_id`` of every hidden asset, sorted."""
        return sorted(sid for sid, change in self.changes.items() if change.hidden)


def compound_dir(root: str | Path, compound_id: str) -> Path:
    """Return the runtime folder of a compound, with a file-system-safe name.

    ``way/595108678`` becomes ``<root>/compounds/way-595108678``.
    """
    safe = re.sub(r"[^0-9A-Za-z_.-]+", "-", compound_id).strip("-.") or "compound"
    return Path(root) / "compounds" / safe


def write_json_atomic(data: Any, path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON, through a temporary file, so a crash leaves the old file."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return write_text(path, text)


def read_json(path: Path, what: Words) -> Any:
    """Read a JSON file a person may have edited by hand; errors name the file (``what``) and the fix."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError("error.file.unreadable", what=what, path=path, detail=str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise DataError("error.file.bad_json", what=what, path=path, detail=str(exc)) from exc


# --- the operations ------------------------------------------------------------------------------


def _check_category(category: str) -> str:
    if category not in {c.value for c in S.Category}:
        raise DataError(
            "error.edits.category", category=category, categories=", ".join(c.value for c in S.Category)
        )
    return category


def _check_kind(kind: str, taxonomy: Taxonomy) -> str:
    if kind not in taxonomy.kinds:
        raise DataError("error.edits.kind", kind=kind, kinds=", ".join(sorted(taxonomy.kinds)[:5]))
    return kind


def _check_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME_CHARS:
        raise DataError("error.edits.name_long", name=name[:40], n=len(name), max=MAX_NAME_CHARS)
    return name


def _change(edits: Edits, source_id: str, **values: Any) -> Edits:
    current = edits.changes.get(source_id, AssetEdit())
    updated = replace(current, **values)
    changes = {k: v for k, v in edits.changes.items() if k != source_id}
    if not updated.is_empty:
        changes[source_id] = updated
    return replace(edits, changes=changes)


def set_category(edits: Edits, source_id: str, category: str) -> Edits:
    """Return the edits with the asset's category corrected (its kind is kept)."""
    return _change(edits, source_id, category=_check_category(category))


def set_kind(edits: Edits, source_id: str, kind: str, *, taxonomy: Taxonomy | None = None) -> Edits:
    """Return the edits with the asset's kind corrected; its category becomes the kind's."""
    taxonomy = taxonomy or load_taxonomy()
    _check_kind(kind, taxonomy)
    return _change(edits, source_id, kind=kind, category=taxonomy.kinds[kind].category.value)


def rename(edits: Edits, source_id: str, name: str) -> Edits:
    """Return the edits with the asset renamed (an empty name clears the name)."""
    return _change(edits, source_id, name=_check_name(name))


def hide(edits: Edits, source_id: str, hidden: bool = True) -> Edits:
    """Return the edits with the asset hidden from the inventory (or shown again)."""
    return _change(edits, source_id, hidden=hidden)


def revert(edits: Edits, source_id: str) -> Edits:
    """Return the edits without any correction to the asset (a manual asset stays added)."""
    return replace(edits, changes={k: v for k, v in edits.changes.items() if k != source_id})


def add_asset(
    edits: Edits,
    *,
    kind: str,
    lon: float,
    lat: float,
    name: str = "",
    category: str | None = None,
    taxonomy: Taxonomy | None = None,
) -> tuple[Edits, str]:
    """Return the edits with an asset added at a WGS-84 point, and the new asset's ``source_id`` (a UUID).

    ``category`` defaults to the kind's category in the taxonomy.
    """
    taxonomy = taxonomy or load_taxonomy()
    _check_kind(kind, taxonomy)
    category = _check_category(category or taxonomy.kinds[kind].category.value)
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise DataError("error.edits.point", lon=lon, lat=lat)
    source_id = str(uuid.uuid4())
    asset = ManualAsset(source_id, category, kind, _check_name(name), round(lon, 7), round(lat, 7))
    return replace(edits, added=(*edits.added, asset)), source_id


def remove_asset(edits: Edits, source_id: str) -> Edits:
    """Return the edits without the manual asset ``source_id`` and its corrections."""
    if source_id not in {a.source_id for a in edits.added}:
        raise DataError("error.edits.not_manual", detail=source_id)
    kept = tuple(a for a in edits.added if a.source_id != source_id)
    return replace(revert(edits, source_id), added=kept)


# --- applying ------------------------------------------------------------------------------------


def _manual_frame(added: tuple[ManualAsset, ...], inventory: Inventory) -> gpd.GeoDataFrame:
    boundary = inventory.boundary.geometry.iloc[0]
    points = gpd.GeoSeries([shapely.Point(a.lon, a.lat) for a in added], crs=S.WGS84).to_crs(inventory.crs)
    inside = points.within(boundary).to_numpy()
    return gpd.GeoDataFrame(
        {
            S.SOURCE: S.SOURCE_MANUAL,
            S.SOURCE_ID: [a.source_id for a in added],
            S.NAME: [a.name for a in added],
            S.TAGS: [{} for _ in added],
            S.CATEGORY: [a.category for a in added],
            S.KIND: [a.kind for a in added],
            S.RULE: RULE_MANUAL,
            S.INSIDE: inside,
            S.DIST_M: points.distance(boundary).round(2).to_numpy(),
        },
        geometry=points.to_numpy(),
        crs=inventory.crs,
    )


def apply_edits(
    inventory: Inventory,
    edits: Edits,
    *,
    gate: MainGate | None = None,
    method: str | None = None,
    scheme: str | None = None,
) -> Inventory:
    """Return the inventory with the edits applied and numbered again.

    Parameters
    ----------
    inventory
        An inventory as built (:func:`pipeline.inventory.build.build_inventory` or ``read_inventory``).
    edits
        The compound's corrections; changes to assets the inventory lacks are reported as stale.
    gate, method, scheme
        Numbering settings; by default the inventory's main gate, method and scheme. A numbering
        published in ``scheme`` is kept by the ``--keep-labels`` rule (:mod:`pipeline.workspace.published`).

    Returns
    -------
    Inventory
        A new inventory whose report has an ``edits`` entry: counts of changed, hidden and added
        assets and the stale ``source_id`` list.
    """
    assets = inventory.assets.drop(columns=[S.SEQ, S.LABEL, S.KEY], errors="ignore")
    if edits.added:
        assets = pd.concat([assets, _manual_frame(edits.added, inventory)], ignore_index=True)
        assets = gpd.GeoDataFrame(assets, geometry="geometry", crs=inventory.crs)
    else:
        assets = assets.copy()
    present = set(assets[S.SOURCE_ID])
    stale = sorted(set(edits.changes) - present)
    for source_id, change in edits.changes.items():
        rows = assets[S.SOURCE_ID] == source_id
        if change.name is not None:
            assets.loc[rows, S.NAME] = change.name
        for column, value in ((S.CATEGORY, change.category), (S.KIND, change.kind)):
            if value is not None:
                assets.loc[rows, column] = value
                assets.loc[rows & (assets[S.SOURCE] != S.SOURCE_MANUAL), S.RULE] = RULE_EDITED
    hidden = set(edits.hidden) & present
    visible = assets[~assets[S.SOURCE_ID].isin(hidden)].reset_index(drop=True)
    if visible.empty:
        raise DataError("error.edits.all_hidden")
    if stale:
        log.warning("%d edits name assets the data no longer has: %s.", len(stale), ", ".join(stale[:5]))
    edited = replace(inventory, assets=visible)
    scheme = scheme or inventory.report.get("scheme", S.SCHEMES[0])
    published = edits.published if edits.published is not None and edits.published.scheme == scheme else None
    numbered = renumber(
        edited,
        gate=gate,
        method=method
        or inventory.report.get("method_choice", {}).get("asked")
        or inventory.report.get("method", S.METHODS[0]),
        scheme=scheme,
        previous=published.previous() if published is not None else None,
    )
    report = dict(numbered.report)
    report["edits"] = {
        "changed": len(set(edits.changes) & present),
        "hidden": len(hidden),
        "added": len(edits.added),
        "stale": stale,
        "published": published is not None,
    }
    return replace(numbered, report=report)


def publish(edits: Edits, numbered: Inventory, date: str) -> Edits:
    """Return the edits with the labels ``numbered`` shows published (see :mod:`pipeline.workspace.published`)."""
    scheme = numbered.report.get("scheme", S.SCHEMES[0])
    return replace(edits, published=P.publish(edits.published, numbered.assets, scheme, date))


def withdraw(edits: Edits) -> Edits:
    """Return the edits without a published numbering: the next numbering starts afresh from 1."""
    return replace(edits, published=None)


# --- the file ------------------------------------------------------------------------------------


def edits_path(root: str | Path, compound_id: str) -> Path:
    """Return the edits file of a compound under the runtime folder ``root``."""
    return compound_dir(root, compound_id) / EDITS_FILE


def to_dict(edits: Edits) -> dict[str, Any]:
    """Return the edits as the JSON-ready dictionary written to the file."""
    changes = {
        sid: {k: v for k, v in vars(change).items() if v is not None and v is not False}
        for sid, change in sorted(edits.changes.items())
    }
    data: dict[str, Any] = {
        "compound": edits.compound,
        "version": FORMAT_VERSION,
        "changes": changes,
        "added": [vars(a) for a in edits.added],
    }
    if edits.published is not None:
        data["published"] = P.to_dict(edits.published)
    return data


def from_dict(data: Any, *, compound: str, where: Words | None = None) -> Edits:
    """Validate a dictionary read from an edits file and return the edits.

    Raises
    ------
    DataError
        Naming ``where``, the entry at fault and the fix.
    """
    where = where or Words("error.edits.where")
    if not isinstance(data, dict):
        raise DataError("error.edits.not_object", where=where, found=type(data).__name__)
    if data.get("compound") != compound:
        raise DataError(
            "error.edits.other_compound", where=where, detail=f"`{data.get('compound')}`, not `{compound}`"
        )
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise DataError("error.edits.version", where=where, version=version, reads=FORMAT_VERSION)
    taxonomy = load_taxonomy()
    changes: dict[str, AssetEdit] = {}
    for sid, raw in (data.get("changes") or {}).items():
        if not isinstance(raw, dict) or set(raw) - {"category", "kind", "name", "hidden"}:
            raise DataError("error.edits.change_shape", where=where, sid=sid, found=repr(raw))
        try:
            change = AssetEdit(
                category=_check_category(raw["category"]) if "category" in raw else None,
                kind=_check_kind(raw["kind"], taxonomy) if "kind" in raw else None,
                name=_check_name(str(raw["name"])) if "name" in raw else None,
                hidden=bool(raw.get("hidden", False)),
            )
        except DataError as exc:
            raise DataError("error.edits.change", where=where, sid=sid, problem=exc) from exc
        changes[str(sid)] = change
    added = []
    for i, raw in enumerate(data.get("added") or []):
        try:
            asset = ManualAsset(
                source_id=str(raw["source_id"]),
                category=_check_category(raw["category"]),
                kind=_check_kind(raw["kind"], taxonomy),
                name=_check_name(str(raw.get("name", ""))),
                lon=float(raw["lon"]),
                lat=float(raw["lat"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError("error.edits.added", where=where, i=i + 1, detail=str(exc)) from exc
        added.append(asset)
    published = P.from_dict(data["published"], where) if data.get("published") is not None else None
    return Edits(compound=compound, changes=changes, added=tuple(added), published=published)


def read_edits(path: str | Path, compound: str) -> Edits:
    """Read a compound's edits file; a missing file means no edits."""
    path = Path(path)
    if not path.is_file():
        return Edits(compound=compound)
    data = read_json(path, Words("error.edits.file"))
    return from_dict(data, compound=compound, where=Words("error.edits.where_file", path=path))


def write_edits(edits: Edits, path: str | Path) -> Path:
    """Write the edits file atomically and return its path."""
    written = write_json_atomic(to_dict(edits), path)
    log.info(
        "Wrote %d changes and %d added assets of %s to %s.",
        len(edits.changes),
        len(edits.added),
        edits.compound,
        written,
    )
    return written
