"""The command line: ``python -m pipeline COMMAND ...`` (installed as ``mapper``).

The commands are listed in :data:`COMMANDS` by the module that runs them; ``--help`` lists them all
without importing any, and ``python -m pipeline CMD ...`` imports :mod:`pipeline.cli.CMD` alone. Each
command module has ``add_arguments(parser)`` and ``run(args) -> int`` and keeps its heavy imports
(geopandas, the stages, the store, the figure) inside ``run``.

Errors the mapper raises on purpose (:class:`pipeline.core.errors.MapperError`) are printed as one
line and exit with status 2; anything else is a bug: one line naming the log file that holds its
traceback (:mod:`pipeline.core.crash`), exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: Command name -> (the module that runs it, its one-line help), in the order ``--help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "compounds": ("pipeline.cli.compounds", "list the residential compounds of an OSM extract"),
    "build": ("pipeline.cli.build", "build a compound's numbered inventory"),
    "number": ("pipeline.cli.number", "number any assets file clockwise from a gate"),
    "survey": (
        "pipeline.cli.survey",
        "read a survey map (DXF, zipped SHP, GPKG, GeoJSON, KML/KMZ, CSV/XLSX) into WGS-84",
    ),
    "figure": ("pipeline.cli.figure", "draw the layout figure (重要生活服务设施布局图) as PDF, SVG or PNG"),
    "export": ("pipeline.cli.export", "export the inventory as GPKG, GeoJSON, CSV, XLSX or DXF"),
    "sites": ("pipeline.cli.sites", "coverage against GB 50180-2018 and ranked micro-renovation sites"),
    "spots": ("pipeline.cli.spots", "move residents' problem spots in and out of the store as CSV"),
    "batch": ("pipeline.cli.batch", "build every compound of an extract on Dask"),
}

DESCRIPTION = "Number a compound's public spaces, facilities and institutions clockwise from its main gate."


def program_name() -> str:
    """``mapper`` when run as the console script, else ``python -m pipeline``."""
    return "mapper" if Path(sys.argv[0]).name == "mapper" else "python -m pipeline"


def command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv``: its first word that is not an option (the main options take no value)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def load_command(name: str) -> ModuleType:
    """Import the module of command ``name`` (:data:`COMMANDS`)."""
    return importlib.import_module(COMMANDS[name][0])


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser: every command listed, and the arguments of ``command`` alone (its module imported).

    Parameters
    ----------
    command
        The command about to run; ``None`` (for ``--help``) imports no command module.
    """
    parser = argparse.ArgumentParser(prog=program_name(), description=DESCRIPTION)
    parser.add_argument("-q", "--quiet", action="store_true", help="print warnings and errors only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        if name == command:
            load_command(name).add_arguments(child)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command_of(argv)
    args = make_parser(command).parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    from pipeline.core.errors import MapperError

    try:
        return int(load_command(args.command).run(args))
    except MapperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the last resort: one line, the traceback in a log file
        from pipeline.core.crash import report_crash

        print(f"error: {report_crash(exc, f'python -m pipeline {args.command}')}", file=sys.stderr)
        return 1
