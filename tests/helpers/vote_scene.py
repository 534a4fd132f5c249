"""A store seeded with two votes: one closed with ranks worked out by hand, one open; two spots followed up."""

from __future__ import annotations

from dataclasses import dataclass

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
)
from store.spots import set_stage
from tests.helpers.db import code
from tests.helpers.spots_scene import COMPOUND

#: The topics, in the order they are made (A, B, C, D).
TITLES = ["增设电动车充电桩", "畅乐园夜间照明不足", "垃圾站异味太重", "楼道堆物清理"]
#: Five ballots of three dots at most, by topic letter. By hand: B 5 dots, A 4, C 4, D 1; A and C tie and
#: share rank 2, A first (the older topic, both with one supporter).
BALLOTS = [{"A": 3}, {"A": 1, "B": 2}, {"B": 2, "C": 1}, {"C": 3}, {"B": 1, "D": 1}]
RANKED = [
    ("畅乐园夜间照明不足", 1, 5, 3),
    ("增设电动车充电桩", 2, 4, 2),
    ("垃圾站异味太重", 2, 4, 2),
    ("楼道堆物清理", 4, 1, 1),
]
NOTE_B = "列入今年第二批改造，明年春季施工"
NOTE_E = "与垃圾站一并处理"


@dataclass(frozen=True)
class Seeded:
    """The ids the store gave (the page must not show them, except spots' public numbers)."""

    closed_id: int
    open_id: int
    spot_b: int
    spot_e: int


def seed_votes(store: Store, lon: float, lat: float) -> Seeded:
    """Vote 1 (closed, top 2) with :data:`BALLOTS` cast through the store; vote 2 open; two spots followed up."""
    planner = Planner("wang")
    spots = [
        add_spot(
            store, COMPOUND, Resident(new_resident_key(), f"居民{i}"), lon + i * 0.0004, lat, "other", text
        ).id
        for i, text in enumerate([*TITLES, "垃圾站旁边的下水道堵了", "南门没有无障碍坡道"])
    ]
    closed = open_session(store, COMPOUND, planner, "2025 年第一次居民议事会", top_n=2)
    topics = dict(zip("ABCD", add_topics_from_spots(store, closed.id, planner, spots[:4]), strict=True))
    for k, ballot in enumerate(BALLOTS):
        dots = {topics[letter].id: n for letter, n in ballot.items()}
        cast_ballot(
            store, closed.id, Resident(new_resident_key(), f"投票人{k}"), dots, code=code(store, closed.id)
        )
    close_session(store, closed.id, planner)
    set_stage(store, spots[1], planner, "confirmed")
    set_stage(store, spots[1], planner, "planned", NOTE_B, link="site:S03")
    set_stage(store, spots[4], planner, "planned", NOTE_E, link=f"topic:{topics['C'].id}")
    opened = open_session(store, COMPOUND, planner, "停车与照明专题", ballot_mode="anonymous")
    add_topics_from_spots(store, opened.id, planner, spots[5:])
    return Seeded(closed.id, opened.id, spots[1], spots[4])
