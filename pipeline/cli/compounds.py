"""``python -m pipeline compounds FILE``: every residential compound of an extract.

Prints each compound's OSM id, area and number of gates found, and its name.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``compounds``."""
    parser.add_argument("file", type=Path, help=".osm or .osm.pbf extract")


def run(args: argparse.Namespace) -> int:
    """Print every residential compound of an extract; return 0."""
    from pipeline.core.errors import DataError
    from pipeline.inventory.compound import find_compounds
    from pipeline.osm.read import read_osm

    compounds = find_compounds(read_osm(args.file))
    if compounds.empty:
        raise DataError(
            f"`{args.file}` has no residential compound (landuse=residential); cut a larger extract "
            "or pass the outline with `build --boundary FILE`."
        )
    print(f"{'source_id':<20} {'area_m2':>10} {'gates':>5}  name")
    for row in compounds.itertuples():
        print(f"{row.source_id:<20} {row.area_m2:>10.0f} {row.gates:>5}  {row.name}")
    print(f"{len(compounds)} compounds in {args.file}")
    return 0
