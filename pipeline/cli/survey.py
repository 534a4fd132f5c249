"""``python -m pipeline survey``: read a survey file into a GeoPackage in WGS-84.

::

    python -m pipeline survey FILE [--crs CRS] [--layers MAPPING] [--control-points FILE]
        [--method similarity|affine] [--tolerance-m M] [--swap-xy] --out OUT.gpkg

It prints what it read and what it did not (and why), then writes layer ``survey`` (the
features) and ``survey_report`` to ``OUT.gpkg``. A file that fails writes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.options import parse_layers

#: The suffixes :mod:`pipeline.survey.read` reads, its registration transforms and default RMS tolerance
#: (a test checks they are the same), repeated so that building the parser does not import the readers.
SUFFIXES = (".dxf", ".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".csv", ".txt", ".xlsx")
METHODS = ("similarity", "affine")
DEFAULT_TOLERANCE_M = 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``survey``."""
    parser.description = (
        "Read a professional survey map into the mapper's features, in WGS-84, and "
        "say what was read and what was not."
    )
    parser.add_argument("file", type=Path, help=f"survey file ({', '.join(SUFFIXES)})")
    parser.add_argument(
        "--crs",
        help="the file's coordinate system: EPSG code (EPSG:4548), PROJ string, gcj02 (Gaode, "
        "Tencent), bd09 (Baidu); with --control-points, the CRS of their ground coordinates",
    )
    parser.add_argument(
        "--layers",
        metavar="MAPPING",
        help="layer → kind/role rules: a TOML file like pipeline/survey/survey_layers.toml, or "
        '"LAYER=kind,LAYER=role"',
    )
    parser.add_argument(
        "--control-points",
        type=Path,
        metavar="FILE",
        help="CSV of control points (local_x, local_y, lon, lat) for a drawing in local coordinates",
    )
    parser.add_argument(
        "--method", choices=METHODS, default="similarity", help="registration transform (default similarity)"
    )
    parser.add_argument(
        "--tolerance-m",
        type=float,
        default=DEFAULT_TOLERANCE_M,
        help=f"largest RMS residual of the control points, metres (default {DEFAULT_TOLERANCE_M:g})",
    )
    parser.add_argument(
        "--swap-xy", action="store_true", help="the first coordinate is the northing/latitude (surveyors' X)"
    )
    parser.add_argument("--out", type=Path, required=True, help="GeoPackage to write (.gpkg)")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``survey`` to another program's sub-commands, with :func:`run` as its ``run`` default.

    Parameters
    ----------
    subparsers
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``survey`` parser.
    """
    parser = subparsers.add_parser(
        "survey", help="read a survey map (DXF, zipped SHP, GPKG, GeoJSON, KML/KMZ, CSV/XLSX) into WGS-84"
    )
    add_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Read the survey named in ``args``, print the report, write the GeoPackage; return 0.

    Raises
    ------
    pipeline.core.errors.MapperError
        Bad input; the main CLI prints it and exits with status 2.
    """
    from pipeline.core.errors import InputFileError
    from pipeline.survey.read import read_survey, write_survey

    if args.out.suffix.lower() != ".gpkg":
        raise InputFileError(f"`--out {args.out}` must be a GeoPackage (.gpkg).")
    result = read_survey(
        args.file,
        crs=args.crs,
        layers=parse_layers(args.layers),
        control_points=args.control_points,
        method=args.method,
        tolerance_m=args.tolerance_m,
        swap_xy=args.swap_xy,
    )
    print(result.report())
    out = write_survey(result, args.out)
    print(f"写入 Wrote {len(result.features)} features to {out}")
    return 0
