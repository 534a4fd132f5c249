"""Bigger cities for the benchmarks: a shipped extract tiled side by side, ids offset by 10^10 per tile.

Two forms: :func:`tile_frame` tiles an already-read feature frame (for planning and batch
benchmarks); :func:`tile_file` writes a tiled OSM file (XML or PBF) for the readers to parse.
Tile ``k`` sits in column ``k % columns`` and row ``k // columns``, shifted by whole extract widths
plus a gap, so no two tiles overlap and each tile keeps its own compounds.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ID_OFFSET = 10**10


def _grid(tiles: int) -> int:
    return max(1, math.ceil(math.sqrt(tiles)))


def tile_frame(base: gpd.GeoDataFrame, tiles: int, *, gap: float = 0.02) -> gpd.GeoDataFrame:
    """``tiles`` copies of a feature frame on a grid, the ids of tile ``k`` offset by ``k * 10^10``."""
    minx, miny, maxx, maxy = base.total_bounds
    dx, dy = maxx - minx + gap, maxy - miny + gap
    columns = _grid(tiles)
    parts = base["source_id"].str.partition("/")
    kind, number = parts[0].to_numpy(dtype=object), parts[2].astype("int64").to_numpy()
    copies = []
    for k in range(tiles):
        copy = base.copy()
        copy["geometry"] = copy.geometry.translate(xoff=dx * (k % columns), yoff=dy * (k // columns))
        copy["source_id"] = kind + "/" + (number + k * ID_OFFSET).astype(str).astype(object)
        copies.append(copy)
    return gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=base.crs)


def tile_file(source: Path | list[Path], tiles: int, out: Path, *, gap: float = 0.02) -> Path:
    """Write ``tiles`` copies of OSM files into ``out`` (.osm or .osm.pbf), sorted nodes, ways, relations.

    Several sources are merged first (an object in more than one is taken from the first).
    """
    import osmium

    sources = [source] if isinstance(source, Path) else list(source)
    locations = [
        (n.location.lon, n.location.lat) for src in sources for n in osmium.FileProcessor(str(src), osmium.osm.NODE)
    ]
    (minx, miny), (maxx, maxy) = np.min(locations, axis=0), np.max(locations, axis=0)
    dx, dy = maxx - minx + gap, maxy - miny + gap
    columns = _grid(tiles)
    out.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(out))
    try:
        for entity in (osmium.osm.NODE, osmium.osm.WAY, osmium.osm.RELATION):
            objects: dict[int, tuple[object, dict[str, str]]] = {}
            for src in sources:
                for obj in osmium.FileProcessor(str(src), entity):
                    if obj.id not in objects:
                        objects[obj.id] = _detached(obj)
            for k in range(tiles):
                off, xoff, yoff = k * ID_OFFSET, dx * (k % columns), dy * (k // columns)
                for osm_id in sorted(objects):
                    data, tags = objects[osm_id]
                    common = {"id": osm_id + off, "version": 1, "tags": tags}
                    if entity == osmium.osm.NODE:
                        writer.add_node(osmium.osm.mutable.Node(location=(data[0] + xoff, data[1] + yoff), **common))
                    elif entity == osmium.osm.WAY:
                        writer.add_way(osmium.osm.mutable.Way(nodes=[n + off for n in data], **common))
                    else:
                        members = [(t, ref + off, role) for t, ref, role in data]
                        writer.add_relation(osmium.osm.mutable.Relation(members=members, **common))
    finally:
        writer.close()
    return out


def _detached(obj: object) -> tuple[object, dict[str, str]]:
    """What a tile needs of a pyosmium object, kept beyond the buffer it was read from."""
    import osmium

    tags = {t.k: t.v for t in obj.tags}
    if isinstance(obj, osmium.osm.Node):
        return (obj.location.lon, obj.location.lat), tags
    if isinstance(obj, osmium.osm.Way):
        return [n.ref for n in obj.nodes], tags
    return [(m.type, m.ref, m.role) for m in obj.members], tags
