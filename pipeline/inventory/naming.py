"""Names people can read for what OSM leaves unnamed: gates, compounds, green spaces.

No internal id (``crossing/way/136867403/0``, ``way/609225889``) is ever shown as a name. The
parts are computed from the geometry — which side of the compound a gate is on, the road it opens
to, the neighbour a shared wall leads into, the street a compound lies along — and worded here,
in the word catalogue (``gate.side.*``, ``gate.title.*``, ``compound.title.*`` in
``pipeline/core/words.toml``).

The side of a gate is where it sits in the compound, as people name gates (东南门 is near the
south-east corner even in a south wall): its offset from the centre of the compound's bounding
box, each axis divided by the box's half size, read as one of eight compass sectors.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely

from pipeline.core.errors import Words
from pipeline.core.words import word

#: How far from an unnamed compound the street it is named after may run, metres.
STREET_SEARCH_M = 150.0

#: Compass sides, clockwise from north; each is a 45° sector (words: ``gate.side.<side>``).
SIDES = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


class Titles(NamedTuple):
    """A name in Chinese and in English."""

    zh: str
    en: str

    def of(self, lang: str) -> str:
        """The name in ``lang``."""
        return self.zh if lang == "zh" else self.en


def side_word(side: str, lang: str) -> str:
    """A side's word (北, north-east …)."""
    return word(f"gate.side.{side}", lang)


_EN_ABBREV = ((re.compile(r"\bRoad$"), "Rd"), (re.compile(r"\bStreet$"), "St"), (re.compile(r"\bAvenue$"), "Ave"))


def english_road(name: str, name_en: str) -> str:
    """A road's English name, shortened as on a map (``Chengfu Road`` → ``Chengfu Rd``); else its name."""
    text = name_en or name
    for pattern, short in _EN_ABBREV:
        text = pattern.sub(short, text)
    return text


