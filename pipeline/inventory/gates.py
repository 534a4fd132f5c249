"""Find a compound's gates and choose the main gate, recording the rule that chose it.

Gates are OSM nodes tagged ``barrier=gate|lift_gate|entrance|…`` or ``entrance=*`` (building
doors excluded: ``entrance=staircase|home|shop|…``, and any entrance on a building's outline, as in
a perimeter block whose buildings are its wall) within :data:`GATE_SNAP_M` of the boundary, plus
the points where a road or path crosses the boundary with no gate node mapped near them.

The main gate is the first of these rules that picks one (the rule is recorded):

1. ``entrance=main`` on a gate;
2. a name that says so (正门, 大门, 主入口, 主门, main gate/entrance);
3. among the other gates, compared in turn: one that leads into the compound (on the outline, or
   a road through it enters the compound) before one a few metres off on a road passing by; one
   that opens outward (to a road, or to open land) before one in a wall shared with a neighbouring
   institution or compound; a vehicle gate before a foot gate; the one facing the higher-class
   road (``highway=`` rank below); named before unnamed; the one nearer that road (to the metre);
   then the smaller ``source_id``. The rule recorded names the first of these that told the
   chosen gate from the runner-up;
4. with no gate at all, the middle of the side facing the highest-class road the compound fronts
   (within :data:`FRONTING_M`; else the highest-class road within 100 m), else the southernmost
   boundary point (the traditional orientation of Chinese compounds).

Emergency exits (``entrance=emergency``) are found but never chosen by rules 3–4.

What lies outside a gate is read from the :data:`APRON_M` around it, outside the compound: a road
of class ``unclassified`` or above, or any road there that does not run inside the neighbour's
grounds, means the gate opens to a road; otherwise, when the grounds of a neighbouring
institution or compound (:func:`grounds_of`) cover half of that apron or more, the gate is in a
shared wall and leads into them. Every gate also gets the parts of a name
(:mod:`pipeline.inventory.naming`): its side, the road it opens to (the road through it, else
the nearest named road outside) or the neighbour it leads into, and its titles in Chinese and
English.

The rule is recorded by its id (:data:`RULES`), with the road class it names after a colon
(``outward_vehicle_gate_road:tertiary``); its words are the catalogue's ``gate.rule.<id>``
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
from pipeline.core.geometry import facing_middle
from pipeline.core.words import word
from pipeline.inventory.naming import Titles, english_road, gate_titles, road_latin_names, side_of, side_word

log = logging.getLogger(__name__)

GATE_SNAP_M = 10.0  # a gate node this close to the outline is on it
CROSSING_MERGE_M = 20.0  # a crossing this close to a mapped gate is that gate
ROAD_SEARCH_M = 60.0  # how far a gate looks for the road it faces
APRON_M = 15.0  # what lies this close outside a gate is what it opens to
FRONTING_M = 30.0  # with no gate mapped, a road this close is one the compound fronts
PUBLIC_RANK = 5  # roads of this rank (unclassified) and above are public wherever they run

GATE_BARRIERS = frozenset({"gate", "lift_gate", "entrance", "sliding_gate", "swing_gate", "bollard_gate"})
NOT_GATES = frozenset({"staircase", "home", "garage", "shop", "no"})
DOOR_M = 0.5  # an entrance node this close to a building's outline is the building's door
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

#: Polygons whose wall a gate may share: other compounds and the grounds of institutions.
GROUNDS_TAGS: dict[str, frozenset[str] | None] = {
    "landuse": frozenset(
        {"residential", "education", "commercial", "industrial", "military", "institutional", "religious", "retail"}
    ),
    "residential": None,
    "amenity": frozenset(
        {"university", "college", "school", "kindergarten", "hospital", "research_institute", "prison"}
    ),
    "office": None,
    "military": None,
}

# Gate columns.
GATE_TYPE = "gate_type"
ROAD = "road"  # highway class of the road the gate faces
ROAD_DIST = "road_dist_m"  # how far that road is
LEADS_IN = "leads_in"  # on the outline, or a road through it enters the compound (or none is mapped)
VEHICLE = "vehicle"
IS_MAIN = "is_main"
MAIN_RULE = "main_rule"
SIDE = "side"  # where the gate is in the compound: north, north-east, …
ROAD_NAME = "road_name"  # the road it opens to, as named in OSM
ROAD_NAME_EN = "road_name_en"
OPENS_TO = "opens_to"  # "road", "neighbour" (a shared wall) or "" (open land, nothing mapped)
NEIGHBOUR = "neighbour"  # the name of the grounds a shared-wall gate leads into
TITLE_ZH = "title_zh"  # the name people read: the gate's own, else side and road
TITLE_EN = "title_en"


#: What decided rule 3, as the prefix of its rule id ("" for the vehicle gate or the road class).
_DECIDED = ("only_", "leads_in_", "outward_", "", "named_", "nearer_")
#: The ids of the main-gate rules, in the order they are tried; ``user`` and ``user_point`` when the
#: user chose the gate or a point on the boundary.
RULES = (
    "tagged_main",
    "named_main",
    *(f"{d}{what}_{road}" for d in _DECIDED for what in ("vehicle_gate", "gate") for road in ("road", "no_road")),
    "facing_road",
    "southernmost",
    "user",
    "user_point",
)


@dataclass(frozen=True)
class MainGate:
    """The chosen main gate: where it is, which gate it is (if any), why, and what to call it."""

    point: shapely.Point
    source_id: str
    name: str
    rule: str
    title_zh: str = ""
    title_en: str = ""

    def title(self, lang: str = "zh") -> str:
        """What to call the gate in ``lang``: its name, else its side and road; never its id."""
        return self.name or (self.title_zh if lang == "zh" else self.title_en) or word("gate.title.plain", lang)


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


def _is_grounds(tags: dict[str, str]) -> bool:
    if "building" in tags:
        return False
    return any(k in tags and (v is None or tags[k] in v) for k, v in GROUNDS_TAGS.items())


def grounds_of(features: gpd.GeoDataFrame, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the neighbours' grounds near the compound: ``name`` and polygon, metric CRS.

    Other compounds and the grounds of institutions (:data:`GROUNDS_TAGS`), not buildings;
    leaving out polygons that hold the whole compound (a district, a campus around it) and those
    lying mostly inside it (the compound itself, its own parts).
    """
    polygons = features[features.geom_type.isin(["Polygon", "MultiPolygon"])]
    near = polygons[polygons.distance(boundary) <= APRON_M]
    near = near[near[S.TAGS].map(_is_grounds).astype(bool)]
    if near.empty:
        return gpd.GeoDataFrame({S.NAME: []}, geometry=[], crs=features.crs)
    geoms = near.geometry.to_numpy()
    shared = shapely.area(shapely.intersection(geoms, boundary))
    inside = shared >= 0.5 * shapely.area(geoms)
    holds = shared >= 0.9 * boundary.area  # a campus drawn round the compound: see classify.surrounds
    keep = ~inside & ~holds
    return gpd.GeoDataFrame(
        {S.NAME: near[S.NAME].fillna("").to_numpy()[keep]}, geometry=geoms[keep], crs=features.crs
    ).reset_index(drop=True)


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
        ``source_id``, ``name``, ``gate_type``, ``road`` (class of the road faced), ``vehicle``,
        ``dist_m`` (to the outline) and what :func:`describe_gates` adds (side, road name, what
        it opens to, titles), one row per gate, sorted by ``source_id``.
    """
    outline = boundary.boundary
    points = features[features.geometry.geom_type == "Point"]
    is_gate = points[S.TAGS].map(_is_gate).astype(bool)
    nodes = points[is_gate]
    nodes = nodes[nodes.distance(outline) <= GATE_SNAP_M]
    nodes = nodes[~_building_doors(nodes, features)]
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
        describe_gates(frame, boundary, roads, grounds_of(features, boundary))
        .sort_values(S.SOURCE_ID, kind="mergesort")
        .reset_index(drop=True)
    )


def _building_doors(nodes: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> np.ndarray:
    """Entrances (no gate barrier) on a building's outline: doors, even where the building is the wall."""
    door = ~nodes[S.TAGS].map(lambda t: t.get("barrier") in GATE_BARRIERS).to_numpy(dtype=bool)
    if not door.any():
        return door
    polygons = features[features.geom_type.isin(["Polygon", "MultiPolygon"])]
    buildings = polygons[polygons[S.TAGS].map(lambda t: "building" in t).astype(bool)]
    if buildings.empty:
        return np.zeros(len(nodes), dtype=bool)
    tree = shapely.STRtree(shapely.boundary(buildings.geometry.to_numpy()))
    hit, _ = tree.query(nodes.geometry.to_numpy(), predicate="dwithin", distance=DOOR_M)
    on_building = np.zeros(len(nodes), dtype=bool)
    on_building[hit] = True
    return door & on_building


