"""Supervision zones (就近划片): the works chosen by the vote, grouped by walking distance.

``docs/domain.md``, "Consultation and building": after the vote, supervision groups are formed by zone
around the locations of the building works, and each becomes a volunteer maintenance group once the
works are done.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import dijkstra
from scipy.spatial.distance import squareform

from pipeline.core import schema as S
from pipeline.core.errors import DataError, Listed
from pipeline.sites.coverage import WEIGHT, WalkArea
from pipeline.walk.network import attach, outline_points

log = logging.getLogger(__name__)


def supervision_zones(
    area: WalkArea, works: gpd.GeoDataFrame, *, join_m: float = 150.0
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Group the chosen works into supervision zones and give every building to one (就近划片).

    Works within ``join_m`` of each other on foot (single linkage) share a zone; each building goes
    to the zone of the work nearest to it on foot (in a straight line when it has no path).

    Returns
    -------
    zones, buildings
        Zones: ``zone`` (``Z1``…), ``works`` (their ``site_id``), ``buildings``, ``weight``, geometry
        (the works and buildings, widened by 8 m). Buildings: ``source_id``, ``name``, ``zone``,
        ``work``, ``dist_m``, ``by`` (``walk`` or ``straight line``).
    """
    if works is None or works.empty:
        raise DataError("error.sites.no_works")
    net = area.network
    geoms = works.geometry.to_numpy()
    where = net.zone_of(shapely.point_on_surface(geoms))
    net, nodes, _ = attach(net, outline_points(net, geoms, where), zones=where)
    if (nodes < 0).any():
        raise DataError("error.sites.works_off_path", works=Listed(works["site_id"][nodes < 0]))
    dist = np.atleast_2d(dijkstra(net.csgraph, directed=False, indices=nodes))
    label = np.ones(len(works), dtype=int)
    if len(works) > 1:
        pair = np.minimum(dist[:, nodes], dist[:, nodes].T)
        pair = np.where(np.isfinite(pair), pair, 1e9)
        np.fill_diagonal(pair, 0)
        label = fcluster(
            linkage(squareform(pair, checks=False), method="single"), t=join_m, criterion="distance"
        )
    _, label = np.unique(label, return_inverse=True)
    first = [int(np.flatnonzero(label == z)[0]) for z in range(label.max() + 1)]
    rename = {z: f"Z{i + 1}" for i, z in enumerate(np.argsort(first))}
    b = area.buildings
    at = np.where(area.building_nodes >= 0, dist[:, np.maximum(area.building_nodes, 0)], np.inf)
    per = np.stack([at[:, area.building_of == i].min(axis=1) for i in range(len(b))], axis=1)
    nearest, by = per.argmin(axis=0), np.where(np.isfinite(per.min(axis=0)), "walk", "straight line")
    straight = shapely.distance(geoms[:, None], b.geometry.to_numpy()[None, :])
    nearest = np.where(by == "walk", nearest, straight.argmin(axis=0))
    metres = np.where(by == "walk", per.min(axis=0), straight.min(axis=0))
    assigned = pd.DataFrame(
        {
            S.SOURCE_ID: b[S.SOURCE_ID],
            S.NAME: b[S.NAME],
            "zone": [rename[label[w]] for w in nearest],
            "work": works["site_id"].to_numpy()[nearest],
            "dist_m": np.round(metres, 1),
            "by": by,
        }
    )
    rows = []
    for z, name in sorted(rename.items(), key=lambda kv: kv[1]):
        mine = assigned["zone"] == name
        parts = [*geoms[label == z], *b.geometry[mine.to_numpy()]]
        rows.append(
            {
                "zone": name,
                "works": ", ".join(works["site_id"].to_numpy()[label == z]),
                "buildings": int(mine.sum()),
                WEIGHT: float(b[WEIGHT][mine.to_numpy()].sum()),
                "geometry": shapely.union_all(shapely.buffer(np.array(parts, dtype=object), 8.0)),
            }
        )
    log.info("Grouped %d works into %d supervision zones.", len(works), len(rows))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.crs), assigned
