"""Flags several commands share, and the readers of their values (``--gate``, ``--layers``, vector files).

Imported when a command's parser is built, so only argparse and pathlib are imported at the top (not even
:mod:`pipeline.core`, whose package imports geopandas); the readers import what they need when they run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

    from pipeline.inventory.build import GateOverride

# The choices and defaults below are those of the core (a test checks they are the same), repeated here so
# that building a parser imports neither the core nor geopandas.
#: Numbering methods and label schemes, as :data:`pipeline.core.schema.METHODS` and ``SCHEMES``.
METHODS = ("auto", "polar", "perimeter", "walk")
SCHEMES = ("global", "category")
#: Default of ``--radius``, as :data:`pipeline.inventory.classify.DEFAULT_RADIUS_M`.
DEFAULT_RADIUS_M = 50.0


def add_method_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--method`` and ``--scheme``: how assets are ordered and labelled."""
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="auto (default): perimeter for long or concave compounds, polar for compact ones; "
        "polar: bearing from the centre; perimeter: walk along the boundary; "
        "walk: along the compound's internal paths from the main gate, clockwise (build only)",
    )
    parser.add_argument(
        "--scheme",
        choices=SCHEMES,
        default="global",
        help="global: 1..N; category: A01.., B01.., C01.. per category",
    )


def add_numbering_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--method``, ``--scheme``, ``--keep-labels`` and ``--force`` (``build`` and ``number``)."""
    add_method_options(parser)
    parser.add_argument(
        "--keep-labels",
        metavar="PREVIOUS_INVENTORY",
        type=Path,
        help="keep the labels of an earlier inventory; new assets get sub-numbers (7.1)",
    )
    parser.add_argument("--force", action="store_true", help="accept a gate more than 50 m from the boundary")


def add_radius_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--radius``: how far outside the boundary adjacent assets are taken."""
    parser.add_argument(
        "--radius",
        type=float,
        default=DEFAULT_RADIUS_M,
        help=f"take adjacent assets up to this many metres outside (default {DEFAULT_RADIUS_M:g})",
    )


def parse_layers(value: str | None) -> Path | dict[str, str] | None:
    """Read ``--layers``: a TOML file, or inline ``pattern=kind-or-role`` pairs split by commas.

    ``--layers "YEY=kindergarten,WQ=boundary"`` maps layer YEY to kindergartens and WQ to the
    boundary; ``--layers my_layers.toml`` reads rules in the form of ``survey_layers.toml``.
    """
    if value is None:
        return None
    from pipeline.core.errors import InputFileError

    path = Path(value)
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            raise InputFileError(f"The layer mapping `{value}` does not exist; check the path.")
        return path
    pairs = [p for p in value.replace("，", ",").split(",") if p.strip()]
    if not pairs or any("=" not in p for p in pairs):
        raise InputFileError(
            f"`--layers {value}` is neither a TOML file nor `LAYER=kind` pairs; write e.g. "
            '`--layers "YEY=kindergarten,WQ=boundary"`.'
        )
    return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)}


def parse_gate(value: str | None) -> GateOverride | None:
    """Turn ``--gate`` into an override: an OSM id, ``lon,lat``, or a vector file's point."""
    if value is None:
        return None
    import shapely

    from pipeline.core import schema as S
    from pipeline.core.errors import CRSError
    from pipeline.inventory.build import GateOverride

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
    return GateOverride(point=read_gate_file(Path(value)).to_crs(S.WGS84).iloc[0])


def read_vector(path: Path, what: str) -> gpd.GeoDataFrame:
    """Read a vector file given on the command line; ``what`` names it in the error messages."""
    import geopandas as gpd
    import pyogrio

    from pipeline.core.errors import CRSError, InputFileError
    from pipeline.inventory.compound import check_degrees

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
    check_degrees(frame, path, what)
    return frame


def read_gate_file(path: Path) -> gpd.GeoSeries:
    """The one gate point of a vector file (the one with ``is_main`` when there are several)."""
    from pipeline.core.errors import GateError

    frame = read_vector(path, "gate")
    if "is_main" in frame.columns:
        frame = frame[frame["is_main"].astype(bool)]
    points = frame[frame.geom_type == "Point"]
    if len(points) != 1:
        raise GateError(
            f"The gate file `{path}` must hold exactly one point (or one with is_main); it has {len(points)}."
        )
    return points.geometry