def describe_gates(
    gates: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    roads: gpd.GeoDataFrame,
    grounds: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add ``dist_m``, ``road``, ``vehicle``, what the gate opens to, and its titles.

    ``gates`` (OSM's, or a survey's) needs ``source_id``, ``name``, ``gate_type`` and,
    optionally, ``access`` and ``road_name`` (the road through a crossing). ``grounds`` are the
    neighbours' grounds (:func:`grounds_of`); without them no wall is taken as shared.
    """
    frame = gates.copy()
    outline = boundary.boundary
    access = frame["access"] if "access" in frame else pd.Series("", index=frame.index)
    frame[S.DIST_M] = frame.distance(outline).round(2)
    faced = [_road_faced(p, boundary, roads) for p in frame.geometry]
    frame[ROAD] = [f[0] for f in faced]
    frame[ROAD_DIST] = [f[1] for f in faced]
    frame[VEHICLE] = [
        _is_vehicle(p, gt, a, roads)
        for p, gt, a in zip(frame.geometry, frame[GATE_TYPE], access, strict=True)
    ]
    frame[LEADS_IN] = [_leads_in(p, boundary, roads) for p in frame.geometry]
    grounds = grounds if grounds is not None else gpd.GeoDataFrame({S.NAME: []}, geometry=[], crs=frame.crs)
    english = road_latin_names(roads)
    through = frame[ROAD_NAME] if ROAD_NAME in frame else pd.Series("", index=frame.index)
    parts = [
        _outside(p, str(t) if isinstance(t, str) else "", boundary, roads, grounds, english)
        for p, t in zip(frame.geometry, through, strict=True)
    ]
    frame[SIDE] = [side_of(p, boundary) for p in frame.geometry]
    for i, column in enumerate((ROAD_NAME, ROAD_NAME_EN, OPENS_TO, NEIGHBOUR)):
        frame[column] = [part[i] for part in parts]
    return add_titles(frame.drop(columns=["access"], errors="ignore"))


def add_titles(gates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Set ``title_zh`` and ``title_en`` from the gates' names and name parts."""
    frame = gates.copy()
    for column in (S.NAME, SIDE, ROAD_NAME, ROAD_NAME_EN, OPENS_TO, NEIGHBOUR):
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].fillna("")
    frame[TITLE_ZH] = gate_titles(frame, "zh")
    frame[TITLE_EN] = gate_titles(frame, "en")
    return frame


