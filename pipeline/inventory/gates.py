"""Find a compound's gates and choose the main gate, recording the rule that chose it.

Gates are OSM nodes tagged ``barrier=gate|lift_gate|entrance|…`` or ``entrance=*`` (building
doors such as ``entrance=staircase`` excluded) within :data:`GATE_SNAP_M` of the boundary, plus
the points where a road or path crosses the boundary with no gate node mapped near them.

The main gate is the first of these rules that picks one (the rule is recorded):

1. ``entrance=main`` on a gate;
2. a name that says so (正门, 大门, 主入口, 主门, main gate/entrance);
3. the vehicle gate facing the highest-class road (``highway=`` rank below), then named before
   unnamed, then the smaller ``source_id``;
4. with no gate at all, the boundary point nearest the highest-class road outside, else the
   southernmost boundary point (the traditional orientation of Chinese compounds).

Emergency exits (``entrance=emergency``) are found but never chosen by rules 3–4.

The rule is recorded by its id (:data:`RULES`), with the road class it names after a colon
(``vehicle_gate_road:tertiary``); its words are the catalogue's ``gate.rule.<id>``
(:func:`pipeline.core.words.gate_rule_text`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S

log = logging.getLogger(__name__)

GATE_SNAP_M = 10.0  # a gate node this close to the outline is on it
CROSSING_MERGE_M = 20.0  # a crossing this close to a mapped gate is that gate
ROAD_SEARCH_M = 60.0  # how far a gate looks for the road it faces

GATE_BARRIERS = frozenset({"gate", "lift_gate", "entrance", "sliding_gate", "swing_gate", "bollard_gate"})
NOT_GATES = frozenset({"staircase", "home", "garage", "no"})
MAIN_NAME = re.compile(r"正门|大门|主入口|主门|主出入口|main\s*(?:gate|entrance)", re.IGNORECASE)

#: Road classes, highest first; a gate facing a higher one is more likely the main gate.
ROAD_RANK = {
    "motorway": 10,
    "trunk": 9,
    "primary": 8,
    "secondary": 7,
    "tertiary": 6,
    "unclassified": 5,
    "residential": 4,
    "living_street": 3,
    "service": 2,
    "pedestrian": 1,
    "footway": 0,
    "path": 0,
    "cycleway": 0,
    "steps": 0,
    "track": 0,
}
VEHICLE_ROADS = frozenset(k for k, v in ROAD_RANK.items() if v >= 2)

# Gate columns.
GATE_TYPE = "gate_type"
ROAD = "road"  # highway class of the road the gate faces
VEHICLE = "vehicle"
IS_MAIN = "is_main"
MAIN_RULE = "main_rule"

#: The ids of the main-gate rules, in the order they are tried; ``user`` and ``user_point`` when the
#: user chose the gate or a point on the boundary.
RULES = (
    "tagged_main",
    "named_main",
    "vehicle_gate_road",
    "gate_road",
    "vehicle_gate_no_road",
    "gate_no_road",
    "nearest_road",
    "southernmost",
    "user",
    "user_point",
)


@dataclass(frozen=True)
class MainGate:
    """The chosen main gate: where it is, which gate it is (if any), and why (a rule id of :data:`RULES`)."""

    point: shapely.Point
    source_id: str
    name: str
    rule: str


def _is_gate(tags: dict[str, str]) -> bool:
    if tags.get("barrier") in GATE_BARRIERS:
        return True
    entrance = tags.get("entrance")
    return entrance is not None and entrance not in NOT_GATES


def roads_of(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the road and path lines (``highway=*`` linear features) with a ``road`` class column."""
    highway = features[S.TAGS].map(lambda t: t.get("highway"))
    lines = features.geometry.geom_type.isin(["LineString", "MultiLineString"])
    roads = features[lines & highway.isin(list(ROAD_RANK))].copy()
    roads[ROAD] = highway[roads.index]
    return roads


