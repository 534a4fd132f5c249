"""Reading OSM: the pipeline's pyosmium reader versus osmnx.features_from_xml, same files, same tags.

Run: .venv/bin/python bench/bench_osm_read.py
Prints the median read time of each reader and the ratio osmnx / ours per extract. osmnx reads
XML only, so the PBF row times ours alone.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import osmnx as ox  # noqa: E402
from _timing import median_s  # noqa: E402

from pipeline.core.taxonomy import load_taxonomy  # noqa: E402
from pipeline.osm.read import CONTEXT_KEYS, read_osm  # noqa: E402

KEYS = sorted(load_taxonomy().tag_keys | CONTEXT_KEYS)


def main() -> None:
    print(f"{'extract':<40} {'MB':>5} {'ours s':>8} {'osmnx s':>8} {'ratio':>7} {'ours n':>7} {'osmnx n':>7}")
    for path in sorted((ROOT / "data" / "osm").glob("*.osm*")):
        mb = path.stat().st_size / 1e6
        ours_n = len(read_osm(path))
        ours = median_s(lambda p=path: read_osm(p), repeats=5)
        if path.suffix == ".osm":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs_n = len(ox.features_from_xml(path, tags=dict.fromkeys(KEYS, True)))
                theirs = median_s(lambda p=path: ox.features_from_xml(p, tags=dict.fromkeys(KEYS, True)), repeats=3)
            print(f"{path.name:<40} {mb:>5.1f} {ours:>8.3f} {theirs:>8.3f} {theirs / ours:>6.1f}x {ours_n:>7} {theirs_n:>7}")
        else:
            print(f"{path.name:<40} {mb:>5.1f} {ours:>8.3f} {'(XML only)':>8} {'':>7} {ours_n:>7}")


if __name__ == "__main__":
    main()
