"""The inputs of coverage: the walled network around a compound, its housing and the facilities.

:func:`prepare_area` builds the :class:`WalkArea`: the walking network of :mod:`pipeline.walk.network`
with the compound's wall (and, if asked, its neighbours'), the compound's residential buildings
(:func:`residential_buildings`) joined at their mapped entrances (``entrance=*`` nodes on the
outline) or else at the point of their outline nearest a path on their side of the wall, and every
facility of the standards' kinds within the margin, inside or outside the compound.

Housing is ``building=residential|apartments|house|…``; a ``building=yes`` inside the compound
counts when its name says so (3号楼, 职工宿舍) or, unnamed, when it is larger than
:data:`MIN_UNNAMED_M2`; buildings that are assets or carry another use (``amenity``, ``office``, …)
never count. Each gets a ``weight``: households when given, else floor area (footprint × levels,
unknown levels taken as the median mapped in the compound, else :data:`DEFAULT_LEVELS`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.inventory.build import Inventory
from pipeline.inventory.classify import classify_features
from pipeline.inventory.gates import find_gates
from pipeline.inventory.naming import Titled
from pipeline.sites.standards import read_standards
from pipeline.walk.network import (
    WALK_ROADS,
    WalkNetwork,
    Wall,
    attach,
    barrier_lines,
    build_network,
    check_gates,
    outline_points,
    walkable_lines,
    wall_of,
)

log = logging.getLogger(__name__)

RESIDENTIAL_TYPES = frozenset({
    "residential", "apartments", "house", "detached", "semidetached_house", "terrace", "dormitory", "bungalow",
})  # fmt: skip
#: A ``building=yes`` inside the compound with such a name is housing (10号楼, 3栋, 职工宿舍).
RESIDENTIAL_NAME = re.compile(r"\d+\s*号?楼$|号楼|住宅|宿舍|公寓|单元|\d+\s*[栋幢座]")
MIN_UNNAMED_M2 = 200.0  # an unnamed building=yes this large inside the compound is taken as housing
DEFAULT_LEVELS = 6.0  # an old walk-up (docs/domain.md: no lifts)
ENTRANCE_SNAP_M = 1.5  # an entrance node this close to a building's outline is its door
#: A building with one of these tags is used for something else than housing (an office, a shop).
OTHER_USE_KEYS = (
    "amenity",
    "shop",
    "office",
    "tourism",
    "craft",
    "healthcare",
    "leisure",
    "industrial",
    "man_made",
)
WEIGHT = "weight"
WEIGHT_BASIS = "weight_basis"


@dataclass(frozen=True, eq=False)
class WalkArea:
    """The prepared inputs: the network with buildings and facilities joined to it."""

    network: WalkNetwork
    boundary: shapely.Geometry
    buildings: gpd.GeoDataFrame  # residential buildings: weight, weight_basis, basis
    building_nodes: np.ndarray  # node of each anchor (door or outline point)
    building_of: np.ndarray  # row position in ``buildings`` of each anchor
    facilities: gpd.GeoDataFrame  # kind, source_id, name, node (-1 when off the network), snap_m
    features: gpd.GeoDataFrame | None  # the area's features in the local CRS, when given
    #: No footpath is mapped inside the compound: homes reach its gates in straight lines (:func:`courtyard_lines`).
    courtyard: bool = False


def residential_buildings(
    buildings: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    *,
    exclude: frozenset[str] = frozenset(),
    weights: Mapping[str, float] | pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """Return the compound's residential buildings with a ``weight`` and the reason each was taken.

    Parameters
    ----------
    buildings
        Building polygons with ``source_id``, ``name``, ``type`` (the ``building=`` value) and
        ``levels`` (the inventory's ``buildings`` context layer).
    boundary
        The compound's polygon.
    exclude
        ``source_id`` of buildings that are assets (a canteen, a service station), never housing.
    weights
        Households per building ``source_id``; buildings missing from it fall back to floor area.

    Raises
    ------
    DataError
        When no building inside the boundary is housing.
    """
    within = buildings[buildings.representative_point().within(boundary)]
    inside = within[~within[S.SOURCE_ID].isin(exclude)]
    names = inside[S.NAME].fillna("").astype(str)
    types = inside["type"].fillna("").astype(str)
    basis = np.where(
        types.isin(list(RESIDENTIAL_TYPES)),
        "building=" + types,
        np.where(
            (types == "yes") & names.str.contains(RESIDENTIAL_NAME),
            "name says housing",
            np.where(
                (types == "yes") & (names == "") & (inside.area >= MIN_UNNAMED_M2),
                f"unnamed building=yes over {MIN_UNNAMED_M2:.0f} m2",
                "",
            ),
        ),
    )
    found = inside[basis != ""].copy()
    if found.empty:
        raise DataError("error.sites.no_housing", n=len(within), other=len(within) - len(inside))
    found["basis"] = basis[basis != ""]
    found["footprint_m2"] = found.area.round(1)
    levels = pd.to_numeric(found.get("levels"), errors="coerce")
    fill = float(levels.median()) if levels.notna().any() else DEFAULT_LEVELS
    found["levels_used"] = levels.fillna(fill)
    found[WEIGHT] = found["footprint_m2"] * found["levels_used"]
    found[WEIGHT_BASIS] = "floor_area_m2"
    if weights is not None:
        given = found[S.SOURCE_ID].map(pd.Series(weights, dtype=float))
        found.loc[given.notna(), WEIGHT] = given[given.notna()]
        found.loc[given.notna(), WEIGHT_BASIS] = "households"
        if given.notna().any() and given.isna().any():
            log.warning(
                "Households given for %d of %d buildings; the others are weighted by floor area.",
                int(given.notna().sum()),
                len(found),
            )
    log.info("Found %d residential buildings (%s).", len(found), ", ".join(sorted(set(found["basis"]))))
    return found.reset_index(drop=True)


def _context_lines(inventory: Inventory) -> gpd.GeoDataFrame:
    roads = inventory.context["roads"]
    roads = roads[roads["type"].isin(list(WALK_ROADS))]
    return (
        gpd.GeoDataFrame(
            {S.SOURCE_ID: roads[S.SOURCE_ID], "road": roads["type"]},
            geometry=roads.geometry.values,
            crs=roads.crs,
        )
        .explode(index_parts=False)
        .reset_index(drop=True)
    )


def neighbour_walls(local: gpd.GeoDataFrame, boundary: shapely.Geometry) -> list[Wall]:
    """Walls of the other residential compounds (``landuse=residential``) in a local feature frame."""
    tags = local[S.TAGS]
    polys = local[
        local.geom_type.isin(["Polygon", "MultiPolygon"])
        & tags.map(lambda t: t.get("landuse") == "residential" or "residential" in t).astype(bool)
    ]
    polys = polys[
        ~polys.geometry.representative_point().within(boundary) & ~polys.intersects(boundary.buffer(-1))
    ]
    return [
        wall_of(p, find_gates(p, local), name=n or sid)
        for sid, n, p in zip(polys[S.SOURCE_ID], polys[S.NAME].fillna(""), polys.geometry, strict=True)
    ]


def prepare_area(
    inventory: Inventory,
    features: gpd.GeoDataFrame | None = None,
    *,
    standards: pd.DataFrame | None = None,
    margin_m: float | None = None,
    weights: Mapping[str, float] | pd.Series | None = None,
    wall_neighbours: bool = False,
    crossings_open: bool = True,
) -> WalkArea:
    """Build the walled network around a compound and join its buildings and the facilities to it.

    Parameters
    ----------
    inventory
        The compound's inventory (its CRS is used throughout).
    features
        The extract's feature frame (any CRS): paths, facilities and entrances up to ``margin_m``
        outside. Without it only the inventory's context (150 m) and assets are used, so facilities
        farther out are not seen: give it whenever you can.
    standards
        The facility standards; the shipped ones by default.
    margin_m
        How far around the compound to look; default the largest radius plus 300 m.
    weights
        Households per building ``source_id`` (see :func:`residential_buildings`).
    wall_neighbours
        Wall the other residential compounds of the area too (routes pass only through their gates).
    crossings_open
        Treat the points where a path crosses the outline with no gate mapped as openings (the
        inventory lists them as gates); ``False`` walls them up.
    """
    standards = read_standards() if standards is None else standards
    crs = inventory.crs
    poly = inventory.boundary.geometry.iloc[0]
    margin = float(standards["radius_m"].max()) + 300.0 if margin_m is None else margin_m
    area = poly.buffer(margin)
    local = None
    if features is not None:
        # Select in the frame's own CRS first: a city extract is never projected whole per compound.
        where = gpd.GeoSeries([area], crs=crs).to_crs(features.crs).iloc[0]
        local = features.iloc[sorted(features.sindex.query(where, predicate="intersects"))].to_crs(crs)
        lines = walkable_lines(local)
    else:
        log.warning(
            "No feature frame given: coverage sees only the inventory's assets and paths within 150 m."
        )
        lines = _context_lines(inventory)
    exclude = set(inventory.assets[S.SOURCE_ID])
    if local is not None:
        other = local[S.TAGS].map(lambda t: any(k in t for k in OTHER_USE_KEYS)).astype(bool)
        exclude |= set(local.loc[other, S.SOURCE_ID])
    buildings = residential_buildings(
        inventory.context["buildings"], poly, exclude=frozenset(exclude), weights=weights
    )
    name = Titled(inventory.report.get("compound", {}))
    wall = wall_of(poly, inventory.gates, name=name, crossings=crossings_open)
    courtyard = not shapely.intersects(lines.geometry.to_numpy(), poly.buffer(-1.0)).any()
    if courtyard:
        log.warning("No footpath is mapped inside the compound: homes reach its gates in straight lines.")
        lines = pd.concat([lines, courtyard_lines(poly, buildings, wall.gates)], ignore_index=True)
    walls = [wall]
    if wall_neighbours and local is not None:
        walls += neighbour_walls(local, poly)
    barriers = barrier_lines(local) if local is not None else None
    net = build_network(lines, walls=tuple(walls), barriers=barriers)
    check_gates(net, 0)
    net, nodes, of = _join_buildings(net, buildings, local)
    facilities = _facilities(inventory, local, standards)
    zones = net.zone_of(facilities.geometry.representative_point().to_numpy())
    points = np.where(
        facilities.geom_type == "Point",
        facilities.geometry.to_numpy(),
        outline_points(net, facilities.geometry.to_numpy(), zones),
    )
    net, fnodes, snap = attach(net, points, zones=zones)
    facilities = facilities.assign(node=fnodes, snap_m=np.round(snap, 1))
    off = facilities[facilities["node"] < 0]
    if len(off):
        log.warning(
            "%d facilities are farther than the snap distance from any path: %s.",
            len(off),
            ", ".join(off[S.SOURCE_ID].head(5)),
        )
    return WalkArea(net, poly, buildings, nodes, of, facilities, local, courtyard)


def courtyard_lines(
    boundary: shapely.Geometry, buildings: gpd.GeoDataFrame, gates: tuple[shapely.Point, ...]
) -> gpd.GeoDataFrame:
    """Straight lines inside ``boundary`` from every home to every gate, as walkable lines.

    Many compounds map no footpath inside (open courtyards, or paths not drawn yet): residents then
    cross the open ground, and a home's walk is its straight line to a gate, then the streets. The
    lines are clipped to the compound, so a concave outline never makes a path outside it.
    """
    homes = shapely.get_coordinates(buildings.geometry.representative_point().to_numpy())
    doors = shapely.get_coordinates(np.array(gates, dtype=object))
    if not len(homes) or not len(doors):
        return gpd.GeoDataFrame({S.SOURCE_ID: [], "road": []}, geometry=[], crs=buildings.crs)
    ends = np.stack(np.broadcast_arrays(homes[:, None, :], doors[None, :, :]), axis=2).reshape(-1, 2, 2)
    inside = shapely.get_parts(shapely.intersection(shapely.linestrings(ends), boundary))
    inside = inside[(shapely.get_type_id(inside) == 1) & (shapely.length(inside) > 0)]
    n = len(inside)
    return gpd.GeoDataFrame(
        {S.SOURCE_ID: ["courtyard"] * n, "road": ["courtyard"] * n}, geometry=inside, crs=buildings.crs
    )


def _join_buildings(
    net: WalkNetwork, buildings: gpd.GeoDataFrame, local: gpd.GeoDataFrame | None
) -> tuple[WalkNetwork, np.ndarray, np.ndarray]:
    zones = net.zone_of(buildings.representative_point().to_numpy())
    points, owner, point_zones = [], [], []
    doors = _entrances(local, buildings) if local is not None else {}
    fallback = outline_points(net, buildings.geometry.to_numpy(), zones)
    for i in range(len(buildings)):
        mine = doors.get(i) or [fallback[i]]
        points += mine
        owner += [i] * len(mine)
        point_zones += [zones[i]] * len(mine)
    net, nodes, _ = attach(net, np.array(points, dtype=object), zones=np.array(point_zones))
    missing = sorted(set(range(len(buildings))) - set(np.array(owner)[nodes >= 0]))
    if missing:
        log.warning(
            "%d buildings are off the walking network: %s.",
            len(missing),
            ", ".join(buildings[S.SOURCE_ID].iloc[missing]),
        )
    return net, nodes, np.array(owner)


def _entrances(local: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> dict[int, list[shapely.Point]]:
    doors = local[(local.geom_type == "Point") & local[S.TAGS].map(lambda t: "entrance" in t).astype(bool)]
    if doors.empty:
        return {}
    rings = buildings.geometry.boundary
    i, j = shapely.STRtree(rings.to_numpy()).query(
        doors.geometry.to_numpy(), predicate="dwithin", distance=ENTRANCE_SNAP_M
    )
    out: dict[int, list[shapely.Point]] = {}
    for door, building in zip(i, j, strict=True):
        out.setdefault(int(building), []).append(doors.geometry.iloc[door])
    return out


def _facilities(
    inventory: Inventory, local: gpd.GeoDataFrame | None, standards: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Facilities of the standards' kinds: the inventory's assets (edits included) and the area's features."""
    cols = [S.SOURCE_ID, S.NAME, S.KIND, "geometry"]
    frames = [inventory.assets[cols]]
    if local is not None:
        classified = classify_features(local)
        frames.append(classified[classified[S.KIND] != ""][cols])
    found = pd.concat(frames, ignore_index=True).drop_duplicates(S.SOURCE_ID)
    found = found[found[S.KIND].isin(standards.index)]
    found[S.NAME] = found[S.NAME].fillna("")
    return gpd.GeoDataFrame(found, geometry="geometry", crs=inventory.crs).reset_index(drop=True)
