"""Find the residential compounds of an extract and pick one by id, name or boundary file."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from pipeline.core import schema as S
from pipeline.core.crs import utm_crs
from pipeline.core.errors import CompoundNotFoundError, CRSError, DataError, InputFileError, Listed, Words
from pipeline.core.geometry import repair_polygon
from pipeline.inventory.classify import is_compound
from pipeline.inventory.gates import TITLE_EN, TITLE_ZH, find_gates, roads_of
from pipeline.inventory.naming import STREET_SEARCH_M, Titles, compound_titles

log = logging.getLogger(__name__)

AREA_M2 = "area_m2"
GATE_MARGIN_M = 100.0  # gates, crossings and the roads they face all lie this close
GATES = "gates"



def find_compounds(features: gpd.GeoDataFrame, *, count_gates: bool = True) -> gpd.GeoDataFrame:
    """List every residential compound polygon (``landuse=residential`` and similar).

    Parameters
    ----------
    features
        The feature frame in WGS-84.
    count_gates
        Count each compound's gates; off when only picking one or planning a batch, which then
        needs no gate search at all.

    Returns
    -------
    GeoDataFrame
        ``source_id``, ``name``, ``area_m2``, ``gates`` (count found on the outline, or -1 when
        not counted), ``title_zh`` and ``title_en`` (the name, else one from the address or the
        nearest named street: :func:`pipeline.inventory.naming.compound_titles`), geometry in
        WGS-84; largest first.
    """
    polygonal = features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    positions = np.flatnonzero(polygonal)
    positions = positions[features[S.TAGS].iloc[positions].map(is_compound).astype(bool).to_numpy()]
    compounds = features.iloc[positions]
    if compounds.empty:
        return gpd.GeoDataFrame(
            {S.SOURCE_ID: [], S.NAME: [], AREA_M2: [], GATES: [], TITLE_ZH: [], TITLE_EN: []},
            geometry=[],
            crs=features.crs,
        )
    crs = utm_crs(shapely.union_all(compounds.geometry.values))
    local = compounds.to_crs(crs)
    gate_counts = count_compound_gates(features, positions, crs) if count_gates else [-1] * len(compounds)
    titles = _titles(local, roads_of(features).to_crs(crs))  # only the roads need projecting
    out = gpd.GeoDataFrame(
        {
            S.SOURCE_ID: compounds[S.SOURCE_ID].to_numpy(),
            S.NAME: compounds[S.NAME].fillna("").to_numpy(),
            AREA_M2: local.area.round(0).to_numpy(),
            GATES: gate_counts,
            TITLE_ZH: [t.zh for t in titles],
            TITLE_EN: [t.en for t in titles],
        },
        geometry=compounds.geometry.to_numpy(),
        crs=features.crs,
    )
    return out.sort_values([AREA_M2, S.SOURCE_ID], ascending=[False, True]).reset_index(drop=True)


def _titles(compounds: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> list[Titles]:
    """Each compound's title in Chinese and English: its name, else one made from its surroundings."""
    named = roads[roads[S.NAME].fillna("") != ""]
    out = []
    for name, tags, geom in zip(compounds[S.NAME].fillna(""), compounds[S.TAGS], compounds.geometry, strict=True):
        if name:
            out.append(Titles(name, name))
            continue
        near = named.iloc[named.sindex.query(geom.buffer(STREET_SEARCH_M))] if len(named) else named
        out.append(compound_titles(tags, shapely.make_valid(geom), near))
    return out


def count_compound_gates(features: gpd.GeoDataFrame, positions: np.ndarray, crs: CRS) -> list[int]:
    """Count the gates of the compounds at ``positions`` (row positions in ``features``), in ``crs``.

    Each compound's gates are searched among its own neighbourhood (:func:`gates_near`), never
    the whole city, so a city's listing grows linearly with its compounds.
    """
    local = features.to_crs(crs)
    geoms = local.geometry.to_numpy()
    return [len(gates_near(local, shapely.make_valid(geoms[pos]))) for pos in positions]


