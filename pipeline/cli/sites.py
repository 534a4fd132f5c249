r"""``python -m pipeline sites``: coverage against GB 50180-2018 and ranked micro-renovation sites.

Examples
--------
::

    python -m pipeline sites --inventory build/shikeyuan --osm data/osm/beijing_haidian_qinghua-east-rd.osm \\
        --out build/shikeyuan-sites
    python -m pipeline sites --inventory build/shikeyuan --osm FILE --spots spots.geojson \\
        --profile runtime/compounds/way_595108678/profile.json --works S01,S04 --out build/sites

Writes to ``--out``: ``sites.gpkg`` (layers ``sites``, ``service_areas``, ``buildings``, and with
``--works`` ``zones`` and ``zone_buildings``), ``sites.csv`` (UTF-8 with BOM, ``lon``/``lat``),
``coverage.csv``, ``access.csv`` (every building × kind) and, with ``--works``, ``zones.csv``. A site's
reason and suggested uses, and a kind's coverage note, are written in English and Chinese (``reason_en``,
``reason_zh``, ``uses_en``, ``uses_zh``; ``note_en``, ``note_zh``; :mod:`pipeline.core.words`). Files
are written to a temporary folder first, then moved into place; an existing ``--out`` is replaced only
when it is a sites folder the mapper wrote. With ``--db`` the spots come from the store
(:func:`store.spots_from_store`).
"""

from __future__ import annotations

import argparse
import logging
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from pipeline.inventory.build import Inventory
    from pipeline.sites.rank import SiteOptions, SiteWeights

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of ``sites``."""
    p.description = "Measure walking coverage of the compound's housing and rank candidate sites, with reasons."
    p.add_argument("--inventory", type=Path, required=True, help="inventory folder (from `build`)")
    p.add_argument("--out", type=Path, required=True, help="folder to write")
    p.add_argument(
        "--osm",
        type=Path,
        help="the extract the inventory was built from (facilities and paths beyond 150 m); default: the one `build` recorded",
    )
    p.add_argument(
        "--spots",
        type=Path,
        help="residents' spots: GeoJSON/GPKG points or CSV with lon,lat (optional columns supports, votes)",
    )
    p.add_argument("--db", metavar="URL", help="read the spots (and --session votes) from the store instead")
    p.add_argument("--session", type=int, help="with --db: a closed vote session whose dots count as votes")
    p.add_argument("--profile", type=Path, help="the compound's profile.json (share aged 60+)")
    p.add_argument("--households", type=Path, help="CSV source_id,households per building (weights coverage)")
    p.add_argument("--standards", type=Path, help="overrides of the standard's figures (TOML or CSV)")
    p.add_argument(
        "--weights", type=Path, help="TOML with [weights] demand/gap/suitability/profile and [options]"
    )
    p.add_argument("--works", help="chosen site ids after the vote (S01,S04): also write supervision zones")
    p.add_argument("--join", type=float, default=150.0, help="works this close on foot share a zone (m)")
    p.add_argument("--wall-neighbours", action="store_true", help="wall the other compounds of the area too")
    p.add_argument(
        "--crossings-closed",
        action="store_true",
        help="a path crossing the outline where no gate is mapped is walled up (default: an opening)",
    )


def _recorded_extract(inventory: Inventory) -> Path | None:
    """The extract `build` recorded in the report, when it is still where it was."""
    recorded = inventory.report.get("osm_path")
    if recorded and Path(recorded).is_file():
        log.info("Reading the extract the inventory was built from: %s", recorded)
        return Path(recorded)
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``sites``; return the exit status."""
    from pipeline.core.fileio import check_replaceable
    from pipeline.core.words import coverage_with_words, reason_text, sites_with_words
    from pipeline.inventory.build import read_inventory
    from pipeline.sites.coverage import service_areas
    from pipeline.sites.rank import SiteOptions, SiteWeights, find_sites, rank_sites, supervision_zones
    from pipeline.sites.standards import read_standards

    check_replaceable(args.out, "sites")  # refused before any work: a folder the mapper did not write
    inventory = read_inventory(args.inventory)
    osm = args.osm or _recorded_extract(inventory)
    features = None
    if osm is not None:
        from pipeline.osm.read import read_osm

        features = read_osm(osm)
    weights, options = read_weights(args.weights) if args.weights else (SiteWeights(), SiteOptions())
    standards = read_standards(overrides=args.standards)
    coverage, sites = find_sites(
        inventory,
        features,
        spots=_spots(args, inventory),
        standards=standards,
        aged_60_plus_pct=_aged(args.profile, inventory),
        households=_households(args.households),
        options=options,
        wall_neighbours=args.wall_neighbours,
        crossings_open=not args.crossings_closed,
    )
    sites = rank_sites(sites, weights)
    # The files carry the reason and uses in English and Chinese; the ranking's options stay in memory.
    said = sites_with_words(sites.drop(columns="options", errors="ignore"))
    layers: dict[str, gpd.GeoDataFrame] = {"sites": said}
    layers["service_areas"] = service_areas(coverage.area, standards)
    layers["buildings"] = coverage.area.buildings
    tables = {
        "coverage.csv": coverage_with_words(coverage.table),
        "access.csv": coverage.access,
        "sites.csv": _with_lonlat(said),
    }
    if args.works:
        chosen = [s.strip() for s in args.works.split(",") if s.strip()]
        unknown = sorted(set(chosen) - set(sites["site_id"]))
        if unknown:
            raise DataError(f"`--works` names {unknown}, not sites of this run; use ids from sites.csv.")
        zones, assigned = supervision_zones(
            coverage.area, sites[sites["site_id"].isin(chosen)], join_m=args.join
        )
        layers["zones"] = zones
        layers["zone_buildings"] = coverage.area.buildings.merge(
            assigned[[S.SOURCE_ID, "zone", "work", "dist_m"]]
        )
        tables["zones.csv"] = assigned
    _write(args.out, layers, tables)
    top = sites.iloc[0] if len(sites) else None
    gaps = coverage.table[coverage.table["status"] == "gap"]
    unmapped = coverage.table[coverage.table["status"] == "unmapped"]
    missing = (
        f"{len(unmapped)} of {len(coverage.table)} kinds with none mapped within their radius (a thin map: "
        "survey the compound before calling them missing)"
        if len(unmapped)
        else f"{len(gaps)} of {len(coverage.table)} kinds with none within their radius"
    )
    print(
        f"{len(coverage.area.buildings)} residential buildings; {missing}; {len(sites)} candidate sites"
        + (f", first {top['site_id']}: {reason_text(top['reason'], 'en')}" if top is not None else "")
        + f"; written to {args.out}"
    )
    return 0


