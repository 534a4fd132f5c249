"""Read a professional survey map (专业测绘图) into the mapper's feature frame, in WGS-84.

:func:`read_survey` reads DXF, zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ and CSV/XLSX
points; places them with the file's CRS, the CRS the user gives (any EPSG code or PROJ string,
``gcj02``, ``bd09``), or control points for a drawing in local coordinates; repairs geometry;
turns DXF texts into names; and gives each feature a ``role`` and, for assets, a taxonomy
``kind``. It writes nothing: :func:`write_survey` writes the result atomically, so a file that
fails leaves nothing behind.

The result says what was read and what was not, and why (:meth:`SurveyResult.report`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from pipeline.core import schema as S
from pipeline.core.coords import SourceCRS
from pipeline.core.crs import utm_crs
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.core.taxonomy import Taxonomy, load_taxonomy
from pipeline.survey.base import ANCHOR_X, ANCHOR_Y, TEXT, RawSurvey, ReadItem, StrayLabel
from pipeline.survey.formats.gis import read_geojson, read_geopackage, read_kml, read_shapefiles
from pipeline.survey.formats.table import decode_text, read_csv, read_xlsx
from pipeline.survey.geom import REACH, attach_labels, close_boundaries, repair_geometries
from pipeline.survey.georef import (
    check_near,
    coords_of,
    georeference,
    near_lonlat,
    swap_axes,
    unit_notes,
)
from pipeline.survey.layers import (
    HINT,
    IGNORE,
    LAYER,
    ROLE,
    LayerMapping,
    classify_survey,
    load_layer_mapping,
)
from pipeline.survey.register import (
    DEFAULT_TOLERANCE_M,
    Method,
    Registration,
    fit_registration,
    read_control_points,
)
from pipeline.survey.result import SURVEY_COLUMNS, SurveyLimits, SurveyResult, write_survey

log = logging.getLogger(__name__)

SUFFIXES = (".dxf", ".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".csv", ".txt", ".xlsx")
#: The formats by their names, for a message: DXF, ZIP, …, GeoJSON.
_FORMAT_NAMES = dict.fromkeys("GeoJSON" if s == ".geojson" else s[1:].upper() for s in SUFFIXES)

__all__ = ["SURVEY_COLUMNS", "SurveyLimits", "SurveyResult", "read_survey", "write_survey"]


def read_raw(path: Path, *, mapping: LayerMapping, limits: SurveyLimits) -> RawSurvey:
    """Read a survey file's features and texts as drawn, in its own coordinates, by its format."""
    suffix = path.suffix.lower()
    if suffix in (".dxf", ".dwg"):
        # ezdxf takes a fifth of a second to import: only a CAD drawing pays for it.
        from pipeline.survey.formats.dxf import read_dxf

        return read_dxf(path, mapping=mapping)
    if suffix in (".zip", ".shp"):
        return read_shapefiles(path, limits=limits.zip)
    if suffix == ".gpkg":
        return read_geopackage(path)
    if suffix in (".kml", ".kmz"):
        return read_kml(path, limits=limits.zip)
    if suffix == ".xlsx":
        return read_xlsx(path, limits=limits.zip)
    data = path.read_bytes()[: limits.max_file_bytes]
    if suffix in (".geojson", ".json"):
        return read_geojson(path, decode_text(path, data)[0])
    if suffix in (".csv", ".txt"):
        return read_csv(path, data)
    if suffix == ".xls":
        raise InputFileError("error.survey.xls", name=path.name)
    raise InputFileError("error.survey.format", name=path.name, formats=" ".join(_FORMAT_NAMES))


def _check_file(path: Path, limits: SurveyLimits) -> None:
    if not path.is_file():
        raise InputFileError("error.survey.missing", path=path)
    size = path.stat().st_size
    if size == 0:
        raise InputFileError("error.survey.empty", name=path.name)
    if size > limits.max_file_bytes:
        raise InputFileError("error.survey.too_big", name=path.name, size=size, max=limits.max_file_bytes)


