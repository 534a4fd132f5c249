"""The ``walk`` numbering method: assets in the order a resident meets them on the compound's paths.

Design, in the compound's metric CRS with north up:

1. **The internal network.** The walkable ways (:data:`pipeline.walk.network.WALK_ROADS`) inside or
   touching the boundary, clipped to it (widened by :data:`TOUCH_M`, so a way drawn on the outline
   counts), are built into a graph by :func:`pipeline.walk.network.build_network` (crossings joined,
   dead ends healed as for coverage). The main gate is joined to the nearest path within
   :data:`GATE_SNAP_M` (:func:`pipeline.walk.graph.attach`); only the part connected to it is walked.
2. **The loop.** From the gate, walk the network's outer face clockwise: at each junction take the
   leftmost turn (seen from above, north up), which keeps the compound's outside on the walker's left
   and the paths on the right, so the walk goes round the compound clockwise and comes back to the
   gate. The first step leaves the gate by the first path clockwise from the direction pointing out
   of the compound. A dead end is walked in and out; a spur that points outward (towards the wall)
   is on the outer face and walked, a path inside a loop is not. On a tree (no loop) the walk is the
   tour round the tree. networkx's :meth:`~networkx.PlanarEmbedding.traverse_face` follows the
   face; it turns to the neighbour its embedding calls ``ccw``, so each node's neighbours are given
   to it in geometric counterclockwise order, which makes that turn the leftmost (the rightmost turn
   walks the same face anticlockwise: the ring-road scene of ``tests/pipeline/inventory/
   test_walkorder.py`` tells them apart). It follows the neighbour order it is given and checks no
   planarity, so a bridge over a path (not joined) is simply not turned onto.
3. **Positions.** An asset's key is the distance along the walk to where it first meets the asset's
   nearest point on the walked paths (so an asset beside a spur is reached when the walk enters the
   spur); the tie-break is its distance from the paths. An asset farther than :data:`MAX_OFF_M` from
   every walked path keeps its perimeter position (the share of the clockwise boundary walk,
   scaled to the walk's length) and is listed in ``report.json``.

Paths inside a loop are never walked, so assets beside an inner street can lie beyond
:data:`MAX_OFF_M`; and a dead end a few metres short of a junction opens the loop it would close,
so the walk enters that bay (on the demo compound it goes east first, along the only road from
东南门). Both are the data's shape, and ``report.json`` lists the assets the walk does not reach.

When the compound has fewer than :data:`MIN_WAYS` walkable ways, or the main gate is not within
:data:`GATE_SNAP_M` of one, there is no loop to follow: :func:`walk_loop` says why and the caller
numbers by ``perimeter`` and records the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from pipeline.core import schema as S

if TYPE_CHECKING:
    import networkx as nx

# networkx and pipeline.walk (which loads scipy's csgraph) are imported when a walk is asked for, so a
# build by another method loads neither.

#: Fewer walkable ways than this inside the compound make no loop worth following (one drive, or a
#: drive and a branch, read as well along the boundary).
MIN_WAYS = 3
#: A way this close outside the boundary is drawn on it (a path along the wall).
TOUCH_M = 1.0
#: The main gate joins the nearest internal path this close (as a gate joins the coverage network).
GATE_SNAP_M = 40.0
#: An asset farther than this from every walked path keeps its perimeter position.
MAX_OFF_M = 30.0


@dataclass(frozen=True)
class WalkLoop:
    """The walk from the main gate round the compound and back: ``xy`` (k+1)×2, first = last = gate."""

    xy: np.ndarray
    ways: int  # walkable ways inside the compound connected to the gate
    ways_inside: int  # all walkable ways inside

    @property
    def length(self) -> float:
        """The walk's length in metres (a dead end counts twice: in and out)."""
        return float(np.hypot(*np.diff(self.xy, axis=0).T).sum())

    def locate(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's distance along the walk to its nearest walked point, first reached; and how far it is.

        Each path segment counts once, as first walked, so a point beside a dead end is reached on
        the way in. The segments are kept in walk order and ``argmin`` takes the first of equally
        near ones, so a point nearest a junction is reached when the walk first comes to it.
        shapely's ``line_locate_point`` on the whole walk would return either pass of a dead end,
        as GEOS's rounding falls. A compound has tens of assets and hundreds of segments, so every
        pair is compared.
        """
        a, b = self.xy[:-1], self.xy[1:]
        length = np.hypot(*(b - a).T)
        start = np.r_[0.0, np.cumsum(length)[:-1]]
        first = _first_passes(a, b)
        a, b, length, start = a[first], b[first], length[first], start[first]
        segs = shapely.linestrings(np.stack([a, b], axis=1))
        dist = shapely.distance(shapely.points(xy)[:, None], segs[None, :])
        j = dist.argmin(axis=1)
        e = b[j] - a[j]
        t = np.clip(
            np.einsum("ij,ij->i", xy - a[j], e) / np.maximum(np.einsum("ij,ij->i", e, e), 1e-12), 0, 1
        )
        along = start[j] + t * length[j]
        nearest = dist[np.arange(len(xy)), j]
        return along, nearest

    def record(self, assets: gpd.GeoDataFrame, xy: np.ndarray) -> dict[str, Any]:
        """What ``report.json`` keeps of the walk: its length, the ways, and which assets it reaches."""
        _, dist = self.locate(xy)
        off = dist > MAX_OFF_M
        ids = assets[S.SOURCE_ID] if S.SOURCE_ID in assets else assets.index.to_series().astype(str)
        return {
            "asked": "walk",
            "method": "walk",
            "walk_m": round(self.length, 1),
            "ways_connected": self.ways,
            "ways_inside": self.ways_inside,
            "assets_on_walk": int((~off).sum()),
            "coverage": round(float((~off).mean()), 3),
            "max_off_m": MAX_OFF_M,
            "off_walk": [str(s) for s in ids[off]],
            "reason": (
                f"the walk follows {self.ways} ways inside the compound for {self.length:.0f} m; "
                f"{int(off.sum())} assets more than {MAX_OFF_M:.0f} m from it keep their perimeter position"
            ),
        }


def _first_passes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Indices of the walk's steps that pass a segment for the first time (in either direction)."""
    seen: dict[tuple[tuple[float, float], ...], int] = {}
    for k, (p, q) in enumerate(zip(map(tuple, np.round(a, 3)), map(tuple, np.round(b, 3)), strict=True)):
        seen.setdefault((min(p, q), max(p, q)), k)
    return np.array(sorted(seen.values()), dtype=np.int64)


def walk_paths(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The walkable lines of an inventory's ``roads`` context layer (``type`` is the highway value)."""
    from pipeline.walk.network import WALK_ROADS

    walkable = roads[roads["type"].isin(list(WALK_ROADS))]
    return gpd.GeoDataFrame(
        {S.SOURCE_ID: walkable[S.SOURCE_ID].to_numpy(), "road": walkable["type"].to_numpy()},
        geometry=walkable.geometry.to_numpy(),
        crs=roads.crs,
    )


def walk_loop(
    boundary: shapely.Geometry, gate: shapely.Point, paths: gpd.GeoDataFrame
) -> tuple[WalkLoop | None, str]:
    """The clockwise walk from ``gate`` round the compound's paths, or ``None`` and why there is none.

    ``paths`` are walkable lines (``source_id``, ``road``) in the boundary's metric CRS.
    """
    import networkx as nx

    from pipeline.walk.network import OUTSIDE, attach, build_network

    region = boundary.buffer(TOUCH_M)
    inside = paths[paths.intersects(region)]
    clipped = gpd.GeoDataFrame(
        {S.SOURCE_ID: inside[S.SOURCE_ID].to_numpy(), "road": inside["road"].to_numpy()},
        geometry=inside.intersection(region).to_numpy(),
        crs=paths.crs,
    ).explode(index_parts=False)
    clipped = clipped[clipped.geom_type == "LineString"].reset_index(drop=True)
    ways_inside = int(clipped[S.SOURCE_ID].nunique())
    if ways_inside < MIN_WAYS:
        return None, f"only {ways_inside} walkable ways inside the compound (fewer than {MIN_WAYS})"
    net = build_network(clipped)
    net, nodes, _ = attach(net, [gate], zones=np.array([OUTSIDE]), max_snap_m=GATE_SNAP_M)
    if nodes[0] < 0:
        return None, f"the main gate is more than {GATE_SNAP_M:.0f} m from every path inside the compound"
    graph = net.to_networkx()
    start = int(nodes[0])
    reached = graph.subgraph(nx.node_connected_component(graph, start))
    nodes_reached = shapely.multipoints(net.xy[list(reached)])
    ways = int(
        clipped.loc[shapely.dwithin(clipped.geometry.to_numpy(), nodes_reached, 0.05), S.SOURCE_ID].nunique()
    )
    if ways < MIN_WAYS:
        return None, (
            f"only {ways} of the {ways_inside} walkable ways inside the compound connect to the main gate "
            f"(fewer than {MIN_WAYS})"
        )
    face = _outer_face(reached, start, _outward(boundary, gate))
    return WalkLoop(xy=net.xy[[*face, start]], ways=ways, ways_inside=ways_inside), ""


def _outward(boundary: shapely.Geometry, gate: shapely.Point) -> np.ndarray:
    """A unit vector at the gate pointing out of the compound (left of the clockwise outline)."""
    part = max(getattr(boundary, "geoms", [boundary]), key=lambda g: g.area)
    ring = shapely.orient_polygons(part, exterior_cw=True).exterior
    at = ring.project(gate)
    a = np.array(ring.interpolate(max(at - 0.5, 0.0)).coords[0])
    b = np.array(ring.interpolate(min(at + 0.5, ring.length)).coords[0])
    d = b - a
    left = np.array([-d[1], d[0]])
    return left / max(float(np.hypot(*left)), 1e-12)


def _outer_face(graph: nx.Graph, start: int, outward: np.ndarray) -> list[int]:
    """The nodes met walking the face outside ``start`` clockwise, by leftmost turns (see the module docstring)."""
    import networkx as nx

    xy = {n: np.array([d["x"], d["y"]]) for n, d in graph.nodes(data=True)}

    def bearing(n: int, m: int) -> float:
        dx, dy = xy[m] - xy[n]
        return float(np.degrees(np.arctan2(dx, dy)) % 360.0)

    def counterclockwise(n: int) -> list[int]:
        return sorted(graph[n], key=lambda m: -bearing(n, m))

    embedding = nx.PlanarEmbedding()
    # networkx turns to each node's "ccw" neighbour; neighbours listed counterclockwise make it the leftmost.
    embedding.set_data({n: counterclockwise(n) for n in graph})
    out = float(np.degrees(np.arctan2(outward[0], outward[1])) % 360.0)
    first = min(graph[start], key=lambda m: (bearing(start, m) - out) % 360.0 or 360.0)
    return embedding.traverse_face(start, first)
