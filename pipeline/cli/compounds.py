"""``python -m pipeline compounds FILE``: every residential compound of an extract.

Prints each compound's OSM id, area and number of gates found, and what to call it: its name, or
for an unnamed compound the title a build gives it (:func:`pipeline.inventory.naming.compound_title`),
marked so nobody passes it to ``--compound`` (only an id or a real name selects a compound).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.core.words import LANGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``compounds``."""
    parser.add_argument("file", type=Path, help=".osm or .osm.pbf extract")
    parser.add_argument(
        "--lang", choices=LANGS, default="zh", help="language of the titles of unnamed compounds (default zh)"
    )


def run(args: argparse.Namespace) -> int:
    """Print every residential compound of an extract; return 0."""
    from pipeline.core import schema as S
    from pipeline.core.errors import DataError
    from pipeline.inventory.compound import find_compounds
    from pipeline.inventory.naming import compound_title
    from pipeline.osm.read import read_osm

    compounds = find_compounds(read_osm(args.file))
    if compounds.empty:
        raise DataError(
            f"`{args.file}` has no residential compound (landuse=residential); cut a larger extract "
            "or pass the outline with `build --boundary FILE`."
        )
    print(f"{'source_id':<20} {'area_m2':>10} {'gates':>5}  name")
    titled = 0
    for row in compounds.to_dict("records"):
        title = compound_title(row, args.lang)
        mark = " *" if title and not row[S.NAME] else ""
        titled += bool(mark)
        print(f"{row[S.SOURCE_ID]:<20} {row['area_m2']:>10.0f} {row['gates']:>5}  {title}{mark}".rstrip())
    if titled:
        print("* unnamed in OSM: titled from its address or the nearest named street; select it by its id")
    print(f"{len(compounds)} compounds in {args.file}")
    return 0