def read_weights(path: Path) -> tuple[SiteWeights, SiteOptions]:
    """Read ``[weights]`` and ``[options]`` from a TOML file."""
    from pipeline.sites.rank import SiteOptions, SiteWeights

    if not path.is_file():
        raise InputFileError(f"The weights file `{path}` does not exist.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"The weights file `{path}` is not valid TOML: {exc}.") from exc
    try:
        return SiteWeights(**data.get("weights", {})), SiteOptions(**data.get("options", {}))
    except TypeError as exc:
        raise DataError(
            f"`{path}`: {exc}; [weights] takes demand, gap, suitability, profile; [options] the "
            "fields of pipeline.sites.rank.SiteOptions."
        ) from exc


def _compound_id(inventory: Inventory) -> str:
    return str(
        inventory.report.get("compound", {}).get(S.SOURCE_ID) or inventory.boundary[S.SOURCE_ID].iloc[0]
    )


def _spots(args: argparse.Namespace, inventory: Inventory) -> pd.DataFrame | None:
    if args.db:
        from store import spots_from_store

        return spots_from_store(args.db, _compound_id(inventory), session_id=args.session)
    if args.spots is None:
        return None
    import geopandas as gpd
    import pyogrio

    if not args.spots.is_file():
        raise InputFileError(f"The spots file `{args.spots}` does not exist.")
    if args.spots.suffix.lower() == ".csv":
        from pipeline.core.cells import read_csv

        return read_csv(args.spots)
    try:
        return gpd.read_file(args.spots)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputFileError(f"Cannot read the spots file `{args.spots}`: {exc}.") from exc


def _aged(path: Path | None, inventory: Inventory) -> float | None:
    if path is None:
        return None
    from pipeline.workspace.profile import read_profile

    return read_profile(path, _compound_id(inventory)).aged_60_plus_pct


def _households(path: Path | None) -> pd.Series | None:
    if path is None:
        return None
    if not path.is_file():
        raise InputFileError(f"The households file `{path}` does not exist.")
    from pipeline.core.cells import read_csv

    table = read_csv(path, dtype={S.SOURCE_ID: str})
    if not {S.SOURCE_ID, "households"} <= set(table.columns):
        raise DataError(f"`{path}` needs the columns source_id and households (one row per building).")
    return table.set_index(S.SOURCE_ID)["households"].astype(float)


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    import pandas as pd

    from pipeline.inventory.build import lonlat

    out = pd.DataFrame(frame.drop(columns="geometry"))
    lon, lat = lonlat(frame)
    out[S.LON], out[S.LAT] = lon.to_numpy(), lat.to_numpy()
    return out


def _write(out_dir: Path, layers: dict[str, gpd.GeoDataFrame], tables: dict[str, pd.DataFrame]) -> None:
    import pyogrio

    from pipeline.core.cells import csv_bytes
    from pipeline.core.fileio import output_folder

    with output_folder(out_dir, "sites") as tmp:  # replaces only a sites folder the mapper wrote
        for name, frame in layers.items():
            pyogrio.write_dataframe(_plain(frame), tmp / "sites.gpkg", layer=name, driver="GPKG")
        for name, table in tables.items():
            (tmp / name).write_bytes(csv_bytes(table))
    log.info("Wrote %s and %s to %s.", ", ".join(layers), ", ".join(tables), out_dir)


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns a GeoPackage stores (dicts and lists as text)."""
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].map(lambda v: isinstance(v, dict | list | tuple)).any():
            out[col] = out[col].astype(str)
    return out
