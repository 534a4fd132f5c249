"""The walking graph: straight edges with a zone each, points joined to it, multi-source Dijkstra.

:mod:`pipeline.walk.network` builds a :class:`WalkNetwork` from OSM lines and walls; this module holds the
graph itself and the two operations every later stage uses: :func:`attach` (join points to the
nearest segment on their side of the walls, splitting it there so distances along a shared segment
stay exact) and :func:`distances_from` (one multi-source Dijkstra with ``scipy.sparse.csgraph``;
``bench/bench_coverage.py`` measures it against networkx and osmnx).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from pipeline.core.errors import Words

log = logging.getLogger(__name__)

MAX_SNAP_M = 100.0  # a point farther from every path is off the network
OUTSIDE = -1  # zone of an edge or point outside every wall
LINK = -2  # zone of the connectors added by :func:`attach` and the gate links: nothing snaps to them
GRID_M = 0.01  # vertices closer than this are one node


@dataclass(frozen=True)
class Wall:
    """A walled compound: its polygon and the points where one may pass (its gates)."""

    polygon: shapely.Geometry
    gates: tuple[shapely.Point, ...]
    gate_ids: tuple[str, ...] = ()
    name: str | Words = ""  # what errors call it
    gate_names: tuple[str | Words, ...] = ()  # what errors call each gate


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected walking graph of straight edges: nodes ``xy``; edges ``u``, ``v``, ``length_m``.

    ``edge_zone`` is the index of the wall an edge lies inside, :data:`OUTSIDE`, or :data:`LINK` for
    the connectors that join points and gates (nothing snaps to those).
    """

    xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    edge_zone: np.ndarray
    edge_road: np.ndarray
    walls: tuple[Wall, ...] = ()
    crs: Any = None
    gate_nodes: dict[str, int] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.xy)

    @cached_property
    def csgraph(self) -> csr_matrix:
        """The graph as a sparse matrix for ``scipy.sparse.csgraph`` (parallel edges: the shortest)."""
        lo, hi = np.minimum(self.u, self.v), np.maximum(self.u, self.v)
        keep = lo != hi
        lo, hi, w = lo[keep], hi[keep], np.maximum(self.length_m[keep], 1e-6)
        order = np.lexsort((w, hi, lo))
        lo, hi, w = lo[order], hi[order], w[order]
        first = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])]
        n = self.n_nodes
        return coo_matrix((w[first], (lo[first], hi[first])), shape=(n, n)).tocsr()

    def segments(self) -> np.ndarray:
        """The edges as shapely LineStrings."""
        return shapely.linestrings(np.stack([self.xy[self.u], self.xy[self.v]], axis=1))

    def edges_frame(self) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame: ``u``, ``v``, ``length_m``, ``zone``, ``road``."""
        return gpd.GeoDataFrame(
            {
                "u": self.u,
                "v": self.v,
                "length_m": self.length_m,
                "zone": self.edge_zone,
                "road": self.edge_road,
            },
            geometry=self.segments(),
            crs=self.crs,
        )

    def to_networkx(self) -> nx.Graph:
        """The network as a networkx Graph (node attributes ``x``, ``y``; edge attribute ``length``)."""
        graph = nx.Graph(crs=self.crs)
        graph.add_nodes_from((i, {"x": x, "y": y}) for i, (x, y) in enumerate(self.xy))
        coo = self.csgraph.tocoo()
        graph.add_weighted_edges_from(
            zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True), weight="length"
        )
        return graph

    def zone_of(self, points: np.ndarray) -> np.ndarray:
        """The zone of each point: the first wall whose interior holds it, else :data:`OUTSIDE`."""
        points = np.asarray(points, dtype=object)
        zones = np.full(len(points), OUTSIDE)
        for i, wall in reversed(list(enumerate(self.walls))):
            zones[shapely.contains(wall.polygon, points)] = i
        return zones


def attach(
    net: WalkNetwork, points: Any, *, zones: np.ndarray | None = None, max_snap_m: float = MAX_SNAP_M
) -> tuple[WalkNetwork, np.ndarray, np.ndarray]:
    """Join points to the network on the nearest segment of their zone, splitting it there.

    Parameters
    ----------
    net
        The network.
    points
        Shapely points (array or GeoSeries) in the network's CRS.
    zones
        Each point's zone; by default the wall it lies inside (:meth:`WalkNetwork.zone_of`).
    max_snap_m
        Points farther than this from every segment of their zone are not joined.

    Returns
    -------
    network, nodes, snap_m
        The new network, each point's node (-1 when not joined) and its distance to the segment.
    """
    pts = np.asarray(points, dtype=object)
    zones = net.zone_of(pts) if zones is None else np.asarray(zones)
    edge = np.full(len(pts), -1)
    segs = net.segments()
    for zone in np.unique(zones):
        mine = np.flatnonzero(zones == zone)
        pool = np.flatnonzero(net.edge_zone == zone)
        if zone == LINK or not len(pool):
            continue
        i, j = shapely.STRtree(segs[pool]).query_nearest(
            pts[mine], max_distance=max_snap_m, all_matches=False
        )
        edge[mine[i]] = pool[j]
    ok = np.flatnonzero(edge >= 0)
    out, joined, snap = insert_on_edges(net, pts[ok], edge[ok])
    nodes, snap_m = np.full(len(pts), -1), np.full(len(pts), np.nan)
    nodes[ok], snap_m[ok] = joined, snap
    return out, nodes, snap_m


def insert_on_edges(
    net: WalkNetwork,
    pts: np.ndarray,
    edge: np.ndarray,
    *,
    from_nodes: np.ndarray | None = None,
    road: str = "connector",
) -> tuple[WalkNetwork, np.ndarray, np.ndarray]:
    """Split each edge at the projections of its points; join each point (or ``from_nodes``) there."""
    a, b = net.xy[net.u[edge]], net.xy[net.v[edge]]
    p = shapely.get_coordinates(pts).reshape(-1, 2)
    d = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-12), 0, 1)
    snap = np.hypot(*(a + t[:, None] * d - p).T) if len(p) else np.zeros(0)
    nodes = np.full(len(pts), -1)
    xy, us, vs, ls, zs, rs = [net.xy], [], [], [], [], []
    drop = np.zeros(len(net.u), dtype=bool)
    n = net.n_nodes
    for e in np.unique(edge):
        mine = np.flatnonzero(edge == e)
        length = net.length_m[e]
        cuts, where = np.unique(np.round(np.r_[0.0, t[mine], 1.0] * length / GRID_M), return_inverse=True)
        chain = np.empty(len(cuts), dtype=np.int64)
        chain[0], chain[-1] = net.u[e], net.v[e]
        inner = len(cuts) - 2
        if inner > 0:
            chain[1:-1] = n + np.arange(inner)
            frac = cuts[1:-1] * GRID_M / max(length, 1e-12)
            xy.append(net.xy[net.u[e]] + frac[:, None] * (net.xy[net.v[e]] - net.xy[net.u[e]]))
            n += inner
            drop[e] = True
            us.append(chain[:-1])
            vs.append(chain[1:])
            ls.append(np.diff(cuts * GRID_M))
            zs.append(np.full(inner + 1, net.edge_zone[e]))
            rs.append(np.full(inner + 1, net.edge_road[e], dtype=object))
        nodes[mine] = chain[where.ravel()[1:-1]]
    far = np.flatnonzero(snap > 2 * GRID_M) if from_nodes is None else np.arange(len(pts))
    if len(far):
        if from_nodes is None:
            xy.append(p[far])
            start = n + np.arange(len(far))
        else:
            start = np.asarray(from_nodes)
        us.append(nodes[far])
        vs.append(start)
        ls.append(snap[far])
        zs.append(np.full(len(far), LINK))
        rs.append(np.full(len(far), road, dtype=object))
        nodes[far] = start
    keep = ~drop
    out = replace(
        net,
        xy=np.concatenate(xy),
        u=np.concatenate([net.u[keep], *us]).astype(np.int64),
        v=np.concatenate([net.v[keep], *vs]).astype(np.int64),
        length_m=np.concatenate([net.length_m[keep], *ls]),
        edge_zone=np.concatenate([net.edge_zone[keep], *zs]),
        edge_road=np.concatenate([net.edge_road[keep], *rs]),
    )
    return out, nodes, snap


def outline_points(
    net: WalkNetwork, polygons: Any, zones: np.ndarray, *, max_snap_m: float = MAX_SNAP_M
) -> np.ndarray:
    """For each polygon, the point of its outline nearest a segment of its zone (its centroid if none)."""
    polys = np.asarray(polygons, dtype=object)
    out = shapely.centroid(polys)
    segs = net.segments()
    for zone in np.unique(zones):
        mine = np.flatnonzero(zones == zone)
        pool = np.flatnonzero(net.edge_zone == zone)
        if not len(pool):
            continue
        i, j = shapely.STRtree(segs[pool]).query_nearest(
            polys[mine], max_distance=max_snap_m, all_matches=False
        )
        rings = shapely.boundary(polys[mine[i]])
        out[mine[i]] = shapely.get_point(shapely.shortest_line(rings, segs[pool[j]]), 0)
    return out


def distances_from(
    net: WalkNetwork, sources: np.ndarray, *, limit: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Walking distance from the nearest of ``sources`` to every node, and which source that is.

    One multi-source Dijkstra. Unreached nodes get ``inf`` and source ``-1``.
    """
    sources = np.unique(np.asarray(sources, dtype=np.int64))
    sources = sources[sources >= 0]
    if not len(sources):
        return np.full(net.n_nodes, np.inf), np.full(net.n_nodes, -1)
    dist, _, nearest = dijkstra(
        net.csgraph, directed=False, indices=sources, min_only=True, limit=limit, return_predecessors=True
    )
    return dist, nearest
