"""The walking network of a compound and its surroundings, with the compound's walls.

Edges are the straight segments of the walkable OSM lines (:data:`WALK_ROADS`: footways, paths,
steps, pedestrian areas, service, residential and living streets, and the larger streets whose
sidewalks are rarely mapped in China). Motorways, trunk roads and ``foot=no`` ways are left out. A
pedestrian area (``highway=pedestrian`` + ``area=yes``) is walked along its outline and across,
through its representative point.

Chinese OSM data rarely maps how sidewalks and crossings meet, so two repairs join what a walker
joins: lines of the same ``layer`` that cross are joined where they cross (a bridge over a path is
not), and a dead end within :data:`HEAL_M` of another path on its side of the walls is linked to it,
unless a fence or wall (``barrier=*`` line) lies between.

**Walls.** A :class:`Wall` is a compound's polygon and its gates. Segments are cut where they cross
its outline; at each such point (and at each vertex on the outline) the edges inside get their own
copy of the node unless a gate lies within :data:`GATE_OPEN_M`, so a route enters or leaves only
through a gate. Each gate is also linked to the nearest path inside and outside (within
:data:`GATE_LINK_M`), so a gate whose road stops short of the outline in the data still opens. A
dead end is never linked across a wall. Emergency exits (``entrance=emergency``) are not gates.

The graph, joining points to it and the multi-source Dijkstra live in :mod:`pipeline.walk.graph`
and are re-exported here.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import connected_components

from pipeline.core import schema as S
from pipeline.core.crs import require_projected
from pipeline.core.errors import DataError, GateError, Listed, Words
from pipeline.inventory.naming import Titled
from pipeline.walk.graph import (
    GRID_M,
    LINK,
    MAX_SNAP_M,
    OUTSIDE,
    WalkNetwork,
    Wall,
    attach,
    distances_from,
    insert_on_edges,
    outline_points,
)

log = logging.getLogger(__name__)

__all__ = [
    "LINK", "MAX_SNAP_M", "OUTSIDE", "WalkNetwork", "Wall", "attach", "barrier_lines", "build_network",
    "check_gates", "distances_from", "outline_points", "walkable_lines", "wall_of",
]  # fmt: skip

#: ``highway=*`` values a resident walks along.
WALK_ROADS = frozenset({
    "footway", "path", "pedestrian", "steps", "corridor", "living_street", "residential", "service",
    "unclassified", "track", "cycleway", "bridleway", "tertiary", "tertiary_link", "secondary",
    "secondary_link", "primary", "primary_link",
})  # fmt: skip
GATE_OPEN_M = 15.0  # an outline crossing this close to a gate is that gate's opening
GATE_LINK_M = 40.0  # a gate is linked to paths this close on each side
HEAL_M = 10.0  # a dead end this close to another path on its side joins it (unmapped sidewalk links)
BARRIERS = frozenset({"wall", "fence", "hedge", "retaining_wall", "city_wall", "guard_rail"})


def wall_of(
    boundary: shapely.Geometry, gates: gpd.GeoDataFrame, *, name: str | Words = "", crossings: bool = True
) -> Wall:
    """Return the wall of a compound from its polygon and gates frame (:func:`pipeline.inventory.gates.find_gates`).

    Emergency exits are left out. ``crossings=False`` also leaves out the points where a path crosses
    the outline with no gate mapped (``gate_type`` ``crossing …``), which are otherwise openings.
    """
    kind = gates["gate_type"].astype(str) if "gate_type" in gates else pd.Series("", index=gates.index)
    usable = gates[(kind != "entrance=emergency") & (crossings | ~kind.str.startswith("crossing"))]
    return Wall(
        polygon=boundary,
        gates=tuple(usable.geometry),
        gate_ids=tuple(usable[S.SOURCE_ID].astype(str)) if S.SOURCE_ID in usable else (),
        name=name,
        gate_names=tuple(
            Titled(row, "error.walk.a_gate") for row in usable.drop(columns="geometry").to_dict("records")
        ),
    )


def walkable_lines(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the walkable lines of a feature frame (metric CRS): ``source_id``, ``road``, geometry."""
    require_projected(features, "features for the walking network")
    tags = features[S.TAGS]
    road = tags.map(lambda t: t.get("highway", ""))
    foot_ok = tags.map(
        lambda t: (
            t.get("foot") in ("yes", "designated", "permissive")
            or (t.get("foot") != "no" and t.get("access") != "no")
        )
    )
    walk = features[road.isin(list(WALK_ROADS)) & foot_ok.astype(bool)]
    lines = walk[walk.geom_type.isin(["LineString", "MultiLineString"])]
    parts = [lines.geometry.to_numpy()]
    ids, roads = [lines[S.SOURCE_ID].to_numpy()], [road[lines.index].to_numpy()]
    layers = [lines[S.TAGS].map(_layer).to_numpy(dtype=np.int64)]
    for sid, hw, poly in zip(walk[S.SOURCE_ID], road[walk.index], walk.geometry, strict=True):
        if poly.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        for ring_poly in getattr(poly, "geoms", [poly]):
            ring = ring_poly.exterior
            centre = ring_poly.representative_point()
            spokes = [shapely.LineString([c, centre.coords[0]]) for c in ring.coords[:-1]]
            spokes = [s for s in spokes if ring_poly.buffer(0.01).covers(s)]
            parts.append(np.array([ring, *spokes], dtype=object))
            ids.append(np.array([sid] * (1 + len(spokes)), dtype=object))
            roads.append(np.array([hw] * (1 + len(spokes)), dtype=object))
            layers.append(np.zeros(1 + len(spokes), dtype=np.int64))
    frame = gpd.GeoDataFrame(
        {S.SOURCE_ID: np.concatenate(ids), "road": np.concatenate(roads), "layer": np.concatenate(layers)},
        geometry=np.concatenate(parts),
        crs=features.crs,
    )
    return frame.explode(index_parts=False).reset_index(drop=True)