def _outside(
    point: shapely.Point,
    through: str,
    boundary: shapely.Geometry,
    roads: gpd.GeoDataFrame,
    grounds: gpd.GeoDataFrame,
    english: dict[str, str],
) -> tuple[str, str, str, str]:
    """What a gate opens to: ``(road name, its English, opens_to, neighbour's name)``."""
    apron = point.buffer(APRON_M).difference(boundary)
    neighbour, share = None, 0.0
    if len(grounds) and apron.area > 0:
        cover = shapely.area(shapely.intersection(grounds.geometry.to_numpy(), apron)) / apron.area
        best = int(np.argmax(cover))
        neighbour, share = grounds.iloc[best], float(cover[best])
    near = roads[roads.distance(point) <= APRON_M] if len(roads) else roads
    public = []
    for road, line in zip(near[ROAD], near.geometry, strict=True):
        part = line.intersection(apron)
        if part.is_empty:
            continue
        if ROAD_RANK.get(road, 0) >= PUBLIC_RANK or neighbour is None or share < 0.5:
            public.append(True)
        else:
            public.append(part.intersection(neighbour.geometry).length < 0.5 * part.length)
    opens_to = "road" if any(public) else ("neighbour" if share >= 0.5 else "")
    if opens_to == "neighbour" and neighbour is not None:
        return "", "", opens_to, str(neighbour[S.NAME] or "")
    name = through or _nearest_named_road(point, boundary, roads)
    return name, english_road(name, english.get(name, "")) if name else "", opens_to, ""


