"""Cached loaders: extracts, their compounds, a compound's inventory with its edits, numbered for a view.

``st.cache_data`` is shared by every user of the server, so only data that is the same for everyone is
cached, keyed by the file's path and modification time (an edited file is read again). Per-compound
edits are part of the key through the edits file's text; a compound's accepted survey
(:mod:`pipeline.workspace.surveys`) through its file's path and modification time.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError
from pipeline.core.fileio import write_bytes
from pipeline.inventory.build import Inventory, build_inventory
from pipeline.inventory.compound import find_compounds
from pipeline.inventory.gates import MainGate
from pipeline.inventory.numbering import MAX_GATE_DIST_M
from pipeline.osm.read import OSM_SUFFIXES, read_osm
from pipeline.workspace.edits import Edits, apply_edits, edits_path, from_dict, read_edits, to_dict
from pipeline.workspace.profile import Profile, profile_path, read_profile
from pipeline.workspace.surveys import read_accepted, survey_path
from ui.settings import Settings
from ui.state import View

UPLOAD_PREFIX = "upload:"
#: The name :func:`save_upload` gives an upload: 16 hex digits of its hash and its suffix.
_UPLOAD_NAME = re.compile(r"[0-9a-f]{16}\.osm(\.pbf)?")
#: An upload's original name is kept beside it in ``<hash><suffix>.name`` (at most this many characters).
NAME_SUFFIX, MAX_NAME_CHARS = ".name", 120


def shipped_extracts(settings: Settings) -> list[str]:
    """File names of the shipped extracts, sorted."""
    if not settings.data_dir.is_dir():
        return []
    return sorted(p.name for p in settings.data_dir.iterdir() if p.name.lower().endswith(OSM_SUFFIXES))


def extract_path(extract: str, settings: Settings) -> Path:
    """Return the file of an extract id (a shipped file name, or ``upload:<hash><suffix>``)."""
    if extract.startswith(UPLOAD_PREFIX):
        name = extract.removeprefix(UPLOAD_PREFIX)
        folder = settings.uploads_dir
        valid = _UPLOAD_NAME.fullmatch(name) is not None
    else:
        name, folder = extract, settings.data_dir
        valid = extract in shipped_extracts(settings)
    path = folder / name
    # Only a file inside its folder, once links and `..` are resolved, is ever opened.
    valid = valid and path.resolve().is_relative_to(folder.resolve())
    if not valid or not path.is_file():
        raise InputFileError("error.app.no_extract", detail=extract)
    return path


def save_upload(name: str, data: bytes, settings: Settings) -> str:
    """Keep an uploaded extract under its content's hash and return its extract id.

    Raises
    ------
    InputFileError
        When the file is over the limit or not ``.osm``/``.osm.pbf``.
    """
    if len(data) > settings.max_upload_bytes:
        raise InputFileError(
            "error.app.upload_big", name=name, mb=len(data) / 2**20, max=settings.max_upload_mb
        )
    lower = name.lower()
    suffix = next((s for s in (".osm.pbf", ".pbf", ".osm") if lower.endswith(s)), None)
    if suffix is None:
        raise InputFileError("error.app.upload_type", name=name)
    suffix = ".osm.pbf" if suffix == ".pbf" else suffix
    digest = hashlib.sha256(data).hexdigest()[:16]
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    path = settings.uploads_dir / f"{digest}{suffix}"
    if not path.exists():
        write_bytes(path, data)
    # the name people know it by, for the sidebar and page headers (kept beside it; the last upload's)
    label = Path(name.replace("\\", "/")).name.strip()[:MAX_NAME_CHARS] or path.name
    write_bytes(path.with_name(f"{path.name}{NAME_SUFFIX}"), label.encode("utf-8"))
    return f"{UPLOAD_PREFIX}{path.name}"


def source_name(source: str, settings: Settings) -> str:
    """The name to show for an extract's file name: an upload's original name, else the name itself.

    ``source`` is an extract id (``upload:<hash>.osm`` or a shipped file's name) or the bare file name an
    inventory's report records.
    """
    bare = source.removeprefix(UPLOAD_PREFIX)
    if _UPLOAD_NAME.fullmatch(bare):
        try:
            label = (settings.uploads_dir / f"{bare}{NAME_SUFFIX}").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return source
        return label or source
    return source


@st.cache_data(max_entries=8, show_spinner=False)
def _features(path: str, mtime: float) -> gpd.GeoDataFrame:
    return read_osm(path)


@st.cache_data(max_entries=8, show_spinner=False)
def _compounds(path: str, mtime: float) -> pd.DataFrame:
    found = find_compounds(_features(path, mtime))
    return pd.DataFrame(found.drop(columns="geometry"))


@st.cache_data(max_entries=16, show_spinner=False)
def _base(path: str, mtime: float, compound: str, survey: str = "", survey_mtime: float = 0.0) -> Inventory:
    accepted = read_accepted(survey, compound) if survey else None
    return build_inventory(
        _features(path, mtime),
        compound=compound,
        source=Path(path).name,
        survey=None if accepted is None else accepted.features,
        survey_source="" if accepted is None else accepted.source,
    )


def survey_key(compound: str, settings: Settings) -> tuple[str, float]:
    """The compound's accepted survey file and its modification time (``("", 0.0)`` when none), for cache keys."""
    path = survey_path(settings.runtime_dir, compound)
    return (str(path), path.stat().st_mtime) if path.is_file() else ("", 0.0)


def compounds(extract: str, settings: Settings) -> pd.DataFrame:
    """The residential compounds of an extract: ``source_id``, ``name``, ``area_m2``, ``gates``; largest first."""
    path = extract_path(extract, settings)
    return _compounds(str(path), path.stat().st_mtime)


def base_inventory(view: View, settings: Settings) -> Inventory:
    """The compound's inventory as built from the extract, numbered from the detected main gate."""
    path = extract_path(view.extract, settings)
    return _base(str(path), path.stat().st_mtime, view.compound, *survey_key(view.compound, settings))


def _local_point(inventory: Inventory, lon: float, lat: float) -> shapely.Point:
    return gpd.GeoSeries([shapely.Point(lon, lat)], crs=S.WGS84).to_crs(inventory.crs).iloc[0]


def boundary_distance_m(inventory: Inventory, lon: float, lat: float) -> float:
    """Distance in metres from a WGS-84 point to the compound's boundary line."""
    return float(inventory.boundary.geometry.iloc[0].boundary.distance(_local_point(inventory, lon, lat)))


def main_gate(inventory: Inventory, gate: str) -> MainGate | None:
    """Turn a view's ``gate`` into the gate to number from.

    ``""`` keeps the detected gate; a gate's ``source_id`` picks that gate; ``lon,lat`` (WGS-84)
    picks the boundary point nearest to it, refused beyond 50 m.
    """
    if not gate:
        return None
    if "," not in gate:
        hit = inventory.gates[inventory.gates[S.SOURCE_ID] == gate]
        if hit.empty:
            raise DataError("error.app.not_a_gate", detail=gate)
        name = hit[S.NAME].iloc[0]
        return MainGate(hit.geometry.iloc[0], gate, name if isinstance(name, str) else "", "user")
    try:
        lon, lat = (float(v) for v in gate.split(","))
    except ValueError:
        raise DataError("error.app.gate_point", detail=gate) from None
    point = _local_point(inventory, lon, lat)
    outline = inventory.boundary.geometry.iloc[0].boundary
    dist = outline.distance(point)
    if dist > MAX_GATE_DIST_M:
        raise DataError("error.app.gate_far", dist=dist, max=MAX_GATE_DIST_M)
    on_boundary = outline.interpolate(outline.project(point))
    return MainGate(on_boundary, "user-point", "", "user_point")


@st.cache_data(max_entries=32, show_spinner=False)
def _numbered(
    path: str,
    mtime: float,
    compound: str,
    edits_json: str,
    gate: str,
    method: str,
    scheme: str,
    survey: str = "",
    survey_mtime: float = 0.0,
) -> Inventory:
    base = _base(path, mtime, compound, survey, survey_mtime)
    edits = from_dict(json.loads(edits_json), compound=compound)
    return apply_edits(base, edits, gate=main_gate(base, gate), method=method, scheme=scheme)


def edits_file(view: View, settings: Settings) -> Path:
    """The compound's edits file (it may not exist yet)."""
    return edits_path(settings.runtime_dir, view.compound)


def load_edits(view: View, settings: Settings) -> Edits:
    """The compound's edits, read from its file."""
    return read_edits(edits_file(view, settings), view.compound)


def numbered(view: View, settings: Settings) -> Inventory:
    """The inventory the pages show: built, edited, and numbered from the view's gate, method and scheme."""
    path = extract_path(view.extract, settings)
    edits = json.dumps(to_dict(load_edits(view, settings)), ensure_ascii=False)
    return _numbered(
        str(path),
        path.stat().st_mtime,
        view.compound,
        edits,
        view.gate,
        view.method,
        view.scheme,
        *survey_key(view.compound, settings),
    )


def load_profile(view: View, settings: Settings) -> Profile:
    """The compound's profile (empty when none was saved)."""
    return read_profile(profile_path(settings.runtime_dir, view.compound), view.compound)