def _registration(
    control_points: str | Path | pd.DataFrame | Registration | None,
    *,
    crs: str | int | pyproj.CRS | SourceCRS | None,
    method: Method,
    tolerance_m: float,
) -> Registration | None:
    if control_points is None or isinstance(control_points, Registration):
        return control_points
    if isinstance(control_points, pd.DataFrame):
        return fit_registration(control_points, method=method, tolerance_m=tolerance_m)
    table = read_control_points(Path(control_points), crs=crs)
    return fit_registration(
        table, method=method, tolerance_m=tolerance_m, where=f"`{Path(control_points).name}`"
    )


def read_survey(
    path: str | Path,
    *,
    crs: str | int | pyproj.CRS | SourceCRS | None = None,
    layers: str | Path | Mapping[str, str] | LayerMapping | None = None,
    control_points: str | Path | pd.DataFrame | Registration | None = None,
    method: Method = "similarity",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    swap_xy: bool = False,
    near: shapely.Geometry | tuple[float, float] | None = None,
    label_reach: float = REACH,
    limits: SurveyLimits | None = None,
    taxonomy: Taxonomy | None = None,
) -> SurveyResult:
    """Read a survey file into features in WGS-84 with role, kind and names.

    Parameters
    ----------
    path
        A ``.dxf``, zipped Shapefile (``.zip``), ``.gpkg``, ``.geojson``, ``.kml``/``.kmz``,
        ``.csv`` or ``.xlsx`` file.
    crs
        The coordinate system of the file's coordinates (EPSG code, PROJ string, ``gcj02``,
        ``bd09``); overrides what the file states, with a warning. With ``control_points`` from a
        file, it is the CRS of the points' ground coordinates instead.
    layers
        A layer mapping (TOML file or ``{pattern: kind-or-role}``) tried before the defaults in
        ``survey_layers.toml``, or a ready :class:`LayerMapping`.
    control_points
        For a drawing in local coordinates: a CSV file (see
        :func:`pipeline.survey.register.read_control_points`), a frame of points, or a fitted
        :class:`Registration`.
    method, tolerance_m
        Registration method and RMS tolerance in metres.
    swap_xy
        The file's first axis is northing/latitude (Chinese surveyors' X): swap before reading.
    near
        The compound (WGS-84 geometry, or ``(lon, lat)``): ranks CRS suggestions, flags features
        more than 50 m outside it, and refuses when more than half are (the CRS is then wrong).
    label_reach
        How far a DXF text's box may be from the shape it names, in text heights (see
        :func:`pipeline.survey.geom.attach_labels`).
    limits
        File and archive size limits.
    taxonomy
        The shipped taxonomy by default.

    Returns
    -------
    SurveyResult
        Features in EPSG:4326 and the report.

    Raises
    ------
    InputFileError
        Missing, empty, oversized, unreadable or unsafe file.
    CRSError
        The CRS is missing (suggestions listed), unknown, or does not fit the coordinates.
    DataError
        Bad control points, a fit over tolerance, unparseable rows, or nothing to import.
    """
    path = Path(path)
    limits = limits or SurveyLimits()
    taxonomy = taxonomy or load_taxonomy()
    _check_file(path, limits)
    mapping = layers if isinstance(layers, LayerMapping) else load_layer_mapping(layers, taxonomy=taxonomy)
    registration = _registration(control_points, crs=crs, method=method, tolerance_m=tolerance_m)
    raw = read_raw(path, mapping=mapping, limits=limits)
    warnings = list(raw.warnings)
    not_read = list(raw.not_read)
    raw.features, ignored = _drop_ignored(raw.features, mapping)
    not_read += ignored
    raw.features, repair = repair_geometries(raw.features, where=path.name)
    warnings += repair.warnings
    not_read += repair.refused
    if raw.features.empty:
        reasons = "; ".join(str(i) for i in not_read[:5])
        raise DataError("error.survey.nothing", name=path.name, detail=reasons or "no features")
    raw.features = raw.features.assign(
        **{ROLE: [_layer_role(mapping, layer) for layer in raw.features[LAYER]]}
    )
    strays: tuple[StrayLabel, ...] = ()
    if raw.labels is not None and not raw.labels.empty:
        # In the drawing's own units, where a text's height measures how far it reaches.
        raw.features, unused = attach_labels(raw.features, raw.labels, taxonomy=taxonomy, reach=label_reach)
        raw.features, strays = _labels_as_points(raw, unused, taxonomy, reach=label_reach)
    if swap_xy:
        raw.features, raw.labels = swap_axes(raw.features), swap_axes(raw.labels)
    near_ll = near_lonlat(near)
    how, features, _ = georeference(
        raw,
        path,
        crs=None if registration is not None else crs,
        registration=registration,
        near=near_ll,
        warnings=warnings,
    )
    warnings += unit_notes(raw, registration, how)
    centre = features.geometry.union_all().centroid
    metric = utm_crs(centre)
    features = features.to_crs(metric)
    features = classify_survey(features, mapping=mapping, taxonomy=taxonomy)
    features, notes = close_boundaries(features)
    warnings += notes
    if near is not None:
        check_near(
            features,
            metric,
            near,
            where=path.name,
            how=how,
            xy=coords_of(raw),
            registered=registration is not None,
            warnings=warnings,
        )
    features = features.to_crs(S.WGS84)
    features[S.SOURCE] = S.SOURCE_SURVEY
    out = gpd.GeoDataFrame(
        features[[*SURVEY_COLUMNS, "geometry"]].reset_index(drop=True), geometry="geometry", crs=S.WGS84
    )
    for w in warnings:
        log.warning(w)
    log.info("Read %d features from %s as %s", len(out), path.name, how)
    return SurveyResult(
        path=path,
        features=out,
        crs=how,
        read=tuple(raw.read),
        not_read=tuple(not_read),
        warnings=tuple(warnings),
        units=raw.units,
        registration=registration,
        strays=strays,
    )


