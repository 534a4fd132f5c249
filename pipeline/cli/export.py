"""Sub-commands ``figure`` and ``export`` of ``python -m pipeline`` (loaded by :func:`pipeline.cli.main._plugins`).

::

    python -m pipeline figure --inventory build/shikeyuan --out layout.pdf [--paper A4|A3|A1]
        [--orientation auto|portrait|landscape] [--lang zh|en] [--dpi 300]
    python -m pipeline export --inventory build/shikeyuan --format gpkg|geojson|csv|xlsx|dxf --out FILE
        [--crs EPSG:4548]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from pipeline.inventory.build import read_inventory

log = logging.getLogger(__name__)

PAPERS = ("A4", "A3", "A1")
ORIENTATIONS = ("auto", "portrait", "landscape")
LANGS = ("zh", "en")
EXPORT_FORMATS = ("gpkg", "geojson", "csv", "xlsx", "dxf")


def add_parser(subparsers: Any) -> None:
    """Add the ``figure`` and ``export`` sub-commands to the CLI's sub-parsers."""
    figure = subparsers.add_parser(
        "figure", help="draw the layout figure (重要生活服务设施布局图) as PDF, SVG or PNG"
    )
    figure.add_argument("--inventory", type=Path, required=True, help="inventory folder (from `build`)")
    figure.add_argument("--out", type=Path, required=True, help="output file: .pdf, .svg or .png")
    figure.add_argument(
        "--paper", type=str.upper, choices=PAPERS, default="A3", help="paper size (default A3)"
    )
    figure.add_argument(
        "--orientation",
        choices=ORIENTATIONS,
        default="auto",
        help="auto picks the orientation giving the largest map scale (default)",
    )
    figure.add_argument(
        "--lang", choices=LANGS, default="zh", help="language of the figure's words (default zh)"
    )
    figure.add_argument("--dpi", type=float, default=300, help="resolution of PNG output (default 300)")
    figure.set_defaults(run=run_figure)

    export = subparsers.add_parser("export", help="export the inventory as GPKG, GeoJSON, CSV, XLSX or DXF")
    export.add_argument("--inventory", type=Path, required=True, help="inventory folder (from `build`)")
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, help="output format (default: from the suffix of --out)"
    )
    export.add_argument("--out", type=Path, required=True, help="output file")
    export.add_argument(
        "--crs",
        help="target CRS, e.g. EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E); "
        "DXF needs a projected one; GeoJSON is always WGS-84",
    )
    export.set_defaults(run=run_export)


def run_figure(args: argparse.Namespace) -> int:
    """Draw and save the layout figure."""
    from layers.figure.layout import (
        plot_layout,  # the CLI is the one place where pipeline reaches up to layers
    )

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO
    inventory = read_inventory(args.inventory)
    plot_layout(
        inventory,
        paper=args.paper,
        orientation=args.orientation,
        lang=args.lang,
        save=True,
        filepath=args.out,
        dpi=args.dpi,
    )
    print(f"Layout figure of {len(inventory.assets)} assets written to {args.out}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the inventory in one format."""
    from pipeline.inventory.export import export_inventory, format_of

    logging.getLogger("ezdxf").setLevel(logging.WARNING)
    inventory = read_inventory(args.inventory)
    fmt = format_of(args.out, args.format)
    out = export_inventory(inventory, args.out, fmt=fmt, crs=args.crs)
    print(f"{len(inventory.assets)} assets exported as {fmt} to {out}")
    return 0
