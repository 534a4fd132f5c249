"""``python -m pipeline batch``: build every compound of an extract on Dask, with a progress bar.

The command line is where the core meets the drawing: with ``--figures`` it hands
:func:`pipeline.city.batch.run_batch` :func:`draw_layout`, which draws each compound's A3 figure with
:mod:`layers.figure`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.options import add_method_options, add_radius_option

if TYPE_CHECKING:
    from pipeline.inventory.build import Inventory


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``batch``."""
    parser.add_argument("--osm", type=Path, required=True, help=".osm or .osm.pbf extract (read once)")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for compounds/<id>/ and the city files"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, default=2, help="worker processes of a local cluster (default 2)"
    )
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://HOST:8786")
    parser.add_argument(
        "--compounds", default="all", help="'all' (default) or a file with one compound id or name per line"
    )
    parser.add_argument("--figures", action="store_true", help="also write each compound's layout figure")
    parser.add_argument(
        "--dashboard", action="store_true", help="serve the local cluster's Dask dashboard on 127.0.0.1"
    )
    add_method_options(parser)
    add_radius_option(parser)


def draw_layout(inventory: Inventory, path: Path) -> None:
    """Draw a compound's layout figure on A3 (what ``--figures`` writes as ``layout.pdf``).

    A module-level function, so that Dask can send it to the workers by name.
    """
    from layers.figure.layout import plot_layout  # imported here: matplotlib only when figures are drawn

    plot_layout(inventory, save=True, filepath=path, paper="A3")


def run(args: argparse.Namespace) -> int:
    """Build every compound of an extract on Dask; print the outcome; return 0."""
    import logging

    import distributed  # noqa: F401  (it sets its loggers' levels when imported; ours come after)
    from tqdm import tqdm

    from pipeline.city.batch import BatchOptions, check_workers, run_batch
    from pipeline.core.errors import InputFileError
    from pipeline.osm.read import read_osm

    for name in ("distributed", "tornado"):  # distributed sets its loggers when imported
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("bokeh").setLevel(logging.ERROR)  # the dashboard binds to 127.0.0.1 only
    compounds = None
    if args.compounds != "all":
        path = Path(args.compounds)
        if not path.is_file():
            raise InputFileError(
                f"`--compounds {path}`: no such file; give 'all' or a file with one id or name per line."
            )
        compounds = [
            line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()
        ]
    check_workers(args.workers)  # before the extract is read
    features = read_osm(args.osm)
    options = BatchOptions(method=args.method, scheme=args.scheme, radius_m=args.radius)
    with tqdm(unit="compound", disable=None) as bar:

        def progress(done: int, total: int, row: dict) -> None:
            bar.total = total
            bar.update(done - bar.n)
            bar.set_postfix_str(f"{row['compound_id']} {row['status']}")

        table = run_batch(
            features,
            args.out,
            compounds=compounds,
            options=options,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress,
            draw_figure=draw_layout if args.figures else None,
            dashboard=args.dashboard,
        )
    failed = table[table["status"] == "failed"]
    print(f"{len(table) - len(failed)} of {len(table)} compounds built; city file: {args.out / 'city.gpkg'}")
    for row in failed.itertuples():
        print(f"failed: {row.compound_id} {row.name}: {row.reason}")
    return 0
