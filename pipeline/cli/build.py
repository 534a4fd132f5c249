"""``python -m pipeline build``: a compound's numbered inventory, written to a folder.

The compound comes from an extract (``--osm``) or from Overpass (``--online``), chosen by OSM id or
name (``--compound``), by an outline (``--boundary``) or by a survey map's boundary (``--survey``).
This module never imports the store, ezdxf (unless ``--survey`` reads a DXF) or scipy's csgraph.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.options import add_numbering_options, add_radius_option

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``build``."""
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--osm", type=Path, help=".osm or .osm.pbf extract")
    src.add_argument(
        "--online",
        action="store_true",
        help="fetch from Overpass (needs the internet) around --boundary or --place",
    )
    parser.add_argument("--place", help="with --online: a place name Nominatim knows")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--compound", help="OSM id (way/595108678) or name (石科院生活区)")
    which.add_argument("--boundary", type=Path, help="a vector file with the compound's outline")
    parser.add_argument("--name", default="", help="the compound's name, with --boundary")
    parser.add_argument("--gate", help="main gate: a gate's OSM id, lon,lat in WGS-84, or a point file")
    parser.add_argument(
        "--survey",
        type=Path,
        metavar="FILE",
        help="a survey map (DXF, zipped SHP, GPKG, GeoJSON, KML/KMZ, CSV/XLSX): its boundary and gates "
        "replace OSM's, its assets merge with OSM's",
    )
    parser.add_argument("--survey-crs", help="the survey's CRS (EPSG code, PROJ string, gcj02, bd09)")
    parser.add_argument(
        "--survey-layers", metavar="MAPPING", help="survey layer → kind/role rules (TOML file)"
    )
    parser.add_argument(
        "--control-points",
        type=Path,
        metavar="FILE",
        help="control points registering a survey drawn in local coordinates",
    )
    add_radius_option(parser)
    add_numbering_options(parser)
    parser.add_argument("--out", type=Path, required=True, help="inventory folder to write")


def run(args: argparse.Namespace) -> int:
    """Build and write an inventory; return 0."""
    from dataclasses import replace

    import geopandas as gpd

    from pipeline.cli.options import parse_gate
    from pipeline.core import schema as S
    from pipeline.core.crs import utm_crs
    from pipeline.core.errors import DataError
    from pipeline.core.fileio import check_replaceable
    from pipeline.core.words import gate_rule_text
    from pipeline.inventory.build import (
        build_inventory,
        is_legacy_inventory,
        read_previous_labels,
        write_inventory,
    )
    from pipeline.inventory.compound import read_boundary_file
    from pipeline.inventory.naming import compound_title, title_of
    from pipeline.osm.read import fetch_osm, read_osm

    check_replaceable(args.out, "inventory", legacy=is_legacy_inventory)  # before any work
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
    survey = read_build_survey(args, features, boundary) if args.survey else None
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
        f"{compound_title(inventory.report['compound'], 'en') or inventory.report['compound']['source_id']}: "
        f"{len(inventory.assets)} assets numbered clockwise from {title_of(gate, 'en')}, "
        f"chosen as {gate_rule_text(gate['rule'], 'en')}. Written to {out}"
    )
    return 0


def read_build_survey(
    args: argparse.Namespace, features: gpd.GeoDataFrame, boundary: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    """Read ``--survey`` near the compound (so a wrong CRS is caught), and print what was read."""
    from pipeline.cli.options import parse_layers
    from pipeline.core.errors import MapperError
    from pipeline.inventory.compound import find_compound
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
