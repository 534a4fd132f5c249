"""Reading OSM: the pipeline's reader against osmnx, pyrosm and a bare pyosmium pass, same files, same tags.

Run: .venv/bin/python bench/bench_osm_read.py [--quick]
Inputs: every shipped extract; the Helsinki extract tiled 8 times (72,448 features) and the three
Beijing extracts merged and tiled 20 times (74,460 features), each written once as XML and as PBF
to a temporary folder, ids offset by 10^10 per tile. osmnx cannot read the Helsinki tiles (ways
cut by the extract's box make it fail), so the Beijing ones are its big input.
Each row prints median wall times of:

- ``bare``: the same pyosmium pass the reader makes (locations, areas, the key filter), doing
  nothing with the objects: the floor for any pyosmium reader;
- ``bare+geom``: that pass also making every feature's WKB geometry;
- ``ours``: ``read_osm`` (features, tags, geometries, outline ways dropped);
- ``osmnx``: ``osmnx.features_from_xml`` with the same keys (XML only);
- ``pyrosm``: ``pyrosm.OSM(file).get_data_by_custom_criteria`` with the same keys (PBF only), when
  pyrosm is installed; its on-disk result cache cleared before each read (it decodes on threads, so it
  uses both cores where the others use one).

and the ratios ours / bare, ours / bare+geom, osmnx / ours and pyrosm / ours. The readers run in turn
(medians of alternating runs), so the ratios hold on a machine whose load changes. On the tiled
extracts it prints the issue's targets as result lines (``bench/table.py``): at least 20× osmnx and
within 2× of the bare pass on the 74,000-feature XML, PBF at least 2× faster than pyrosm.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import osmium  # noqa: E402
import osmnx as ox  # noqa: E402
from _tiles import tile_file  # noqa: E402
from _timing import alternating_s, result  # noqa: E402
from osmium.filter import KeyFilter  # noqa: E402

from pipeline.core.taxonomy import load_taxonomy  # noqa: E402
from pipeline.osm.read import CONTEXT_KEYS, read_osm  # noqa: E402

KEYS = sorted(load_taxonomy().tag_keys | CONTEXT_KEYS)


def processor(path: Path) -> osmium.FileProcessor:
    return osmium.FileProcessor(str(path)).with_locations().with_areas(KeyFilter(*KEYS)).with_filter(KeyFilter(*KEYS))


def bare(path: Path) -> int:
    """The reader's pyosmium pass with nothing done per object."""
    n = 0
    for _ in processor(path):
        n += 1
    return n


def bare_geometry(path: Path) -> int:
    """The same pass making each feature's WKB, as the reader does."""
    factory = osmium.geom.WKBFactory()
    out = []
    for obj in processor(path):
        try:
            if isinstance(obj, osmium.osm.Node):
                out.append(factory.create_point(obj))
            elif isinstance(obj, osmium.osm.Way):
                out.append(factory.create_linestring(obj))
            elif isinstance(obj, osmium.osm.Area):
                out.append(factory.create_multipolygon(obj))
        except (osmium.InvalidLocationError, RuntimeError):
            pass
    return len(out)


def osmnx_read(path: Path) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(ox.features_from_xml(path, tags=dict.fromkeys(KEYS, True)))


def osmnx_works(path: Path) -> bool:
    try:
        osmnx_read(path)
    except Exception as exc:  # any failure of the peer is reported, and the bench goes on
        print(f"  osmnx fails on {path.name}: {type(exc).__name__}: {exc}")
        return False
    return True


def pyrosm_read(path: Path) -> int:
    """pyrosm's read with its result cache cleared first (pyrosm 0.25 keeps each read's result on disk,
    across processes, and returns it without decoding the file again)."""
    import pyrosm

    pyrosm.OSM.clear_cache(str(path))
    return len(pyrosm.OSM(str(path)).get_data_by_custom_criteria(dict.fromkeys(KEYS, True)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shipped extracts only, 3 repeats")
    parser.add_argument("--only", default="", help="only the extracts whose file name contains this")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    has_pyrosm = importlib.util.find_spec("pyrosm") is not None
    if not has_pyrosm:
        print("pyrosm is not installed: its column is left empty (pip install pyrosm to compare).")
    with tempfile.TemporaryDirectory() as tmp:
        paths = sorted((ROOT / "data" / "osm").glob("*.osm*"))
        if not args.quick:
            osm = ROOT / "data" / "osm"
            beijing = [osm / f"beijing_haidian_{n}.osm" for n in ("qinghua-east-rd", "wudaokou-2017", "xitucheng-bupt")]
            for name, source, tiles in (("helsinki", osm / "helsinki_pyrosm.osm.pbf", 8), ("beijing", beijing, 20)):
                for suffix in (".osm", ".osm.pbf"):
                    paths.append(tile_file(source, tiles, Path(tmp) / f"{name}_x{tiles}{suffix}"))
        print(f"{'extract':<38} {'MB':>5} {'features':>8} {'bare s':>7} {'+geom s':>7} {'ours s':>7} "
              f"{'osmnx s':>8} {'pyrosm s':>8} {'ours/bare':>9} {'ours/+geom':>10} {'osmnx/ours':>10} {'pyrosm/ours':>11}")
        for path in (p for p in paths if args.only in p.name):
            mb = path.stat().st_size / 1e6
            n = len(read_osm(path))
            big = n > 20_000
            repeats = 3 if args.quick or big else 5
            xml = not path.name.endswith(".pbf")
            readers = {
                "ours": lambda p=path: read_osm(p),
                "bare": lambda p=path: bare(p),
                "geom": lambda p=path: bare_geometry(p),
            }
            if xml and osmnx_works(path):  # its first run, on a file it reads, is the warm-up
                readers["osmnx"] = lambda p=path: osmnx_read(p)
            if has_pyrosm and not xml:
                readers["pyrosm"] = lambda p=path: pyrosm_read(p)
                print(f"  pyrosm returns {pyrosm_read(path):,} features of {path.name} (ours {n:,})")
            timed = alternating_s(readers, repeats=repeats, warmup=0 if big else 1)
            ours, floor, geom = timed["ours"], timed["bare"], timed["geom"]
            theirs, rosm = timed.get("osmnx"), timed.get("pyrosm")
            print(
                f"{path.name:<38} {mb:>5.1f} {n:>8} {floor:>7.3f} {geom:>7.3f} {ours:>7.3f} "
                f"{(f'{theirs:.3f}' if theirs else '-'):>8} {(f'{rosm:.3f}' if rosm else '-'):>8} "
                f"{ours / floor:>8.2f}x {ours / geom:>9.2f}x "
                f"{(f'{theirs / ours:.1f}x' if theirs else '-'):>10} {(f'{rosm / ours:.1f}x' if rosm else '-'):>11}",
                flush=True,
            )
            if big:
                label = f"reader, {path.name.split('.')[0]} {'XML' if xml else 'PBF'} ({n:,} features)"
                result(f"{label}, vs bare pass", ours, "bare pyosmium pass", floor,
                       target="within 2× of a bare pyosmium pass", met=ours <= 2 * floor)
                if theirs:
                    result(label, ours, "osmnx features_from_xml", theirs, target="≥ 20× osmnx", met=theirs >= 20 * ours)
                if rosm:
                    result(label, ours, "pyrosm (no cache)", rosm, target="≥ 2× pyrosm", met=rosm >= 2 * ours)


if __name__ == "__main__":
    main()
