"""Build, renumber, write and read a compound's inventory.

An inventory is a folder holding ``inventory.gpkg`` (layers ``assets``, ``boundary``, ``gates``,
and the context layers ``buildings``, ``roads``, ``green``, ``water``), ``inventory.csv`` (UTF-8
with BOM so Excel shows Chinese, with ``lon``/``lat``) and ``report.json``. It is written to a
temporary folder first and moved into place, so a failed build leaves no half-written output, and
it replaces only a folder the mapper wrote (:mod:`pipeline.core.fileio`). Text cells of the CSV that
a spreadsheet would read as a formula are escaped (:mod:`pipeline.core.cells`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from pipeline.core import schema as S
from pipeline.core.cells import csv_bytes, unescape_frame
from pipeline.core.crs import utm_crs
from pipeline.core.errors import DataError, GateError, InputFileError
from pipeline.core.fileio import output_folder
from pipeline.core.geometry import repair_polygon
from pipeline.core.taxonomy import Taxonomy, load_taxonomy
from pipeline.core.words import gate_rule_text
from pipeline.inventory.classify import DEFAULT_RADIUS_M, classify_features, select_assets
from pipeline.inventory.compound import AREA_M2, find_compound, neighbourhood
from pipeline.inventory.context import CONTEXT_MARGIN_M, context_layers
from pipeline.inventory.gates import (
    TITLE_EN,
    TITLE_ZH,
    MainGate,
    choose_main_gate,
    describe_gates,
    find_gates,
    grounds_of,
    mark_main,
    roads_of,
)
from pipeline.inventory.merge import choose_boundary, choose_gates, merge_survey
from pipeline.inventory.naming import Titles, compound_titles
from pipeline.inventory.neighbours import locate_neighbours, merge_parts
from pipeline.inventory.numbering import MAX_GATE_DIST_M, PreviousLabels, number_assets, retired_labels
from pipeline.inventory.order import choose_method
from pipeline.inventory.walkorder import walk_loop, walk_paths

log = logging.getLogger(__name__)

GPKG = "inventory.gpkg"
CSV = "inventory.csv"
REPORT = "report.json"
CONTEXT_LAYERS = ("buildings", "roads", "green", "water")
#: The farthest outside the outline that adjacent assets are taken, in metres.
MAX_RADIUS_M = 1000.0
OSM_CREDIT = "© OpenStreetMap contributors"


@dataclass(frozen=True)
class GateOverride:
    """A user's choice of main gate: a gate's id, or a WGS-84 point."""

    source_id: str | None = None
    point: shapely.Point | None = None


@dataclass(frozen=True)
class Inventory:
    """The numbered assets of one compound, with its boundary, gates, context and report."""

    assets: gpd.GeoDataFrame
    boundary: gpd.GeoDataFrame
    gates: gpd.GeoDataFrame
    context: dict[str, gpd.GeoDataFrame]
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def crs(self) -> Any:
        """The inventory's local metric CRS."""
        return self.assets.crs

    @property
    def main_gate(self) -> MainGate:
        """The gate numbering starts from, and the rule that chose it."""
        row = self.gates[self.gates["is_main"]].iloc[0]
        return MainGate(
            row.geometry,
            row[S.SOURCE_ID],
            row[S.NAME] or "",
            row["main_rule"],
            str(row.get(TITLE_ZH, "") or ""),
            str(row.get(TITLE_EN, "") or ""),
        )


def neighbourhood_margin(radius_m: float) -> float:
    """How far around the boundary a build reads: assets, context, gates and the roads they face."""
    return max(radius_m, CONTEXT_MARGIN_M) + 100.0