def _layer(tags: dict[str, str]) -> int:
    """The OSM layer of a way: ``layer=*``, else 1 on a bridge, -1 in a tunnel, else 0."""
    try:
        return int(float(tags["layer"]))
    except (KeyError, ValueError):
        return 1 if tags.get("bridge", "no") != "no" else (-1 if tags.get("tunnel", "no") != "no" else 0)


def barrier_lines(features: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Fences, walls and hedges (``barrier=*`` lines): a healed gap never crosses one."""
    lines = features[features.geom_type.isin(["LineString", "MultiLineString"])]
    return lines[lines[S.TAGS].map(lambda t: t.get("barrier") in BARRIERS).astype(bool)].geometry


def build_network(
    lines: gpd.GeoDataFrame,
    *,
    walls: tuple[Wall, ...] = (),
    barriers: gpd.GeoSeries | None = None,
    heal_m: float = HEAL_M,
) -> WalkNetwork:
    """Build the walking network from walkable lines (:func:`walkable_lines`), cut by ``walls``.

    Lines of the same ``layer`` that cross are joined where they cross (OSM crossings often lack the
    shared node), and a dead end within ``heal_m`` of another path on its side of the walls joins
    it, unless a fence or wall (``barriers``) lies between.

    Raises
    ------
    DataError
        When there are no walkable lines.
    """
    require_projected(lines, "walkable lines")
    lines = lines[~lines.geometry.is_empty]
    if lines.empty:
        raise DataError("error.walk.no_lines")
    coords, index = shapely.get_coordinates(lines.geometry.to_numpy(), return_index=True)
    same = index[1:] == index[:-1]
    a, b, line_of = coords[:-1][same], coords[1:][same], index[:-1][same]
    road = lines["road"].to_numpy()[line_of].astype(object)
    layer = lines["layer"].to_numpy()[line_of] if "layer" in lines else np.zeros(len(a), dtype=np.int64)
    segs = shapely.linestrings(np.stack([a, b], axis=1))
    cut_seg, cut_xy = _crossings(segs, line_of, layer)
    for wall in walls:
        ring = wall.polygon.boundary
        hit = np.flatnonzero(shapely.intersects(ring, segs))
        xy, k = shapely.get_coordinates(shapely.intersection(segs[hit], ring), return_index=True)
        cut_seg, cut_xy = np.r_[cut_seg, hit[k]], np.concatenate([cut_xy, xy])
    a, b, road = _split(a, b, road, cut_seg, cut_xy)
    ends = np.concatenate([a, b])
    _, inverse = np.unique(np.round(ends / GRID_M).astype(np.int64), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    xy = np.zeros((inverse.max() + 1, 2))
    xy[inverse] = ends
    n = len(a)
    net = WalkNetwork(
        xy=xy,
        u=inverse[:n],
        v=inverse[n:],
        length_m=np.hypot(*(b - a).T),
        edge_zone=np.full(n, OUTSIDE),
        edge_road=road,
        walls=tuple(walls),
        crs=lines.crs,
    )
    net = replace(net, edge_zone=net.zone_of(shapely.points((a + b) / 2)))
    for i, wall in enumerate(walls):
        net = _close_outline(net, i, wall)
    if heal_m > 0:
        net = _heal(net, heal_m, barriers)
    for i, wall in enumerate(walls):
        net = _link_gates(net, i, wall)
    log.info("Walking network: %d nodes, %d edges, %d walls.", net.n_nodes, len(net.u), len(walls))
    return net


def _crossings(segs: np.ndarray, line_of: np.ndarray, layer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where segments of different lines on the same layer cross: (segment, point) for both."""
    i, j = shapely.STRtree(segs).query(segs, predicate="crosses")
    ok = (i < j) & (line_of[i] != line_of[j]) & (layer[i] == layer[j])
    i, j = i[ok], j[ok]
    xy, k = shapely.get_coordinates(shapely.intersection(segs[i], segs[j]), return_index=True)
    return np.r_[i[k], j[k]], np.concatenate([xy, xy]).reshape(-1, 2)


def _split(
    a: np.ndarray, b: np.ndarray, road: np.ndarray, seg: np.ndarray, xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split segments ``a→b`` at the points ``xy`` lying on segments ``seg``."""
    if not len(seg):
        return a, b, road
    keep = np.ones(len(a), dtype=bool)
    new_a, new_b, new_r = [], [], []
    order = np.argsort(seg, kind="stable")
    seg, xy = seg[order], xy[order]
    for s, idx in zip(*np.unique(seg, return_index=True), strict=True):
        pts = xy[idx : np.searchsorted(seg, s, side="right")]
        d = b[s] - a[s]
        t = np.clip(((pts - a[s]) @ d) / max(float(d @ d), 1e-12), 0, 1)
        cuts = np.unique(np.r_[0.0, t[(t > 1e-6) & (t < 1 - 1e-6)], 1.0])
        if len(cuts) == 2:
            continue
        keep[s] = False
        p = a[s] + cuts[:, None] * d
        new_a.append(p[:-1])
        new_b.append(p[1:])
        new_r.extend([road[s]] * (len(p) - 1))
    if not new_a:
        return a, b, road
    return (
        np.concatenate([a[keep], *new_a]),
        np.concatenate([b[keep], *new_b]),
        np.concatenate([road[keep], np.array(new_r, dtype=object)]),
    )


def _close_outline(net: WalkNetwork, zone: int, wall: Wall) -> WalkNetwork:
    """Give the inside edges their own copy of each outline node that is not at a gate."""
    points = shapely.points(net.xy)
    on_ring = shapely.dwithin(points, wall.polygon.boundary, 2 * GRID_M)
    if wall.gates:
        gates = np.array(wall.gates, dtype=object)
        on_ring &= ~shapely.dwithin(points[:, None], gates[None, :], GATE_OPEN_M).any(axis=1)
    nodes = np.flatnonzero(on_ring)
    if not len(nodes):
        return net
    copy = np.full(net.n_nodes, -1)
    copy[nodes] = net.n_nodes + np.arange(len(nodes))
    inside = net.edge_zone == zone
    u, v = net.u.copy(), net.v.copy()
    for ends in (u, v):
        move = inside & (copy[ends] >= 0)
        ends[move] = copy[ends[move]]
    return replace(net, xy=np.concatenate([net.xy, net.xy[nodes]]), u=u, v=v)


def _heal(net: WalkNetwork, heal_m: float, barriers: gpd.GeoSeries | None) -> WalkNetwork:
    """Join each dead end to the nearest other path within ``heal_m`` on its side, across no barrier."""
    degree = np.bincount(np.r_[net.u, net.v], minlength=net.n_nodes)
    ends = np.flatnonzero(degree == 1)
    if not len(ends):
        return net
    own = np.full(net.n_nodes, -1)
    own[net.u], own[net.v] = np.arange(len(net.u)), np.arange(len(net.u))
    edge_of = own[ends]
    nbr = np.where(net.u[edge_of] == ends, net.v[edge_of], net.u[edge_of])
    segs = net.segments()
    pts = shapely.points(net.xy[ends])
    i, j = shapely.STRtree(segs).query(pts, predicate="dwithin", distance=heal_m)
    ok = (net.edge_zone[j] == net.edge_zone[edge_of[i]]) & (net.edge_zone[j] != LINK)
    ok &= (net.u[j] != ends[i]) & (net.v[j] != ends[i])
    ok &= (net.u[j] != nbr[i]) & (net.v[j] != nbr[i])
    i, j = i[ok], j[ok]
    if not len(i):
        return net
    dist = shapely.distance(pts[i], segs[j])
    order = np.lexsort((dist, i))
    first = order[np.r_[True, i[order][1:] != i[order][:-1]]]
    i, j = i[first], j[first]
    if barriers is not None and len(barriers):
        reach = shapely.shortest_line(pts[i], segs[j])
        blocked = shapely.STRtree(barriers.to_numpy()).query(reach, predicate="crosses")[0]
        keep = ~np.isin(np.arange(len(i)), blocked)
        i, j = i[keep], j[keep]
    healed, _, _ = insert_on_edges(net, pts[i], j, from_nodes=ends[i], road="healed")
    log.info("Joined %d dead ends to a path within %.0f m.", len(i), heal_m)
    return healed


def _link_gates(net: WalkNetwork, zone: int, wall: Wall) -> WalkNetwork:
    """Join each gate to the nearest path inside and outside the wall."""
    gate_nodes = dict(net.gate_nodes)
    for k, gate in enumerate(wall.gates):
        gid = wall.gate_ids[k] if k < len(wall.gate_ids) else f"gate/{zone}/{k}"
        net, nodes, _ = attach(net, [gate, gate], zones=np.array([zone, OUTSIDE]), max_snap_m=GATE_LINK_M)
        found = nodes[nodes >= 0]
        if not len(found):
            continue
        centre = net.n_nodes
        d = np.hypot(*(net.xy[found] - [gate.x, gate.y]).T)
        net = replace(
            net,
            xy=np.concatenate([net.xy, [[gate.x, gate.y]]]),
            u=np.r_[net.u, np.full(len(found), centre)],
            v=np.r_[net.v, found],
            length_m=np.r_[net.length_m, d],
            edge_zone=np.r_[net.edge_zone, np.full(len(found), LINK)],
            edge_road=np.r_[net.edge_road, np.array(["gate"] * len(found), dtype=object)],
        )
        gate_nodes[gid] = centre
    return replace(net, gate_nodes=gate_nodes)


def check_gates(net: WalkNetwork, zone: int = 0) -> None:
    """Raise :class:`GateError` unless a path joins the inside of wall ``zone`` to the outside.

    The message lists each gate and how far it lies from the nearest path on each side.
    """
    wall = net.walls[zone]
    _, label = connected_components(net.csgraph, directed=False)
    inside = set(label[net.u[net.edge_zone == zone]])
    outside = set(label[net.u[net.edge_zone == OUTSIDE]])
    if inside & outside:
        return
    name = wall.name or Words("error.walk.the_compound")
    if not inside:
        raise DataError("error.walk.no_path_inside", name=name)
    segs = net.segments()
    rows = []
    for k, gate in enumerate(wall.gates):
        named = wall.gate_names or wall.gate_ids
        gid = named[k] if k < len(named) else str(k)
        d_in = shapely.distance(gate, segs[net.edge_zone == zone]).min(initial=np.inf)
        d_out = shapely.distance(gate, segs[net.edge_zone == OUTSIDE]).min(initial=np.inf)
        rows.append(Words("error.walk.gate_row", gate=gid, inside=d_in, outside=d_out))
    gates = Listed(rows, "error.sep.clauses") if rows else Words("error.walk.no_gate")
    raise GateError("error.walk.gates_off", name=name, gates=gates, link=GATE_LINK_M)
