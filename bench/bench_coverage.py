"""Coverage: one multi-source Dijkstra per kind (ours) versus one shortest-path run per building.

Run: .venv/bin/python bench/bench_coverage.py

1. The demo compound (石科院生活区) and 800 m around it, 21 kinds of GB 50180-2018:
   - ours: :func:`pipeline.sites.coverage.building_access` (scipy ``csgraph.dijkstra``, ``min_only``, one run
     per kind from all its facilities);
   - networkx, multi-source per kind, on the same graph (isolates scipy versus networkx);
   - networkx, the obvious way: one ``single_source_dijkstra_path_length`` per building, then the
     nearest facility of each kind from that table;
   - osmnx, the obvious way: ``graph_from_xml`` (walk network, no walls), ``nearest_nodes`` for the
     buildings and facilities, ``shortest_path_length`` per building (one Dijkstra each).
   - pandana 0.8 (the strongest peer): contraction hierarchies built once from the same graph
     (``pandana.Network``), then per kind ``set_pois`` at the facilities' nodes and ``nearest_pois``
     (one query for every node), read at the buildings; timed with and without building the hierarchy.
   The answers of ours, of the per-building networkx runs and of pandana are checked equal.
2. Growth on a synthetic grid (10 m blocks): time as buildings × facilities grow, ours against one
   Dijkstra per building and against pandana's queries.
Medians of alternating runs; compare ratios, not absolute times across machines (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import geopandas as gpd  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from _timing import alternating_s, median_s, result  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

from pipeline.inventory.build import build_inventory  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402
from pipeline.sites.coverage import assess_coverage, building_access, prepare_area  # noqa: E402
from pipeline.sites.standards import read_standards  # noqa: E402
from pipeline.walk.network import attach, build_network, distances_from  # noqa: E402

DEMO = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
#: pandana's searches stop at a distance; farther than any walk in these graphs.
PANDANA_MAX_M = 10_000.0


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence what C++ code prints on file descriptor 1 (pandana reports its progress there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def pandana_network(net):
    """pandana's contraction hierarchies over the same nodes and edges (node ids = our node indices)."""
    import pandana

    nodes = pd.DataFrame({"x": net.xy[:, 0], "y": net.xy[:, 1]})
    edges = pd.DataFrame({"from": net.u, "to": net.v, "length": net.length_m})
    with quiet_stdout():
        return pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["length"]], twoway=True)


def pandana_nearest(pnet, net, f_nodes: np.ndarray, f_kinds: np.ndarray, kinds) -> dict[object, np.ndarray]:
    """Per kind, pandana's distance from every node to the nearest facility (inf beyond its reach)."""
    out = {}
    with quiet_stdout():
        for kind in kinds:
            mine = f_nodes[f_kinds == kind]
            if len(mine) == 0:
                out[kind] = np.full(net.n_nodes, np.inf)
                continue
            xy = net.xy[mine]
            pnet.set_pois(str(kind), PANDANA_MAX_M, 1, pd.Series(xy[:, 0]), pd.Series(xy[:, 1]))
            d = pnet.nearest_pois(PANDANA_MAX_M, str(kind), num_pois=1)[1].to_numpy(dtype=float)
            out[kind] = np.where(d >= PANDANA_MAX_M, np.inf, d)
    return out


def pandana_access(pnet, area, standards) -> pd.DataFrame:
    """pandana's answer to ``building_access``: per building and kind, the nearest facility over its anchors."""
    fac = area.facilities[area.facilities["node"] >= 0]
    nearest = pandana_nearest(pnet, area.network, fac["node"].to_numpy(), fac["kind"].to_numpy(), standards.index)
    valid = area.building_nodes >= 0
    rows = []
    for kind, dist in nearest.items():
        at = pd.Series(np.where(valid, dist[np.where(valid, area.building_nodes, 0)], np.inf))
        best = at.groupby(area.building_of).min().reindex(range(len(area.buildings)), fill_value=np.inf)
        rows.append(pd.DataFrame({"source_id": area.buildings["source_id"].to_numpy(), "kind": kind, "dist_m": best}))
    return pd.concat(rows, ignore_index=True)