def build_inventory(
    features: gpd.GeoDataFrame,
    *,
    compound: str | None = None,
    boundary: shapely.Polygon | shapely.MultiPolygon | None = None,
    boundary_name: str = "",
    gate: GateOverride | None = None,
    method: str = "auto",
    scheme: str = "global",
    radius_m: float = DEFAULT_RADIUS_M,
    previous: PreviousLabels | None = None,
    force: bool = False,
    taxonomy: Taxonomy | None = None,
    source: str = "",
    survey: gpd.GeoDataFrame | None = None,
    survey_source: str = "",
) -> Inventory:
    """Build a compound's numbered inventory from a WGS-84 feature frame.

    Parameters
    ----------
    features
        Output of :func:`pipeline.osm.read.read_osm`.
    compound
        The compound's OSM id or name; or give ``boundary``.
    boundary, boundary_name
        A WGS-84 outline (from ``--boundary FILE``) and the name to print for it.
    gate
        Override the detected main gate.
    method, scheme
        Numbering method and scheme (:func:`pipeline.inventory.numbering.number_assets`).
    radius_m
        How far outside the boundary adjacent assets are taken.
    previous
        Labels to keep from an earlier inventory.
    force
        Accept a gate more than 50 m from the boundary.
    taxonomy
        The taxonomy; the shipped one by default.
    source
        The input file's name, for the report.
    """
    if (compound is None) == (boundary is None):
        raise DataError("error.build.compound_or_boundary")
    if not 0 <= radius_m <= MAX_RADIUS_M:  # also refuses nan
        raise DataError("error.build.radius", radius=radius_m, max=MAX_RADIUS_M, usual=DEFAULT_RADIUS_M)
    if compound is not None:
        row = find_compound(features, compound)
        compound_id, name = row[S.SOURCE_ID], row[S.NAME]
        compound_tags = features.loc[features[S.SOURCE_ID] == compound_id, S.TAGS].iloc[0]
        outline = repair_polygon(row.geometry, f"boundary of {compound_id}")
    else:
        compound_id, name, compound_tags = "boundary", boundary_name, {}
        outline = repair_polygon(boundary, "boundary")
    crs = utm_crs(outline)
    local = neighbourhood(features, outline, margin_m=neighbourhood_margin(radius_m)).to_crs(crs)
    poly = gpd.GeoSeries([outline], crs=S.WGS84).to_crs(crs).iloc[0]
    survey_local = survey.to_crs(crs) if survey is not None else None
    survey_notes: dict[str, Any] = {}
    if survey_local is not None:
        choice = choose_boundary(poly, survey_local, osm_id=compound_id)
        if choice.source == "survey":
            poly = repair_polygon(choice.geometry, f"survey boundary {choice.source_id}")
        survey_notes = {"file": survey_source, "boundary": choice.reason}
    classified = classify_features(local, taxonomy or load_taxonomy())
    assets, review, merged = select_assets(
        classified, poly, radius_m=radius_m, exclude=frozenset({compound_id})
    )
    gates = find_gates(poly, local)
    if survey_local is not None:
        assets, gates, notes = _apply_survey(assets, gates, poly, survey_local, local, radius_m)
        survey_notes.update(notes)
    assets, merged_parts = merge_parts(assets)
    assets, placed = locate_neighbours(assets, poly, local, radius_m=radius_m, compound_gates=gates)
    main = _main_gate(gates, poly, local, gate, crs, force)
    titles = Titles(name, name) if name else compound_titles(compound_tags, poly, roads_of(local))
    boundary_frame = gpd.GeoDataFrame(
        {
            S.SOURCE_ID: [compound_id],
            S.NAME: [name],
            AREA_M2: [round(poly.area, 1)],
            TITLE_ZH: [titles.zh],
            TITLE_EN: [titles.en],
        },
        geometry=[poly],
        crs=crs,
    )
    inventory = Inventory(
        assets=assets,
        boundary=boundary_frame,
        gates=mark_main(gates, main, poly),
        context=context_layers(local, poly),
        report={
            "compound": {
                S.SOURCE_ID: compound_id,
                S.NAME: name,
                AREA_M2: round(poly.area, 1),
                TITLE_ZH: titles.zh,
                TITLE_EN: titles.en,
            },
            "source": source,
            "crs": crs.to_string(),
            "radius_m": radius_m,
            "review": review,
            "merged_points": merged,
            "merged_parts": merged_parts,
            "neighbours_placed": placed,
            **({"survey": survey_notes} if survey_notes else {}),
            "credit": OSM_CREDIT + (f"; survey: {survey_source}" if survey_source else ""),
        },
    )
    return renumber(inventory, method=method, scheme=scheme, previous=previous, force=force)


