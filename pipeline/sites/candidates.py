"""Candidate micro-renovation sites: land inside the compound that could change.

Four sources (:func:`candidate_sites`): open or underused land (``landuse=grass|greenfield|
brownfield|…``, surface car parks, paved squares), the compound's public spaces to upgrade, the
leftover corners between buildings and paths (the 三角地 of the Qinghe case: what is left once
buildings and path corridors of :data:`HALF_WIDTH_M` are taken away; pieces larger than
``max_leftover_m2`` are unmapped yards, not corners), and clusters of residents' spots that no other
candidate already counts. Every candidate keeps only the part at least ``min_width_m`` wide (a
morphological opening), so a 3 m strip is never a site.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.core import schema as S
from pipeline.core.errors import CRSError, DataError
from pipeline.sites.coverage import WalkArea
from pipeline.sites.spacing import SUNLIGHT_RATIO

log = logging.getLogger(__name__)

#: The types of candidate site (their words: catalogue ``site.type.<type>``).
SITE_TYPES = ("vacant", "green", "parking", "hard", "leftover", "public_space", "spots")
#: Half the width of the corridor a path takes, by ``highway=`` class, when finding leftover corners.
HALF_WIDTH_M = {
    "footway": 1.5,
    "path": 1.5,
    "steps": 1.5,
    "cycleway": 1.5,
    "service": 3.0,
    "living_street": 3.5,
    "residential": 4.0,
    "unclassified": 5.0,
    "tertiary": 6.0,
}


@dataclass(frozen=True)
class SiteOptions:
    """Thresholds of candidate finding and scoring (metres and square metres)."""

    min_area_m2: float = 100.0
    max_leftover_m2: float = 3000.0  # larger open pieces are unmapped yards, not corners
    min_width_m: float = 8.0  # GB 50180-2018: shared green space in a block at least 8 m wide
    demand_radius_m: float = 50.0
    cluster_m: float = 30.0
    min_cluster_spots: int = 3
    full_size_m2: float = 800.0  # the largest land size the standard asks (770 m2 sports ground)
    full_width_m: float = 20.0
    far_access_m: float = 50.0
    far_gate_m: float = 400.0
    min_gain: float = 0.01
    sunlight_ratio: float = SUNLIGHT_RATIO  # 日照间距系数 (Beijing), see pipeline.sites.spacing


def _land_type(tags: dict[str, str]) -> str | None:
    landuse = tags.get("landuse")
    if landuse in ("greenfield", "brownfield"):
        return "vacant"
    if landuse in ("grass", "meadow", "village_green", "flowerbed") or tags.get("natural") in (
        "grassland",
        "scrub",
    ):
        return "green"
    if tags.get("amenity") == "parking" and tags.get("parking", "surface") == "surface":
        return "parking"
    if tags.get("highway") == "pedestrian" or tags.get("place") == "square" or "area:highway" in tags:
        return "hard"
    return None


def wide_part(geom: shapely.Geometry, width: float) -> shapely.Geometry:
    """The part of ``geom`` at least ``width`` wide (a morphological opening)."""
    core = geom.buffer(-width / 2, join_style="mitre")
    return shapely.intersection(core.buffer(width / 2, join_style="mitre"), geom)


def read_spots(spots: pd.DataFrame | None, crs: object) -> gpd.GeoDataFrame:
    """Residents' spots as points in ``crs`` with ``supports``, ``votes`` and ``demand`` (1+supports+votes).

    ``spots`` is a GeoDataFrame of points (any CRS) or a table with ``lon``/``lat`` in WGS-84; the
    store's :func:`store.geo.spots_frame` gives one.
    """
    if spots is None or len(spots) == 0:
        return gpd.GeoDataFrame({"supports": [], "votes": [], "demand": []}, geometry=[], crs=crs)
    if not isinstance(spots, gpd.GeoDataFrame):
        if not {S.LON, S.LAT} <= set(spots.columns):
            raise DataError("error.sites.spots_columns")
        spots = gpd.GeoDataFrame(spots, geometry=gpd.points_from_xy(spots[S.LON], spots[S.LAT]), crs=S.WGS84)
    if spots.crs is None:
        raise CRSError("error.sites.spots_crs")
    out = spots.to_crs(crs)
    out = out[out.geom_type == "Point"].copy()
    for col in ("supports", "votes"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0) if col in out else 0.0
    out["demand"] = 1 + out["supports"] + out["votes"]
    return out


def candidate_sites(
    area: WalkArea,
    assets: gpd.GeoDataFrame,
    *,
    spots: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    options: SiteOptions | None = None,
) -> gpd.GeoDataFrame:
    """Find the candidate sites inside the compound.

    Parameters
    ----------
    area
        From :func:`pipeline.sites.coverage.prepare_area`.
    assets
        The inventory's assets (public spaces to upgrade).
    spots
        Residents' spots from :func:`read_spots` (in the area's CRS).
    buildings
        Every building polygon to keep leftover corners clear of; the area's features by default.
    options
        Thresholds.

    Returns
    -------
    GeoDataFrame
        ``site_id`` (``S01``…), ``type``, ``source_id``, ``name``, ``area_m2``, ``width_m``, geometry
        (the usable part).
    """
    opt = options or SiteOptions()
    poly = area.boundary
    rows: list[dict[str, object]] = []
    feats = area.features
    if buildings is None:
        buildings = (
            feats[feats[S.TAGS].map(lambda t: "building" in t).astype(bool)]
            if feats is not None
            else area.buildings
        )
    built = shapely.union_all(shapely.buffer(buildings.geometry.to_numpy(), 1.0))
    if feats is not None:
        polys = feats[
            feats.geom_type.isin(["Polygon", "MultiPolygon"]) & feats.representative_point().within(poly)
        ]
        for sid, name, tags, geom in zip(
            polys[S.SOURCE_ID], polys[S.NAME], polys[S.TAGS], polys.geometry, strict=True
        ):
            kind = _land_type(tags)
            if kind is not None:
                rows.append(
                    {"type": kind, S.SOURCE_ID: sid, S.NAME: name or "", "geometry": geom.intersection(poly)}
                )
    public = assets[
        (assets[S.CATEGORY] == S.Category.PUBLIC_SPACE)
        & assets[S.INSIDE].astype(bool)
        & assets.geom_type.isin(["Polygon", "MultiPolygon"])
    ]
    taken = {r[S.SOURCE_ID] for r in rows}
    for sid, name, geom in zip(public[S.SOURCE_ID], public[S.NAME], public.geometry, strict=True):
        if sid in taken:  # a lawn that is a public space stays a lawn: that says what is there
            rows = [
                dict(r, type="public_space") if r[S.SOURCE_ID] == sid and r["type"] != "green" else r
                for r in rows
            ]
        else:
            rows.append({"type": "public_space", S.SOURCE_ID: sid, S.NAME: name or "", "geometry": geom})
    # Only the open part, at least min_width_m wide: never the buildings on it, never a strip.
    found = [
        dict(r, geometry=wide_part(shapely.difference(r["geometry"], built), opt.min_width_m)) for r in rows
    ]
    found = [r for r in found if r["geometry"].area >= opt.min_area_m2]
    found += _leftovers(area, [r["geometry"] for r in found], built, opt)
    found += _spot_clusters(spots, poly, [r["geometry"] for r in found], built, opt)
    frame = gpd.GeoDataFrame(
        found, columns=["type", S.SOURCE_ID, S.NAME, "geometry"], geometry="geometry", crs=area.network.crs
    )
    frame[S.NAME] = frame[S.NAME].fillna("")
    frame["area_m2"] = frame.area.round(0)
    radius = shapely.length(shapely.maximum_inscribed_circle(frame.geometry.to_numpy(), tolerance=0.5))
    frame["width_m"] = np.round(2 * radius, 1)
    frame.insert(0, "site_id", [f"S{i + 1:02d}" for i in range(len(frame))])
    log.info("Found %d candidate sites (%s).", len(frame), frame["type"].value_counts().to_dict())
    return frame


def _leftovers(
    area: WalkArea, others: list[shapely.Geometry], built: shapely.Geometry, opt: SiteOptions
) -> list[dict[str, object]]:
    """Open land between buildings and path corridors, less the other candidates."""
    net = area.network
    real = net.edge_road != "connector"
    half = np.array(
        [HALF_WIDTH_M.get(r, 7.0) if r not in ("gate", "healed") else 1.5 for r in net.edge_road[real]]
    )
    corridors = shapely.buffer(net.segments()[real], half, cap_style="flat")
    taken = shapely.union_all([built, *corridors, *others])
    open_land = shapely.difference(area.boundary.buffer(-1.0), taken)
    rows = []
    for part in shapely.get_parts(wide_part(open_land, opt.min_width_m)):
        if part.area > opt.max_leftover_m2:
            log.info(
                "Left out %.0f m2 of open land: too large for a corner, probably unmapped; map it "
                "(landuse=grass|brownfield|…) to make it a candidate.",
                part.area,
            )
        elif part.area >= opt.min_area_m2:
            rows.append({"type": "leftover", S.SOURCE_ID: "", S.NAME: "", "geometry": part})
    return rows


def _spot_clusters(
    spots: gpd.GeoDataFrame | None,
    poly: shapely.Geometry,
    others: list[shapely.Geometry],
    built: shapely.Geometry,
    opt: SiteOptions,
) -> list[dict[str, object]]:
    """Groups of at least ``min_cluster_spots`` spots, each within ``cluster_m`` of another.

    A group whose spots all lie within ``demand_radius_m`` of another candidate is that candidate's
    demand, not a site of its own. The site is the group's hull widened by half ``cluster_m``, less
    the buildings.
    """
    if spots is None or len(spots) < opt.min_cluster_spots:
        return []
    inside = spots[spots.within(poly)]
    xy = shapely.get_coordinates(inside.geometry.to_numpy())
    if len(xy) < opt.min_cluster_spots:
        return []
    i, j = shapely.STRtree(inside.geometry.to_numpy()).query(
        inside.geometry.to_numpy(), predicate="dwithin", distance=opt.cluster_m
    )
    n = len(xy)
    _, label = connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False)
    claimed = shapely.union_all(others) if others else shapely.Polygon()
    rows = []
    for group in np.unique(label):
        pts = inside.geometry.to_numpy()[label == group]
        if len(pts) < opt.min_cluster_spots or shapely.dwithin(pts, claimed, opt.demand_radius_m).all():
            continue
        hull = shapely.convex_hull(shapely.multipoints(pts)).buffer(opt.cluster_m / 2).intersection(poly)
        hull = hull.difference(built)
        if hull.area < opt.min_area_m2:
            continue
        rows.append({"type": "spots", S.SOURCE_ID: "", S.NAME: "", "geometry": hull})
    return rows
