"""``python -m pipeline spots import|export|hash-password``: spots in and out as CSV.

:mod:`pipeline.cli.main` calls :func:`add_arguments` and :func:`run`; :func:`add_parser` adds ``spots`` to
another program's sub-commands, and ``python -m pipeline.cli.spots spots …`` runs the same commands on
their own. The store (SQLAlchemy) is imported when a command runs, not when the parser is built.

Examples
--------
::

    python -m pipeline spots import --compound way/595108678 forms.csv
    python -m pipeline spots export --compound way/595108678 --db postgresql://… spots.csv
    python -m pipeline spots hash-password < password.txt
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``spots`` command to another program's sub-commands, with :func:`run` as its ``run`` default.

    Parameters
    ----------
    subparsers
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``spots`` parser.
    """
    spots = subparsers.add_parser("spots", help="move residents' problem spots in and out of the store as CSV")
    add_arguments(spots)
    spots.set_defaults(run=run)
    return spots


def add_arguments(spots: argparse.ArgumentParser) -> None:
    """Add the sub-commands of ``spots``: ``import``, ``export``, ``hash-password``."""
    spots.description = (
        "Residents' problem spots as CSV (columns lon, lat in WGS-84, category, text, author; more allowed)."
    )
    commands = spots.add_subparsers(dest="spots_command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--compound", required=True, metavar="ID",
            help="compound id the inventory records, e.g. way/595108678",
        )  # fmt: skip
        p.add_argument(
            "--db", metavar="URL", default=None,
            help="database URL (default: $MAPPER_DB_URL, else sqlite:///runtime/mapper.sqlite3)",
        )  # fmt: skip
        p.add_argument("file", type=Path, metavar="FILE", help="the CSV file")

    imp = commands.add_parser(
        "import",
        help="add spots from a CSV (all rows or none)",
        description="Add spots from a CSV, UTF-8 or GB18030. Every row is checked first; bad "
        "rows are reported by line number and then nothing is imported (all-or-nothing).",
    )
    common(imp)
    imp.add_argument(
        "--inventory", type=Path, metavar="GPKG", default=None,
        help="inventory GeoPackage (layer `assets`) to link spots to numbered assets within 30 m",
    )  # fmt: skip
    exp = commands.add_parser(
        "export",
        help="write a compound's open spots to a CSV",
        description="Write the open spots (hidden ones left out) as CSV, UTF-8 with BOM.",
    )
    common(exp)
    commands.add_parser(
        "hash-password",
        help="hash a planner's password for MAPPER_PLANNERS or the planners file",
        description="Read a password (prompted twice, or one line from standard input) and "
        "print its salted scrypt hash.",
    )


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:operator"


def _read_password() -> str:
    from pipeline.core.errors import MapperError

    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise MapperError("The two passwords differ: run the command again.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _load_assets(path: Path) -> object:
    import geopandas as gpd

    from pipeline.core.errors import DataError

    try:
        return gpd.read_file(path, layer="assets")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(
            f"Inventory `{path}` has no readable layer `assets` ({exc}): give the GeoPackage "
            "written by `python -m pipeline build`."
        ) from exc


def run(args: argparse.Namespace) -> int:
    """Run a ``spots`` command; print the outcome; return the exit status (0 ok, 2 error).

    Errors the store raises on purpose (:class:`~pipeline.core.errors.MapperError`) are printed to
    standard error as one message (what is wrong, the value, the fix); anything else is a bug
    and propagates.
    """
    from pipeline.core.errors import MapperError
    from pipeline.core.settings import Settings
    from store.auth import hash_password
    from store.csvio import export_spots_csv, import_spots_csv
    from store.db import Store
    from store.identity import Planner

    try:
        if args.spots_command == "hash-password":
            print(hash_password(_read_password()))
            return 0
        store = Store(args.db or Settings.from_env().db_url)
        try:
            if args.spots_command == "import":
                assets = _load_assets(args.inventory) if args.inventory else None
                report = import_spots_csv(
                    store,
                    args.compound,
                    args.file,
                    Planner(_operator()),
                    assets=assets,  # type: ignore[arg-type]
                )
                print(report.message)
            else:
                n = export_spots_csv(store, args.compound, args.file)
                print(f"Exported {n} open spots of {args.compound} to `{args.file}` (hidden spots left out).")
        finally:
            store.close()
    except MapperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``spots …`` as its own program (``python -m pipeline.cli.spots spots import …``)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.cli.spots")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