def _survey_boundary(survey: gpd.GeoDataFrame) -> shapely.Geometry:
    """The survey's own boundary, in WGS-84, when no OSM compound or boundary file is given."""
    crs = utm_crs(shapely.union_all(survey.geometry.values))
    choice = choose_boundary(None, survey.to_crs(crs))
    if choice.source != "survey" or choice.geometry is None:
        raise DataError("error.build.survey_no_boundary")
    return gpd.GeoSeries([choice.geometry], crs=crs).to_crs(S.WGS84).iloc[0]


def _apply_survey(
    assets: gpd.GeoDataFrame,
    gates: gpd.GeoDataFrame,
    poly: shapely.Geometry,
    survey: gpd.GeoDataFrame,
    local: gpd.GeoDataFrame,
    radius_m: float,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Any]]:
    """Merge the survey's assets into OSM's and let its gates replace OSM's."""
    near = survey[survey.distance(poly) <= radius_m]
    merged, report = merge_survey(assets, near)
    merged[S.INSIDE] = merged.geometry.representative_point().within(poly).to_numpy()
    merged[S.DIST_M] = merged.distance(poly).round(1)
    merged[S.RULE] = merged[S.RULE].fillna("survey layer")
    choice = choose_gates(gates, survey)
    if choice.source == "survey":
        gates = describe_gates(
            choice.gates.assign(gate_type="survey"), poly, roads_of(local), grounds_of(local, poly)
        )
    notes = {
        "merged": report.merged.to_dict("records"),
        "survey_only": list(report.survey_only),
        "gates": choice.reason,
    }
    return merged.reset_index(drop=True), gates, notes


def _main_gate(
    gates: gpd.GeoDataFrame,
    poly: shapely.Geometry,
    local: gpd.GeoDataFrame,
    override: GateOverride | None,
    crs: Any,
    force: bool,
) -> MainGate:
    if override is None:
        return choose_main_gate(gates, poly, roads_of(local))
    if override.source_id is not None:
        sid = override.source_id
        hit = gates[gates[S.SOURCE_ID] == sid]
        if hit.empty:
            node = local[local[S.SOURCE_ID] == sid]
            if node.empty:
                found = ", ".join(
                    f"{s} {n}".strip() for s, n in zip(gates[S.SOURCE_ID], gates[S.NAME], strict=True)
                )
                raise GateError(
                    "error.build.gate_unknown",
                    detail=f"`{sid}` is not a gate of this compound nor a feature of the extract. "
                    f"Gates found: {found or 'none'}",
                )
            hit = node
        point = hit.geometry.iloc[0].representative_point()
        name = hit[S.NAME].iloc[0] or ""
        titles = (str(hit[TITLE_ZH].iloc[0]), str(hit[TITLE_EN].iloc[0])) if TITLE_ZH in hit else ("", "")
    else:
        assert override.point is not None
        point = gpd.GeoSeries([override.point], crs=S.WGS84).to_crs(crs).iloc[0]
        sid, name, titles = "user-point", "", ("", "")
    dist = poly.boundary.distance(point)
    if dist > MAX_GATE_DIST_M and not force:
        raise GateError("error.build.gate_far", detail=sid, dist=dist, max=MAX_GATE_DIST_M)
    return MainGate(point, sid, name, "user", *titles)


