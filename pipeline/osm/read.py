"""Read OpenStreetMap data into the mapper's feature frame.

Offline by default: ``.osm`` XML and ``.osm.pbf`` files are read with pyosmium, which
``bench/bench_osm_read.py`` measures against ``osmnx.features_from_xml`` on the shipped extracts.
pyosmium assembles multipolygons, tolerates ways whose nodes lie outside a cut extract (they are
counted and skipped, where osmnx 2.1 crashes), and reads PBF and XML alike.

The online path (:func:`fetch_osm`) asks Overpass through osmnx and is only used when the user
passes ``--online``.

Every function returns a GeoDataFrame in WGS-84 with the columns ``source``, ``source_id``
(``node/…``, ``way/…``, ``relation/…``), ``name``, ``tags`` (a dict) and ``geometry``.
"""

from __future__ import annotations

import gc
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import not_, or_
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from osmium.filter import EntityFilter, KeyFilter

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.core.settings import (
    DEFAULT_NOMINATIM_URL,
    DEFAULT_ONLINE_TIMEOUT_S,
    DEFAULT_OVERPASS_URL,
    PROJECT_ROOT,
    Settings,
)
from pipeline.core.taxonomy import load_taxonomy
from pipeline.osm.damage import Missing, cut_warnings, long_tags_cut
from pipeline.osm.ids import readable_source, restore_ids

log = logging.getLogger(__name__)

#: Keys read beside the taxonomy's: compounds, gates, context layers (buildings, roads, water).
CONTEXT_KEYS = frozenset(
    {
        "landuse",
        "residential",
        "building",
        "highway",
        "barrier",
        "entrance",
        "natural",
        "waterway",
        "leisure",
        "amenity",
        "shop",
        "office",
        "man_made",
        "power",
        "place",
        "area",
    }
)

#: Keys whose closed ways are lines (roads, walls, streams) unless ``area=yes``.
_LINEAR_KEYS = frozenset({"highway", "barrier", "waterway", "railway"})

#: Keys whose value is the feature's identity, used to tell a way from the relation it outlines.
_IDENTITY_KEYS = ("building", "landuse", "leisure", "amenity", "natural", "shop", "residential")

#: A way's line through every node, repeated locations kept; refused when a node has no valid location.
_ALL_NODES = osmium.geom.use_nodes.ALL

OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.xml", ".xml", ".osm.bz2", ".osm.gz")


@dataclass(frozen=True)
class ReadStats:
    """What a read found and what it had to skip."""

    features: int
    skipped_ways: int
    deduplicated: int
    skipped_nodes: int = 0
    cut_tags: int = 0


def _is_area(tags: Mapping[str, str]) -> bool:
    """Tell whether a closed way is an area (a park, a building) rather than a line (a road loop)."""
    area = tags.get("area")
    if area == "no":
        return False
    if area == "yes":
        return True
    return _LINEAR_KEYS.isdisjoint(tags)


