"""The command line: ``python -m pipeline compounds|build|number ...``.

Errors the mapper raises on purpose (:class:`pipeline.core.errors.MapperError`) are printed as one
line and exit with status 2; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from pipeline.core import schema as S
from pipeline.core.crs import utm_crs
from pipeline.core.errors import CRSError, DataError, GateError, InputFileError, MapperError
from pipeline.core.geometry import repair_polygon
from pipeline.inventory.build import (
    GateOverride,
    build_inventory,
    lonlat,
    read_previous_labels,
    write_inventory,
)
from pipeline.inventory.classify import DEFAULT_RADIUS_M
from pipeline.inventory.compound import find_compound, find_compounds, read_boundary_file
from pipeline.inventory.numbering import number_assets

log = logging.getLogger("pipeline")


def _add_numbering_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=S.METHODS,
        default="polar",
        help="polar: bearing from the centre; perimeter: walk along the boundary",
    )
    parser.add_argument(
        "--scheme",
        choices=S.SCHEMES,
        default="global",
        help="global: 1..N; category: A01.., B01.., C01.. per category",
    )
    parser.add_argument(
        "--keep-labels",
        metavar="PREVIOUS_INVENTORY",
        type=Path,
        help="keep the labels of an earlier inventory; new assets get sub-numbers (7.1)",
    )
    parser.add_argument("--force", action="store_true", help="accept a gate more than 50 m from the boundary")


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Number a compound's public spaces, facilities and institutions clockwise from its main gate.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print warnings and errors only")
    sub = parser.add_subparsers(dest="command", required=True)

    compounds = sub.add_parser("compounds", help="list the residential compounds of an OSM extract")
    compounds.add_argument("file", type=Path, help=".osm or .osm.pbf extract")

    build = sub.add_parser("build", help="build a compound's numbered inventory")
    src = build.add_mutually_exclusive_group(required=True)
    src.add_argument("--osm", type=Path, help=".osm or .osm.pbf extract")
    src.add_argument(
        "--online",
        action="store_true",
        help="fetch from Overpass (needs the internet) around --boundary or --place",
    )
    build.add_argument("--place", help="with --online: a place name Nominatim knows")
    which = build.add_mutually_exclusive_group()
    which.add_argument("--compound", help="OSM id (way/595108678) or name (石科院生活区)")
    which.add_argument("--boundary", type=Path, help="a vector file with the compound's outline")
    build.add_argument("--name", default="", help="the compound's name, with --boundary")
    build.add_argument("--gate", help="main gate: a gate's OSM id, lon,lat in WGS-84, or a point file")
    build.add_argument(
        "--survey",
        type=Path,
        metavar="FILE",
        help="a survey map (DXF, zipped SHP, GPKG, GeoJSON, KML/KMZ, CSV/XLSX): its boundary and gates "
        "replace OSM's, its assets merge with OSM's",
    )
    build.add_argument("--survey-crs", help="the survey's CRS (EPSG code, PROJ string, gcj02, bd09)")
    build.add_argument(
        "--survey-layers", metavar="MAPPING", help="survey layer → kind/role rules (TOML file)"
    )
    build.add_argument(
        "--control-points",
        type=Path,
        metavar="FILE",
        help="control points registering a survey drawn in local coordinates",
    )
    build.add_argument(
        "--radius",
        type=float,
        default=DEFAULT_RADIUS_M,
        help="take adjacent assets up to this many metres outside (default 50)",
    )
    _add_numbering_options(build)
    build.add_argument("--out", type=Path, required=True, help="inventory folder to write")

    number = sub.add_parser("number", help="number any assets file clockwise from a gate")
    number.add_argument("--assets", type=Path, required=True, help="vector file of assets")
    number.add_argument("--boundary", type=Path, required=True, help="vector file of the boundary polygon")
    number.add_argument("--gate", type=Path, required=True, help="vector file with the gate point")
    _add_numbering_options(number)
    number.add_argument("--out", type=Path, required=True, help="output file (.gpkg, .geojson or .csv)")

    batch = sub.add_parser("batch", help="build every compound of an extract on Dask")
    batch.add_argument("--osm", type=Path, required=True, help=".osm or .osm.pbf extract (read once)")
    batch.add_argument(
        "--out", type=Path, required=True, help="folder for compounds/<id>/ and the city files"
    )
    where = batch.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, default=2, help="worker processes of a local cluster (default 2)"
    )
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://HOST:8786")
    batch.add_argument(
        "--compounds", default="all", help="'all' (default) or a file with one compound id or name per line"
    )
    batch.add_argument("--figures", action="store_true", help="also write each compound's layout figure")
    batch.add_argument("--method", choices=S.METHODS, default="polar")
    batch.add_argument("--scheme", choices=S.SCHEMES, default="global")
    batch.add_argument("--radius", type=float, default=DEFAULT_RADIUS_M)

    for module in _plugins():
        module.add_parser(sub)
    return parser


def _plugins() -> list:
    """Sub-commands that live beside the core (survey import, residents' spots)."""
    import importlib

    found = []
    for name in ("pipeline.cli.survey", "pipeline.cli.spots", "pipeline.cli.export", "pipeline.cli.sites"):
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def run_compounds(args: argparse.Namespace) -> int:
    """Print every residential compound of an extract."""
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


def parse_gate(value: str | None) -> GateOverride | None:
    """Turn ``--gate`` into an override: an OSM id, ``lon,lat``, or a vector file's point."""
    if value is None:
        return None
    if "/" in value and not Path(value).exists():
        return GateOverride(source_id=value)
    parts = value.split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise CRSError(
                    f"`--gate {value}` is not lon,lat in WGS-84 degrees; write e.g. 116.3506,39.9983."
                )
            return GateOverride(point=shapely.Point(lon, lat))
    return GateOverride(point=_read_gate_file(Path(value)).to_crs(S.WGS84).iloc[0])


def _read_vector(path: Path, what: str) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputFileError(f"The {what} file `{path}` does not exist.")
    try:
        frame = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise InputFileError(
            f"Cannot read the {what} file `{path}`: {exc}. Give a GeoPackage, GeoJSON or Shapefile."
        ) from exc
    if frame.crs is None:
        raise CRSError(f"The {what} file `{path}` has no CRS; save it with one (a Shapefile needs its .prj).")
    return frame


def _read_gate_file(path: Path) -> gpd.GeoSeries:
    frame = _read_vector(path, "gate")
    if "is_main" in frame.columns:
        frame = frame[frame["is_main"].astype(bool)]
    points = frame[frame.geom_type == "Point"]
    if len(points) != 1:
        raise GateError(
            f"The gate file `{path}` must hold exactly one point (or one with is_main); it has {len(points)}."
        )
    return points.geometry


def run_build(args: argparse.Namespace) -> int:
    """Build and write an inventory."""
    from pipeline.osm.read import fetch_osm, read_osm

    boundary = read_boundary_file(args.boundary) if args.boundary else None
    if args.online:
        if boundary is None and not args.place:
            raise DataError("`--online` needs `--boundary FILE` or `--place NAME` to know where to fetch.")
        if boundary is not None:
            crs = utm_crs(boundary)
            area = (
                gpd.GeoSeries([boundary], crs=S.WGS84)
                .to_crs(crs)
                .buffer(args.radius + 200)
                .to_crs(S.WGS84)
                .iloc[0]
            )
            features = fetch_osm(polygon=area)
        else:
            features = fetch_osm(place=args.place)
        source = "Overpass"
    else:
        features = read_osm(args.osm)
        source = args.osm.name
    if boundary is None and args.compound is None and args.survey is None:
        raise DataError(
            "Say which compound: `--compound ID_OR_NAME`, `--boundary FILE` or a survey with a boundary "
            "(list them with `python -m pipeline compounds FILE`)."
        )
    survey = _read_build_survey(args, features, boundary) if args.survey else None
    previous = read_previous_labels(args.keep_labels) if args.keep_labels else None
    inventory = build_inventory(
        features,
        compound=args.compound,
        boundary=boundary,
        boundary_name=args.name,
        gate=parse_gate(args.gate),
        method=args.method,
        scheme=args.scheme,
        radius_m=args.radius,
        previous=previous,
        force=args.force,
        source=source,
        survey=survey,
        survey_source=args.survey.name if args.survey else "",
    )
    if args.osm is not None:  # lets `sites` find the extract again for the walking network
        inventory = replace(inventory, report={**inventory.report, "osm_path": str(args.osm.resolve())})
    out = write_inventory(inventory, args.out)
    gate = inventory.report["main_gate"]
    print(
        f"{inventory.report['compound']['name'] or inventory.report['compound']['source_id']}: "
        f"{len(inventory.assets)} assets numbered clockwise from {gate['name'] or gate['source_id']} "
        f"({gate['rule']}); written to {out}"
    )
    return 0


def _read_build_survey(
    args: argparse.Namespace, features: gpd.GeoDataFrame, boundary: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    """Read ``--survey`` near the compound (so a wrong CRS is caught), and print what was read."""
    from pipeline.cli.survey import parse_layers
    from pipeline.survey.read import read_survey

    near = boundary
    if near is None and args.compound:
        near = find_compound(features, args.compound).geometry
    try:
        result = read_survey(
            args.survey,
            crs=args.survey_crs,
            layers=parse_layers(args.survey_layers),
            control_points=args.control_points,
            near=near,
        )
    except MapperError as exc:
        if "--crs" not in str(exc):
            raise
        raise type(exc)(f"{exc}\n(With `build`, give the survey's CRS as `--survey-crs`.)") from exc
    print(result.report())
    return result.features


def run_number(args: argparse.Namespace) -> int:
    """Number an assets file clockwise from a gate, keeping its other columns."""
    assets = _read_vector(args.assets, "assets")
    boundary_frame = _read_vector(args.boundary, "boundary")
    boundary = repair_polygon(
        shapely.union_all(boundary_frame.to_crs(S.WGS84).geometry.values), f"boundary in `{args.boundary}`"
    )
    gate = _read_gate_file(args.gate).to_crs(S.WGS84)
    crs = assets.crs if assets.crs.is_projected else utm_crs(boundary)
    previous = read_previous_labels(args.keep_labels) if args.keep_labels else None
    local = assets.to_crs(crs)
    numbered = number_assets(
        local,
        gpd.GeoSeries([boundary], crs=S.WGS84).to_crs(crs).iloc[0],
        gate.to_crs(crs).iloc[0],
        method=args.method,
        scheme=args.scheme,
        previous=previous,
        force=args.force,
    ).to_crs(assets.crs)
    suffix = args.out.suffix.lower()
    if suffix == ".csv":
        out = pd.DataFrame(numbered.drop(columns="geometry"))
        lon, lat = lonlat(numbered)
        out[S.LON], out[S.LAT] = lon.to_numpy(), lat.to_numpy()
        out.to_csv(args.out, index=False, encoding="utf-8-sig")
    elif suffix in (".gpkg", ".geojson", ".json", ".shp"):
        args.out.unlink(missing_ok=True)
        numbered.to_file(args.out)
    else:
        raise InputFileError(f"Cannot write `{args.out}`; use .gpkg, .geojson or .csv.")
    print(f"Numbered {len(numbered)} assets ({args.method}, {args.scheme}); written to {args.out}")
    return 0


def run_batch(args: argparse.Namespace) -> int:
    """Build every compound of an extract on Dask, with a progress bar."""
    import distributed  # noqa: F401  (it sets its loggers' levels when imported; ours come after)
    from tqdm import tqdm

    from pipeline.city.batch import BatchOptions
    from pipeline.city.batch import run_batch as batch
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
    features = read_osm(args.osm)
    options = BatchOptions(method=args.method, scheme=args.scheme, radius_m=args.radius, figures=args.figures)
    with tqdm(unit="compound", disable=None) as bar:

        def progress(done: int, total: int, row: dict) -> None:
            bar.total = total
            bar.update(done - bar.n)
            bar.set_postfix_str(f"{row['compound_id']} {row['status']}")

        table = batch(
            features,
            args.out,
            compounds=compounds,
            options=options,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress,
        )
    failed = table[table["status"] == "failed"]
    print(f"{len(table) - len(failed)} of {len(table)} compounds built; city file: {args.out / 'city.gpkg'}")
    for row in failed.itertuples():
        print(f"failed: {row.compound_id} {row.name}: {row.reason}")
    return 0


COMMANDS = {"compounds": run_compounds, "build": run_build, "number": run_number, "batch": run_batch}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    try:
        handler = COMMANDS.get(args.command)
        if handler is None:
            return int(args.run(args))
        return handler(args)
    except MapperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