def gates_near(local: gpd.GeoDataFrame, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """:func:`find_gates` of ``boundary`` among the features within :data:`GATE_MARGIN_M` of it.

    ``local`` is a feature frame in a metric CRS, ``boundary`` a polygon in it. The features are
    picked with the frame's spatial index. Gate nodes (10 m), crossings (on the outline), the
    roads a gate faces (60 m from the gate) and what it opens to all lie that close, so the gates
    are those a search over the whole frame finds, in the same order, described alike; only a
    road's English name may differ, when it is mapped on a farther piece of the road.
    """
    near = local.sindex.query(boundary, predicate="dwithin", distance=GATE_MARGIN_M)
    return find_gates(boundary, local.iloc[np.sort(near)])


def neighbourhood(
    features: gpd.GeoDataFrame, boundary: shapely.Geometry, *, margin_m: float
) -> gpd.GeoDataFrame:
    """Return the features within ``margin_m`` of a WGS-84 boundary (a spatial-index query).

    Every per-compound step looks no farther than this, so a city extract is never scanned
    whole per compound, and a batch task can be handed just this part of the city.
    """
    crs = utm_crs(boundary)
    area = gpd.GeoSeries([boundary], crs=S.WGS84).to_crs(crs).buffer(margin_m).to_crs(features.crs).iloc[0]
    hits = features.sindex.query(area, predicate="intersects")
    return features.iloc[np.sort(hits)]


def find_compound(features: gpd.GeoDataFrame, query: str) -> pd.Series:
    """Return the compound ``query`` (an OSM id or a name) names in a feature frame.

    An id is looked up directly, without listing every compound of the extract first, so a
    build in a city-sized extract does not cost a pass over all its compounds.
    """
    hit = features[features[S.SOURCE_ID] == query.strip()]
    if len(hit) == 1 and is_compound(hit[S.TAGS].iloc[0]) and hit.geom_type.iloc[0] in ("Polygon", "MultiPolygon"):
        return hit.iloc[0]
    return select_compound(find_compounds(features, count_gates=False), query)


def select_compound(compounds: gpd.GeoDataFrame, query: str) -> pd.Series:
    """Return the compound whose OSM id (``way/595108678``) or exact name is ``query``.

    An unknown or ambiguous name raises :class:`CompoundNotFoundError` listing the close matches.
    """
    query = query.strip()
    if compounds.empty:
        raise CompoundNotFoundError("error.compound.none")
    by_id = compounds[compounds[S.SOURCE_ID] == query]
    if len(by_id):
        return by_id.iloc[0]
    by_name = compounds[compounds[S.NAME] == query]
    if len(by_name) == 1:
        return by_name.iloc[0]
    if len(by_name) > 1:
        ids = ", ".join(by_name[S.SOURCE_ID])
        raise CompoundNotFoundError("error.compound.several", query=query, ids=ids)
    names = [n for n in compounds[S.NAME] if n]
    close = difflib.get_close_matches(query, names, n=5, cutoff=0.3)
    close += [n for n in names if (query in n or n in query) and n not in close]
    if close:
        found = [compounds.loc[compounds[S.NAME] == n, S.SOURCE_ID].iloc[0] for n in close]
        hint = Words("error.compound.close", compounds=_listed(found, close))
    else:
        first = compounds.iloc[:10]
        hint = Words("error.compound.listing", compounds=_listed(first[S.SOURCE_ID], first[S.NAME]))
    raise CompoundNotFoundError("error.compound.not_found", query=query, hint=hint)


def _listed(ids: Iterable[str], names: Iterable[str]) -> Listed:
    """Compounds by name and id, listed the way the reader's language lists names."""
    return Listed(
        Words("error.compound.entry", name=n, id=i) if n else Words("error.compound.entry_unnamed", id=i)
        for i, n in zip(ids, names, strict=True)
    )


def check_degrees(frame: gpd.GeoDataFrame, path: str | Path, what: str | Words) -> None:
    """Refuse a file whose coordinates, read as WGS-84, are not degrees (metres in a GeoJSON, say).

    Raises
    ------
    CRSError
        Naming the file, the coordinates found and what they look like.
    """
    x0, y0, x1, y1 = (float(v) for v in frame.to_crs(S.WGS84).total_bounds)
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return
    declared = frame.crs.to_string() if frame.crs is not None else Words("error.compound.crs_none")
    raise CRSError("error.compound.degrees", what=what, file=Path(path), x=x0, y=y0, declared=declared)


def read_boundary_file(path: str | Path) -> shapely.Polygon | shapely.MultiPolygon:
    """Read a compound outline from any vector file GDAL reads; return it in WGS-84.

    The file must hold one polygon (several are merged with a warning), with a CRS.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError("error.compound.boundary_missing", file=path)
    try:
        frame = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise InputFileError("error.compound.boundary_unreadable", file=path, detail=exc) from exc
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise DataError("error.compound.boundary_empty", file=path)
    if frame.crs is None:
        raise CRSError("error.compound.boundary_no_crs", file=path)
    if len(frame) > 1:
        log.warning("The boundary file %s has %d features; merging them into one outline.", path, len(frame))
    wgs84 = frame.to_crs(S.WGS84)
    check_degrees(wgs84, path, Words("error.compound.boundary"))
    geom = shapely.union_all(wgs84.geometry.values)
    return repair_polygon(geom, f"boundary in `{path}`")