def _nearest_named_road(point: shapely.Point, boundary: shapely.Geometry, roads: gpd.GeoDataFrame) -> str:
    """The nearest named road within ROAD_SEARCH_M of the gate that runs outside the compound."""
    named = roads[(roads[S.NAME].fillna("") != "") & (roads.distance(point) <= ROAD_SEARCH_M)]
    named = named[~named.geometry.within(boundary)]
    if named.empty:
        return ""
    return str(named[S.NAME].loc[named.distance(point).sort_values(kind="mergesort").index[0]])


def _leads_in(point: shapely.Point, boundary: shapely.Geometry, roads: gpd.GeoDataFrame) -> bool:
    """Tell whether a gate leads into the compound rather than along it.

    It does when it is on the outline, when no road is mapped through it, or when a road through
    it enters the compound; a gate a few metres off, on a road that only passes by outside, is
    some other enclosure's.
    """
    if boundary.boundary.distance(point) <= 1.0:
        return True
    through = roads[roads.distance(point) <= GATE_SNAP_M / 4]
    return through.empty or bool(through.intersects(boundary.buffer(-1.0)).any())


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
                    S.NAME: "",
                    GATE_TYPE: f"crossing highway={road}",
                    "access": "",
                    ROAD_NAME: name or "",
                    "geometry": point,
                }
            )
    return pd.DataFrame(rows, columns=[S.SOURCE_ID, S.NAME, GATE_TYPE, "access", ROAD_NAME, "geometry"])


def _road_faced(
    point: shapely.Point, boundary: shapely.Geometry, roads: gpd.GeoDataFrame
) -> tuple[str, float]:
    """Return the class of the road a gate faces, and how far it is.

    The highest class within ROAD_SEARCH_M of the gate that runs outside the compound, and the
    distance to the nearest road of that class (``("", inf)`` when there is none).
    """
    dist = roads.distance(point)
    near = roads[dist <= ROAD_SEARCH_M]
    outside = near[~near.geometry.within(boundary)]
    if outside.empty:
        return "", float("inf")
    best = max(outside[ROAD], key=lambda r: ROAD_RANK[r])
    return best, round(float(dist[outside.index[outside[ROAD] == best]].min()), 2)


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
        return _pick(*_rank_gates(usable))
    return _gate_from_roads(boundary, roads)


#: Rule 3's criteria, in the order they are compared (the larger value wins).
_CRITERIA = ("leads_in", "outward", "vehicle", "rank", "named", "nearer")


