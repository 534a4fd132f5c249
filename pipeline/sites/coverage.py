"""Walking coverage of a compound's residential buildings against GB 50180-2018.

For every facility kind of the standards (:func:`pipeline.sites.standards.read_standards`), the walking
distance from every residential building of the compound to the nearest facility of that kind,
inside the compound or outside it, on the walled network of :mod:`pipeline.walk.network`: one
multi-source Dijkstra per kind from all its facilities, never one per building.

A building is reached at its mapped entrances (``entrance=*`` nodes on its outline) when there are
any, else at the point of its outline nearest a path on its side of the wall. Coverage of a kind is
the share of buildings within the kind's radius, weighted by households when they are given
(``weights``, e.g. from the profile's building table) and else by floor area: footprint × levels,
with unknown levels taken as the median mapped in the compound, else :data:`DEFAULT_LEVELS`.

**Not mapped is not missing.** OpenStreetMap often maps a compound's outline and a few of its
buildings only; a kind with none within its radius is then as likely unmapped as absent.
:func:`data_density` measures how much housing the map shows: the share of the compound's ground its
mapped residential footprints cover (建筑密度 of the housing). Old compounds of the golden set cover
20–30 % (GB 50180-2018 caps a multi-storey block near 30 %); under :data:`THIN_HOUSING_SHARE` (10 %)
most of the housing, and so most of what serves it, is probably not on the map. Then a kind with none
within its radius is ``unmapped``, not a ``gap``, and the compound wants a survey before its gaps are
read (the demo 石科院生活区: 8 residential buildings covering 7.5 % of 11.3 ha).

The inputs are prepared by :func:`prepare_area` (:mod:`pipeline.sites.area`, re-exported here);
the outputs are :func:`building_access`, :func:`coverage_table` and :func:`service_areas`.
:func:`assess_coverage` does it all, and is what a batch run calls per compound;
:func:`coverage_summary` turns its table into one row of a city table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.inventory.build import Inventory
from pipeline.sites.area import (
    WEIGHT,
    WEIGHT_BASIS,
    WalkArea,
    neighbour_walls,
    prepare_area,
    residential_buildings,
)
from pipeline.sites.standards import read_standards
from pipeline.walk.network import distances_from

log = logging.getLogger(__name__)

__all__ = [
    "THIN_HOUSING_SHARE", "WEIGHT", "WEIGHT_BASIS", "Coverage", "DataDensity", "WalkArea", "assess_coverage",
    "building_access", "coverage_summary", "coverage_table", "data_density", "neighbour_walls", "prepare_area",
    "residential_buildings", "service_areas",
]  # fmt: skip

SERVICE_BUFFER_M = 20.0  # a service area is the reached paths widened by this much
#: Mapped housing footprints covering less than this share of the compound's ground: the map is thin.
THIN_HOUSING_SHARE = 0.10


@dataclass(frozen=True)
class DataDensity:
    """How much of a compound's housing the map shows (see the module: not mapped is not missing)."""

    area_ha: float
    buildings: int  # residential buildings mapped inside
    housing_share: float  # share of the compound's ground their footprints cover
    thin: bool  # housing_share under the threshold: gaps are "not mapped", a survey comes first


@dataclass(frozen=True, eq=False)
class Coverage:
    """What :func:`assess_coverage` returns."""

    area: WalkArea
    access: pd.DataFrame
    table: pd.DataFrame
    density: DataDensity


def data_density(area: WalkArea, *, min_housing_share: float = THIN_HOUSING_SHARE) -> DataDensity:
    """Measure the mapped housing of the compound against its ground (:data:`THIN_HOUSING_SHARE`)."""
    ground = float(area.boundary.area)
    footprint = float(shapely.union_all(area.buildings.geometry.to_numpy()).intersection(area.boundary).area)
    share = footprint / ground if ground > 0 else 0.0
    return DataDensity(
        area_ha=round(ground / 1e4, 2),
        buildings=len(area.buildings),
        housing_share=round(share, 3),
        thin=share < min_housing_share,
    )


