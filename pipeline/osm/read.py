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

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import shapely
from osmium.filter import KeyFilter

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError
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
_LINEAR_KEYS = ("highway", "barrier", "waterway", "railway")

#: Keys whose value is the feature's identity, used to tell a way from the relation it outlines.
_IDENTITY_KEYS = ("building", "landuse", "leisure", "amenity", "natural", "shop", "residential")

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
    return not any(k in tags for k in _LINEAR_KEYS)


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
    """Read an OSM file as :func:`read_osm` does and also say what was skipped."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"The OSM file `{path}` does not exist; give the path of an .osm or .osm.pbf extract "
            "(the shipped ones are in data/osm/)."
        )
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise InputFileError(
            f"`{path}` is not an OSM extract; the mapper reads {', '.join(OSM_SUFFIXES)} files. "
            "Export one from openstreetmap.org or cut one with osmium."
        )
    wanted = tuple(sorted(set(keys) if keys is not None else load_taxonomy().tag_keys | CONTEXT_KEYS))
    source, original_ids = readable_source(path)  # negative ids (JOSM, ogr2osm): see pipeline.osm.ids
    try:
        rows, outer_ways, missing = _scan(source, wanted, shown=path)
        cut: list[str] = []
    except ValueError as exc:  # libosmium refuses a tag key or value over 1,024 bytes
        if "too long" not in str(exc):
            raise
        with long_tags_cut(path) as (readable, cut):
            source, original_ids = readable_source(readable)
            rows, outer_ways, missing = _scan(source, wanted, shown=path)
    for line in (*missing.warnings(path.name), *cut_warnings(cut, path.name)):
        log.warning("%s", line)
    skipped = len(missing.ways)
    frame = _to_frame(rows)
    before = len(frame)
    frame = restore_ids(_drop_outline_ways(frame, outer_ways), original_ids)
    stats = ReadStats(
        features=len(frame),
        skipped_ways=skipped,
        deduplicated=before - len(frame),
        skipped_nodes=len(missing.nodes),
        cut_tags=len(cut),
    )
    log.info("Read %d features from %s (%d outline ways dropped).", len(frame), path.name, stats.deduplicated)
    return frame, stats


def _scan(
    path: Path | str | osmium.io.FileBuffer, wanted: tuple[str, ...], *, shown: Path | None = None
) -> tuple[list[tuple[str, str, dict[str, str], str]], dict[str, dict[str, str]], Missing]:
    """Read the features of ``path`` (a file, or a renumbered copy in memory) with pyosmium.

    ``shown`` is the name messages give.
    """
    factory = osmium.geom.WKBFactory()
    rows: list[tuple[str, str, dict[str, str], str]] = []  # WKB as hex
    outer_ways: dict[str, dict[str, str]] = {}
    missing = Missing()
    try:
        processor = (
            osmium.FileProcessor(path if isinstance(path, osmium.io.FileBuffer) else str(path))
            .with_locations()
            .with_areas(KeyFilter(*wanted))
            .with_filter(KeyFilter(*wanted))
        )
        for obj in processor:
            tags = {t.k: t.v for t in obj.tags}
            try:
                if isinstance(obj, osmium.osm.Node):
                    rows.append(("node", str(obj.id), tags, factory.create_point(obj)))
                elif isinstance(obj, osmium.osm.Way):
                    absent = [n.ref for n in obj.nodes if not n.location.valid()]
                    if absent:  # a closed one would vanish in the area assembler without a word
                        missing.ways.append((f"way/{obj.id}", tags.get("name", ""), absent))
                        continue
                    if obj.is_closed() and _is_area(tags):
                        continue  # its area comes from the area assembler
                    rows.append(("way", str(obj.id), tags, factory.create_linestring(obj)))
                elif isinstance(obj, osmium.osm.Area):
                    if obj.from_way() and not _is_area(tags):
                        continue
                    kind = "way" if obj.from_way() else "relation"
                    rows.append((kind, str(obj.orig_id()), tags, factory.create_multipolygon(obj)))
                elif isinstance(obj, osmium.osm.Relation) and tags.get("type") in ("multipolygon", "boundary"):
                    for member in obj.members:
                        if member.type == "w" and member.role in ("outer", ""):
                            outer_ways[str(member.ref)] = tags
            except (osmium.InvalidLocationError, RuntimeError):
                if isinstance(obj, osmium.osm.Node):
                    missing.nodes.append((f"node/{obj.id}", tags.get("name", "")))
                else:
                    missing.ways.append((f"{_kind(obj)}/{_id(obj)}", tags.get("name", ""), []))
    except RuntimeError as exc:
        raise InputFileError(
            f"Cannot read the OSM file `{shown or path}`: {exc}. Check that it is a complete .osm or "
            ".osm.pbf file (re-export it if the download was cut short)."
        ) from exc
    return rows, outer_ways, missing


def _kind(obj: object) -> str:
    if isinstance(obj, osmium.osm.Area):
        return "way" if obj.from_way() else "relation"
    return "relation" if isinstance(obj, osmium.osm.Relation) else "way"


def _id(obj: object) -> int:
    return obj.orig_id() if isinstance(obj, osmium.osm.Area) else obj.id  # type: ignore[attr-defined]


def _to_frame(rows: list[tuple[str, str, dict[str, str], str]]) -> gpd.GeoDataFrame:
    geometry = shapely.from_wkb([r[3] for r in rows]) if rows else []
    frame = gpd.GeoDataFrame(
        {
            S.SOURCE: S.SOURCE_OSM,
            S.SOURCE_ID: [f"{r[0]}/{r[1]}" for r in rows],
            S.NAME: [r[2].get("name", "") for r in rows],
            S.TAGS: [r[2] for r in rows],
        },
        geometry=geometry,
        crs=S.WGS84,
    )
    # A way can yield both a line and (when closed) nothing else; relations can repeat by role.
    return frame.drop_duplicates(S.SOURCE_ID).reset_index(drop=True)


def _drop_outline_ways(frame: gpd.GeoDataFrame, outer_ways: dict[str, dict[str, str]]) -> gpd.GeoDataFrame:
    """Drop ways that outline a multipolygon relation carrying the same identity tag.

    osmnx and pyosmium both return the way and the relation (``docs/performance.md``, "Reading OSM");
    numbering both would give one building two numbers.
    """
    if not outer_ways:
        return frame

    def duplicate(row: pd.Series) -> bool:
        osm_type, _, osm_id = row[S.SOURCE_ID].partition("/")
        rel_tags = outer_ways.get(osm_id) if osm_type == "way" else None
        if rel_tags is None:
            return False
        tags = row[S.TAGS]
        return any(k in tags and tags[k] == rel_tags.get(k) for k in _IDENTITY_KEYS)

    mask = frame.apply(duplicate, axis=1) if len(frame) else pd.Series([], dtype=bool)
    return frame[~mask].reset_index(drop=True)


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
        raise DataError("Give exactly one of `place` or `polygon` to fetch OSM data online.")
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
            f"Overpass returned no usable features for {place or 'the polygon'}: {exc}. "
            "Check the place name, or use an offline extract with --osm."
        ) from exc
    except OSError as exc:  # requests' ConnectionError and timeouts derive from OSError
        raise DataError(
            f"Cannot reach {ox.settings.overpass_url}: {exc}. Check the connection (or set "
            "MAPPER_OVERPASS_URL to a mirror), or work offline with --osm FILE."
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