def renumber(
    inventory: Inventory,
    *,
    gate: MainGate | None = None,
    method: str = "auto",
    scheme: str = "global",
    previous: PreviousLabels | None = None,
    force: bool = False,
) -> Inventory:
    """Number the inventory's assets again, from another gate or with another method or scheme.

    The app calls this when a planner picks another gate; nothing is read again.
    """
    gates = inventory.gates
    if gate is not None:
        gates = mark_main(
            gates.drop(columns=["is_main", "main_rule"]), gate, inventory.boundary.geometry.iloc[0]
        )
        gates = gates[(gates["gate_type"] != "chosen point") | gates["is_main"]].reset_index(drop=True)
    main = gates[gates["is_main"]].iloc[0]
    poly = inventory.boundary.geometry.iloc[0]
    choice = choose_method(poly) if method == "auto" else None
    record = choice.record() if choice is not None else {"asked": method, "method": method}
    method = choice.method if choice is not None else method
    walk = None
    if method == "walk":
        walk, why_not = walk_loop(poly, main.geometry, walk_paths(inventory.context["roads"]))
        if walk is None:
            log.warning("No walk to follow (%s); numbered along the boundary instead.", why_not)
            method, record = "perimeter", {"asked": "walk", "method": "perimeter", "reason": why_not}
    numbered = number_assets(
        inventory.assets,
        poly,
        main.geometry,
        method=method,
        scheme=scheme,
        previous=previous,
        force=force,
        walk=walk,
    )
    if walk is not None:
        record = walk.record(numbered, numbered.geometry.representative_point().get_coordinates().to_numpy())
    report = dict(inventory.report)
    report.update(
        {
            "method": method,
            "method_choice": record,
            "scheme": scheme,
            "main_gate": _gate_record(main, gates.crs),
            "gates": len(gates),
            "assets": len(numbered),
            "counts_by_category": {
                k: int(v) for k, v in numbered[S.CATEGORY].value_counts().sort_index().items()
            },
            "counts_by_kind": {k: int(v) for k, v in numbered[S.KIND].value_counts().sort_index().items()},
            "labels_retired": retired_labels(previous, numbered) if previous else [],
            "built": dt.date.today().isoformat(),
        }
    )
    log.info(
        "Numbered %d assets clockwise from %s, chosen as %s.",
        len(numbered),
        main[S.NAME] or main.get(TITLE_EN, ""),
        gate_rule_text(main["main_rule"], "en"),
    )
    return replace(inventory, assets=numbered.reset_index(drop=True), gates=gates, report=report)


def _gate_record(row: pd.Series, crs: Any) -> dict[str, Any]:
    lonlat = gpd.GeoSeries([row.geometry], crs=crs).to_crs(S.WGS84).iloc[0]
    return {
        S.SOURCE_ID: row[S.SOURCE_ID],
        S.NAME: row[S.NAME] or "",
        TITLE_ZH: str(row.get(TITLE_ZH, "") or row[S.NAME] or ""),
        TITLE_EN: str(row.get(TITLE_EN, "") or row[S.NAME] or ""),
        "rule": row["main_rule"],
        "gate_type": row["gate_type"],
        S.LON: round(lonlat.x, 7),
        S.LAT: round(lonlat.y, 7),
    }


