"""Where spots are: the nearest numbered asset, distances, and blurring for the public map.

Spots are stored in WGS-84 lon/lat. The inventory's assets come in the inventory's projected
metric CRS (``docs/design.md``), so a spot is projected into that CRS to find its nearest asset. Short
distances between spots (tens of metres) use the haversine formula, which is within a few
millimetres of the geodesic at that range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pipeline.core.errors import CRSError, DataError, Words
from pipeline.core.schema import CATEGORY, KIND, LABEL, NAME, SEQ, SOURCE_ID, WGS84
from pipeline.core.words import word

if TYPE_CHECKING:
    import geopandas as gpd

EARTH_RADIUS_M = 6_371_008.8
_REQUIRED = (SEQ, LABEL, NAME, CATEGORY, KIND, SOURCE_ID)


@dataclass(frozen=True)
class NearAsset:
    """The numbered asset a spot is near, as shown beside the spot ("near 7 · 畅乐园")."""

    seq: int
    label: str
    name: str
    category: str
    kind: str
    source_id: str
    dist_m: float

    def text(self, lang: str = "zh") -> str:
        """Return ``"近 7 · 畅乐园"`` (``lang="zh"``) or ``"near 7 · 畅乐园"`` (``"en"``)."""
        return near_text(self.label, self.name, lang)


def near_text(label: str | None, name: str | None, lang: str = "zh") -> str:
    """Return the "near" phrase for an asset label and name (``spot.near``); empty when there is no label."""
    if not label:
        return ""
    return word("spot.near", lang, label=label, name=name) if name else word("spot.near_label", lang, label=label)


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Return great-circle distances in metres between WGS-84 points (numpy broadcasting)."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def degree_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """Return ``(min_lon, min_lat, max_lon, max_lat)`` enclosing a circle of ``radius_m``."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def utm_crs(lon: float, lat: float) -> str:
    """Return the EPSG code of the WGS-84 UTM zone holding a point, e.g. ``"EPSG:32650"``."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _check_assets(assets: gpd.GeoDataFrame) -> None:
    missing = [c for c in _REQUIRED if c not in assets.columns]
    if missing:
        raise DataError("error.store.assets_columns", columns=missing)
    if assets.crs is None or not assets.crs.is_projected:
        kind = Words("error.store.crs_none" if assets.crs is None else "error.store.crs_degrees")
        raise CRSError("error.store.assets_crs", crs=str(assets.crs), kind=kind)


def nearest_assets(
    lon: ArrayLike,
    lat: ArrayLike,
    assets: gpd.GeoDataFrame,
    *,
    max_dist_m: float = 30.0,
) -> list[NearAsset | None]:
    """Link WGS-84 points to their nearest numbered asset within ``max_dist_m``.

    Parameters
    ----------
    lon, lat
        WGS-84 coordinates of the spots.
    assets
        The inventory's ``assets`` layer in a projected metric CRS, with ``seq``, ``label``,
        ``name``, ``category``, ``kind`` and ``source_id``. Distance is to the asset's geometry
        (0 inside a polygon); equidistant assets go to the lowest ``seq``.
    max_dist_m
        Farther assets are not linked.

    Returns
    -------
    list of NearAsset or None
        One per point, ``None`` when no asset lies within ``max_dist_m``.

    Raises
    ------
    CRSError
        When the assets are not in a projected CRS.
    DataError
        When inventory columns are missing.
    """
    import geopandas as gpd
    import shapely

    _check_assets(assets)
    lons = np.atleast_1d(np.asarray(lon, dtype=float))
    lats = np.atleast_1d(np.asarray(lat, dtype=float))
    out: list[NearAsset | None] = [None] * len(lons)
    usable = assets[assets.geometry.notna() & ~assets.geometry.is_empty]
    if usable.empty or len(lons) == 0:
        return out
    points = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=WGS84).to_crs(usable.crs)
    query_idx, tree_idx = usable.sindex.query(points.to_numpy(), predicate="dwithin", distance=max_dist_m)
    if len(query_idx) == 0:
        return out
    dists = shapely.distance(points.to_numpy()[query_idx], usable.geometry.to_numpy()[tree_idx])
    seqs = usable[SEQ].to_numpy()[tree_idx]
    # Per point: the nearest first (to the millimetre); equidistant assets by their number.
    ranked = sorted(
        zip(query_idx, tree_idx, dists, seqs, strict=True), key=lambda r: (r[0], round(r[2], 3), r[3])
    )
    for q, t, d, _ in ranked:
        if d > max_dist_m or out[q] is not None:
            continue
        row = usable.iloc[t]
        out[q] = NearAsset(
            seq=int(row[SEQ]),
            label=str(row[LABEL]),
            name=_text(row[NAME]),
            category=str(row[CATEGORY]),
            kind=str(row[KIND]),
            source_id=str(row[SOURCE_ID]),
            dist_m=round(float(d), 2),
        )
    return out


def with_current_labels(
    records: Sequence[Any], assets: gpd.GeoDataFrame, *, max_dist_m: float = 30.0
) -> list[Any]:
    """Return spot records whose "near" asset carries the label and name it has in ``assets`` now.

    A spot keeps the ``source_id`` of the asset it was linked to when it was made, so after a gate change,
    a renumbering or a rename it reads "近 23 · 畅乐园" as the map does, not the label frozen at creation. A
    spot whose asset is gone (hidden, removed from the data) is linked again to its nearest asset within
    ``max_dist_m`` (or to none). The store is not changed.

    Parameters
    ----------
    records
        :class:`~store.records.SpotRecord` objects.
    assets
        The numbered inventory the page shows (see :func:`nearest_assets`).
    """
    _check_assets(assets)
    now = {
        str(sid): (str(label), _text(name))
        for sid, label, name in zip(assets[SOURCE_ID], assets[LABEL], assets[NAME], strict=True)
    }
    out = list(records)
    lost = [i for i, r in enumerate(out) if r.near_source_id and r.near_source_id not in now]
    for i, r in enumerate(out):
        if r.near_source_id in now:
            label, name = now[r.near_source_id]
            if (label, name) != (r.near_label, r.near_name or ""):
                out[i] = replace(r, near_label=label, near_name=name)
    if lost:
        found = nearest_assets(
            [out[i].lon for i in lost], [out[i].lat for i in lost], assets, max_dist_m=max_dist_m
        )
        for i, near in zip(lost, found, strict=True):
            out[i] = replace(
                out[i],
                near_label=None if near is None else near.label,
                near_name=None if near is None else near.name,
                near_source_id=None if near is None else near.source_id,
                near_dist_m=None if near is None else near.dist_m,
            )
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def nearest_asset(
    lon: float, lat: float, assets: gpd.GeoDataFrame, *, max_dist_m: float = 30.0
) -> NearAsset | None:
    """Return the nearest numbered asset within ``max_dist_m`` of one WGS-84 point.

    See :func:`nearest_assets`.

    Examples
    --------
    >>> near = nearest_asset(116.33, 40.01, assets)  # doctest: +SKIP
    >>> near.text("en")  # doctest: +SKIP
    'near 7 · 畅乐园'
    """
    return nearest_assets([lon], [lat], assets, max_dist_m=max_dist_m)[0]


def blur_lonlat(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    cell_m: float = 50.0,
    crs: Any = None,
) -> tuple[NDArray, NDArray]:
    """Snap WGS-84 points to the centres of a square grid of ``cell_m`` metres.

    For the public map: every point in a cell shows at the same place, so a spot cannot be
    traced to a door. Planners see exact locations.

    Parameters
    ----------
    lon, lat
        WGS-84 coordinates.
    cell_m
        Grid size in metres.
    crs
        The metric CRS whose grid is used (the inventory's); the UTM zone of the points' mean
        when omitted, so one compound's spots share one grid.

    Returns
    -------
    tuple of numpy arrays
        Blurred ``(lon, lat)``.
    """
    from pyproj import Transformer

    if not cell_m > 0:
        raise DataError("error.store.blur_cell", cell_m=cell_m)
    lons = np.atleast_1d(np.asarray(lon, dtype=float))
    lats = np.atleast_1d(np.asarray(lat, dtype=float))
    if lons.size == 0:
        return lons, lats
    crs = crs or utm_crs(float(np.mean(lons)), float(np.mean(lats)))
    fwd = Transformer.from_crs(WGS84, crs, always_xy=True)
    back = Transformer.from_crs(crs, WGS84, always_xy=True)
    x, y = fwd.transform(lons, lats)
    x = (np.floor(np.asarray(x) / cell_m) + 0.5) * cell_m
    y = (np.floor(np.asarray(y) / cell_m) + 0.5) * cell_m
    blon, blat = back.transform(x, y)
    return np.asarray(blon), np.asarray(blat)


def spots_frame(
    spots: Sequence[Any], *, blur_m: float | None = None, lang: str = "zh", crs: Any = None
) -> gpd.GeoDataFrame:
    """Turn spot records into a WGS-84 GeoDataFrame for the map layer, heat map or a table.

    Parameters
    ----------
    spots
        :class:`~store.records.SpotRecord` objects (e.g. from :func:`store.list_spots`).
    blur_m
        Snap locations to a grid of this many metres (the public map); exact when ``None``.
    lang
        Language of ``category_label`` and ``near``.
    crs
        Metric CRS of the blur grid (see :func:`blur_lonlat`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id``, ``category``, ``category_label``, ``text``, ``author``, ``supports``,
        ``status``, ``has_photo``, ``near``, ``created_at``, geometry (points, EPSG:4326).
        Text is raw: escape it where it is shown (``docs/reliability.md``, "Resident text on the map").
    """
    import geopandas as gpd

    from pipeline.core.spots import parse_spot_category

    lons = np.array([s.lon for s in spots], dtype=float)
    lats = np.array([s.lat for s in spots], dtype=float)
    if blur_m is not None and len(spots):
        lons, lats = blur_lonlat(lons, lats, cell_m=blur_m, crs=crs)
    return gpd.GeoDataFrame(
        {
            "id": [s.id for s in spots],
            CATEGORY: [s.category for s in spots],
            "category_label": [word(f"spot.category.{parse_spot_category(s.category)}", lang) for s in spots],
            "text": [s.text for s in spots],
            "author": [s.author for s in spots],
            "supports": [s.supports for s in spots],
            "status": [s.status for s in spots],
            "has_photo": [s.has_photo for s in spots],
            "near": [near_text(s.near_label, s.near_name, lang) for s in spots],
            "created_at": [s.created_at for s in spots],
        },
        geometry=gpd.points_from_xy(lons, lats),
        crs=WGS84,
    )


def spots_from_store(url: str, compound_id: str, *, session_id: int | None = None) -> gpd.GeoDataFrame:
    """The compound's open spots from the store at ``url``, with ``supports`` and ``votes``.

    The store is opened without migrating it (it is only read). ``votes`` come from a closed vote
    session: a topic's dots count as votes for each of its spots; 0 without ``session_id``.

    Parameters
    ----------
    url
        The store's SQLAlchemy URL.
    compound_id
        The compound the inventory records, e.g. ``way/595108678``.
    session_id
        A closed vote session of the compound, or ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`spots_frame`'s columns (exact locations) plus ``votes``.
    """
    from store.db import Store
    from store.spots import list_spots
    from store.votes import get_results

    store = Store(url, migrate=False)
    try:
        frame = spots_frame(list_spots(store, compound_id))
        votes: dict[int, int] = {}
        if session_id is not None:
            for topic in get_results(store, session_id).ranked:
                for spot in topic.spot_ids:
                    votes[spot] = votes.get(spot, 0) + topic.dots
    finally:
        store.close()
    frame["votes"] = frame["id"].map(votes).fillna(0).astype(int)
    return frame
