"""Neighbours the right size: one asset per institution, placed where it meets the compound.

OSM maps an institution in parts — its grounds, its named buildings, its pitches, a library node —
and a campus of several km² has its centroid far from the compound next to it. The expert stage
numbers the institution once, where residents reach it. So:

:func:`merge_parts`
    Parts of one institution become one asset (the kept one lists the others in ``other_ids``):
    parts with the institution's name (its buildings, a pitch named after the school), assets in
    its grounds, a school's unnamed pitches beside it; and same-named facilities of one kind close
    together (a bus stop's platforms). Each merge is returned for ``report.json``.
:func:`locate_neighbours`
    An adjacent institution or park (outside the compound, a polygon) is placed at the compound's
    gate into it (a gate in the wall they share), else at its own gate nearest the compound when
    one lies within the adjacency radius of the boundary, else where its outline faces the
    compound (:func:`meeting_point`). Its outline is dropped from the inventory; the figure's extent is
    then the compound plus the radius.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.core.geometry import facing_middle
from pipeline.inventory.gates import GATE_BARRIERS, GATE_SNAP_M, NOT_GATES

#: Two same-named facilities of one kind this close are one (a bus stop's two platforms).
SAME_NAME_M = 150.0
#: A pitch this close to a school outside the compound is the school's.
PITCH_M = 30.0
#: A neighbour placed at a gate is put this far into its grounds behind it.
BEHIND_GATE_M = 8.0
#: A neighbour's outline this much farther than its nearest approach still faces the compound.
FACING_M = 10.0
#: Kinds placed where they meet the compound when they lie outside it (besides institutions).
PLACED_KINDS = frozenset({"park", "garden", "green", "square"})
SCHOOL_KINDS = frozenset({"school", "primary_school", "middle_school", "kindergarten", "university"})
OTHER_IDS = "other_ids"
#: A name that ends like this names a building, not an institution (培训楼, 图书馆, 礼堂).
BUILDING_NAME = re.compile(r"(楼|馆|堂|厅|室|舍|房|building|hall)$", re.IGNORECASE)
LOCATED = "located"  # how an adjacent asset was placed: "shared gate", "gate" or "boundary"


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    return shapely.get_dimensions(geoms) == 2


def merge_parts(assets: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict[str, object]]]:
    """Merge the parts of one institution into one asset; return the assets and the merges.

    ``assets`` needs ``source_id``, ``name``, ``category``, ``kind`` and ``inside``. Parts are
    only merged on the same side of the boundary (inside with inside, outside with outside). In
    turn:

    1. same name: with an institution among them, all become that institution (the largest);
       otherwise those of one kind within :data:`SAME_NAME_M` of each other become the one
       nearest the compound (a bus stop's platform on the compound's side of the street);
    2. inside its grounds: an institution or a public space whose representative point lies in
       an institution's polygon (the union of its parts so far), or, outside the compound, in any
       larger asset's polygon (a school's buildings and pitches, a stadium's field: one neighbour,
       one number). An institution of another kind with a name of its own (a school in a campus,
       not its 实验楼) stays apart, and so does a facility (a parcel station, a waste station or a
       library in a campus serves the residents too);
    3. a school's pitch: an unnamed pitch outside within :data:`PITCH_M` of a school.

    The kept asset's geometry is the union of its polygonal parts; ``other_ids`` lists the rest.
    """
    if assets.empty:
        return assets, []
    frame = assets.reset_index(drop=True).copy()
    geoms = frame.geometry.to_numpy().copy()
    ids = frame[S.SOURCE_ID].astype(str).to_numpy()
    names = frame[S.NAME].fillna("").astype(str).to_numpy()
    inside = frame[S.INSIDE].astype(bool).to_numpy()
    kind = frame[S.KIND].to_numpy()
    dist = frame[S.DIST_M].to_numpy() if S.DIST_M in frame else np.zeros(len(frame))
    institution = (frame[S.CATEGORY] == S.Category.INSTITUTION.value).to_numpy()
    facility = (frame[S.CATEGORY] == S.Category.FACILITY.value).to_numpy()
    into = np.full(len(frame), -1)
    why = [""] * len(frame)

    def area(i: int) -> float:
        return float(geoms[i].area) if shapely.get_dimensions(geoms[i]) == 2 else 0.0

    def largest_first(members: list[int]) -> list[int]:
        return sorted(members, key=lambda i: (-area(i), ids[i]))

    def absorb(kept: int, part: int, reason: str) -> None:
        into[part], why[part] = kept, reason
        if not names[kept] and names[part]:  # an unnamed school polygon takes its named node's name
            names[kept] = names[part]
        if shapely.get_dimensions(geoms[part]) == 2:
            polygons = [g for g in (geoms[kept], geoms[part]) if shapely.get_dimensions(g) == 2]
            geoms[kept] = shapely.union_all(polygons)

    groups: dict[tuple[str, bool], list[int]] = {}
    for i in range(len(frame)):
        if names[i]:
            groups.setdefault((names[i], bool(inside[i])), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        owners = [i for i in members if institution[i]]
        if owners:
            kept = largest_first(owners)[0]
            for i in largest_first(members):
                if i != kept:
                    absorb(kept, i, "same name")
            continue
        nearest_first = sorted(members, key=lambda i: (dist[i], -area(i), ids[i]))
        for i in nearest_first:
            if into[i] >= 0:
                continue
            for j in nearest_first:
                near = shapely.distance(geoms[i], geoms[j]) <= SAME_NAME_M
                if j != i and into[j] < 0 and kind[j] == kind[i] and near:
                    absorb(i, j, "same name")
    live = [i for i in range(len(frame)) if into[i] < 0]
    # Smallest grounds first, so a building goes to the school it stands in, not to the campus round both.
    grounds = [g for g in reversed(largest_first(live)) if (institution[g] or not inside[g]) and area(g) > 0]
    for g in grounds:
        if into[g] >= 0:
            continue
        for i in largest_first(live):
            if i == g or into[i] >= 0 or inside[i] != inside[g] or area(i) >= area(g):
                continue
            own = institution[i] and names[i] and kind[i] != kind[g] and not BUILDING_NAME.search(names[i])
            if not own and not facility[i] and shapely.contains(_filled(geoms[g]), shapely.point_on_surface(geoms[i])):
                absorb(g, i, "inside its grounds")
    schools = [g for g in range(len(frame)) if into[g] < 0 and kind[g] in SCHOOL_KINDS and not inside[g]]
    for i in range(len(frame)):
        if into[i] >= 0 or kind[i] != "sports_ground" or inside[i] or names[i] or not schools:
            continue
        dist = [shapely.distance(geoms[i], geoms[g]) for g in schools]
        if min(dist) <= PITCH_M:
            absorb(schools[int(np.argmin(dist))], i, "a school's pitch")

    def owner(i: int) -> int:
        while into[i] >= 0:
            i = into[i]
        return i

    merges: dict[int, list[int]] = {}
    for i in range(len(frame)):
        if into[i] >= 0:
            merges.setdefault(owner(i), []).append(i)
    other = frame[OTHER_IDS].fillna("").astype(str).tolist() if OTHER_IDS in frame else [""] * len(frame)
    records = []
    for kept, parts in sorted(merges.items(), key=lambda kv: ids[kv[0]]):
        parts = sorted(parts, key=lambda i: ids[i])
        other[kept] = "; ".join(x for x in [other[kept], *(f"osm:{ids[i]}" for i in parts)] if x)
        records.append(
            {
                "kept": ids[kept],
                "name": names[kept],
                "merged": [{S.SOURCE_ID: ids[i], S.NAME: names[i], "why": why[i]} for i in parts],
            }
        )
    frame[OTHER_IDS] = other
    frame[S.NAME] = names
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return frame[into < 0].reset_index(drop=True), records


def _behind(gate: shapely.Point, grounds: shapely.Geometry) -> shapely.Point:
    """A point :data:`BEHIND_GATE_M` into the grounds behind a gate, so its marker sits beside the gate's."""
    inner = grounds.buffer(-BEHIND_GATE_M)
    if inner.is_empty:
        return gate
    point = shapely.ops.nearest_points(inner, gate)[0]
    return point if point.distance(gate) <= 2 * BEHIND_GATE_M else gate