def find_gates(boundary: shapely.Geometry, features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the compound's gates, in the features' (metric) CRS.

    Parameters
    ----------
    boundary
        The compound's polygon, in the features' CRS.
    features
        The OSM feature frame (``tags`` column), projected to a metric CRS.

    Returns
    -------
    GeoDataFrame
        ``source_id``, ``name``, ``gate_type``, ``road`` (class of the road faced), ``vehicle``
        and ``dist_m`` (to the outline), one row per gate, sorted by ``source_id``.
    """
    outline = boundary.boundary
    points = features[features.geometry.geom_type == "Point"]
    is_gate = points[S.TAGS].map(_is_gate).astype(bool)
    nodes = points[is_gate]
    nodes = nodes[nodes.distance(outline) <= GATE_SNAP_M]
    gates = pd.DataFrame(
        {
            S.SOURCE_ID: nodes[S.SOURCE_ID],
            S.NAME: nodes[S.NAME],
            GATE_TYPE: nodes[S.TAGS].map(
                lambda t: f"entrance={t['entrance']}" if "entrance" in t else f"barrier={t['barrier']}"
            ),
            "access": nodes[S.TAGS].map(lambda t: t.get("access", "")),
            "geometry": nodes.geometry,
        }
    )
    roads = roads_of(features)
    crossings = _crossings(outline, roads, list(nodes.geometry))
    frame = gpd.GeoDataFrame(
        pd.concat([gates, crossings], ignore_index=True), geometry="geometry", crs=features.crs
    )
    return (
        describe_gates(frame, boundary, roads)
        .sort_values(S.SOURCE_ID, kind="mergesort")
        .reset_index(drop=True)
    )


def describe_gates(
    gates: gpd.GeoDataFrame, boundary: shapely.Geometry, roads: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add ``dist_m``, ``road`` and ``vehicle`` to gate points (OSM's, or a survey's).

    ``gates`` needs ``source_id``, ``name``, ``gate_type`` and, optionally, ``access``.
    """
    frame = gates.copy()
    outline = boundary.boundary
    access = frame["access"] if "access" in frame else pd.Series("", index=frame.index)
    frame[S.DIST_M] = frame.distance(outline).round(2)
    frame[ROAD] = [_road_faced(p, boundary, roads) for p in frame.geometry]
    frame[VEHICLE] = [
        _is_vehicle(p, gt, a, roads)
        for p, gt, a in zip(frame.geometry, frame[GATE_TYPE], access, strict=True)
    ]
    return frame.drop(columns=["access"], errors="ignore")


def _is_vehicle(point: shapely.Point, gate_type: str, access: object, roads: gpd.GeoDataFrame) -> bool:
    """A gate cars use: a lift gate, or a road for cars runs through it, and access is not foot-only."""
    if access in ("foot", "no", "private"):
        return False
    if gate_type == "barrier=lift_gate":
        return True
    through = roads[roads[ROAD].isin(list(VEHICLE_ROADS))].distance(point) <= GATE_SNAP_M / 2
    return bool(through.any())


def _crossings(
    outline: shapely.Geometry, roads: gpd.GeoDataFrame, mapped: list[shapely.Point]
) -> pd.DataFrame:
    """Points where a road crosses the outline with no mapped gate within CROSSING_MERGE_M."""
    rows: list[dict[str, object]] = []
    taken = list(mapped)
    candidates = roads[roads.intersects(outline)]
    for source_id, name, road, line in zip(
        candidates[S.SOURCE_ID], candidates[S.NAME], candidates[ROAD], candidates.geometry, strict=True
    ):
        hits = line.intersection(outline)
        for i, point in enumerate(p for p in getattr(hits, "geoms", [hits]) if isinstance(p, shapely.Point)):
            if any(point.distance(t) <= CROSSING_MERGE_M for t in taken):
                continue
            taken.append(point)
            rows.append(
                {
                    S.SOURCE_ID: f"crossing/{source_id}/{i}",
                    S.NAME: name,
                    GATE_TYPE: f"crossing highway={road}",
                    "access": "",
                    "geometry": point,
                }
            )
    return pd.DataFrame(rows, columns=[S.SOURCE_ID, S.NAME, GATE_TYPE, "access", "geometry"])


def _road_faced(point: shapely.Point, boundary: shapely.Geometry, roads: gpd.GeoDataFrame) -> str:
    """Highest road class within ROAD_SEARCH_M of the gate that runs outside the compound."""
    near = roads[roads.distance(point) <= ROAD_SEARCH_M]
    outside = near[~near.geometry.within(boundary)]
    if outside.empty:
        return ""
    return max(outside[ROAD], key=lambda r: ROAD_RANK[r])


def choose_main_gate(
    gates: gpd.GeoDataFrame, boundary: shapely.Geometry, roads: gpd.GeoDataFrame
) -> MainGate:
    """Choose the main gate by the rules in the module docstring and record which one applied."""
    usable = gates[gates[GATE_TYPE] != "entrance=emergency"] if len(gates) else gates
    main = usable[usable[GATE_TYPE] == "entrance=main"]
    if len(main):
        return _pick(main, "tagged_main")
    named = usable[usable[S.NAME].fillna("").str.contains(MAIN_NAME)]
    if len(named):
        return _pick(named, "named_main")
    if len(usable):
        score = pd.DataFrame(
            {
                "vehicle": usable[VEHICLE].astype(int),
                "rank": usable[ROAD].map(lambda r: ROAD_RANK.get(r, -1)),
                "named": (usable[S.NAME].fillna("") != "").astype(int),
            },
            index=usable.index,
        )
        best = score.sort_values(["vehicle", "rank", "named"], ascending=False, kind="mergesort")
        top = usable.loc[best.index[:1]]
        row = top.iloc[0]
        what = "vehicle_gate" if row[VEHICLE] else "gate"
        return _pick(top, f"{what}_road:{row[ROAD]}" if row[ROAD] else f"{what}_no_road")
    return _gate_from_roads(boundary, roads)


def _pick(candidates: gpd.GeoDataFrame, rule: str) -> MainGate:
    row = candidates.sort_values(S.SOURCE_ID, kind="mergesort").iloc[0]
    return MainGate(point=row.geometry, source_id=row[S.SOURCE_ID], name=row[S.NAME] or "", rule=rule)


def _gate_from_roads(boundary: shapely.Geometry, roads: gpd.GeoDataFrame) -> MainGate:
    outline = boundary.boundary
    outside = roads[~roads.geometry.within(boundary) & (roads.distance(outline) <= 100)]
    if len(outside):
        ranks = outside[ROAD].map(ROAD_RANK)
        best = outside[ranks == ranks.max()]
        line = best.geometry.iloc[int(np.argmin(best.distance(outline).to_numpy()))]
        point = shapely.ops.nearest_points(outline, line)[0]
        return MainGate(point, "boundary", "", f"nearest_road:{best[ROAD].iloc[0]}")
    coords = shapely.get_coordinates(outline)
    south = coords[np.argmin(coords[:, 1])]
    return MainGate(shapely.Point(south), "boundary", "", "southernmost")


def mark_main(gates: gpd.GeoDataFrame, main: MainGate, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the gates with ``is_main`` and ``main_rule``; a chosen point is added as a gate."""
    frame = gates.copy()
    if main.source_id not in set(frame[S.SOURCE_ID]):
        extra = gpd.GeoDataFrame(
            [
                {
                    S.SOURCE_ID: main.source_id,
                    S.NAME: main.name,
                    GATE_TYPE: "chosen point",
                    S.DIST_M: round(float(boundary.boundary.distance(main.point)), 2),
                    ROAD: "",
                    VEHICLE: False,
                    "geometry": main.point,
                }
            ],
            geometry="geometry",
            crs=frame.crs,
        )
        frame = pd.concat([frame, extra], ignore_index=True)
    frame[IS_MAIN] = frame[S.SOURCE_ID] == main.source_id
    frame[MAIN_RULE] = np.where(frame[IS_MAIN], main.rule, "")
    return frame

