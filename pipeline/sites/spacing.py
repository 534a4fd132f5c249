"""Sunlight spacing (日照间距): the open ground north of each residential building that must stay open.

Chinese housing is laid out so each home gets its winter sunlight: the ground north of a residential
building, out to :data:`SUNLIGHT_RATIO` × its height, is kept clear for the building behind it. A
candidate site on that ground may take open-air uses (a playground, fitness equipment, bicycle racks),
never a kiosk or a small building.

The ratio is a local rule, not a GB 50180-2018 figure: the standard sets the sunlight hours a home
must get (住宅建筑日照标准), and each city turns them into a spacing coefficient. We take
Beijing's, **1.7** (北京地区建设工程规划设计通则, residential buildings outside the old city; the old city
uses 1.6); Shanghai's is 1.0–1.2 (上海市城市规划管理技术规定), so 1.7 errs on the side of keeping
ground open. The figure is recalled from those texts: check it and change ``sunlight_ratio`` in
:class:`pipeline.sites.candidates.SiteOptions` for other cities.

A building's height is its ``height`` tag (metres), else ``building:levels`` × :data:`STOREY_M`;
unknown levels are taken as the compound's median mapped levels, else 6 (an old walk-up,
:data:`pipeline.sites.area.DEFAULT_LEVELS`), as coverage weights them. North is the projected
grid's +y: the local UTM grid is within 2° of true north, far less than the ratio's own spread.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from pipeline.core import schema as S

#: Beijing's sunlight spacing coefficient (日照间距系数) for residential buildings.
SUNLIGHT_RATIO = 1.7
#: Metres per storey when only ``building:levels`` is mapped.
STOREY_M = 3.0
_METRES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:m)?\s*$")


def building_heights(buildings: gpd.GeoDataFrame, features: gpd.GeoDataFrame | None) -> np.ndarray:
    """Height in metres of each residential building: ``height`` tag, else levels used × :data:`STOREY_M`.

    ``buildings`` is :attr:`pipeline.sites.area.WalkArea.buildings` (``levels_used`` filled);
    ``features`` the area's features, whose tags may carry ``height`` (``"18"``, ``"18 m"``).
    """
    from_levels = pd.to_numeric(buildings["levels_used"], errors="coerce").to_numpy(float) * STOREY_M
    if features is None or not len(buildings):
        return from_levels
    tags = features.set_index(S.SOURCE_ID)[S.TAGS]
    tags = tags[~tags.index.duplicated()]
    tagged = buildings[S.SOURCE_ID].map(tags)
    metres = tagged.map(lambda t: _metres(t.get("height")) if isinstance(t, dict) else np.nan).to_numpy(float)
    return np.where(np.isfinite(metres) & (metres > 0), metres, from_levels)


def _metres(value: object) -> float:
    """A ``height`` tag in metres (``18``, ``18.5 m``); NaN for anything else (``5 floors``, ``60'``)."""
    m = _METRES.match(str(value))
    return float(m.group(1)) if m else np.nan


def spacing_zone(footprints: np.ndarray, depths: np.ndarray) -> shapely.Geometry:
    """The ground each footprint sweeps when moved north by its depth, less the footprints themselves.

    The sweep of a polygon along a segment (a Minkowski sum, which shapely lacks) is the union of the
    polygon, its shifted copy and the parallelogram each outline edge traces.
    """
    pieces = []
    for geom, depth in zip(footprints, depths, strict=True):
        if geom is None or geom.is_empty or not depth > 0:
            continue
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part.exterior)
            a, b = xy[:-1], xy[1:]
            shift = np.array([0.0, depth])
            quads = np.stack([a, b, b + shift, a + shift, a], axis=1)
            pieces += list(shapely.polygons(quads))
            pieces.append(affinity.translate(part, 0.0, depth))
    if not pieces:
        return shapely.Polygon()
    swept = shapely.union_all(shapely.make_valid(np.array(pieces, dtype=object)))
    return shapely.difference(swept, shapely.union_all(footprints))


def sunlight_spacing(
    buildings: gpd.GeoDataFrame, features: gpd.GeoDataFrame | None, ratio: float = SUNLIGHT_RATIO
) -> shapely.Geometry:
    """The compound's sunlight spacing ground: north of each residential building, ``ratio`` × its height."""
    heights = building_heights(buildings, features)
    return spacing_zone(buildings.geometry.to_numpy(), ratio * heights)