def _filled(geom: shapely.Geometry) -> shapely.Geometry:
    """A polygon with its holes filled: the field inside a running track is the stadium's."""
    parts = getattr(geom, "geoms", [geom])
    return shapely.union_all([shapely.Polygon(p.exterior) for p in parts if isinstance(p, shapely.Polygon)])


def locate_neighbours(
    assets: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    features: gpd.GeoDataFrame,
    *,
    radius_m: float,
    compound_gates: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[dict[str, object]]]:
    """Place each adjacent institution or park where it meets the compound; return what was placed.

    In turn: at the compound's gate in the wall it shares with the neighbour (a gate whose
    ``opens_to`` is ``neighbour``, on the neighbour's outline); at its own gate nearest the
    compound, within ``radius_m``; else where its outline faces the compound. At a gate, the
    point is :data:`BEHIND_GATE_M` into its grounds, so the two markers do not hide each other.

    Parameters
    ----------
    assets
        The assets (``inside``, ``category``, ``kind``), metric CRS.
    boundary
        The compound's polygon.
    features
        The features near the compound (gate nodes of the neighbours), same CRS.
    radius_m
        The adjacency radius: a neighbour's gate farther than this from the boundary is not used.
    compound_gates
        The compound's gates (:func:`pipeline.inventory.gates.find_gates`).
    """
    frame = assets.copy()
    geoms = frame.geometry.to_numpy()
    wanted = (
        ~frame[S.INSIDE].astype(bool).to_numpy()
        & _polygonal(geoms)
        & (
            (frame[S.CATEGORY] == S.Category.INSTITUTION.value).to_numpy()
            | frame[S.KIND].isin(PLACED_KINDS).to_numpy()
        )
    )
    frame[LOCATED] = ""
    if not wanted.any():
        return frame, []
    gates = _gate_nodes(features)
    shared = np.array([], dtype=object)
    if compound_gates is not None and len(compound_gates) and "opens_to" in compound_gates:
        into = compound_gates[compound_gates["opens_to"] == "neighbour"].sort_values(S.SOURCE_ID)
        shared = into.geometry.to_numpy()
        leads = into["neighbour"].fillna("").astype(str).to_numpy() if "neighbour" in into else np.full(len(into), "")
    records = []
    for i in np.flatnonzero(wanted):
        poly = geoms[i]
        name = str(frame[S.NAME].iloc[i] or "")
        ours = (
            shared[(shapely.distance(shared, poly.boundary) <= GATE_SNAP_M) & ((leads == "") | (leads == name))]
            if len(shared)
            else shared
        )
        near = gates[
            (shapely.distance(gates, poly.boundary) <= GATE_SNAP_M) & (shapely.distance(gates, boundary) <= radius_m)
        ] if len(gates) else gates
        if len(ours):
            point, how = _behind(ours[0], poly), "shared gate"
        elif len(near):
            point = _behind(near[int(np.argmin(shapely.distance(near, boundary)))], poly)
            how = "gate"
        else:
            point = meeting_point(poly, boundary)
            how = "boundary"
        geoms[i] = point
        frame.iloc[i, frame.columns.get_loc(LOCATED)] = how
        records.append(
            {
                S.SOURCE_ID: str(frame[S.SOURCE_ID].iloc[i]),
                S.NAME: str(frame[S.NAME].iloc[i] or ""),
                "located": {
                    "shared gate": "at the compound's gate into it",
                    "gate": "at its gate nearest the compound",
                }.get(how, "where its outline faces the compound"),
                "area_m2": round(float(poly.area), 1),
            }
        )
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return frame, records