def building_access(area: WalkArea, standards: pd.DataFrame) -> pd.DataFrame:
    """Walking distance from every residential building to the nearest facility of each kind.

    One multi-source Dijkstra per kind, from all its facilities at once.

    Returns
    -------
    DataFrame
        One row per building and kind: ``source_id``, ``building`` (its name), ``kind``, ``dist_m``
        (NaN when none is reachable), ``radius_m``, ``covered``, ``nearest_id``, ``nearest_name``.
    """
    fac = area.facilities[area.facilities["node"] >= 0]
    f_kind, f_node = fac[S.KIND].to_numpy(), fac["node"].to_numpy()
    f_id, f_name = fac[S.SOURCE_ID].to_numpy(dtype=object), fac[S.NAME].to_numpy(dtype=object)
    n_b = len(area.buildings)
    valid = area.building_nodes >= 0
    anchors = np.where(valid, area.building_nodes, 0)
    order = np.argsort(area.building_of, kind="stable")  # anchors grouped by building, first anchor first
    starts = np.searchsorted(area.building_of[order], np.arange(n_b))
    kinds, dists, ids, names = [], [], [], []
    for kind in standards.index:
        mine = np.flatnonzero(f_kind == kind)
        dist, nearest = distances_from(area.network, f_node[mine])
        at = np.where(valid, dist[anchors], np.inf)[order]
        best_anchor = order[
            starts
            + np.array(
                [np.argmin(at[a:b]) for a, b in zip(starts, [*starts[1:], len(at)], strict=True)], dtype=int
            )
        ]
        best = np.where(valid[best_anchor], dist[anchors[best_anchor]], np.inf)
        node_to_facility = dict(zip(f_node[mine].tolist(), mine.tolist(), strict=False))
        source = [
            node_to_facility.get(int(nearest[anchors[a]]), -1) if np.isfinite(d) else -1
            for a, d in zip(best_anchor, best, strict=True)
        ]
        kinds.append(np.full(n_b, kind, dtype=object))
        dists.append(best)
        ids.append([f_id[i] if i >= 0 else "" for i in source])
        names.append([f_name[i] if i >= 0 else "" for i in source])
    best = np.concatenate(dists)
    radius = standards["radius_m"].to_numpy().repeat(n_b)
    return pd.DataFrame(
        {
            S.SOURCE_ID: np.tile(area.buildings[S.SOURCE_ID].to_numpy(), len(standards)),
            "building": np.tile(area.buildings[S.NAME].to_numpy(), len(standards)),
            S.KIND: np.concatenate(kinds),
            "dist_m": np.where(np.isfinite(best), np.round(best, 1), np.nan),
            "radius_m": radius,
            "covered": best <= radius,
            "nearest_id": np.concatenate(ids),
            "nearest_name": np.concatenate(names),
        }
    )


def coverage_table(
    area: WalkArea, access: pd.DataFrame, standards: pd.DataFrame, *, thin: bool = False
) -> pd.DataFrame:
    """The coverage of each kind: share of buildings (weighted) within the radius, and why not.

    ``status`` is ``met`` (every building covered), ``partial`` or ``gap`` (none covered); on a thin
    map (``thin``, :func:`data_density`) a kind none covered is ``unmapped`` instead. Why a kind
    is not reached: ``off_network`` facilities of it lie off the walking network (the first three in
    ``off_network_ids``), or ``unreachable``, none is reachable on foot from the compound
    (:func:`pipeline.core.words.coverage_note_text` says it).
    """
    weight = access[S.SOURCE_ID].map(area.buildings.set_index(S.SOURCE_ID)[WEIGHT])
    fac = area.facilities
    rows = []
    for kind, std in standards.iterrows():
        mine = access[access[S.KIND] == kind]
        w = weight[mine.index]
        share = float(w[mine["covered"]].sum() / w.sum()) if w.sum() > 0 else 0.0
        found = fac[fac[S.KIND] == kind]
        off = found[found["node"] < 0]
        reached = mine["dist_m"].notna()
        rows.append(
            {
                S.KIND: kind,
                "facility_zh": std["facility_zh"],
                "facility_en": std["facility_en"],
                "level": std["level"],
                "radius_m": std["radius_m"],
                "radius_basis": std["radius_basis"],
                "recalled": std["recalled"],
                "facilities": len(found),
                "buildings": len(mine),
                "buildings_covered": int(mine["covered"].sum()),
                "share_covered": round(share, 3),
                "weight_basis": "+".join(sorted(set(area.buildings[WEIGHT_BASIS]))),
                "nearest_median_m": round(float(mine["dist_m"].median()), 1) if reached.any() else np.nan,
                "nearest_max_m": round(float(mine["dist_m"].max()), 1) if reached.all() else np.nan,
                "status": _status(share, thin),
                "renovation_class": std["renovation_class"],
                "off_network": len(off),
                "off_network_ids": ", ".join(off[S.SOURCE_ID].head(3)),
                "unreachable": bool(not len(off) and len(found) and not reached.any()),
            }
        )
    return pd.DataFrame(rows)