def _layer_role(mapping: LayerMapping, layer: str) -> str:
    rule = mapping.lookup(str(layer))
    return rule.role if rule is not None else "other"


def _drop_ignored(frame: gpd.GeoDataFrame, mapping: LayerMapping) -> tuple[gpd.GeoDataFrame, list[ReadItem]]:
    roles = np.array([_layer_role(mapping, layer) for layer in frame[LAYER]], dtype=object)
    ignored = roles == IGNORE
    if not ignored.any():
        return frame, []
    counts = Counter(frame.loc[ignored, LAYER])
    items = [
        ReadItem(Words("survey.item.layer", name=k), n, Words("survey.item.ignored"))
        for k, n in counts.items()
    ]
    return frame[~ignored], items


def _labels_as_points(
    raw: RawSurvey, unused: gpd.GeoDataFrame, taxonomy: Taxonomy, *, reach: float
) -> tuple[gpd.GeoDataFrame, tuple[StrayLabel, ...]]:
    """Make texts drawn alone that name a kind (``垃圾分类驿站``) into points; return the rest as strays.

    A text becomes a point only when no shape that could take it lies within reach, so it never
    doubles a shape drawn beside it. Returns ``raw.features`` with the points added (noted in
    ``raw.read``) and the texts that name nothing.
    """
    features = raw.features
    names_kind = np.array([taxonomy.match({}, t) is not None for t in unused[TEXT]], dtype=bool)
    as_point = names_kind & unused["alone"].to_numpy(dtype=bool)
    points = unused[as_point]
    if len(points):
        extra = gpd.GeoDataFrame(
            {
                LAYER: points[LAYER].to_numpy(),
                S.SOURCE_ID: points[S.SOURCE_ID].to_numpy(),
                S.NAME: points[TEXT].to_numpy(),
                HINT: "",
                ROLE: "other",
            },
            geometry=shapely.centroid(points.geometry.to_numpy()),
            crs=features.crs,
        )
        features = gpd.GeoDataFrame(
            pd.concat([features, extra], ignore_index=True), geometry="geometry", crs=features.crs
        )
        raw.read.append(
            ReadItem(
                Words("survey.item.texts_as_points"),
                len(points),
                Words("survey.item.texts_as_points_note", reach=reach, texts=", ".join(points[TEXT])),
            )
        )
    rest = unused[~as_point]
    strays = tuple(
        StrayLabel(str(layer), str(text), float(x), float(y), bool(alone), reach)
        for layer, text, x, y, alone in zip(
            rest[LAYER], rest[TEXT], rest[ANCHOR_X], rest[ANCHOR_Y], rest["alone"], strict=True
        )
    )
    return features, strays
