"""``python -m pipeline number``: number any assets file clockwise from a gate, keeping its other columns."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.options import add_numbering_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``number``."""
    parser.add_argument("--assets", type=Path, required=True, help="vector file of assets")
    parser.add_argument("--boundary", type=Path, required=True, help="vector file of the boundary polygon")
    parser.add_argument("--gate", type=Path, required=True, help="vector file with the gate point")
    add_numbering_options(parser)
    parser.add_argument("--out", type=Path, required=True, help="output file (.gpkg, .geojson or .csv)")


def run(args: argparse.Namespace) -> int:
    """Number an assets file clockwise from a gate and write it; return 0."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from pipeline.cli.options import read_gate_file, read_vector
    from pipeline.core import schema as S
    from pipeline.core.cells import write_csv
    from pipeline.core.crs import utm_crs
    from pipeline.core.errors import InputFileError
    from pipeline.core.fileio import output_file
    from pipeline.core.geometry import repair_polygon
    from pipeline.inventory.build import lonlat, read_previous_labels
    from pipeline.inventory.numbering import number_assets

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".gpkg", ".geojson", ".json"):
        raise InputFileError(f"Cannot write `{args.out}`; use .gpkg, .geojson or .csv.")
    assets = read_vector(args.assets, "assets")
    boundary_frame = read_vector(args.boundary, "boundary")
    boundary = repair_polygon(
        shapely.union_all(boundary_frame.to_crs(S.WGS84).geometry.values), f"boundary in `{args.boundary}`"
    )
    gate = read_gate_file(args.gate).to_crs(S.WGS84)
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
    if suffix == ".csv":
        out = pd.DataFrame(numbered.drop(columns="geometry"))
        lon, lat = lonlat(numbered)
        out[S.LON], out[S.LAT] = lon.to_numpy(), lat.to_numpy()
        write_csv(out, args.out)
    else:
        with output_file(args.out) as tmp:
            numbered.to_file(tmp, driver="GPKG" if suffix == ".gpkg" else "GeoJSON", layer=args.out.stem)
    print(f"Numbered {len(numbered)} assets ({args.method}, {args.scheme}); written to {args.out}")
    return 0
