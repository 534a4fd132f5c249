"""Survey files handed to the app, the coordinate systems they could be in, and each compound's accepted survey.

The Import page (``views/import_survey.py``) works in three steps, each a function here, none of which
imports streamlit:

1. :func:`save_upload` keeps the uploaded bytes under ``<runtime>/uploads/survey/<hash>/<name>`` (the
   name is kept, since :func:`pipeline.survey.read.read_survey` names the file in every message), after
   checking the size again on the server: Streamlit's own per-widget limit is enforced in the browser
   only (``docs/reliability.md``, "Streamlit"). One survey at a time: one file, or the parts of one Shapefile
   (``.shp`` with its ``.shx``, ``.dbf``, ``.prj``).
2. :func:`crs_choices` reads the file's coordinates without placing them and lists what they could be
   in (:func:`pipeline.core.coords.suggest_crs`, ranked by distance from the compound), so the user chooses
   instead of the mapper guessing.
3. :func:`write_accepted` keeps the survey the user accepted, per compound, beside the compound's
   edits: ``<runtime>/compounds/<safe id>/survey.gpkg`` with layers ``survey`` (the features in
   WGS-84, as :func:`pipeline.survey.read.write_survey` writes them), ``survey_report`` and
   ``survey_meta`` (file name, how it was placed, when it was accepted). The GeoPackage is written under
   a temporary name and moved into place, so a failure leaves the previous survey as it was.
   :func:`read_accepted` gives it back for :func:`pipeline.inventory.build.build_inventory`'s ``survey=``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from pipeline.core import schema as S
from pipeline.core.coords import CRSSuggestion, suggest_crs
from pipeline.core.errors import DataError, InputFileError
from pipeline.core.fileio import output_file, write_bytes
from pipeline.survey.georef import coords_of
from pipeline.survey.layers import load_layer_mapping
from pipeline.survey.read import SUFFIXES, SurveyResult, write_survey
from pipeline.survey.result import SURVEY_COLUMNS, SurveyLimits
from pipeline.workspace.edits import compound_dir

log = logging.getLogger(__name__)

SURVEY_FILE = "survey.gpkg"
META_LAYER = "survey_meta"
FORMAT_VERSION = 1
#: Parts of a Shapefile that may be uploaded beside its ``.shp``.
SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
#: What the upload widget offers: every survey format and the parts of a Shapefile.
UPLOAD_TYPES = tuple(sorted({s.lstrip(".") for s in (*SUFFIXES, *SHP_PARTS)}))


# --- uploads -------------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base.startswith(".") or base != name.strip() or "\x00" in base:
        raise InputFileError("error.survey.upload_name", name=name)
    return base


def _main_file(names: list[str]) -> str:
    """Return the file to read among the uploaded names (one survey, or one Shapefile's parts)."""
    if len(names) == 1:
        name = names[0]
        if not name.lower().endswith(SUFFIXES):
            raise InputFileError("error.survey.upload_format", name=name, formats=", ".join(SUFFIXES))
        return name
    stems = {Path(n).stem.lower() for n in names}
    shps = [n for n in names if n.lower().endswith(".shp")]
    odd = [n for n in names if not n.lower().endswith(SHP_PARTS)]
    if len(stems) != 1 or len(shps) != 1 or odd:
        raise InputFileError("error.survey.upload_several", n=len(names), names=", ".join(sorted(names)))
    return shps[0]


def save_upload(files: Sequence[tuple[str, bytes]], root: str | Path, *, max_bytes: int) -> Path:
    """Keep an uploaded survey under ``<root>/uploads/survey/<hash>/`` and return the file to read.

    Parameters
    ----------
    files
        ``(name, bytes)`` of each uploaded file: one survey file, or the parts of one Shapefile.
    root
        The runtime folder.
    max_bytes
        The upload limit; the files together must not exceed it.

    Raises
    ------
    InputFileError
        No file, an empty or oversized file, a name with folders in it, several unrelated files, or a
        format the mapper does not read.
    """
    if not files:
        raise InputFileError("error.survey.upload_none")
    names = [_safe_name(name) for name, _ in files]
    if len({n.lower() for n in names}) != len(names):
        raise InputFileError("error.survey.same_name", names=", ".join(names))
    total = sum(len(data) for _, data in files)
    if total > max_bytes:
        raise InputFileError(
            "error.survey.upload_big", names=", ".join(names), mb=total / 2**20, max_mb=max_bytes / 2**20
        )
    for name, (_, data) in zip(names, files, strict=True):
        if not data:
            raise InputFileError("error.survey.empty", name=name)
    main = _main_file(names)
    digest = hashlib.sha256()
    for name, (_, data) in sorted(zip(names, files, strict=True)):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    folder = Path(root) / "uploads" / "survey" / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for name, (_, data) in zip(names, files, strict=True):
        path = folder / name
        if not path.is_file():
            write_bytes(path, data)
    log.info("Kept the uploaded survey %s (%d bytes) in %s", main, total, folder)
    return folder / main


# --- what the coordinates could be in ------------------------------------------------------------


@dataclass(frozen=True)
class CRSChoices:
    """What a survey file's coordinates could be in, before they are placed.

    Attributes
    ----------
    stated
        The CRS the file states (``EPSG:4548`` or a PROJ/WKT string), or ``None``.
    stated_label
        Its name, for people.
    degrees
        The columns are named longitude/latitude: WGS-84, GCJ-02 or BD-09.
    suggestions
        :func:`pipeline.core.coords.suggest_crs` for the coordinates, nearest to the compound first;
        one with ``crs == "local"`` means a drawing on its own grid (control points needed).
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the coordinates as read.
    """

    stated: str | None
    stated_label: str
    degrees: bool
    suggestions: tuple[CRSSuggestion, ...]
    bounds: tuple[float, float, float, float]

    @property
    def local(self) -> bool:
        """Tell whether the coordinates look like a drawing's own grid."""
        return any(s.crs == "local" for s in self.suggestions)


def crs_choices(
    path: str | Path, *, near: tuple[float, float] | None = None, limits: SurveyLimits | None = None
) -> CRSChoices:
    """Read a survey file's coordinates, without placing them, and list the CRS they could be in.

    Parameters
    ----------
    path
        A survey file :func:`pipeline.survey.read.read_survey` reads.
    near
        ``(lon, lat)`` of the compound: suggestions nearest to it first.
    limits
        File and archive limits.

    Raises
    ------
    InputFileError
        The file cannot be read (as :func:`pipeline.survey.read.read_survey` would say).
    DataError
        The file holds no coordinates.
    """
    # The same reader as read_survey's, stopping before the coordinates are placed, so the app and
    # the CLI read a file the same way.
    from pipeline.survey.read import read_raw

    path = Path(path)
    raw = read_raw(path, mapping=load_layer_mapping(None), limits=limits or SurveyLimits())
    xy = coords_of(raw)
    xy = xy[np.isfinite(xy).all(axis=1)] if len(xy) else xy
    if not len(xy):
        raise DataError("error.survey.no_coordinates", name=path.name)
    stated = raw.crs.to_string() if raw.crs is not None else None
    if raw.crs is not None:
        code = raw.crs.to_epsg()
        stated = f"EPSG:{code}" if code else stated
    suggestions = tuple(suggest_crs(xy[:, 0], xy[:, 1], near=near))
    bounds = (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
    return CRSChoices(stated, raw.crs.name if raw.crs is not None else "", raw.degrees, suggestions, bounds)


def compound_lonlat(boundary: gpd.GeoDataFrame) -> tuple[float, float]:
    """``(lon, lat)`` of a point inside the compound's boundary, for ranking CRS suggestions."""
    point = boundary.to_crs(S.WGS84).geometry.union_all().representative_point()
    return float(point.x), float(point.y)


# --- the accepted survey -------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedSurvey:
    """A compound's accepted survey: its features (WGS-84) and where they came from."""

    features: gpd.GeoDataFrame
    source: str
    placed: str
    accepted_at: str
    path: Path


def survey_path(root: str | Path, compound_id: str) -> Path:
    """The accepted survey of a compound under the runtime folder ``root`` (it may not exist)."""
    return compound_dir(root, compound_id) / SURVEY_FILE


def write_accepted(
    result: SurveyResult, root: str | Path, compound_id: str, *, now: dt.datetime | None = None
) -> Path:
    """Keep ``result`` as the compound's survey, replacing any earlier one atomically; return the file."""
    out = survey_path(root, compound_id)
    accepted_at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    meta = pd.DataFrame(
        {
            "key": ["version", "compound", "file", "placed", "accepted_at"],
            "value": [str(FORMAT_VERSION), compound_id, result.path.name, result.crs, accepted_at],
        }
    )
    with output_file(out) as tmp:
        write_survey(result, tmp)
        pyogrio.write_dataframe(meta, tmp, layer=META_LAYER, driver="GPKG", append=True)
    log.info(
        "Accepted %d survey features from %s for %s", len(result.features), result.path.name, compound_id
    )
    return out


def read_accepted(path: str | Path, compound_id: str | None = None) -> AcceptedSurvey | None:
    """Read an accepted survey file; ``None`` when there is none.

    Raises
    ------
    DataError
        The file belongs to another compound, or lacks the survey's columns.
    """
    path = Path(path)
    if not path.is_file():
        return None
    layers = {str(name) for name, _ in pyogrio.list_layers(path)}
    meta: dict[str, str] = {}
    if META_LAYER in layers:
        table = pyogrio.read_dataframe(path, layer=META_LAYER)
        meta = dict(zip(table["key"].astype(str), table["value"].astype(str), strict=True))
    if compound_id is not None and meta.get("compound", compound_id) != compound_id:
        raise DataError(
            "error.survey.accepted_other", path=path, compound=meta["compound"], compound_id=compound_id
        )
    features = pyogrio.read_dataframe(path, layer="survey")
    missing = [c for c in SURVEY_COLUMNS if c not in features.columns]
    if missing:
        raise DataError("error.survey.accepted_columns", path=path, columns=", ".join(missing))
    for column in SURVEY_COLUMNS:
        features[column] = features[column].fillna("").astype(str)
    features = features[~features.geometry.isna() & ~shapely.is_empty(features.geometry.to_numpy())]
    return AcceptedSurvey(
        features=gpd.GeoDataFrame(features.reset_index(drop=True), geometry="geometry", crs=S.WGS84),
        source=meta.get("file", path.name),
        placed=meta.get("placed", ""),
        accepted_at=meta.get("accepted_at", ""),
        path=path,
    )


def remove_accepted(root: str | Path, compound_id: str) -> bool:
    """Delete the compound's accepted survey; return whether there was one."""
    path = survey_path(root, compound_id)
    if not path.is_file():
        return False
    path.unlink()
    log.info("Removed the survey of %s", compound_id)
    return True