def _status(share: float, thin: bool) -> str:
    if share >= 0.999:
        return "met"
    if share > 0:
        return "partial"
    return "unmapped" if thin else "gap"


def service_areas(
    area: WalkArea, standards: pd.DataFrame, *, buffer_m: float = SERVICE_BUFFER_M
) -> gpd.GeoDataFrame:
    """Walking service areas: per kind, the paths within its radius of a facility, widened by ``buffer_m``.

    An edge reached from both ends within the radius is kept whole; else the reached part from each end.
    """
    net, fac = area.network, area.facilities
    a, b = net.xy[net.u], net.xy[net.v]
    length = np.maximum(net.length_m, 1e-9)
    rows = []
    for kind, std in standards.iterrows():
        r = float(std["radius_m"])
        nodes = fac[(fac[S.KIND] == kind) & (fac["node"] >= 0)]["node"].to_numpy()
        dist, _ = distances_from(net, nodes, limit=r)
        from_u = np.clip((r - dist[net.u]) / length, 0, 1)  # share of the edge reached from u
        from_v = np.clip((r - dist[net.v]) / length, 0, 1)
        whole = from_u + from_v >= 1
        pieces = [
            np.stack([a[whole], b[whole]], axis=1),
            np.stack([a, a + from_u[:, None] * (b - a)], axis=1)[~whole & (from_u > 0)],
            np.stack([b, b + from_v[:, None] * (a - b)], axis=1)[~whole & (from_v > 0)],
        ]
        lines = shapely.linestrings(np.concatenate(pieces))
        geom = (
            shapely.union_all(shapely.buffer(lines, buffer_m, quad_segs=4))
            if len(lines)
            else shapely.Polygon()
        )
        rows.append(
            {
                S.KIND: kind,
                "facility_en": std["facility_en"],
                "facility_zh": std["facility_zh"],
                "radius_m": r,
                "facilities": len(nodes),
                "area_m2": round(geom.area, 0),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.crs)


def coverage_summary(table: pd.DataFrame) -> dict[str, float | int | str]:
    """One compound's coverage as a row of a city table (issue 8's batch).

    ``coverage_<kind>``: the weighted share covered of each kind; ``gap_kinds``: how many kinds have
    none within their radius on the map; ``gaps``: those kinds, comma-separated, in the standards'
    order; ``unmapped_kinds``: how many of them the map is too thin to call missing (survey first).
    """
    row: dict[str, float | int | str] = {
        f"coverage_{kind}": float(share)
        for kind, share in zip(table[S.KIND], table["share_covered"], strict=True)
    }
    gaps = table.loc[table["status"].isin(["gap", "unmapped"]), S.KIND].tolist()
    row["gap_kinds"] = len(gaps)
    row["gaps"] = ", ".join(gaps)
    row["unmapped_kinds"] = int((table["status"] == "unmapped").sum())
    return row


def assess_coverage(
    inventory: Inventory,
    features: gpd.GeoDataFrame | None = None,
    *,
    standards: pd.DataFrame | None = None,
    weights: Mapping[str, float] | pd.Series | None = None,
    min_housing_share: float = THIN_HOUSING_SHARE,
    **options: Any,
) -> Coverage:
    """Prepare the area and measure every building's access and the coverage of every kind.

    This is the one call per compound for a coverage summary (``Coverage.table``); ``options`` go to
    :func:`prepare_area` (``margin_m``, ``wall_neighbours``). ``min_housing_share`` is the share of the
    ground mapped housing must cover for a kind none reaches to count as a gap (0 trusts any map).
    """
    standards = read_standards() if standards is None else standards
    area = prepare_area(inventory, features, standards=standards, weights=weights, **options)
    access = building_access(area, standards)
    density = data_density(area, min_housing_share=min_housing_share)
    table = coverage_table(area, access, standards, thin=density.thin)
    if density.thin:
        log.warning(
            "The map is thin: %d residential buildings cover %.1f%% of %.1f ha (under %.0f%%); kinds none "
            "reaches are 'not mapped', not missing: survey the compound.",
            density.buildings,
            100 * density.housing_share,
            density.area_ha,
            100 * min_housing_share,
        )
    gaps = table[table["status"] != "met"]
    log.info(
        "Coverage of %d buildings: %d of %d kinds fully met, gaps in %s.",
        len(area.buildings),
        len(table) - len(gaps),
        len(table),
        ", ".join(gaps[S.KIND]) or "none",
    )
    return Coverage(area, access, table, density)