def per_building_networkx(graph: nx.Graph, area, standards) -> pd.DataFrame:
    """The obvious way: one Dijkstra per building anchor, then the nearest facility of each kind."""
    fac = area.facilities[area.facilities["node"] >= 0]
    rows = []
    for b in range(len(area.buildings)):
        best = dict.fromkeys(standards.index, np.inf)
        for anchor in area.building_nodes[(area.building_of == b) & (area.building_nodes >= 0)]:
            lengths = nx.single_source_dijkstra_path_length(graph, int(anchor), weight="length")
            for kind, node in zip(fac["kind"], fac["node"], strict=True):
                best[kind] = min(best[kind], lengths.get(int(node), np.inf))
        rows += [(area.buildings["source_id"].iloc[b], k, d) for k, d in best.items()]
    return pd.DataFrame(rows, columns=["source_id", "kind", "dist_m"])


def multi_source_networkx(graph: nx.Graph, area, standards) -> None:
    fac = area.facilities[area.facilities["node"] >= 0]
    for kind in standards.index:
        sources = set(fac.loc[fac["kind"] == kind, "node"].astype(int))
        if sources:
            nx.multi_source_dijkstra_path_length(graph, sources, weight="length")


def osmnx_obvious(inventory, standards, area) -> tuple[float, float, int]:
    """osmnx's walk graph from the same file, nearest nodes, one Dijkstra per building."""
    import osmnx as ox

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        graph = ox.project_graph(
            ox.graph_from_xml(DEMO, simplify=True, retain_all=True), to_crs=inventory.crs
        )
        build_s = time.perf_counter() - start
    undirected = ox.convert.to_undirected(graph)
    fac = area.facilities
    fx = fac.geometry.representative_point()
    fac_nodes = ox.distance.nearest_nodes(graph, fx.x.to_numpy(), fx.y.to_numpy())
    bx = area.buildings.geometry.representative_point()
    b_nodes = ox.distance.nearest_nodes(graph, bx.x.to_numpy(), bx.y.to_numpy())

    def run() -> None:
        for node in b_nodes:
            lengths = nx.single_source_dijkstra_path_length(undirected, node, weight="length")
            for kind in standards.index:
                min(
                    (
                        lengths.get(n, np.inf)
                        for n, k in zip(fac_nodes, fac["kind"], strict=True)
                        if k == kind
                    ),
                    default=np.inf,
                )

    return build_s, median_s(run, repeats=3), undirected.number_of_nodes()


def demo() -> None:
    features = read_osm(DEMO)
    inventory = build_inventory(features, compound="way/595108678")
    standards = read_standards()
    prep_s = median_s(lambda: prepare_area(inventory, features, standards=standards), repeats=3)
    area = prepare_area(inventory, features, standards=standards)
    graph = area.network.to_networkx()
    ours = building_access(area, standards)
    theirs = per_building_networkx(graph, area, standards)
    merged = ours.merge(theirs, on=["source_id", "kind"], suffixes=("", "_nx"))
    same = np.allclose(
        merged["dist_m"].fillna(-1), merged["dist_m_nx"].replace(np.inf, np.nan).fillna(-1), atol=0.05
    )
    pnet = pandana_network(area.network)
    theirs = pandana_access(pnet, area, standards)
    merged = ours.merge(theirs, on=["source_id", "kind"], suffixes=("", "_pd"))
    same_pd = len(merged) == len(ours) and np.allclose(
        merged["dist_m"].fillna(np.inf), merged["dist_m_pd"], atol=0.1
    )
    timed = alternating_s(
        {
            "ours": lambda: building_access(area, standards),
            "pandana": lambda: pandana_access(pnet, area, standards),
            "pandana+ch": lambda: pandana_access(pandana_network(area.network), area, standards),
            "nx multi": lambda: multi_source_networkx(graph, area, standards),
        },
        repeats=7,
    )
    t_ours, t_pd, t_pd_ch, t_nx_multi = timed.values()
    t_nx_each = median_s(lambda: per_building_networkx(graph, area, standards), repeats=3)
    t_whole = median_s(lambda: assess_coverage(inventory, features, standards=standards), repeats=3)
    build_s, t_ox, ox_nodes = osmnx_obvious(inventory, standards, area)
    n_fac = int((area.facilities["node"] >= 0).sum())
    print(
        f"Demo: {len(area.buildings)} buildings, {n_fac} facilities of {len(standards)} kinds, "
        f"{area.network.n_nodes} nodes / {len(area.network.u)} edges (osmnx graph: {ox_nodes} nodes)"
    )
    print(f"  prepare_area (network, walls, joins)           {prep_s * 1e3:8.1f} ms")
    print(f"  whole assess_coverage (prepare + access + table) {t_whole * 1e3:6.1f} ms")
    print(f"{'routing only':<48} {'median ms':>10} {'x ours':>8}")
    for name, t in [
        ("ours: scipy multi-source, one per kind", t_ours),
        ("pandana CH: set_pois + nearest_pois per kind", t_pd),
        ("pandana CH, building the hierarchy too", t_pd_ch),
        ("networkx multi-source, one per kind", t_nx_multi),
        ("networkx, one Dijkstra per building", t_nx_each),
        ("osmnx graph, one Dijkstra per building", t_ox),
    ]:
        print(f"  {name:<46} {t * 1e3:10.1f} {t / t_ours:8.1f}")
    print(f"  (osmnx graph_from_xml + project: {build_s * 1e3:.0f} ms, once)")
    print(f"  ours == per-building networkx on every building x kind: {same}")
    print(f"  ours == pandana on every building x kind (within 0.1 m; ours is rounded to 0.1 m): {same_pd}")
    result("coverage, demo compound (routing, 21 kinds)", t_ours, "pandana CH queries", t_pd)
    result("coverage, demo compound, peer building its CH", t_ours, "pandana CH + build", t_pd_ch)


