"""Candidate micro-renovation sites: what they could hold, how they rank, and why.

Candidates come from :mod:`pipeline.sites.candidates`. :func:`assess_sites` measures four parts,
each from 0 to 1 and kept as columns so a planner can show them:

- ``demand``: residents' spots within ``demand_radius_m``, each counting 1 + its supports + its
  votes, relative to the best site;
- ``gap``: the largest share of the compound's housing (weighted as in :mod:`pipeline.sites.coverage`)
  that a facility on the site would bring within its radius, among the kinds the site can hold
  (:data:`HOSTS`) and is large enough for (``min_size``; a floor area may take :data:`FLOOR_STOREYS`);
- ``suitability``: the mean of size, width, access (distance to a path) and walking distance to a
  gate;
- ``profile``: the share aged 60+ times the gap an elderly facility (:data:`ELDERLY_KINDS`) would fill.

:func:`rank_sites` weighs them with :class:`SiteWeights` (editable; re-ranking routes nothing) into
``score`` = 100 × Σ wᵢ·partᵢ / Σ wᵢ. Each site explains itself: ``reason`` holds the parts of its one
line (the kind it fills and how, its spots, its area), which :func:`pipeline.core.words.reason_text`
says in either language ("fills: elderly day-care centre, none within 300 m; 14 spots nearby; 820 m²");
``uses`` holds the uses it suggests with the renovation class of the 2020 guidance
(:func:`pipeline.core.words.uses_text`). The module returns these keys and values, never sentences.

:func:`find_sites` runs coverage, candidates and assessment in one call; supervision zones after the
vote are :func:`pipeline.sites.zones.supervision_zones` (re-exported).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, fields
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from pipeline.core import schema as S
from pipeline.core.crs import require_projected
from pipeline.core.errors import DataError
from pipeline.core.words import reason_text
from pipeline.inventory.build import Inventory
from pipeline.sites.candidates import SITE_TYPES, SiteOptions, candidate_sites, read_spots
from pipeline.sites.coverage import WEIGHT, Coverage, WalkArea, assess_coverage
from pipeline.sites.standards import read_standards
from pipeline.sites.zones import supervision_zones
from pipeline.walk.network import WalkNetwork, attach, distances_from, outline_points

log = logging.getLogger(__name__)

__all__ = [
    "ELDERLY_KINDS", "HOSTS", "SITE_TYPES", "SiteOptions", "SiteWeights", "assess_sites", "candidate_sites",
    "find_sites", "rank_sites", "read_spots", "supervision_zones",
]  # fmt: skip

PARTS = ("demand", "gap", "suitability", "profile")
_OUTDOOR = ("playground", "fitness", "sports_ground")
_SMALL = ("bicycle_parking", "parcel_locker", "waste_point", "recycling")
_BUILT = ("elderly_care", "community_service", "childcare", "culture_station", "clinic", "canteen",
          "property_management", "convenience", "toilets", "waste_station")  # fmt: skip
#: Kinds each type of site can hold: lawns and public spaces stay open; only vacant land and leftover
#: corners take a small building.
HOSTS: dict[str, tuple[str, ...]] = {
    "vacant": _OUTDOOR + _SMALL + _BUILT, "leftover": _OUTDOOR + _SMALL + _BUILT, "green": _OUTDOOR,
    "public_space": _OUTDOOR, "parking": _OUTDOOR + _SMALL, "hard": _OUTDOOR + _SMALL, "spots": _OUTDOOR + _SMALL,
}  # fmt: skip
#: Kinds that serve older residents most (儿童、老年人活动场地 included).
ELDERLY_KINDS = frozenset({"elderly_care", "canteen", "clinic", "fitness", "playground"})
FLOOR_STOREYS = 2  # a floor-area facility may take a two-storey infill building
#: Site types whose upgrade is suggested when they fill no gap (catalogue ``site.upgrade.<type>``; all
#: improvement class); other types are suggested the lawn's.
_UPGRADE = ("green", "public_space", "parking")


@dataclass(frozen=True)
class SiteWeights:
    """How much each part counts in a site's score (any non-negative numbers; they are normalised)."""

    demand: float = 0.30
    gap: float = 0.35
    suitability: float = 0.25
    profile: float = 0.10

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if any(not math.isfinite(v) or v < 0 for v in values.values()) or sum(values.values()) <= 0:
            raise DataError(f"Site weights must be non-negative with a positive sum; got {values}.")


