"""The spots scene of the browser tests: a store with script-payload spots, one per 60 m, and two votes.

Each spot's text and pseudonym is a script payload, one per 60 m so each has a 50 m cell of its own on the
public map; an open anonymous vote on them and a closed named one.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from pipeline.core import schema as S
from pipeline.inventory.build import Inventory
from store import (
    Planner,
    Resident,
    Store,
    add_spot,
    add_topics_from_spots,
    cast_ballot,
    close_session,
    new_resident_key,
    open_session,
    support_spot,
)
from tests.helpers.app import ROOT
from tests.helpers.db import code

DEMO_OSM = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
COMPOUND = "way/595108678"
PASSWORD = "correct horse battery"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "</script><script>alert(1)</script>",
    "\"quoted\" & 'single'",
    "trailing\\",
    '<img src=x onerror="window.top.__xss=1">',
    "${window.top.__xss=2}",
    "\\`${window.top.__xss=3}`",
    "line\nbreak <svg onload=alert(1)>",
    "{{ 7*7 }} {% if true %}IF{% endif %}",
]
CATEGORIES = [
    "lighting",
    "parking",
    "paving",
    "waste",
    "greenery",
    "seating",
    "safety",
    "noise",
    "drainage",
    "other",
]


@dataclass(frozen=True)
class Scene:
    """What the store holds before the server starts."""

    url: str
    spots: dict[int, tuple[float, float, str]]  # id -> (lon, lat, text)
    empty: tuple[float, float]  # a place inside the compound, far from every marker
    db_url: str


def grid_inside(inventory: Inventory, step_m: float) -> list[shapely.Point]:
    poly = inventory.boundary.geometry.iloc[0].buffer(-12)
    x0, y0, x1, y1 = poly.bounds
    return [
        shapely.Point(x, y)
        for y in np.arange(y0 + step_m / 2, y1, step_m)
        for x in np.arange(x0 + step_m / 2, x1, step_m)
        if poly.contains(shapely.Point(x, y))
    ]


def seed_spots(
    db_url: str, inventory: Inventory
) -> tuple[dict[int, tuple[float, float, str]], tuple[float, float]]:
    assets = inventory.assets.geometry.representative_point()
    grid = sorted(grid_inside(inventory, 60.0), key=lambda p: -assets.distance(p).min())
    chosen, empty = grid[: len(PAYLOADS)], grid[len(PAYLOADS)]
    to_wgs = gpd.GeoSeries([*chosen, empty], crs=inventory.crs).to_crs(S.WGS84)
    spots: dict[int, tuple[float, float, str]] = {}
    planner = Planner("wang")
    with Store(db_url) as store:
        for i, (payload, point) in enumerate(zip(PAYLOADS, to_wgs[:-1], strict=True)):
            author = Resident(new_resident_key(), payload[:40])
            record = add_spot(
                store,
                COMPOUND,
                author,
                point.x,
                point.y,
                CATEGORIES[i % len(CATEGORIES)],
                payload,
                assets=inventory.assets,
            )
            spots[record.id] = (record.lon, record.lat, payload)
        ids = list(spots)
        supporter = Resident(new_resident_key(), "王阿姨")
        for spot_id in ids[:3]:
            support_spot(store, spot_id, supporter)
        closed = open_session(store, COMPOUND, planner, "2025 年第一次居民议事会")
        topics = add_topics_from_spots(store, closed.id, planner, ids[:6])
        for k in range(7):
            votes = {topics[k % 6].id: 2, topics[(k + 2) % 6].id: 1}
            cast_ballot(
                store, closed.id, Resident(new_resident_key(), f"居民{k}"), votes, code=code(store, closed.id)
            )
        close_session(store, closed.id, planner)
        opened = open_session(store, COMPOUND, planner, "停车与照明专题", ballot_mode="anonymous")
        add_topics_from_spots(store, opened.id, planner, ids[6:])
    return spots, (float(to_wgs.iloc[-1].x), float(to_wgs.iloc[-1].y))