def lonlat(frame: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """Return WGS-84 longitude and latitude of each feature's representative point, 7 decimals."""
    points = gpd.GeoSeries(frame.geometry.representative_point(), crs=frame.crs).to_crs(S.WGS84)
    return points.x.round(7), points.y.round(7)


def to_csv_frame(assets: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the inventory's CSV columns: the contract's, the rule, the distance, and lon/lat."""
    columns = [c for c in [*S.INVENTORY_COLUMNS, S.RULE, S.DIST_M] if c in assets.columns]
    frame = pd.DataFrame(assets[columns])
    lon, lat = lonlat(assets)
    frame[S.LON], frame[S.LAT] = lon.to_numpy(), lat.to_numpy()
    return frame


def _for_file(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    if S.TAGS in out:
        out[S.TAGS] = out[S.TAGS].map(
            lambda t: json.dumps(t if isinstance(t, dict) else {}, ensure_ascii=False, sort_keys=True)
        )
    return out


def write_inventory(inventory: Inventory, out_dir: str | Path, *, option: str = "--out") -> Path:
    """Write the inventory folder atomically and return its path.

    An existing folder is replaced only when it is an inventory the mapper wrote (its stamp, or an
    earlier version's three files and nothing else); any other non-empty folder is refused with
    :class:`~pipeline.core.fileio.OutputNotOursError` and left untouched.
    """
    out_dir = Path(out_dir)
    with output_folder(out_dir, "inventory", legacy=is_legacy_inventory, option=option) as tmp:
        write_inventory_files(inventory, tmp)
        sync_folder(tmp)  # on disk, once per file, before the folder is moved into place
    log.info("Wrote the inventory of %d assets to %s.", len(inventory.assets), out_dir)
    return out_dir


def write_inventory_files(inventory: Inventory, folder: Path) -> None:
    """Write ``inventory.gpkg``, ``inventory.csv`` and ``report.json`` into an existing ``folder``."""
    layers = {
        "assets": inventory.assets,
        "boundary": inventory.boundary,
        "gates": inventory.gates,
        **inventory.context,
    }
    with _sqlite_unsynced():
        for layer, frame in layers.items():
            pyogrio.write_dataframe(_for_file(frame), folder / GPKG, layer=layer, driver="GPKG")
    (folder / CSV).write_bytes(csv_bytes(to_csv_frame(inventory.assets)))
    (folder / REPORT).write_text(json.dumps(inventory.report, ensure_ascii=False, indent=2), encoding="utf-8")


@contextmanager
def _sqlite_unsynced() -> Iterator[None]:
    """Let SQLite (GeoPackage) skip its own fsyncs, several per layer written; the caller syncs once.

    On a shared disk those fsyncs queue up, and the batch's workers then wait for each other.
    """
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": previous})


def sync_folder(folder: Path) -> None:
    """Flush every file of a folder, and the folder itself (POSIX), to disk: once per file."""
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    if os.name == "posix":  # a directory opens for fsync there only
        paths.append(folder)
    for path in paths:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def is_legacy_inventory(folder: Path, also: tuple[str, ...] = ()) -> bool:
    """Tell an inventory an earlier version wrote (no stamp): its own files only, with its report."""
    names = {p.name for p in folder.iterdir()}
    if not ({GPKG, REPORT} <= names <= {GPKG, CSV, REPORT, *also}):
        return False
    try:
        report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and "compound" in report and "main_gate" in report


def read_inventory(path: str | Path) -> Inventory:
    """Read an inventory folder written by :func:`write_inventory`."""
    path = Path(path)
    gpkg = path / GPKG if path.is_dir() else path
    if not gpkg.is_file():
        raise InputFileError("error.build.no_inventory", path=path)

    def layer(name: str) -> gpd.GeoDataFrame:
        frame = pyogrio.read_dataframe(gpkg, layer=name)
        if S.TAGS in frame:
            frame[S.TAGS] = frame[S.TAGS].map(lambda t: json.loads(t) if isinstance(t, str) else {})
        return frame

    report_file = gpkg.parent / REPORT
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    assets = layer("assets")
    assets[S.LABEL] = assets[S.LABEL].astype(str)
    assets[S.INSIDE] = assets[S.INSIDE].astype(bool)
    gates = layer("gates")
    gates["is_main"] = gates["is_main"].astype(bool)
    return Inventory(
        assets=assets,
        boundary=layer("boundary"),
        gates=gates,
        context={name: layer(name) for name in CONTEXT_LAYERS},
        report=report,
    )


def read_previous_labels(path: str | Path) -> PreviousLabels:
    """Read the labels of an earlier inventory (folder, GeoPackage or CSV) for ``--keep-labels``."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        frame = unescape_frame(
            pd.read_csv(path, dtype={S.LABEL: str, S.SOURCE_ID: str}, encoding="utf-8-sig")
        )
        retired: list[str] = []
    else:
        inventory = read_inventory(path)
        frame = inventory.assets
        retired = inventory.report.get("labels_retired", [])
    missing = {S.LABEL, S.SOURCE_ID} - set(frame.columns)
    if missing:
        raise DataError("error.build.not_previous", path=path, columns=", ".join(sorted(missing)))
    return PreviousLabels(
        by_source=dict(zip(frame[S.SOURCE_ID].astype(str), frame[S.LABEL].astype(str), strict=True)),
        retired=frozenset(retired),
    )