def rank_sites(assessed: gpd.GeoDataFrame, weights: SiteWeights | None = None) -> gpd.GeoDataFrame:
    """Score (0–100) and rank the assessed sites with ``weights``, best first; ties by ``site_id``."""
    w = weights or SiteWeights()
    total = sum(getattr(w, p) for p in PARTS)
    out = assessed.copy()
    score = sum(getattr(w, p) * out[p].astype(float) for p in PARTS) if len(out) else []
    out["score"] = np.round(100 * np.asarray(score, dtype=float) / total, 1)
    out = out.sort_values(["score", "site_id"], ascending=[False, True], kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def assess_sites(
    area: WalkArea,
    candidates: gpd.GeoDataFrame,
    access: pd.DataFrame,
    standards: pd.DataFrame,
    *,
    spots: gpd.GeoDataFrame | None = None,
    aged_60_plus_pct: float | None = None,
    options: SiteOptions | None = None,
) -> gpd.GeoDataFrame:
    """Measure each candidate's parts, suggested uses and reason, and rank with the default weights.

    ``access`` is :func:`pipeline.sites.coverage.building_access`'s table; ``spots`` as from
    :func:`read_spots`. Call :func:`rank_sites` to weigh again.
    """
    require_projected(candidates, "candidate sites")
    opt = options or SiteOptions()
    out = candidates.copy()
    if out.empty:
        return rank_sites(out.assign(**dict.fromkeys(PARTS, 0.0)))
    out = _demand(out, read_spots(spots, out.crs), opt)
    net = area.network
    zones = net.zone_of(out.geometry.representative_point().to_numpy())
    net, nodes, snap = attach(net, outline_points(net, out.geometry.to_numpy(), zones), zones=zones)
    out["access_m"] = np.round(np.where(nodes >= 0, snap, np.nan), 1)
    gates = [net.gate_nodes[g] for g in net.walls[0].gate_ids if g in net.gate_nodes] if net.walls else []
    gate_dist, _ = distances_from(net, np.array(gates, dtype=np.int64))
    out["gate_m"] = np.round(np.where(nodes >= 0, gate_dist[nodes], np.nan), 0)
    reach = _site_to_buildings(net, nodes, area, limit=float(standards["radius_m"].max()))
    covered = (
        access.pivot(index=S.SOURCE_ID, columns=S.KIND, values="covered")
        .reindex(index=area.buildings[S.SOURCE_ID], columns=standards.index)
        .fillna(False)
        .to_numpy(bool)
    )
    share60 = (aged_60_plus_pct or 0.0) / 100
    weight = area.buildings[WEIGHT].to_numpy(dtype=float)
    fills = [
        _fills(reach[s], kind, a_m2, covered, weight, standards, share60, opt.min_gain)
        for s, (kind, a_m2) in enumerate(zip(out["type"], out["area_m2"], strict=True))
    ]
    out["fills"] = [", ".join(f) for f in fills]
    out["gap"] = [round(max(f.values(), default=0.0), 3) for f in fills]
    size = np.minimum(1, out["area_m2"] / opt.full_size_m2)
    width = np.minimum(1, out["width_m"] / opt.full_width_m)
    near_path = np.clip(1 - (out["access_m"].fillna(opt.far_access_m) - 5) / (opt.far_access_m - 5), 0, 1)
    gate = np.clip(1 - out["gate_m"].fillna(opt.far_gate_m) / opt.far_gate_m, 0, 1)
    out["suitability"] = np.round((size + width + near_path + gate) / 4, 3)
    out["profile"] = [
        round(share60 * max((g for k, g in f.items() if k in ELDERLY_KINDS), default=0.0), 3) for f in fills
    ]
    uses = [_uses(list(f), t, standards) for f, t in zip(fills, out["type"], strict=True)]
    out["uses"] = uses
    out["renovation_class"] = [u["classes"][0] if u.get("kinds") else "improvement" for u in uses]
    out["reason"] = [
        _reason(row, list(fills[i]), reach[i], covered, standards) for i, row in enumerate(out.itertuples())
    ]
    return rank_sites(out)


def _demand(out: gpd.GeoDataFrame, spots: gpd.GeoDataFrame, opt: SiteOptions) -> gpd.GeoDataFrame:
    near = shapely.dwithin(
        out.geometry.to_numpy()[:, None], spots.geometry.to_numpy()[None, :], opt.demand_radius_m
    )
    out["spots"] = near.sum(axis=1)
    out["supports"] = (near * spots["supports"].to_numpy()).sum(axis=1).astype(int)
    out["votes"] = (near * spots["votes"].to_numpy()).sum(axis=1).astype(int)
    raw = (near * spots["demand"].to_numpy()).sum(axis=1)
    out["demand"] = np.round(raw / raw.max(), 3) if raw.max() > 0 else 0.0
    return out


def _fills(
    reach: np.ndarray, site_type: str, area_m2: float, covered: np.ndarray, weight: np.ndarray,
    standards: pd.DataFrame, share60: float, min_gain: float,
) -> dict[str, float]:  # fmt: skip
    """Kinds the site could hold → share of housing it would newly bring within their radius, best first.

    Best: the largest gain (elderly kinds weighted up by the share aged 60+), then the standards' order
    (the compound's own block level first).
    """
    found = []
    for k, (kind, std) in enumerate(standards.iterrows()):
        size = std["min_size"]
        need = size / FLOOR_STOREYS if "floor" in str(std["size_unit"]) else size
        if kind not in HOSTS[site_type] or (not pd.isna(need) and area_m2 < need):
            continue
        gain = float(weight[~covered[:, k] & (reach <= std["radius_m"])].sum() / weight.sum())
        if gain >= min_gain:
            found.append((-round(gain * (1 + share60 * (kind in ELDERLY_KINDS)), 2), k, kind, round(gain, 3)))
    return {kind: gain for _, _, kind, gain in sorted(found)}


def _site_to_buildings(net: WalkNetwork, nodes: np.ndarray, area: WalkArea, *, limit: float) -> np.ndarray:
    """Walking distance from each site to each building (inf when farther than ``limit``)."""
    out = np.full((len(nodes), len(area.buildings)), np.inf)
    ok = np.flatnonzero(nodes >= 0)
    if not len(ok):
        return out
    dist = np.atleast_2d(dijkstra(net.csgraph, directed=False, indices=nodes[ok], limit=limit))
    at = np.where(area.building_nodes >= 0, dist[:, np.maximum(area.building_nodes, 0)], np.inf)
    for b in range(len(area.buildings)):
        out[ok, b] = at[:, area.building_of == b].min(axis=1)
    return out


def _uses(fills: list[str], site_type: str, standards: pd.DataFrame) -> dict[str, Any]:
    """Up to three kinds the site would add with their renovation classes, or the upgrade of its type.

    ``{"kinds": [...], "classes": [...]}``, or ``{"kinds": [], "upgrade": type, "classes": ["improvement"]}``
    (:func:`pipeline.core.words.uses_text` says it).
    """
    if not fills:
        upgrade = site_type if site_type in _UPGRADE else _UPGRADE[0]
        return {"kinds": [], "upgrade": upgrade, "classes": ["improvement"]}
    top = fills[:3]
    return {"kinds": top, "classes": [str(standards.loc[k, "renovation_class"]) for k in top]}


def _reason(
    row: Any, fills: list[str], reach: np.ndarray, covered: np.ndarray, standards: pd.DataFrame
) -> dict[str, Any]:
    """The parts of the one line a resident understands (:func:`pipeline.core.words.reason_text` says it).

    ``fills``: the kind the site adds first (``""`` for none), ``radius_m`` its walking radius,
    ``buildings`` the buildings it newly brings within it (``None`` when none has that kind within it
    now); ``type`` and ``name`` of the site; ``spots`` nearby; ``area_m2``.
    """
    parts: dict[str, Any] = {"fills": "", "radius_m": None, "buildings": None, "type": row.type}
    parts["name"] = row.name if isinstance(row.name, str) else ""
    if fills:
        kind = fills[0]
        r = int(standards.loc[kind, "radius_m"])
        k = standards.index.get_loc(kind)
        parts.update(fills=kind, radius_m=r)
        if covered[:, k].any():
            parts["buildings"] = int((~covered[:, k] & (reach <= r)).sum())
    parts["spots"] = int(row.spots)
    parts["area_m2"] = float(row.area_m2)
    return parts


def find_sites(
    inventory: Inventory,
    features: gpd.GeoDataFrame | None = None,
    *,
    spots: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
    aged_60_plus_pct: float | None = None,
    households: pd.Series | None = None,
    options: SiteOptions | None = None,
    coverage: Coverage | None = None,
    **area_options: Any,
) -> tuple[Coverage, gpd.GeoDataFrame]:
    """Coverage, candidates and their assessment for one compound, ranked with the default weights.

    Parameters
    ----------
    inventory, features
        The compound's inventory and the extract's feature frame (see
        :func:`pipeline.sites.coverage.prepare_area`).
    spots
        Residents' spots (:func:`read_spots`): a GeoDataFrame of points or a table with lon/lat,
        optional ``supports`` and ``votes``; the store's :func:`store.geo.spots_frame` gives one.
    standards
        The facility standards, overrides applied; the shipped ones by default.
    aged_60_plus_pct
        The profile's share aged 60+ (weights elderly uses).
    households
        Households per building ``source_id`` (weights coverage).
    options
        Thresholds of :class:`SiteOptions`.
    coverage
        A coverage already measured for this inventory (the app caches it); else it is measured.
    **area_options
        Passed to :func:`pipeline.sites.coverage.prepare_area` (``margin_m``, ``wall_neighbours``, …).
    """
    standards = read_standards() if standards is None else standards
    if coverage is None:
        coverage = assess_coverage(
            inventory, features, standards=standards, weights=households, **area_options
        )
    local = read_spots(spots, inventory.crs)
    context = inventory.context["buildings"] if coverage.area.features is None else None
    found = candidate_sites(coverage.area, inventory.assets, spots=local, buildings=context, options=options)
    sites = assess_sites(
        coverage.area,
        found,
        coverage.access,
        standards,
        spots=local,
        aged_60_plus_pct=aged_60_plus_pct,
        options=options,
    )
    log.info("Ranked %d sites; first: %s", len(sites), reason_text(sites["reason"].iloc[0], "en") if len(sites) else "none")
    return coverage, sites
