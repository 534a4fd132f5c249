"""Classify features with the taxonomy and select the compound's assets.

OSM tag rules are tried first, name patterns second (see ``taxonomy.toml``); the rule that
matched is recorded in the ``rule`` column. Features near the compound that carry an
amenity/leisure/shop/office/man_made/power tag but match no rule go to a review list: nothing
is silently dropped.

Street furniture outside the compound (:data:`STREET_FURNITURE`) is the street's, not an asset.
An asset outside the compound that lies inside another residential compound, more than
:data:`WALLED_DEPTH_M` from its outline, is behind that compound's walls: it is not this
compound's asset (a shop on the other compound's street front is).

Green spaces are public spaces: an unnamed lawn, garden or green (kinds in :data:`GREEN_KINDS`)
is an asset when it lies inside or touches the compound and is large enough to use — at least
:data:`GREEN_MIN_WIDTH_M` wide somewhere (GB 50180-2018 asks 8 m of a residential block's
concentrated green space) and :data:`GREEN_MIN_AREA_M2` in area (our choice: 20 m × 20 m, room for
a seating group or a small playground; the standard sets no area for a block's green). It is
named 绿地 (green space where the area's names are not Chinese). Narrow verges, small beds and
lawns across the street stay in the green context layer. A named green space is kept as before.
"""

from __future__ import annotations

import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.core import schema as S
from pipeline.core.taxonomy import Taxonomy, load_taxonomy
from pipeline.core.words import word

log = logging.getLogger(__name__)

DEFAULT_RADIUS_M = 50.0

#: Kinds that are green space: usable ones inside or touching the compound are public spaces.
GREEN_KINDS = frozenset({"green", "garden"})
GREEN_MIN_WIDTH_M = 8.0
GREEN_MIN_AREA_M2 = 400.0
TOUCH_M = 1.0  # a green space this close to the boundary touches it
#: Outside the compound these belong to the street, not to it: a hydrant, a bench on the pavement.
STREET_FURNITURE = (("emergency", "fire_hydrant"), ("amenity", "bench"), ("leisure", "picnic_table"))
#: An asset this deep inside another compound is behind its walls (see _in_other_compounds).
WALLED_DEPTH_M = 15.0
#: A polygon holding this share of the compound's area holds the compound (a campus round it).
SURROUNDS_SHARE = 0.9

#: Keys whose unmatched features must be reviewed by a person.
REVIEW_KEYS = ("amenity", "leisure", "shop", "office", "man_made", "power")

#: Tags that make a polygon a residential compound (also :mod:`pipeline.inventory.compound`'s).
COMPOUND_TAGS = (("landuse", "residential"), ("residential", None), ("place", "neighbourhood"))


def is_compound(tags: dict[str, str]) -> bool:
    """Tell whether a polygon's tags make it a residential compound."""
    return any(k in tags and (v is None or tags[k] == v) for k, v in COMPOUND_TAGS)


#: Features that are never assets, whatever their name says: roads, compounds, admin areas.
_NOT_ASSET_KEYS = ("landuse=residential", "residential", "boundary", "waterway", "railway", "barrier")


def _never_asset(tags: dict[str, str]) -> bool:
    if "highway" in tags and tags["highway"] != "bus_stop":
        return True
    if tags.get("place") not in (None, "square"):
        return True
    for test in _NOT_ASSET_KEYS:
        key, _, value = test.partition("=")
        if key in tags and (not value or tags[key] == value):
            return True
    return False


def classify_features(features: gpd.GeoDataFrame, taxonomy: Taxonomy | None = None) -> gpd.GeoDataFrame:
    """Return a copy of ``features`` with ``category``, ``kind`` and ``rule`` (empty when unmatched)."""
    taxonomy = taxonomy or load_taxonomy()
    kinds, categories, rules = [], [], []
    for tags, name in zip(features[S.TAGS], features[S.NAME].fillna(""), strict=True):
        rule = None if _never_asset(tags) else taxonomy.match(tags, name)
        if rule is None:
            kinds.append("")
            categories.append("")
            rules.append("")
        else:
            kinds.append(rule.kind)
            categories.append(taxonomy.kinds[rule.kind].category.value)
            rules.append(rule.text)
    out = features.copy()
    out[S.CATEGORY] = categories
    out[S.KIND] = kinds
    out[S.RULE] = rules
    return out


def select_assets(
    classified: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    exclude: frozenset[str] = frozenset(),
) -> tuple[gpd.GeoDataFrame, list[dict[str, str]], list[dict[str, str]]]:
    """Select the assets inside the boundary or within ``radius_m`` of it.

    Parameters
    ----------
    classified
        Output of :func:`classify_features`, in a metric CRS.
    boundary
        The compound's polygon in the same CRS.
    radius_m
        How far outside the boundary an adjacent asset may lie.
    exclude
        ``source_id`` values never taken as assets (the compound's own polygon).

    Returns
    -------
    assets, review, merged
        The assets (``inside``, ``dist_m`` added), the unmatched features to review, and the
        point features dropped because the polygon they lie in is the same asset.
    """
    near = classified[classified.distance(boundary) <= radius_m]
    near = near[~near[S.SOURCE_ID].isin(exclude)]
    # A campus or district polygon that holds the compound is context, not an asset.
    near = near[~surrounds(near.geometry, boundary)]
    matched = near[near[S.KIND] != ""].copy()
    unmatched = near[(near[S.KIND] == "") & near[S.TAGS].map(lambda t: any(k in t for k in REVIEW_KEYS))]
    review = [
        {S.SOURCE_ID: sid, S.NAME: name, "tags": "; ".join(f"{k}={t[k]}" for k in REVIEW_KEYS if k in t)}
        for sid, name, t in zip(unmatched[S.SOURCE_ID], unmatched[S.NAME], unmatched[S.TAGS], strict=True)
    ]
    matched, merged = _drop_points_inside_same_kind(matched)
    matched = _usable_green(matched, boundary, near)
    reps = matched.geometry.representative_point()
    matched[S.INSIDE] = reps.within(boundary).to_numpy()
    street = matched[S.TAGS].map(_street_furniture).astype(bool) & ~matched[S.INSIDE]
    matched, reps = matched[~street], reps[~street]
    walled = _in_other_compounds(reps, near, boundary) & ~matched[S.INSIDE]
    if walled.any():
        log.info("%d assets lie inside a neighbouring compound: theirs, not this one's.", int(walled.sum()))
        matched, reps = matched[~walled], reps[~walled]
    matched[S.DIST_M] = matched.distance(boundary).round(1)
    log.info(
        "Selected %d assets (%d inside, %d adjacent within %.0f m); %d features to review.",
        len(matched),
        int(matched[S.INSIDE].sum()),
        int((~matched[S.INSIDE]).sum()),
        radius_m,
        len(review),
    )
    return matched.reset_index(drop=True), review, merged


