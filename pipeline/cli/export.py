"""``python -m pipeline export``: an inventory's data for design teams, in one format.

::

    python -m pipeline export --inventory build/shikeyuan --format gpkg|geojson|csv|xlsx|dxf --out FILE
        [--crs EPSG:4548]
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: The formats :func:`pipeline.inventory.export.export_inventory` writes (a test checks they are the same).
EXPORT_FORMATS = ("gpkg", "geojson", "csv", "xlsx", "dxf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``export``."""
    parser.add_argument("--inventory", type=Path, required=True, help="inventory folder (from `build`)")
    parser.add_argument(
        "--format", choices=EXPORT_FORMATS, help="output format (default: from the suffix of --out)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output file")
    parser.add_argument(
        "--crs",
        help="target CRS, e.g. EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E); "
        "DXF needs a projected one; GeoJSON is always WGS-84",
    )


def run(args: argparse.Namespace) -> int:
    """Export the inventory in one format; return 0."""
    import logging

    from pipeline.inventory.build import read_inventory
    from pipeline.inventory.export import export_inventory, format_of

    logging.getLogger("ezdxf").setLevel(logging.WARNING)
    inventory = read_inventory(args.inventory)
    fmt = format_of(args.out, args.format)
    out = export_inventory(inventory, args.out, fmt=fmt, crs=args.crs)
    print(f"{len(inventory.assets)} assets exported as {fmt} to {out}")
    return 0
