"""``python -m pipeline figure``: the layout figure (重要生活服务设施布局图) of an inventory.

::

    python -m pipeline figure --inventory build/shikeyuan --out layout.pdf [--paper A4|A3|A1]
        [--orientation auto|portrait|landscape] [--lang zh|en] [--dpi 300]

The command line is the one place where the core's commands reach the drawing (:mod:`layers.figure`),
imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: Choices of the figure's flags (:func:`layers.figure.layout.plot_layout` checks them again).
PAPERS = ("A4", "A3", "A1")
ORIENTATIONS = ("auto", "portrait", "landscape")
LANGS = ("zh", "en")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``figure``."""
    parser.add_argument("--inventory", type=Path, required=True, help="inventory folder (from `build`)")
    parser.add_argument("--out", type=Path, required=True, help="output file: .pdf, .svg or .png")
    parser.add_argument(
        "--paper", type=str.upper, choices=PAPERS, default="A3", help="paper size (default A3)"
    )
    parser.add_argument(
        "--orientation",
        choices=ORIENTATIONS,
        default="auto",
        help="auto picks the orientation giving the largest map scale (default)",
    )
    parser.add_argument(
        "--lang", choices=LANGS, default="zh", help="language of the figure's words (default zh)"
    )
    parser.add_argument("--dpi", type=float, default=300, help="resolution of PNG output (default 300)")


def run(args: argparse.Namespace) -> int:
    """Draw and save the layout figure; return 0."""
    import logging

    from layers.figure.layout import figure_pages, page_files, plot_layout
    from pipeline.inventory.build import read_inventory

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO
    inventory = read_inventory(args.inventory)
    fig, _ = plot_layout(
        inventory,
        paper=args.paper,
        orientation=args.orientation,
        lang=args.lang,
        save=True,
        filepath=args.out,
        dpi=args.dpi,
    )
    pages = len(figure_pages(fig))
    if pages == 1:
        where = str(args.out)
    elif Path(args.out).suffix.lower() == ".pdf":
        where = f"{args.out} ({pages} pages: the index goes on to page 2)"
    else:
        where = ", ".join(str(f) for f in page_files(args.out, pages)) + " (the index goes on to page 2)"
    print(f"Layout figure of {len(inventory.assets)} assets written to {where}")
    return 0