def grid(n: int) -> gpd.GeoDataFrame:
    """An n x n street grid with 10 m blocks, as walkable lines."""
    coords = np.arange(n) * 10.0
    lines = [shapely.LineString([(0, y), (coords[-1], y)]) for y in coords]
    lines += [shapely.LineString([(x, 0), (x, coords[-1])]) for x in coords]
    return gpd.GeoDataFrame(
        {"source_id": [""] * len(lines), "road": "footway", "layer": 0}, geometry=lines, crs="EPSG:32650"
    )


def per_kind(net, b_nodes: np.ndarray, f_nodes: np.ndarray, kinds: np.ndarray) -> None:
    """Ours: one multi-source Dijkstra per kind, read at the buildings."""
    for k in range(20):
        dist, _ = distances_from(net, f_nodes[kinds == k])
        dist[b_nodes]


def per_building(net, b_nodes: np.ndarray, f_nodes: np.ndarray, kinds: np.ndarray) -> None:
    """The obvious way with the same Dijkstra code: one run per building, the nearest of each kind read off."""
    for b in b_nodes:
        d = dijkstra(net.csgraph, directed=False, indices=int(b))
        [d[f_nodes[kinds == k]].min() for k in range(20)]


def growth() -> None:
    print("\nGrowth on a 100 x 100 grid (10,000 crossings), 20 kinds; routing only, medians in ms")
    net0 = build_network(grid(100), heal_m=0)
    rng = np.random.default_rng(7)
    print(f"{'buildings':>9} {'facilities':>10} {'ours':>8} {'per building (scipy)':>21} {'ratio':>7} "
          f"{'pandana queries':>15} {'ratio':>7} {'pandana CH build':>16}")
    for n_b, n_f in [(10, 40), (100, 40), (1000, 40), (100, 400), (1000, 400)]:
        pts = shapely.points(rng.uniform(0, 990, size=(n_b + n_f, 2)))
        net, nodes, _ = attach(net0, pts)
        b_nodes, f_nodes = nodes[:n_b], nodes[n_b:]
        kinds = np.arange(n_f) % 20

        args = (net, b_nodes, f_nodes, kinds)
        start = time.perf_counter()
        pnet = pandana_network(net)
        t_ch = time.perf_counter() - start
        timed = alternating_s(
            {
                "ours": lambda args=args: per_kind(*args),
                "pandana": lambda net=net, pnet=pnet, f=f_nodes, k=kinds: pandana_nearest(pnet, net, f, k, range(20)),
            },
            repeats=5,
        )
        t1, t3 = timed["ours"], timed["pandana"]
        t2 = median_s(
            lambda args=args: per_building(*args), repeats=3 if n_b <= 100 else 1, warmup=int(n_b <= 100)
        )
        print(f"{n_b:>9} {n_f:>10} {t1 * 1e3:8.1f} {t2 * 1e3:21.1f} {t2 / t1:7.1f} "
              f"{t3 * 1e3:15.1f} {t3 / t1:7.1f} {t_ch * 1e3:16.1f}")
    result(f"coverage, grid of 10,000 crossings, {n_b} buildings x {n_f} facilities", t1, "pandana CH queries", t3)


if __name__ == "__main__":
    demo()
    growth()
