"""Candidate micro-renovation sites: what they could hold, how they rank, and why.

Candidates come from :mod:`pipeline.sites.candidates`. :func:`assess_sites` measures, per site, what
each use it could hold would bring (``options``), and three parts from 0 to 1:

- ``demand``: residents' spots within ``demand_radius_m``, each counting 1 + its supports + its
  votes, relative to the best site;
- ``suitability``: the mean of size, width, access (distance to a path) and walking distance to a
  gate;
- the share aged 60+ (for the ``profile`` part below).

A use is a kind the site's type can hold (:data:`HOSTS`) and is large enough for (``min_size``; a floor
area may take :data:`FLOOR_STOREYS`). Its **value** is the share of the compound's housing (weighted as
in :mod:`pipeline.sites.coverage`) it would newly bring within the kind's radius, times how well the
site's shape suits it (:func:`shape_fit`). Ground within a home's sunlight spacing
(:mod:`pipeline.sites.spacing`) takes open-air uses only (:data:`OPEN_AIR`): a kiosk or a building needs
room outside it.

:func:`rank_sites` ranks **greedily**: it takes the site with the best score, lets it take its first
use, counts the buildings that use brings within its radius as covered for that kind, and scores the
others again; so a gap filled by a site ranked higher is no gap for the ones below it, and the first
sites propose different things. Per site, at its turn:

- ``gap``: the value of its best use (never a sum over kinds);
- ``profile``: the share aged 60+ times the value of its best elderly use (:data:`ELDERLY_KINDS`);
- ``uses``: at most three uses, best first (the first is the one it takes; the others are what it
  could hold instead), with the renovation class of the 2020 guidance
  (:func:`pipeline.core.words.uses_text`), or the upgrade of its type when it fills nothing;
- ``score`` = 100 × Σ wᵢ·partᵢ / Σ wᵢ with :class:`SiteWeights` (editable; re-ranking routes nothing);
- ``reason``: the parts of its one line (the use it takes and how, its spots, its area), which
  :func:`pipeline.core.words.reason_text` says in either language ("fills: elderly day-care centre,
  none mapped within 300 m; 14 spots nearby; 820 m²").

The module returns these keys and values, never sentences. :func:`find_sites` runs coverage,
candidates and assessment in one call; supervision zones after the vote are
:func:`pipeline.sites.zones.supervision_zones` (re-exported).
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
from pipeline.core.errors import DataError, Listed, Words
from pipeline.core.words import reason_text
from pipeline.inventory.build import Inventory
from pipeline.sites.candidates import SITE_TYPES, SiteOptions, candidate_sites, read_spots, wide_part
from pipeline.sites.coverage import WEIGHT, Coverage, WalkArea, assess_coverage
from pipeline.sites.spacing import sunlight_spacing
from pipeline.sites.standards import read_standards
from pipeline.sites.zones import supervision_zones
from pipeline.walk.network import WalkNetwork, attach, distances_from, outline_points

log = logging.getLogger(__name__)

__all__ = [
    "ELDERLY_KINDS", "HOSTS", "OPEN_AIR", "SITE_TYPES", "SiteOptions", "SiteWeights", "assess_sites",
    "candidate_sites", "find_sites", "rank_sites", "read_spots", "shape_fit", "supervision_zones",
]  # fmt: skip

PARTS = ("demand", "gap", "suitability", "profile")
#: Outdoor grounds: their value depends on the site's shape (:func:`shape_fit`).
GROUNDS = ("playground", "fitness", "sports_ground")
_SMALL = ("bicycle_parking", "parcel_locker", "waste_point", "recycling")
_BUILT = ("elderly_care", "community_service", "childcare", "culture_station", "clinic", "canteen",
          "property_management", "convenience", "toilets", "waste_station")  # fmt: skip
#: Uses with no roof or kiosk, the only ones sunlight-spacing ground takes: the grounds, bicycle racks
#: and bins. A parcel locker, a recycling kiosk and every building need room outside the spacing.
OPEN_AIR = frozenset({*GROUNDS, "bicycle_parking", "waste_point"})
#: Kinds each type of site can hold: lawns and public spaces stay open; only vacant land and leftover
#: corners take a small building.
HOSTS: dict[str, tuple[str, ...]] = {
    "vacant": GROUNDS + _SMALL + _BUILT, "leftover": GROUNDS + _SMALL + _BUILT, "green": GROUNDS,
    "public_space": GROUNDS, "parking": GROUNDS + _SMALL, "hard": GROUNDS + _SMALL, "spots": GROUNDS + _SMALL,
}  # fmt: skip
#: Kinds that serve older residents most (儿童、老年人活动场地 included).
ELDERLY_KINDS = frozenset({"elderly_care", "canteen", "clinic", "fitness", "playground"})
FLOOR_STOREYS = 2  # a floor-area facility may take a two-storey infill building
MAX_USES = 3  # a site lists at most this many uses
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
            said = (Words("error.sites.weight", part=Words(f"app.sites_{k}"), value=v) for k, v in values.items())
            raise DataError("error.sites.weights", values=Listed(said))


def shape_fit(area_m2: float, width_m: float, opt: SiteOptions) -> float:
    """How well a site's shape suits an outdoor ground, 0 to 1: a compact lawn 1, a strip less.

    Every site is already the part of its land at least ``min_width_m`` (8 m) wide. Its inscribed width
    (the diameter of the largest circle inside, ``width_m``) tells a square from a strip of the same
    area: the fit grows with the width up to ``full_width_m`` (20 m, room for a court or a play area
    with a ring of benches) and with the area up to ``full_size_m2`` (800 m², the largest land the
    standard asks, the 770 m² sports ground), and is their product. A 10 m wide strip of 1,200 m² fits
    0.5, a 40 × 50 m lawn 1.
    """
    return float(min(1.0, area_m2 / opt.full_size_m2) * min(1.0, width_m / opt.full_width_m))


def rank_sites(assessed: gpd.GeoDataFrame, weights: SiteWeights | None = None) -> gpd.GeoDataFrame:
    """Score (0–100) and rank the assessed sites with ``weights``, greedily (see the module); ties by ``site_id``.

    Sites assessed by :func:`assess_sites` carry ``options``; a frame without them (parts given by hand)
    is scored on its parts as they stand.
    """
    w = weights or SiteWeights()
    total = sum(getattr(w, p) for p in PARTS)
    out = assessed.copy()
    if "options" in out.columns and len(out):
        out = _greedy(out, w)
    score = sum(getattr(w, p) * out[p].astype(float) for p in PARTS) if len(out) else []
    out["score"] = np.round(100 * np.asarray(score, dtype=float) / total, 1)
    if "options" not in out.columns:
        out = out.sort_values(["score", "site_id"], ascending=[False, True], kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def _greedy(out: gpd.GeoDataFrame, w: SiteWeights) -> gpd.GeoDataFrame:
    """Order the sites greedily; each takes its first use, which later sites count as filled."""
    taken: dict[str, set[int]] = {}
    left = list(range(len(out)))
    fixed = {p: out[p].to_numpy(dtype=float) for p in ("demand", "suitability")}
    ids = out["site_id"].to_numpy()
    order, chosen = [], {}
    while left:
        best: tuple[tuple[float, str], int, dict[str, Any]] | None = None
        for i in left:
            pick = _choose(out["options"].iloc[i], taken)
            score = (
                w.demand * fixed["demand"][i]
                + w.gap * pick["gap"]
                + w.suitability * fixed["suitability"][i]
                + w.profile * pick["profile"]
            )
            key = (-round(score, 9), str(ids[i]))
            if best is None or key < best[0]:
                best = (key, i, pick)
        assert best is not None
        _, i, pick = best
        order.append(i)
        chosen[i] = pick
        left.remove(i)
        if pick["kinds"]:
            first = pick["kinds"][0]
            taken.setdefault(first, set()).update(out["options"].iloc[i]["kinds"][first]["reach"])
    out = out.iloc[order].copy()
    picks = [chosen[i] for i in order]
    out["gap"] = [round(p["gap"], 3) for p in picks]
    out["profile"] = [round(p["profile"], 3) for p in picks]
    out["fills"] = [", ".join(p["kinds"]) for p in picks]
    out["uses"] = [_uses(p, t) for p, t in zip(picks, out["type"], strict=True)]
    out["renovation_class"] = [u["classes"][0] for u in out["uses"]]
    out["reason"] = [_reason(row, p) for row, p in zip(out.itertuples(), picks, strict=True)]
    return out


def _choose(options: dict[str, Any], taken: dict[str, set[int]]) -> dict[str, Any]:
    """A site's uses given what the sites above it took: best first, at most :data:`MAX_USES`.

    Best: the largest value (elderly kinds weighted up by the share aged 60+), then the standards'
    order (the compound's own block level first).
    """
    share60 = options["share60"]
    found = []
    for order, (kind, use) in enumerate(options["kinds"].items()):
        gone = taken.get(kind, set())
        newly = [b for b in use["reach"] if b not in gone]
        value = use["fit"] * sum(use["reach"][b] for b in newly)
        if value >= options["min_gain"]:
            boost = 1 + share60 * (kind in ELDERLY_KINDS)
            found.append(
                (-round(value * boost, 2), order, kind, value, len(newly), use["covered"] or bool(gone))
            )
    found.sort()
    top = found[:MAX_USES]
    elderly = [value for _, _, kind, value, _, _ in found if kind in ELDERLY_KINDS]
    return {
        "kinds": [kind for _, _, kind, _, _, _ in top],
        "classes": [options["kinds"][kind]["class"] for _, _, kind, _, _, _ in top],
        "gap": top[0][3] if top else 0.0,
        "profile": share60 * max(elderly, default=0.0),
        "buildings": top[0][4] if top and top[0][5] else None,
        "radius_m": int(options["kinds"][top[0][2]]["radius_m"]) if top else None,
    }


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
    """Measure each candidate's parts and the uses it could hold, and rank with the default weights.

    ``access`` is :func:`pipeline.sites.coverage.building_access`'s table; ``spots`` as from
    :func:`read_spots`. Call :func:`rank_sites` to weigh again. ``spacing_share`` is the share of the
    site within sunlight spacing, ``room_m2`` its ground outside it at least ``min_width_m`` wide.
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
    spacing = sunlight_spacing(area.buildings, area.features, opt.sunlight_ratio)
    geoms = out.geometry.to_numpy()
    out["spacing_share"] = np.round(
        shapely.area(shapely.intersection(geoms, spacing)) / shapely.area(geoms), 3
    )
    room = [wide_part(shapely.difference(g, spacing), opt.min_width_m) for g in geoms]
    out["room_m2"] = np.round(shapely.area(np.array(room, dtype=object)), 0)
    weight = area.buildings[WEIGHT].to_numpy(dtype=float)
    share = weight / weight.sum() if weight.sum() > 0 else np.zeros_like(weight)
    share60 = (aged_60_plus_pct or 0.0) / 100
    out["options"] = [
        {
            "kinds": _options(reach[s], row, covered, share, standards, opt),
            "share60": share60,
            "min_gain": opt.min_gain,
        }
        for s, row in enumerate(out.itertuples())
    ]
    size = np.minimum(1, out["area_m2"] / opt.full_size_m2)
    width = np.minimum(1, out["width_m"] / opt.full_width_m)
    near_path = np.clip(1 - (out["access_m"].fillna(opt.far_access_m) - 5) / (opt.far_access_m - 5), 0, 1)
    gate = np.clip(1 - out["gate_m"].fillna(opt.far_gate_m) / opt.far_gate_m, 0, 1)
    out["suitability"] = np.round((size + width + near_path + gate) / 4, 3)
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


def _options(
    reach: np.ndarray, site: Any, covered: np.ndarray, share: np.ndarray, standards: pd.DataFrame,
    opt: SiteOptions,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The uses a site could hold, in the standards' order: kind → what ranking needs to value it.

    ``fit`` (:func:`shape_fit` for a ground, else 1), ``reach`` (building position → its share of the
    housing, for the buildings without the kind within its radius that the site would bring within
    it), ``covered`` (whether any building has the kind within its radius now), ``radius_m``,
    ``class`` (the renovation class). A use that needs a roof or a kiosk (not :data:`OPEN_AIR`) needs
    its size in ``room_m2``, the site's ground outside sunlight spacing.
    """
    found = {}
    for k, (kind, std) in enumerate(standards.iterrows()):
        if kind not in HOSTS[site.type]:
            continue
        size = std["min_size"]
        need = 0.0 if pd.isna(size) else size / FLOOR_STOREYS if "floor" in str(std["size_unit"]) else size
        room = site.area_m2 if kind in OPEN_AIR else site.room_m2
        if room <= 0 or room < need:
            continue
        newly = np.flatnonzero(~covered[:, k] & (reach <= std["radius_m"]))
        found[str(kind)] = {
            "fit": shape_fit(site.area_m2, site.width_m, opt) if kind in GROUNDS else 1.0,
            "reach": {int(b): float(share[b]) for b in newly},
            "covered": bool(covered[:, k].any()),
            "radius_m": float(std["radius_m"]),
            "class": str(std["renovation_class"]),
        }
    return found


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


def _uses(pick: dict[str, Any], site_type: str) -> dict[str, Any]:
    """The kinds a site would add with their renovation classes, or the upgrade of its type.

    ``{"kinds": [...], "classes": [...]}``, or ``{"kinds": [], "upgrade": type, "classes": ["improvement"]}``
    (:func:`pipeline.core.words.uses_text` says it).
    """
    if not pick["kinds"]:
        upgrade = site_type if site_type in _UPGRADE else _UPGRADE[0]
        return {"kinds": [], "upgrade": upgrade, "classes": ["improvement"]}
    return {"kinds": list(pick["kinds"]), "classes": list(pick["classes"])}


def _reason(row: Any, pick: dict[str, Any]) -> dict[str, Any]:
    """The parts of the one line a resident understands (:func:`pipeline.core.words.reason_text` says it).

    ``fills``: the use the site takes (``""`` for none), ``radius_m`` its walking radius, ``buildings``
    the buildings it newly brings within it (``None`` when none has that kind within it now, nor from
    a site ranked higher); ``type`` and ``name`` of the site; ``spots`` nearby; ``area_m2``.
    """
    kinds = pick["kinds"]
    return {
        "fills": kinds[0] if kinds else "",
        "radius_m": pick["radius_m"],
        "buildings": pick["buildings"],
        "type": row.type,
        "name": row.name if isinstance(row.name, str) else "",
        "spots": int(row.spots),
        "area_m2": float(row.area_m2),
    }


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
    log.info(
        "Ranked %d sites; first: %s",
        len(sites),
        reason_text(sites["reason"].iloc[0], "en") if len(sites) else "none",
    )
    return coverage, sites
