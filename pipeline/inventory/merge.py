"""Merge survey assets into OSM's: one asset per thing on the ground, both ids kept.

OSM is thin inside Chinese compounds and the survey is usually the better source, so when the
two describe the same asset the survey's geometry and name win, and the OSM id is kept in
``other_ids``. Two assets are the same when they have the same kind and

- their representative points (:func:`shapely.point_on_surface`) are within ``tolerance_m``, or
- they are polygons that overlap by at least :data:`MIN_OVERLAP` of the smaller one (a large
  park drawn twice has centres far apart).

Matching is one-to-one and greedy: the pair with the larger overlap, then the smaller distance,
then the smaller ids goes first, so the result does not depend on row order.

Everything is computed in the callers' projected metric CRS (the compound's UTM zone); frames in
degrees are refused with :class:`pipeline.core.errors.CRSError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.core.crs import require_projected, same_crs
from pipeline.core.errors import DataError, Words
from pipeline.survey.layers import ROLE

log = logging.getLogger(__name__)

#: Column listing the ids of the other records merged into a row: ``osm:way/123``.
OTHER_IDS = "other_ids"
#: Smallest overlap, as a share of the smaller polygon, that makes two polygons one asset.
MIN_OVERLAP = 0.25
#: A survey boundary farther than this from OSM's (and not overlapping it) is not used, metres.
BOUNDARY_MAX_GAP_M = 50.0


@dataclass(frozen=True)
class MergeReport:
    """What :func:`merge_survey` merged, kept apart and left out.

    Attributes
    ----------
    merged
        One row per merged pair: ``survey_id``, ``osm_id``, ``kind``, ``name`` (the merged
        asset's), ``dist_m`` (between representative points), ``overlap`` (share of the smaller
        polygon, 0 for points), ``how`` (``distance`` or ``overlap``).
    survey_only, osm_only
        ``source_id``s kept as they were.
    skipped
        Survey rows left out: not assets (boundary, gate, building, …) or without a kind.
    tolerance_m
        The distance tolerance used.
    """

    merged: pd.DataFrame
    survey_only: tuple[str, ...]
    osm_only: tuple[str, ...]
    skipped: tuple[str, ...]
    tolerance_m: float

    def summary(self) -> str:
        """Describe the merge in a few lines, listing each merged pair."""
        lines = [
            f"Merged {len(self.merged)} survey assets with OSM's (same kind within "
            f"{self.tolerance_m:g} m or overlapping ≥{MIN_OVERLAP:.0%}); {len(self.survey_only)} "
            f"survey-only, {len(self.osm_only)} OSM-only, {len(self.skipped)} survey rows not assets."
        ]
        for row in self.merged.itertuples(index=False):
            lines.append(
                f"    {row.kind}: survey {row.survey_id} + osm {row.osm_id} → {row.name or '—'} "
                f"({row.how}, {row.dist_m:.1f} m, overlap {row.overlap:.0%})"
            )
        return "\n".join(lines)


def _check(frame: gpd.GeoDataFrame, what: Words) -> None:
    require_projected(frame, str(what))
    missing = [c for c in (S.KIND, S.SOURCE, S.SOURCE_ID) if c not in frame.columns]
    if missing:
        raise DataError("error.merge.columns", what=what, columns=", ".join(missing))


def _overlap(a: shapely.Geometry, b: shapely.Geometry) -> float:
    if shapely.get_dimensions(a) < 2 or shapely.get_dimensions(b) < 2:
        return 0.0
    smaller = min(a.area, b.area)
    return float(a.intersection(b).area / smaller) if smaller > 0 else 0.0


def _candidates(osm: gpd.GeoDataFrame, survey: gpd.GeoDataFrame, tolerance_m: float) -> pd.DataFrame:
    """All same-kind pairs within tolerance or overlapping, with their sort keys."""
    o_geom, s_geom = osm.geometry.to_numpy(), survey.geometry.to_numpy()
    o_rep, s_rep = shapely.point_on_surface(o_geom), shapely.point_on_surface(s_geom)
    pairs: set[tuple[int, int]] = set()
    if len(osm) and len(survey):
        si, oi = shapely.STRtree(o_rep).query(s_rep, predicate="dwithin", distance=tolerance_m)
        pairs |= set(zip(si.tolist(), oi.tolist(), strict=True))
        si, oi = shapely.STRtree(o_geom).query(s_geom, predicate="intersects")
        pairs |= set(zip(si.tolist(), oi.tolist(), strict=True))
    s_kind, o_kind = survey[S.KIND].to_numpy(), osm[S.KIND].to_numpy()
    rows = []
    for s, o in pairs:
        if not s_kind[s] or s_kind[s] != o_kind[o]:
            continue
        dist = float(shapely.distance(s_rep[s], o_rep[o]))
        overlap = _overlap(s_geom[s], o_geom[o])
        if dist <= tolerance_m or overlap >= MIN_OVERLAP:
            rows.append((s, o, dist, overlap, "overlap" if overlap >= MIN_OVERLAP else "distance"))
    table = pd.DataFrame(rows, columns=["s", "o", "dist_m", "overlap", "how"])
    table["survey_id"] = survey[S.SOURCE_ID].to_numpy()[table["s"]] if len(table) else []
    table["osm_id"] = osm[S.SOURCE_ID].to_numpy()[table["o"]] if len(table) else []
    table["neg_overlap"] = -table["overlap"]
    return table.sort_values(["neg_overlap", "dist_m", "survey_id", "osm_id"], kind="mergesort")


def merge_survey(
    osm_assets: gpd.GeoDataFrame,
    survey_assets: gpd.GeoDataFrame,
    *,
    tolerance_m: float = 15.0,
) -> tuple[gpd.GeoDataFrame, MergeReport]:
    """Merge survey assets into OSM assets; the survey's geometry and name win.

    Parameters
    ----------
    osm_assets
        Classified OSM assets (``kind``, ``source``, ``source_id``, ``name``), projected.
    survey_assets
        :attr:`pipeline.survey.read.SurveyResult.features` projected to the same CRS; rows whose
        ``role`` is not ``asset`` or whose ``kind`` is empty are left out (and reported).
    tolerance_m
        Largest distance between representative points of the same asset, metres.

    Returns
    -------
    (GeoDataFrame, MergeReport)
        OSM's rows in their order (merged ones replaced by the survey's geometry, name, source
        and id, other columns kept), then the survey-only assets; ``other_ids`` lists the ids
        merged into each row (``osm:way/…``), empty otherwise. Index ``0..n-1``.

    Raises
    ------
    CRSError
        A frame is not in a projected metric CRS, or the two CRSs differ.
    """
    _check(osm_assets, Words("error.merge.osm_assets"))
    _check(survey_assets, Words("error.merge.survey_assets"))
    same_crs(osm_assets, survey_assets)
    if not tolerance_m >= 0:
        raise DataError("error.merge.tolerance", tolerance=tolerance_m)
    is_asset = survey_assets[S.KIND].fillna("").astype(str) != ""
    if ROLE in survey_assets.columns:
        is_asset &= survey_assets[ROLE] == "asset"
    survey = survey_assets[is_asset]
    skipped = tuple(survey_assets.loc[~is_asset, S.SOURCE_ID].astype(str))
    osm = osm_assets
    table = _candidates(osm, survey, tolerance_m)
    used_s: set[int] = set()
    used_o: set[int] = set()
    chosen = []
    for row in table.itertuples(index=False):
        if row.s in used_s or row.o in used_o:
            continue
        used_s.add(row.s)
        used_o.add(row.o)
        chosen.append(row)
    merged = osm.copy()
    merged[OTHER_IDS] = ""
    extra_cols = [c for c in survey.columns if c not in merged.columns and c != survey.geometry.name]
    for col in extra_cols:
        merged[col] = pd.Series([None] * len(merged), index=merged.index, dtype=object)
    report_rows = []
    for row in chosen:
        s_row, o_label = survey.iloc[row.s], merged.index[row.o]
        o_row = osm.iloc[row.o]
        for col in survey.columns:
            if col == survey.geometry.name or (col == S.NAME and not str(s_row[col] or "")):
                continue
            merged.at[o_label, col] = s_row[col]
        merged.at[o_label, osm.geometry.name] = s_row[survey.geometry.name]
        merged.at[o_label, OTHER_IDS] = f"{o_row[S.SOURCE]}:{o_row[S.SOURCE_ID]}"
        name = merged.at[o_label, S.NAME] if S.NAME in merged.columns else ""
        report_rows.append(
            (row.survey_id, row.osm_id, s_row[S.KIND], name or "", row.dist_m, row.overlap, row.how)
        )
    rest = survey.iloc[[i for i in range(len(survey)) if i not in used_s]].copy()
    rest[OTHER_IDS] = ""
    if rest.geometry.name != osm.geometry.name:
        rest = rest.rename_geometry(osm.geometry.name)
    out = pd.concat([merged, rest], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry=osm.geometry.name, crs=osm.crs)
    report = MergeReport(
        merged=pd.DataFrame(
            report_rows, columns=["survey_id", "osm_id", "kind", "name", "dist_m", "overlap", "how"]
        ),
        survey_only=tuple(rest[S.SOURCE_ID].astype(str)),
        osm_only=tuple(osm[S.SOURCE_ID].astype(str).iloc[[i for i in range(len(osm)) if i not in used_o]]),
        skipped=skipped,
        tolerance_m=float(tolerance_m),
    )
    log.info("Merged %d survey assets into %d OSM assets (%d survey-only)", len(chosen), len(osm), len(rest))
    return out, report


# --------------------------------------------------------------------------- boundary and gates


@dataclass(frozen=True)
class BoundaryChoice:
    """The boundary to use and why: ``source`` is ``survey`` or ``osm``."""

    geometry: shapely.Geometry | None
    source: str
    source_id: str
    reason: str


def choose_boundary(
    osm_boundary: shapely.Geometry | None,
    survey: gpd.GeoDataFrame,
    *,
    osm_id: str = "",
) -> BoundaryChoice:
    """Prefer the survey's boundary polygon over OSM's, unless it is plainly elsewhere.

    Parameters
    ----------
    osm_boundary
        OSM's boundary in the survey's (projected) CRS, or ``None``.
    survey
        The survey features (``role`` column), projected.
    osm_id
        OSM's ``source_id`` for the boundary, for the record.

    Returns
    -------
    BoundaryChoice
        The survey polygon overlapping OSM's the most (the largest when there is no OSM
        boundary); OSM's when the survey has none, or when the survey's lies more than
        :data:`BOUNDARY_MAX_GAP_M` away from OSM's without touching it (a CRS problem).
    """
    require_projected(survey, "survey features")
    polys = survey[(survey[ROLE] == "boundary") & (shapely.get_dimensions(survey.geometry.to_numpy()) == 2)]
    if polys.empty:
        return BoundaryChoice(osm_boundary, "osm", osm_id, "the survey has no boundary polygon")
    geoms = polys.geometry.to_numpy()
    if osm_boundary is None:
        i = int(np.argmax(shapely.area(geoms)))
        return BoundaryChoice(
            geoms[i],
            "survey",
            str(polys[S.SOURCE_ID].iloc[i]),
            "the survey's boundary (no OSM boundary to compare)",
        )
    inter = shapely.area(shapely.intersection(geoms, osm_boundary))
    union = shapely.area(shapely.union(geoms, osm_boundary))
    iou = inter / np.where(union > 0, union, 1)
    i = int(np.argmax(iou))
    gap = float(shapely.distance(geoms[i], osm_boundary))
    sid = str(polys[S.SOURCE_ID].iloc[i])
    if iou[i] == 0 and gap > BOUNDARY_MAX_GAP_M:
        return BoundaryChoice(
            osm_boundary,
            "osm",
            osm_id,
            f"the survey boundary {sid} lies {gap:,.0f} m from OSM's and does not overlap it; "
            "OSM's is kept — check the survey's coordinate system",
        )
    return BoundaryChoice(
        geoms[i],
        "survey",
        sid,
        f"the survey boundary {sid} replaces OSM's {osm_id or ''} (overlap {iou[i]:.0%} of the "
        f"union; {geoms[i].area:,.0f} m² vs {osm_boundary.area:,.0f} m²)".replace("  ", " "),
    )


def _gate_point(geom: shapely.Geometry) -> shapely.Point:
    if shapely.get_dimensions(geom) == 1:
        return shapely.line_interpolate_point(geom, 0.5, normalized=True)
    return shapely.point_on_surface(geom)


@dataclass(frozen=True)
class GateChoice:
    """The gates to use (``source`` ``survey`` or ``osm``) and why."""

    gates: gpd.GeoDataFrame
    source: str
    reason: str
    matched: dict[str, str] = field(default_factory=dict)


def choose_gates(
    osm_gates: gpd.GeoDataFrame, survey: gpd.GeoDataFrame, *, tolerance_m: float = 15.0
) -> GateChoice:
    """Prefer the survey's gates over OSM's when the survey has any.

    Survey gates drawn as lines (across the opening) become their midpoints, polygons their
    representative points. Each survey gate lists the OSM gates within ``tolerance_m`` in
    ``other_ids``; an unnamed survey gate takes the nearest such OSM gate's name.

    Returns
    -------
    GateChoice
        ``gates`` has ``source``, ``source_id``, ``name``, ``other_ids`` and point geometry, in
        the frames' CRS; ``matched`` maps survey gate ids to OSM gate ids.
    """
    require_projected(survey, "survey features")
    rows = survey[survey[ROLE] == "gate"]
    if rows.empty:
        out = osm_gates.copy()
        return GateChoice(out, "osm", "the survey has no gates; OSM's are used")
    require_projected(osm_gates, "OSM gates")
    same_crs(osm_gates, survey)
    points = [_gate_point(g) for g in rows.geometry]
    names = [str(n or "") for n in rows[S.NAME]]
    other, matched = [], {}
    o_geom = osm_gates.geometry.to_numpy()
    for k, (p, sid) in enumerate(zip(points, rows[S.SOURCE_ID], strict=True)):
        dist = shapely.distance(p, o_geom) if len(o_geom) else np.array([])
        near = np.flatnonzero(dist <= tolerance_m)
        near = near[np.argsort(dist[near], kind="mergesort")]
        ids = [str(osm_gates[S.SOURCE_ID].iloc[j]) for j in near]
        other.append("; ".join(f"osm:{i}" for i in ids))
        if ids:
            matched[str(sid)] = ids[0]
            if not names[k] and S.NAME in osm_gates.columns:
                names[k] = str(osm_gates[S.NAME].iloc[near[0]] or "")
    gates = gpd.GeoDataFrame(
        {
            S.SOURCE: S.SOURCE_SURVEY,
            S.SOURCE_ID: rows[S.SOURCE_ID].to_numpy(),
            S.NAME: names,
            OTHER_IDS: other,
        },
        geometry=points,
        crs=survey.crs,
    )
    return GateChoice(
        gates,
        "survey",
        f"{len(gates)} survey gates replace OSM's {len(osm_gates)} ({len(matched)} matched)",
        matched,
    )