def _street_furniture(tags: dict[str, str]) -> bool:
    return any(tags.get(k) == v for k, v in STREET_FURNITURE)


def _in_other_compounds(
    reps: gpd.GeoSeries, near: gpd.GeoDataFrame, boundary: shapely.Geometry
) -> pd.Series:
    """Tell which points lie inside another residential compound, behind its walls.

    A point within :data:`WALLED_DEPTH_M` of that compound's outline is on its street front (a shop
    in a street-facing building, as round every Helsinki block) and stays reachable.
    """
    polygons = near[near.geom_type.isin(["Polygon", "MultiPolygon"])]
    others = polygons[polygons[S.TAGS].map(is_compound).astype(bool)]
    others = others[~surrounds(others.geometry, boundary)]
    if others.empty or reps.empty:
        return pd.Series(False, index=reps.index)
    geoms = others.geometry.to_numpy()
    hit, which = shapely.STRtree(geoms).query(reps.to_numpy(), predicate="within")
    deep = shapely.distance(reps.to_numpy()[hit], shapely.boundary(geoms[which])) >= WALLED_DEPTH_M
    out = np.zeros(len(reps), dtype=bool)
    out[hit[deep]] = True
    return pd.Series(out, index=reps.index)


def surrounds(geoms: gpd.GeoSeries, boundary: shapely.Geometry) -> pd.Series:
    """Tell which polygons hold the compound: :data:`SURROUNDS_SHARE` of its area or more.

    Not all of it: a campus drawn round its staff housing misses a sliver here and there.
    """
    polygonal = geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    out = pd.Series(False, index=geoms.index)
    if polygonal.any() and boundary.area > 0:
        shared = shapely.area(shapely.intersection(geoms[polygonal].to_numpy(), boundary))
        out[polygonal] = shared >= SURROUNDS_SHARE * boundary.area
    return out


def _usable_green(assets: gpd.GeoDataFrame, boundary: shapely.Geometry, near: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep an unnamed green space only when the compound's people can use it; name it 绿地."""
    names = assets[S.NAME].fillna("")
    green = assets[S.KIND].isin(GREEN_KINDS) & (names == "")
    if not green.any():
        return assets
    geoms = assets.geometry
    polygon = geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    touches = geoms.distance(boundary) <= TOUCH_M
    wide = polygon & ~geoms.buffer(-GREEN_MIN_WIDTH_M / 2).is_empty
    usable = touches & wide & (geoms.area >= GREEN_MIN_AREA_M2)
    keep = ~green | usable
    out = assets[keep].copy()
    out.loc[green[keep], S.NAME] = word("compound.title.green", local_language(near[S.NAME]))
    dropped = int((~keep).sum())
    if dropped:
        log.info("%d unnamed green spaces are too small, too narrow or not the compound's.", dropped)
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")


def local_language(names: pd.Series) -> str:
    """``zh`` when at least a third of the area's names are Chinese, else ``en``."""
    named = names.fillna("").astype(str)
    named = named[named != ""]
    if named.empty:
        return "zh"
    return "zh" if named.map(lambda n: bool(_CJK.search(n))).mean() >= 1 / 3 else "en"


def _drop_points_inside_same_kind(
    assets: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[dict[str, str]]]:
    """Drop a point that lies in a polygon of the same kind and name (or has no name).

    Mappers often put a POI node inside the area they also drew; numbering both would give one
    car park two numbers.
    """
    points = assets[assets.geom_type == "Point"]
    areas = assets[assets.geom_type.isin(["Polygon", "MultiPolygon"])]
    if points.empty or areas.empty:
        return assets, []
    pairs = gpd.sjoin(
        points[[S.KIND, S.NAME, "geometry"]],
        areas[[S.KIND, S.NAME, S.SOURCE_ID, "geometry"]],
        predicate="within",
        how="inner",
    )
    same = pairs[
        (pairs[f"{S.KIND}_left"] == pairs[f"{S.KIND}_right"])
        & ((pairs[f"{S.NAME}_left"].fillna("") == "") | (pairs[f"{S.NAME}_left"] == pairs[f"{S.NAME}_right"]))
    ]
    drop = pd.Index(same.index.unique())
    merged = [
        {"dropped": assets.at[i, S.SOURCE_ID], "kept": same.loc[[i], S.SOURCE_ID].iloc[0]} for i in drop
    ]
    return assets.drop(index=drop), merged