#: Tags that may hold a road's name in Latin letters, in order of preference: English, then pinyin
#: (both spellings of the key are in use), then the international name.
LATIN_NAME_TAGS = ("name:en", "name:zh_pinyin", "name:zh-Latn-pinyin", "int_name")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _plain_pinyin(text: str) -> str:
    """Pinyin as road signs write it: no tone marks, each syllable group capitalised (chéngfǔ lù → Chengfu Lu)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(part[:1].upper() + part[1:] for part in bare.split())


def latin_name(tags: object) -> tuple[int, str]:
    """A way's name in Latin letters and the rank of the tag it came from (:data:`LATIN_NAME_TAGS`).

    ``(len(LATIN_NAME_TAGS), "")`` when no such tag holds Latin text (an ``int_name`` in Chinese
    characters does not count).
    """
    if isinstance(tags, dict):
        for rank, key in enumerate(LATIN_NAME_TAGS):
            value = tags.get(key)
            if isinstance(value, str) and value.strip() and not _CJK.search(value):
                return rank, _plain_pinyin(value) if "pinyin" in key else value.strip()
    return len(LATIN_NAME_TAGS), ""


def road_latin_names(roads: pd.DataFrame) -> dict[str, str]:
    """Each road name's Latin form, from any way of that name, the best-ranked tag winning.

    ``roads`` needs ``name`` and ``tags``. A road whose ways carry none of :data:`LATIN_NAME_TAGS`
    is missing from the answer, so its Chinese name is printed in English titles too.
    """
    best: dict[str, tuple[int, str]] = {}
    for name, tags in zip(roads["name"].fillna(""), roads["tags"], strict=True):
        if name:
            found = latin_name(tags)
            if found[1] and found[0] < best.get(name, (len(LATIN_NAME_TAGS), ""))[0]:
                best[name] = found
    return {name: text for name, (_, text) in best.items()}


def side_of(point: shapely.Point, boundary: shapely.Geometry) -> str:
    """Where ``point`` lies in the compound: one of :data:`SIDES`.

    The offset from the bounding box's centre, each axis divided by the box's half size, read as
    a compass bearing; so a gate near the south-east corner of a long compound is ``south-east``.
    """
    x0, y0, x1, y1 = boundary.bounds
    u = (point.x - (x0 + x1) / 2) / max((x1 - x0) / 2, 1e-9)
    v = (point.y - (y0 + y1) / 2) / max((y1 - y0) / 2, 1e-9)
    if abs(u) < 1e-9 and abs(v) < 1e-9:
        return "south"
    bearing = math.degrees(math.atan2(u, v)) % 360.0
    return SIDES[int(((bearing + 22.5) % 360.0) // 45.0)]


def gate_titles(gates: pd.DataFrame, lang: str) -> list[str]:
    """Each gate's title in ``lang``: its own name, else side, number (when sides repeat) and road.

    ``gates`` needs ``name``, ``side``, ``road_name``, ``road_name_en``, ``opens_to``,
    ``neighbour`` and a point geometry. Unnamed gates that would read alike are numbered west to
    east (north to south on the east and west sides).
    """
    names = [n if isinstance(n, str) else "" for n in gates["name"]]
    base = []
    for row in gates.itertuples(index=False):
        if getattr(row, "opens_to", "") == "neighbour":
            neighbour = getattr(row, "neighbour", "") or ""
            tail = (
                word("gate.title.neighbour", lang, neighbour=neighbour)
                if neighbour
                else word("gate.title.neighbour_unnamed", lang)
            )
        else:
            road = row.road_name or ""
            if lang != "zh":
                road = english_road(road, row.road_name_en or "")
            tail = word("gate.title.road", lang, road=road) if road else ""
        base.append((row.side or "", tail))
    titles = []
    xy = shapely.get_coordinates(gates.geometry.to_numpy()) if len(gates) else np.empty((0, 2))
    for i, (side, tail) in enumerate(base):
        if names[i]:
            titles.append(names[i])
            continue
        alike = [j for j, b in enumerate(base) if b == (side, tail) and not names[j]]
        number = ""
        if len(alike) > 1:
            vertical = side in ("east", "west")
            alike.sort(key=lambda j: (-xy[j, 1], xy[j, 0]) if vertical else (xy[j, 0], -xy[j, 1]))
            number = word("gate.title.number", lang, n=alike.index(i) + 1)
        if not side:
            titles.append(word("gate.title.plain", lang) + tail)
            continue
        titles.append(word("gate.title.gate", lang, side=side_word(side, lang), n=number) + tail)
    return titles


def compound_titles(tags: dict[str, str], boundary: shapely.Geometry, roads: pd.DataFrame) -> Titles:
    """A title for an unnamed compound, in Chinese and English; empty when nothing names it.

    From its address tags (``addr:street`` + ``addr:housenumber`` → 学清路8号院), else from the
    nearest named road within 150 m and the side of the road the compound lies on
    (清华东路南侧小区). ``roads`` is the road frame (``name``, ``tags``, line geometry) in the
    boundary's metric CRS.
    """
    street, number = tags.get("addr:street", ""), tags.get("addr:housenumber", "")
    street_en = tags.get("addr:street:en", "")
    if street and number:
        return Titles(
            word("compound.title.address", "zh", street=street, number=number),
            word("compound.title.address", "en", street=english_road(street, street_en), number=number),
        )
    named = roads[roads["name"].fillna("") != ""] if len(roads) else roads
    if not len(named):
        return Titles("", "")
    dist = named.distance(boundary)
    near = named[dist <= STREET_SEARCH_M]
    if not len(near):
        return Titles("", "")
    best = near.loc[dist[near.index].sort_values(kind="mergesort").index[0]]
    english = road_latin_names(near)
    on_road = shapely.ops.nearest_points(best.geometry, boundary.centroid)[0]
    centre = boundary.centroid
    dx, dy = centre.x - on_road.x, centre.y - on_road.y
    bearing = math.degrees(math.atan2(dx, dy)) % 360.0
    side = SIDES[int(((bearing + 22.5) % 360.0) // 45.0)]
    name_en = english.get(best["name"], "")
    return Titles(
        word("compound.title.street", "zh", street=best["name"], side=side_word(side, "zh")),
        word("compound.title.street", "en", street=english_road(best["name"], name_en), side=side_word(side, "en")),
    )


def title_of(record: object, lang: str = "zh") -> str:
    """What to call a gate in ``lang``: a gates-layer row or a report's ``main_gate`` record.

    Its own name, else its title (``title_zh``/``title_en``), else the plain word; never its id.
    """
    get = record.get if hasattr(record, "get") else lambda key, default=None: getattr(record, key, default)
    name = get("name", "")
    if isinstance(name, str) and name:
        return name
    title = get("title_zh" if lang == "zh" else "title_en", "")
    return title if isinstance(title, str) and title else word("gate.title.plain", lang)


def compound_title(record: Mapping[str, object], lang: str = "zh") -> str:
    """What to call a compound (a report's ``compound`` record) in ``lang``: its name, else its title."""
    name = record.get("name", "")
    if isinstance(name, str) and name:
        return name
    title = record.get("title_zh" if lang == "zh" else "title_en", "")
    return title if isinstance(title, str) else ""


class Titled(Words):
    """A compound or a gate as the app calls it in the reader's language, for a sentence said later.

    Its ``name``, else its ``title_zh`` or ``title_en`` (:func:`compound_title`), else the catalogue's
    ``fallback`` ("the compound"): never an OSM id, which means nothing to a resident.
    """

    def __init__(self, record: Mapping[str, object], fallback: str = "error.walk.the_compound") -> None:
        super().__init__(fallback)
        self.record = record

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The name or title in ``lang``, else the fallback."""
        return compound_title(self.record, lang) or super().text(lang, full_paths=full_paths)
