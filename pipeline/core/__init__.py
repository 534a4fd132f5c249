"""What every stage shares: column names, errors, coordinate systems, geometry repair, the taxonomy, the words."""

from pipeline.core.coords import (
    SourceCRS,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    parse_crs,
    suggest_crs,
    to_wgs84_geometries,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from pipeline.core.crs import require_projected, same_crs, utm_crs
from pipeline.core.errors import (
    CompoundNotFoundError,
    CRSError,
    DataError,
    GateError,
    GeometryError,
    InputFileError,
    MapperError,
)
from pipeline.core.geometry import repair_polygon
from pipeline.core.schema import Category
from pipeline.core.spots import SpotCategory, parse_spot_category
from pipeline.core.taxonomy import Kind, Taxonomy, load_taxonomy
from pipeline.core.words import word

__all__ = [
    "CRSError",
    "Category",
    "CompoundNotFoundError",
    "DataError",
    "GateError",
    "GeometryError",
    "InputFileError",
    "Kind",
    "MapperError",
    "SourceCRS",
    "SpotCategory",
    "Taxonomy",
    "bd09_to_wgs84",
    "gcj02_to_wgs84",
    "load_taxonomy",
    "parse_crs",
    "parse_spot_category",
    "repair_polygon",
    "require_projected",
    "same_crs",
    "suggest_crs",
    "to_wgs84_geometries",
    "utm_crs",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "word",
]