def _rank_gates(usable: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """Rule 3: order the gates by :data:`_CRITERIA`, then ``source_id``; say what decided."""
    opens_to = usable[OPENS_TO] if OPENS_TO in usable else pd.Series("", index=usable.index)
    leads_in = usable[LEADS_IN] if LEADS_IN in usable else pd.Series(True, index=usable.index)
    score = pd.DataFrame(
        {
            "leads_in": leads_in.fillna(True).astype(int),
            "outward": (opens_to != "neighbour").astype(int),
            "vehicle": usable[VEHICLE].astype(int),
            "rank": usable[ROAD].map(lambda r: ROAD_RANK.get(r, -1)),
            "named": (usable[S.NAME].fillna("") != "").astype(int),
            "nearer": -(usable[ROAD_DIST] if ROAD_DIST in usable else pd.Series(0.0, index=usable.index))
            .fillna(float("inf"))
            .round(0),
            "id": usable[S.SOURCE_ID],
        },
        index=usable.index,
    )
    best = score.sort_values(
        [*_CRITERIA, "id"], ascending=[False] * len(_CRITERIA) + [True], kind="mergesort"
    )
    row = usable.loc[best.index[0]]
    what = "vehicle_gate" if row[VEHICLE] else "gate"
    if len(best) == 1:
        prefix = "only_"
    else:
        first, second = best.iloc[0], best.iloc[1]
        decided = next((c for c in _CRITERIA if first[c] != second[c]), "")
        prefix = {"leads_in": "leads_in_", "outward": "outward_", "named": "named_", "nearer": "nearer_"}.get(
            decided, ""
        )
    rule = f"{prefix}{what}_road:{row[ROAD]}" if row[ROAD] else f"{prefix}{what}_no_road"
    return usable.loc[best.index[:1]], rule


def _pick(candidates: gpd.GeoDataFrame, rule: str) -> MainGate:
    row = candidates.sort_values(S.SOURCE_ID, kind="mergesort").iloc[0]
    return MainGate(
        point=row.geometry,
        source_id=row[S.SOURCE_ID],
        name=row[S.NAME] or "",
        rule=rule,
        title_zh=str(row.get(TITLE_ZH, "") or ""),
        title_en=str(row.get(TITLE_EN, "") or ""),
    )


def _gate_from_roads(boundary: shapely.Geometry, roads: gpd.GeoDataFrame) -> MainGate:
    """Rule 4: place the gate where the compound fronts its road.

    The middle of the side facing the highest-class road the compound fronts directly (within
    :data:`FRONTING_M`), else the highest within 100 m; else the southernmost point.
    """
    outline = boundary.boundary
    outside = roads[~roads.geometry.within(boundary)]
    dist = outside.distance(outline)
    near = outside[dist <= FRONTING_M]
    if near.empty:
        near = outside[dist <= 100]
    if len(near):
        ranks = near[ROAD].map(ROAD_RANK)
        best = near[ranks == ranks.max()]
        nearest = int(np.argmin(best.distance(outline).to_numpy()))
        name = best[S.NAME].iloc[nearest]
        same = best[best[S.NAME] == name] if name else best.iloc[[nearest]]
        point = facing_middle(outline, shapely.union_all(same.geometry.to_numpy()))
        titles = _point_titles(point, boundary, roads, str(best[S.NAME].iloc[nearest] or ""))
        return MainGate(
            point,
            "boundary",
            "",
            f"facing_road:{best[ROAD].iloc[nearest]}",
            *titles,
        )
    coords = shapely.get_coordinates(outline)
    south = shapely.Point(coords[np.argmin(coords[:, 1])])
    return MainGate(
        south,
        "boundary",
        "",
        "southernmost",
        *_point_titles(south, boundary, roads, ""),
    )


def _point_titles(point: shapely.Point, boundary: shapely.Geometry, roads: gpd.GeoDataFrame, road: str) -> tuple[str, str]:
    """Titles of a boundary point taken as the gate: its side and the road it faces."""
    english = road_latin_names(roads)
    row = gpd.GeoDataFrame(
        {
            S.NAME: [""],
            SIDE: [side_of(point, boundary)],
            ROAD_NAME: [road],
            ROAD_NAME_EN: [english_road(road, english.get(road, "")) if road else ""],
            OPENS_TO: ["road" if road else ""],
            NEIGHBOUR: [""],
        },
        geometry=[point],
    )
    return gate_titles(row, "zh")[0], gate_titles(row, "en")[0]


def mark_main(gates: gpd.GeoDataFrame, main: MainGate, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the gates with ``is_main`` and ``main_rule``; a chosen point is added as a gate."""
    frame = gates.copy()
    if main.source_id not in set(frame[S.SOURCE_ID]):
        side = side_of(main.point, boundary)
        plain = Titles(
            word("gate.title.gate", "zh", side=side_word(side, "zh"), n=""),
            word("gate.title.gate", "en", side=side_word(side, "en"), n=""),
        )
        extra = gpd.GeoDataFrame(
            [
                {
                    S.SOURCE_ID: main.source_id,
                    S.NAME: main.name,
                    GATE_TYPE: "chosen point",
                    S.DIST_M: round(float(boundary.boundary.distance(main.point)), 2),
                    ROAD: "",
                    VEHICLE: False,
                    SIDE: side,
                    TITLE_ZH: main.name or main.title_zh or plain.zh,
                    TITLE_EN: main.name or main.title_en or plain.en,
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
