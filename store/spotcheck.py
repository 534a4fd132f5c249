"""Checks of imported spots against the compound and the store: too far away, already imported.

* A row farther than :data:`MAX_SPOT_KM` from the compound is refused and listed by line (a spot at
  0,0 or in New York is a typing or column mistake, never a Beijing compound's problem). Where the
  compound is: the inventory's assets when the import is given them, else the compound's spots
  already in the store, else where most of the file's own rows are.
* A row whose content (place to 1e-7°, category, text, author) matches a spot already in the store
  for the compound is skipped and counted, so importing the same file twice adds nothing. Rows
  repeated within one file are kept as often as the file has them more than the store.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.core.errors import Words
from store.models import Spot

if TYPE_CHECKING:
    import geopandas as gpd

#: The farthest a spot may lie from its compound, in kilometres.
MAX_SPOT_KM = 5.0
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Centre:
    """Where the compound is, and how that was found (for messages, in the reader's language)."""

    lon: float
    lat: float
    how: Words


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def compound_centre(
    session: Session,
    compound_id: str,
    rows: Sequence[Any],
    assets: gpd.GeoDataFrame | None = None,
) -> Centre | None:
    """Where the compound is: its assets, else its stored spots, else the median of ``rows``."""
    if assets is not None and len(assets):
        box = assets.to_crs(4326).total_bounds
        return Centre((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, Words("error.spots_csv.by_assets"))
    stored = session.execute(select(Spot.lon, Spot.lat).where(Spot.compound_id == compound_id)).all()
    if stored:
        return Centre(
            _median([s.lon for s in stored]),
            _median([s.lat for s in stored]),
            Words("error.spots_csv.by_stored", n=len(stored)),
        )
    if rows:
        return _densest(rows)
    return None


def _densest(rows: Sequence[Any]) -> Centre:
    """The middle of the file's rows where most of them are (a few far ones do not move it).

    Rows are binned on a grid of about the distance limit; the fullest cell and its neighbours give
    the median position.
    """
    step = MAX_SPOT_KM / 111.0

    def cell(row: Any) -> tuple[int, int]:
        return math.floor(row.lon / step), math.floor(row.lat / step)

    (cx, cy), _ = Counter(cell(r) for r in rows).most_common(1)[0]
    near = [r for r in rows if abs(cell(r)[0] - cx) <= 1 and abs(cell(r)[1] - cy) <= 1]
    return Centre(
        _median([r.lon for r in near]),
        _median([r.lat for r in near]),
        Words("error.spots_csv.by_rows", n=len(rows)),
    )


def far_rows(rows: Iterable[Any], centre: Centre | None, max_km: float = MAX_SPOT_KM) -> list[Words]:
    """One message per row farther than ``max_km`` from the compound, to be said in the reader's language."""
    if centre is None:
        return []
    errors = []
    for row in rows:
        km = distance_km(row.lon, row.lat, centre.lon, centre.lat)
        if km > max_km:
            far = Words(
                "error.spots_csv.far",
                lon=row.lon,
                lat=row.lat,
                km=km,
                how=centre.how,
                centre_lon=centre.lon,
                centre_lat=centre.lat,
                max_km=max_km,
            )
            errors.append(Words("error.spots_csv.row", line=row.line, problem=far))
    return errors


def content_key(lon: float, lat: float, category: str, text: str, author: str) -> tuple[Any, ...]:
    """What makes two spots the same report: place to 1e-7° (1 cm), category, text and author."""
    return (round(lon, 7), round(lat, 7), category, text, author)


def new_rows(session: Session, compound_id: str, rows: Sequence[Any]) -> tuple[list[Any], int]:
    """The rows not yet in the store for the compound (by content), and how many were skipped."""
    stored = Counter(
        content_key(s.lon, s.lat, s.category, s.text, s.author)
        for s in session.execute(
            select(Spot.lon, Spot.lat, Spot.category, Spot.text, Spot.author).where(
                Spot.compound_id == compound_id
            )
        )
    )
    fresh = []
    for row in rows:
        key = content_key(row.lon, row.lat, row.category.value, row.text, row.author)
        if stored[key] > 0:
            stored[key] -= 1
        else:
            fresh.append(row)
    return fresh, len(rows) - len(fresh)