def meeting_point(neighbour: shapely.Geometry, boundary: shapely.Geometry) -> shapely.Point:
    """Return where a neighbour's grounds face the compound.

    The middle of the stretch of its outline within :data:`FACING_M` of its nearest approach
    (:func:`pipeline.core.geometry.facing_middle`).

    A campus across the road from a whole side is placed opposite the middle of that side, not at
    whichever corner of it GEOS finds nearest first.
    """
    return facing_middle(neighbour.boundary, boundary, FACING_M)


def _gate_nodes(features: gpd.GeoDataFrame) -> np.ndarray:
    points = features[features.geom_type == "Point"]
    tags = points[S.TAGS]
    gate = tags.map(
        lambda t: t.get("barrier") in GATE_BARRIERS
        or (t.get("entrance") is not None and t.get("entrance") not in NOT_GATES)
    ).astype(bool)
    return points.geometry.to_numpy()[gate.to_numpy()]


def merges_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """The merges as a flat table (kept, name, merged id, merged name, why), for reading in tests."""
    rows = [
        (r["kept"], r["name"], m[S.SOURCE_ID], m[S.NAME], m["why"])
        for r in records
        for m in r["merged"]  # type: ignore[attr-defined]
    ]
    return pd.DataFrame(rows, columns=["kept", "name", "merged", "merged_name", "why"])