def read_osm(path: str | Path, *, keys: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Read an OSM file (XML or PBF) into the feature frame.

    Parameters
    ----------
    path
        An ``.osm`` or ``.osm.pbf`` file.
    keys
        OSM keys a feature must carry one of to be read; default: the taxonomy's keys plus
        :data:`CONTEXT_KEYS`.

    Returns
    -------
    GeoDataFrame
        One row per feature in EPSG:4326; a way that only outlines a multipolygon relation
        with the same identity tag is dropped in favour of the relation.
    """
    frame, _ = read_osm_with_stats(path, keys=keys)
    return frame


def read_osm_with_stats(
    path: str | Path, *, keys: Iterable[str] | None = None
) -> tuple[gpd.GeoDataFrame, ReadStats]:
    """Read an OSM file as :func:`read_osm` does and also say what was skipped.

    One pass of pyosmium reads the file (:func:`_scan`). Tags are not built object by object
    (pyosmium makes a Python object per tag, which cost more than the rest of the read): a
    libosmium writer in the same pass copies the nodes and ways read to a temporary OPL file,
    whose tag fields are parsed in bulk afterwards. Nodes, half the features, never reach Python
    one by one: their locations are in that file too. Ways and areas do, for their geometry (one
    libosmium call each); only the few areas assembled from relations take their tags from pyosmium.
    What each way is (line, area or damaged) is decided after the pass, for all ways at once.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError("error.osm.missing", path=path)
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise InputFileError("error.osm.not_osm", path=path, suffixes=", ".join(OSM_SUFFIXES))
    wanted = tuple(sorted(set(keys) if keys is not None else load_taxonomy().tag_keys | CONTEXT_KEYS))
    with _gc_paused():
        source, original_ids = readable_source(path)  # negative ids (JOSM, ogr2osm): see pipeline.osm.ids
        try:
            scanned = _scan(source, wanted, shown=path)
            cut: list[str] = []
        except ValueError as exc:  # libosmium refuses a tag key or value over 1,024 bytes
            if "too long" not in str(exc):
                raise
            with long_tags_cut(path) as (readable, cut):
                source, original_ids = readable_source(readable)
                scanned = _scan(source, wanted, shown=path)
        missing = scanned.missing
        for line in (*missing.warnings(path.name), *cut_warnings(cut, path.name)):
            log.warning("%s", line)
        frame = _to_frame(scanned)
        before = len(frame)
        frame = restore_ids(_drop_outline_ways(frame, scanned.outer_ways), original_ids)
    stats = ReadStats(
        features=len(frame),
        skipped_ways=len(missing.ways),
        deduplicated=before - len(frame),
        skipped_nodes=len(missing.nodes),
        cut_tags=len(cut),
    )
    log.info("Read %d features from %s (%d outline ways dropped).", len(frame), path.name, stats.deduplicated)
    return frame, stats


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a read runs, then leave it as it was.

    A city's read makes a few hundred thousand dicts, lists and strings, none of them in a cycle,
    and the collector would walk the growing heap again and again while they are made (about a tenth
    of a city's read, for nothing). What cycles pandas makes wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Nodes:
    """The tagged nodes read, in file order: ids, tags and WGS-84 coordinates (as written)."""

    ids: list[str] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    lon: list[str] = field(default_factory=list)
    lat: list[str] = field(default_factory=list)


@dataclass
class _Ways:
    """The ways read, in file order: ids and tags from the OPL file, lines drawn during the pass."""

    ids: list[int] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    closed: list[bool] = field(default_factory=list)
    lines: list[str | None] = field(default_factory=list)  # WKB as hex of every node's location, or None
    absent: dict[int, list[int]] = field(default_factory=dict)  # way index → nodes without a valid location

    def draw(self, way: osmium.osm.Way, factory: osmium.geom.WKBFactory) -> None:
        """Keep what the pass must see of a way: whether it is closed, and a line through all its nodes.

        libosmium refuses that line when a node has no valid location (or there are fewer than two
        nodes); then the nodes without one are noted.
        """
        self.closed.append(way.is_closed())
        try:
            self.lines.append(factory.create_linestring(way, _ALL_NODES))
        except (osmium.InvalidLocationError, RuntimeError):
            self.absent[len(self.lines)] = [n.ref for n in way.nodes if not n.location.valid()]
            self.lines.append(None)


@dataclass
class _Areas:
    """The areas pyosmium assembled, in the order it gave them, each with the number of ways given before it."""

    after: list[int] = field(default_factory=list)
    from_way: list[bool] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    wkbs: list[str | None] = field(default_factory=list)  # WKB as hex; None when libosmium could not make it
    relation_tags: dict[int, dict[str, str]] = field(default_factory=dict)  # area index → tags

    def add(self, area: osmium.osm.Area, after: int, factory: osmium.geom.WKBFactory) -> None:
        try:
            wkb: str | None = factory.create_multipolygon(area)
        except (osmium.InvalidLocationError, RuntimeError):
            wkb = None
        from_way = area.from_way()
        if not from_way:
            self.relation_tags[len(self.ids)] = {t.k: t.v for t in area.tags}
        self.after.append(after)
        self.from_way.append(from_way)
        self.ids.append(area.orig_id())
        self.wkbs.append(wkb)


@dataclass
class _Scanned:
    """What one pass over a file found: nodes, then ways and areas as rows, and what it skipped."""

    nodes: _Nodes
    kinds: list[str]  # way or relation
    ids: list[int]
    tags: list[dict[str, str]]
    geometries: np.ndarray
    outer_ways: dict[int, dict[str, str | None]]  # way id → its relation's identity tags
    missing: Missing


def _scan(
    path: Path | str | osmium.io.FileBuffer, wanted: tuple[str, ...], *, shown: Path | None = None
) -> _Scanned:
    """Read the features of ``path`` (a file, or a renumbered copy in memory) with pyosmium.

    ``shown`` is the name messages give.

    The loop does the least it can per object: a way is only drawn through all its nodes
    (:meth:`_Ways.draw`), an area only made into WKB. Which way is a line, an area or damaged is
    decided afterwards from tags parsed in bulk (:func:`_read_opl`), and the lines are cleaned of
    repeated points in bulk (:func:`_way_lines`). The rows keep the order of the loop, which
    pyosmium sets: it hands over the areas it has assembled in batches, each after the next object
    it gives, so an area is placed after the ways given before it (:func:`_rows`).

    The ways' node locations are not taken from the OPL file (its writer can add them): it throws,
    and then aborts the process when closed, on a location out of range (a hand-edited file),
    which the drawing in the loop reports as a damaged way instead.
    """
    factory = osmium.geom.WKBFactory()
    drawn = _Ways()
    areas = _Areas()
    outer_ways: dict[int, dict[str, str | None]] = {}
    missing = Missing()
    way_type, area_type, relation_type = osmium.osm.Way, osmium.osm.Area, osmium.osm.Relation
    with tempfile.TemporaryDirectory(prefix="mapper-osm-") as tmp:
        opl = Path(tmp) / "tags.opl"
        writer = osmium.SimpleWriter(osmium.io.File(str(opl), "opl,add_metadata=false"))
        try:
            processor = (
                osmium.FileProcessor(path if isinstance(path, osmium.io.FileBuffer) else str(path))
                .with_locations()
                .with_areas(KeyFilter(*wanted))
                .with_filter(KeyFilter(*wanted))
                .with_filter(writer)  # passes everything on, writing nodes (with locations) and ways
                .with_filter(EntityFilter(osmium.osm.WAY | osmium.osm.AREA | osmium.osm.RELATION))
            )
            for obj in processor:
                if isinstance(obj, way_type):
                    drawn.draw(obj, factory)
                elif isinstance(obj, area_type):
                    areas.add(obj, len(drawn.lines), factory)
                elif isinstance(obj, relation_type) and obj.tags.get("type") in ("multipolygon", "boundary"):
                    identity = {k: obj.tags.get(k) for k in _IDENTITY_KEYS}
                    for member in obj.members:
                        if member.type == "w" and member.role in ("outer", ""):
                            outer_ways[member.ref] = identity
        except RuntimeError as exc:
            raise InputFileError("error.osm.unreadable", path=shown or path, detail=str(exc)) from exc
        finally:
            writer.close()
        nodes = _read_opl(opl, drawn, missing)  # the writer saw the ways in the loop's order
    kinds, ids, tags, geometries = _rows(drawn, areas, missing)
    return _Scanned(nodes, kinds, ids, tags, geometries, outer_ways, missing)


#: Where a skipped feature goes among the others (:func:`_rows`), what it is, its name and its nodes without a location.
_Skipped = tuple[int, tuple[str, str, list[int]]]


def _rows(
    ways: _Ways, areas: _Areas, missing: Missing
) -> tuple[list[str], list[int], list[dict[str, str]], np.ndarray]:
    """Lines and areas as rows, in the loop's order; what could not be made goes to ``missing``.

    Way ``i`` sorts at ``2i``, an area given after ``n`` ways at ``2n - 1``: after the ``n``-th way.
    """
    rows, lines, skipped = _way_lines(ways)
    keys = [2 * i for i in rows]
    kinds = ["way"] * len(rows)
    ids = [ways.ids[i] for i in rows]
    tags = [ways.tags[i] for i in rows]
    wkbs: list[str] = []
    way_index = {osm_id: i for i, osm_id in enumerate(ways.ids)}
    for j, (after, from_way, osm_id, wkb) in enumerate(
        zip(areas.after, areas.from_way, areas.ids, areas.wkbs, strict=True)
    ):
        area_tags = ways.tags[way_index[osm_id]] if from_way else areas.relation_tags[j]
        if from_way and not _is_area(area_tags):
            continue  # a closed road or wall: its line is read
        kind = "way" if from_way else "relation"
        if wkb is None:
            skipped.append((2 * after - 1, (f"{kind}/{osm_id}", area_tags.get("name") or "", [])))
            continue
        keys.append(2 * after - 1)
        kinds.append(kind)
        ids.append(osm_id)
        tags.append(area_tags)
        wkbs.append(wkb)
    missing.ways.extend(entry for _, entry in sorted(skipped, key=lambda s: s[0]))
    # GEOS reads binary WKB several times faster than hex.
    shapes = np.concatenate([lines, shapely.from_wkb([bytes.fromhex(w) for w in wkbs])]) if wkbs else lines
    order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
    return [kinds[i] for i in order], [ids[i] for i in order], [tags[i] for i in order], shapes[order]


def _way_lines(ways: _Ways) -> tuple[list[int], np.ndarray, list[_Skipped]]:
    """The ways that are lines, their LineStrings, and the ways that are neither line nor area.

    As libosmium decides one by one: a way with a node without a valid location is skipped (named
    with those nodes); a closed way that is an area is left to the area assembler; any other is a line
    of its distinct consecutive locations, skipped when that leaves fewer than two. The lines drawn
    through every node are cleaned of repeated points at once here instead.
    """
    skipped: list[_Skipped] = []
    drawn = []
    for i, (closed, line) in enumerate(zip(ways.closed, ways.lines, strict=True)):
        if ways.absent.get(i):
            skipped.append((2 * i, (f"way/{ways.ids[i]}", ways.tags[i].get("name") or "", ways.absent[i])))
        elif closed and _is_area(ways.tags[i]):
            continue
        elif line is None:  # fewer than two nodes
            skipped.append((2 * i, (f"way/{ways.ids[i]}", ways.tags[i].get("name") or "", [])))
        else:
            drawn.append(i)
    if not drawn:
        return [], np.array([], dtype=object), skipped
    lines = shapely.from_wkb([bytes.fromhex(ways.lines[i]) for i in drawn])  # type: ignore[arg-type]
    points, line = shapely.get_coordinates(lines, return_index=True)
    repeated = np.zeros(len(line), dtype=bool)  # a point where the one before it is
    repeated[1:] = (points[1:] == points[:-1]).all(axis=1) & (line[1:] == line[:-1])
    enough = np.bincount(line[~repeated], minlength=len(drawn)) >= 2
    for k in np.flatnonzero(~enough):
        i = drawn[k]
        skipped.append((2 * i, (f"way/{ways.ids[i]}", ways.tags[i].get("name") or "", [])))
    cleaned = np.unique(line[repeated])  # the few lines with a repeated point are made again without
    cleaned = cleaned[enough[cleaned]]
    if len(cleaned):
        kept = np.isin(line, cleaned) & ~repeated
        lines[cleaned] = shapely.linestrings(points[kept], indices=np.searchsorted(cleaned, line[kept]))
    return [drawn[k] for k in np.flatnonzero(enough)], lines[enough], skipped


#: A node's or way's line in libosmium's OPL format without metadata: type, id, ``T`` and the tags,
#: and a node's location (searched from the newline before it, which re finds faster than a line
#: start).
_OPL_LINE = re.compile(r"\n([nw])(\d+) T([^ \n]*)(?: x(\S*) y(\S*))?")
#: OPL escapes a character outside a safe set as ``%<hex code point>%`` (at least two digits); a
#: run of escapes (a Chinese name is one).
_OPL_ESCAPES = re.compile(r"(?:%[0-9a-f]+%)+")
#: Escapes kept while tag lists are still to be split: ``,``, ``=``, ``%`` itself and the newline.
_KEPT_ESCAPES = {code: f"%{code}%" for code in ("2c", "3d", "25", "0a")}
_hex = partial(int, base=16)


def _decode(match: re.Match[str]) -> str:
    return "".join(map(chr, map(_hex, match[0][1:-1].split("%%"))))


def _parse_tags(raws: list[str]) -> list[dict[str, str]]:
    """OPL tag lists ``k=v,k2=v2`` as dicts, escapes decoded.

    The lists are decoded as one text, split at the escapes, each distinct code decoded once. Every
    ``%`` of OPL text opens or closes an escape (a ``%`` itself is written ``%25%``), so a plain
    split at ``%`` gives the text between escapes and their codes by turns. The separators stay
    escaped until a list is split, then are decoded key by key where there are any.
    """
    text = "\n".join(raws)
    if "%" in text:
        parts = text.split("%")  # text, code, text, code, …, text
        codes = parts[1::2]
        chars = {code: chr(int(code, 16)) for code in set(codes)} | _KEPT_ESCAPES
        parts[1::2] = map(chars.__getitem__, codes)
        text = "".join(parts)
    lists = text.replace(",", "=").split("\n") if raws else []
    # k, v, k2, v2, … (the separators inside keys and values are escaped); no tags is [""]
    tags = [dict(zip(it, it, strict=False)) for it in map(iter, map(str.split, lists, repeat("=")))]
    for i in [i for i, pairs in enumerate(lists) if "%" in pairs] if "%" in text else []:
        tags[i] = {_OPL_ESCAPES.sub(_decode, k): _OPL_ESCAPES.sub(_decode, v) for k, v in tags[i].items()}
    return tags


def _read_opl(opl: Path, ways: _Ways, missing: Missing) -> _Nodes:
    """The nodes of an OPL file (with their tags and locations); the ids and tags of its ways go to ``ways``.

    A node without a location is not a feature: it goes to ``missing``.
    """
    lines = _OPL_LINE.findall("\n" + opl.read_text(encoding="utf-8"))
    kinds, ids, raws, lons, lats = map(list, zip(*lines, strict=True)) if lines else ([],) * 5
    tags = _parse_tags(raws)
    is_way = list(map("w".__eq__, kinds))
    placed = list(map(bool, lons))  # a node with a location (a way has none here)
    ways.ids = list(map(int, compress(ids, is_way)))
    ways.tags = list(compress(tags, is_way))
    for osm_id, pairs in compress(zip(ids, tags, strict=True), map(not_, map(or_, is_way, placed))):
        missing.nodes.append((f"node/{osm_id}", pairs.get("name", "")))
    return _Nodes(
        list(compress(ids, placed)),
        list(compress(tags, placed)),
        list(compress(lons, placed)),
        list(compress(lats, placed)),
    )


def _to_frame(scanned: _Scanned) -> gpd.GeoDataFrame:
    """The feature frame: the nodes first (as read), then ways and areas."""
    nodes = scanned.nodes
    points = shapely.points(np.array(nodes.lon, dtype=float), np.array(nodes.lat, dtype=float))
    all_tags = nodes.tags + scanned.tags
    frame = gpd.GeoDataFrame(
        {
            S.SOURCE: S.SOURCE_OSM,
            S.SOURCE_ID: ["node/" + i for i in nodes.ids]
            + [f"{k}/{i}" for k, i in zip(scanned.kinds, scanned.ids, strict=True)],
            S.NAME: [t.get("name", "") for t in all_tags],
            S.TAGS: all_tags,
        },
        geometry=np.concatenate([points, scanned.geometries]),
        crs=S.WGS84,
    )
    # A way can yield both a line and (when closed) nothing else; relations can repeat by role.
    return frame.drop_duplicates(S.SOURCE_ID).reset_index(drop=True)


def _drop_outline_ways(
    frame: gpd.GeoDataFrame, outer_ways: Mapping[int, Mapping[str, str | None]]
) -> gpd.GeoDataFrame:
    """Drop ways that outline a multipolygon relation carrying the same identity tag.

    osmnx and pyosmium both return the way and the relation (PERFORMANCE.md); numbering both
    would give one building two numbers. Only the rows of outer ways are looked at.
    """
    if not outer_ways or frame.empty:
        return frame
    outline = {f"way/{way}": identity for way, identity in outer_ways.items()}
    source_ids = frame[S.SOURCE_ID].to_numpy()
    tags = frame[S.TAGS].to_numpy()
    drop = [
        row
        for row in np.flatnonzero(frame[S.SOURCE_ID].isin(list(outline)).to_numpy())
        if any(k in tags[row] and tags[row][k] == outline[source_ids[row]].get(k) for k in _IDENTITY_KEYS)
    ]
    if not drop:
        return frame
    keep = np.ones(len(frame), dtype=bool)
    keep[drop] = False
    return frame[keep].reset_index(drop=True)


@dataclass(frozen=True)
class OnlineSettings:
    """Where the online path asks, and how long it waits (``MAPPER_OVERPASS_URL`` etc. override)."""

    overpass_url: str = DEFAULT_OVERPASS_URL
    nominatim_url: str = DEFAULT_NOMINATIM_URL
    timeout_s: int = DEFAULT_ONLINE_TIMEOUT_S
    cache_folder: str = str(PROJECT_ROOT / "runtime" / "osmnx-cache")
    rate_limit: bool = True  # ask Overpass's /status how long to wait before each query

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OnlineSettings:
        """Read overrides from the environment (a local mirror, a proxy, a test server).

        The values of :meth:`pipeline.core.settings.Settings.from_env`; the cache is under its runtime folder.
        """
        settings = Settings.from_env(environ)
        return cls(
            overpass_url=settings.overpass_url,
            nominatim_url=settings.nominatim_url,
            timeout_s=settings.online_timeout_s,
            cache_folder=str(settings.osmnx_cache),
        )


def _configure_osmnx(settings: OnlineSettings) -> None:
    """Set osmnx's process-global settings: the only place the project touches them."""
    import osmnx as ox

    ox.settings.overpass_url = settings.overpass_url
    ox.settings.nominatim_url = settings.nominatim_url
    ox.settings.requests_timeout = settings.timeout_s
    ox.settings.cache_folder = settings.cache_folder
    ox.settings.overpass_rate_limit = settings.rate_limit
    ox.settings.use_cache = True
    ox.settings.log_console = False


def fetch_osm(
    *,
    place: str | None = None,
    polygon: shapely.Polygon | shapely.MultiPolygon | None = None,
    keys: Iterable[str] | None = None,
    settings: OnlineSettings | None = None,
) -> gpd.GeoDataFrame:
    """Fetch features from Overpass through osmnx (needs the internet; only with ``--online``).

    Parameters
    ----------
    place
        A place name that Nominatim knows, e.g. ``"石科院生活区, 海淀区, 北京市"``.
    polygon
        A WGS-84 polygon to fetch inside (the compound's boundary plus its search radius).
    keys
        OSM keys to ask for; default as :func:`read_osm`.
    settings
        Endpoints and cache; :meth:`OnlineSettings.from_env` by default.

    Returns
    -------
    GeoDataFrame
        The same schema as :func:`read_osm`.
    """
    import osmnx as ox  # imported here: only the online path needs osmnx

    if (place is None) == (polygon is None):
        raise DataError("error.osm.place_or_polygon")
    _configure_osmnx(settings or OnlineSettings.from_env())
    wanted = sorted(set(keys) if keys is not None else load_taxonomy().tag_keys | CONTEXT_KEYS)
    tags: dict[str, bool | str | list[str]] = dict.fromkeys(wanted, True)
    try:
        raw = (
            ox.features_from_place(place, tags)
            if place is not None
            else ox.features_from_polygon(polygon, tags)
        )
    except (ox._errors.InsufficientResponseError, ValueError, TypeError) as exc:
        raise DataError(
            "error.osm.overpass_empty", place=place or Words("error.osm.the_polygon"), detail=str(exc)
        ) from exc
    except OSError as exc:  # requests' ConnectionError and timeouts derive from OSError
        raise DataError(
            "error.osm.overpass_unreachable", url=ox.settings.overpass_url, detail=str(exc)
        ) from exc
    return from_osmnx(raw)


def from_osmnx(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Convert an osmnx features frame (index ``element``, ``id``; a column per tag) to ours."""
    tag_columns = [c for c in raw.columns if c not in ("geometry", "nodes", "ways")]
    records = raw[tag_columns].to_dict("records")
    tags = [{k: str(v) for k, v in rec.items() if isinstance(v, str) or pd.notna(v)} for rec in records]
    frame = gpd.GeoDataFrame(
        {
            S.SOURCE: S.SOURCE_OSM,
            S.SOURCE_ID: [f"{el}/{osm_id}" for el, osm_id in raw.index],
            S.NAME: [t.get("name", "") for t in tags],
            S.TAGS: tags,
        },
        geometry=list(raw.geometry),
        crs=raw.crs or S.WGS84,
    ).to_crs(S.WGS84)
    return frame.reset_index(drop=True)
