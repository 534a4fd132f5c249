"""Read GIS survey files: Shapefile (zipped or not), GeoPackage, GeoJSON, KML/KMZ.

- Shapefile: the ``.cpg`` names the encoding; without one GDAL reads Latin-1 and Chinese turns
  silently into ``Ó×¶ùÔ°``, so the attributes are read as UTF-8, then GB18030 (a superset of
  GBK), and the first that decodes without mojibake is kept and reported. No ``.prj`` means no
  CRS: the user is asked, never assumed WGS-84.
- GeoPackage: every layer with geometry; its CRS from the file.
- GeoJSON: parsed with ``json`` so feature ids come through as written (GDAL renumbers
  duplicates silently); duplicates are kept as ``source_id`` and reported. Coordinates are
  WGS-84 (RFC 7946) unless a legacy ``crs`` member says otherwise.
- KML/KMZ: each folder is a layer; Z is dropped; HTML in names is stripped and entities
  unescaped. KML is WGS-84 by definition.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry import shape

from pipeline.core import schema as S
from pipeline.core.errors import DataError, InputFileError, Words
from pipeline.survey.base import (
    RAW_COLUMNS,
    RawSurvey,
    ReadItem,
    clean_text,
    empty_features,
    geometry_counts,
    looks_mojibake,
    pick_column,
)
from pipeline.survey.formats.archive import ZipLimits, extract_zip
from pipeline.survey.layers import HINT, LAYER

log = logging.getLogger(__name__)

_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def _frame(layer: str, table: pd.DataFrame, ids: list[str], *, html_names: bool = False) -> gpd.GeoDataFrame:
    """Turn a read table into the raw feature columns."""
    columns = [c for c in table.columns if c != "geometry"]
    name_col, hint_col = pick_column(columns, "name"), pick_column(columns, "hint")
    layer_col = pick_column(columns, "layer")
    n = len(table)
    names = [clean_text(v, html_markup=html_names) for v in table[name_col]] if name_col else [""] * n
    hints = [clean_text(v) for v in table[hint_col]] if hint_col else [""] * n
    layers = [clean_text(v) or layer for v in table[layer_col]] if layer_col else [layer] * n
    return gpd.GeoDataFrame(
        {LAYER: layers, S.SOURCE_ID: ids, S.NAME: names, HINT: hints},
        geometry=list(table.geometry),
        crs=table.crs,
    )[[*RAW_COLUMNS, "geometry"]]


def _texts(frame: pd.DataFrame) -> list[str]:
    out = [str(c) for c in frame.columns]
    for col in frame.columns:
        if col != "geometry" and frame[col].dtype == object:
            out += [v for v in frame[col].head(200) if isinstance(v, str)]
    return out


# --------------------------------------------------------------------------- Shapefile


def _read_shp_layer(shp: Path, raw: RawSurvey) -> gpd.GeoDataFrame:
    cpg = shp.with_suffix(".cpg")
    declared = cpg.read_text(encoding="ascii", errors="replace").strip() if cpg.exists() else None
    tries = ([declared] if declared else []) + ["UTF-8", "GB18030"]
    for part in (".shx", ".dbf"):
        if not shp.with_suffix(part).exists():
            raise InputFileError("error.survey.shp_part", name=shp.name, part=f"{shp.stem}{part}")
    fallback: tuple[str, gpd.GeoDataFrame] | None = None
    for encoding in dict.fromkeys(tries):
        try:
            table = pyogrio.read_dataframe(shp, encoding=encoding, fid_as_index=True)
        except UnicodeDecodeError:
            continue
        except (DataSourceError, DataLayerError) as exc:
            raise InputFileError("error.survey.bad_shp", name=shp.name, detail=str(exc)) from exc
        if looks_mojibake(_texts(table)):
            fallback = fallback or (encoding, table)
            continue
        if declared is None:
            raw.warnings.append(Words("survey.warning.no_cpg", name=shp.name, encoding=encoding))
        elif encoding != declared:
            raw.warnings.append(
                Words("survey.warning.cpg_differs", name=shp.name, declared=declared, encoding=encoding)
            )
        return table
    if fallback is None:
        raise DataError("error.survey.dbf_encoding", name=shp.name)
    raw.warnings.append(Words("survey.warning.garbled", name=shp.name, encoding=fallback[0]))
    return fallback[1]


def read_shapefiles(path: Path, *, limits: ZipLimits) -> RawSurvey:
    """Read a zipped Shapefile (or a bare ``.shp`` with its parts beside it)."""
    raw = RawSurvey(features=empty_features())
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        if path.suffix.lower() == ".zip":
            files = extract_zip(path, Path(tmp), limits=limits)
        else:
            files = [p for p in path.parent.glob(f"{path.stem}.*") if p.suffix.lower() in _SHP_PARTS]
        shps = sorted(p for p in files if p.suffix.lower() == ".shp")
        if not shps:
            found = ", ".join(sorted(p.name for p in files)) or "nothing"
            raise InputFileError("error.survey.no_shp", name=path.name, found=found)
        for extra in sorted(p.name for p in files if p.suffix.lower() not in _SHP_PARTS):
            raw.not_read.append(
                ReadItem(Words("survey.item.file", name=extra), 1, Words("survey.item.not_shp_part"))
            )
        crs_by_layer: dict[str, pyproj.CRS | None] = {}
        frames = []
        for shp in shps:
            table = _read_shp_layer(shp, raw)
            crs_by_layer[shp.stem] = table.crs
            ids = [f"{shp.stem}:{fid}" for fid in table.index]
            frames.append(_frame(shp.stem, table, ids))
            raw.read.append(
                ReadItem(Words("survey.item.layer", name=shp.stem), len(table), _geom_note(table))
            )
    raw.features, raw.crs = _combine(path, frames, crs_by_layer)
    return raw


def _geom_note(table: gpd.GeoDataFrame) -> tuple[Words, ...]:
    return geometry_counts(table.geometry)


def _combine(
    path: Path, frames: list[gpd.GeoDataFrame], crs_by_layer: dict[str, pyproj.CRS | None]
) -> tuple[gpd.GeoDataFrame, pyproj.CRS | None]:
    """Concatenate layers that share one CRS (or all have none)."""
    crss = {str(c) if c is not None else None for c in crs_by_layer.values()}
    if len(crss) > 1:
        listing = ", ".join(f"{k}: {v if v is not None else 'none'}" for k, v in crs_by_layer.items())
        raise DataError("error.survey.mixed_crs", name=path.name, crs=listing)
    crs = next(iter(crs_by_layer.values()), None)
    if not frames:
        return empty_features(crs), crs
    frames = [f.set_crs(None, allow_override=True) for f in frames]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=None)
    return out, (pyproj.CRS.from_user_input(crs) if crs is not None else None)


# --------------------------------------------------------------------------- GeoPackage


def read_geopackage(path: Path) -> RawSurvey:
    """Read every layer with geometry of a GeoPackage."""
    raw = RawSurvey(features=empty_features())
    try:
        layers = pyogrio.list_layers(path)
    except (DataSourceError, DataLayerError) as exc:
        raise InputFileError("error.survey.bad_gpkg", name=path.name, detail=str(exc)) from exc
    frames, crs_by_layer = [], {}
    for name, geom_type in layers:
        if geom_type is None:
            raw.not_read.append(
                ReadItem(Words("survey.item.layer", name=name), 1, Words("survey.item.no_geometry_table"))
            )
            continue
        table = pyogrio.read_dataframe(path, layer=name, fid_as_index=True)
        crs_by_layer[name] = table.crs
        frames.append(_frame(name, table, [f"{name}:{fid}" for fid in table.index]))
        raw.read.append(ReadItem(Words("survey.item.layer", name=name), len(table), _geom_note(table)))
    raw.features, raw.crs = _combine(path, frames, crs_by_layer)
    return raw


# --------------------------------------------------------------------------- GeoJSON


def read_geojson(path: Path, text: str) -> RawSurvey:
    """Read a GeoJSON FeatureCollection, Feature or bare geometry from its text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            "error.survey.bad_json", name=path.name, line=exc.lineno, column=exc.colno, detail=exc.msg
        ) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif (isinstance(data, dict) and "coordinates" in data) or (
        isinstance(data, dict) and data.get("type") == "GeometryCollection"
    ):
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise InputFileError("error.survey.not_geojson", name=path.name)
    layer = path.stem
    raw = RawSurvey(features=empty_features())
    ids, props, geoms = [], [], []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            raise DataError("error.survey.feature_not_object", name=path.name, n=i + 1)
        fid = feat.get("id")
        ids.append(f"{layer}:{fid if fid is not None else i}")
        props.append(feat.get("properties") or {})
        try:
            geoms.append(shape(feat["geometry"]) if feat.get("geometry") else None)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
            raise DataError(
                "error.survey.bad_geometry", name=path.name, n=i + 1, id=fid, detail=str(exc)
            ) from exc
    table = gpd.GeoDataFrame(pd.DataFrame(props), geometry=geoms, crs=None)
    raw.features = _frame(layer, table, ids)
    dups = [k for k, n in Counter(ids).items() if n > 1 and not k.endswith(":None")]
    if dups:
        raw.warnings.append(Words("survey.warning.duplicate_ids", name=path.name, ids=", ".join(dups[:5])))
        raw.read.append(ReadItem(Words("survey.item.duplicate_ids"), len(dups), ", ".join(dups[:5])))
    raw.read.insert(0, ReadItem(Words("survey.item.layer", name=layer), len(table), _geom_note(table)))
    raw.crs = _geojson_crs(path, data)
    return raw


def _geojson_crs(path: Path, data: dict[str, object]) -> pyproj.CRS:
    member = data.get("crs") if isinstance(data, dict) else None
    if not member:
        return pyproj.CRS.from_epsg(4326)
    try:
        name = member["properties"]["name"]  # type: ignore[index]
        crs = pyproj.CRS.from_user_input(name)
    except (KeyError, TypeError, pyproj.exceptions.CRSError) as exc:
        raise DataError("error.survey.bad_crs_member", name=path.name, detail=str(member)) from exc
    return crs


# --------------------------------------------------------------------------- KML / KMZ


def read_kml(path: Path, *, limits: ZipLimits) -> RawSurvey:
    """Read a KML file, or the KML inside a KMZ; every folder becomes a layer."""
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        if path.suffix.lower() == ".kmz":
            files = extract_zip(path, Path(tmp), limits=limits, suffixes=(".kml",))
            if not files:
                raise InputFileError("error.survey.no_kml", name=path.name)
            kml = files[0]
        else:
            kml = path
        raw = RawSurvey(features=empty_features(), crs=pyproj.CRS.from_epsg(4326))
        try:
            layers = pyogrio.list_layers(kml)
        except (DataSourceError, DataLayerError) as exc:
            raise InputFileError("error.survey.bad_kml", name=path.name, detail=str(exc)) from exc
        frames = []
        for name, _ in layers:
            table = pyogrio.read_dataframe(kml, layer=name)
            if table.empty:
                continue
            if table.geometry.has_z.any():
                raw.read.append(
                    ReadItem(
                        Words("survey.item.layer", name=name),
                        int(table.geometry.has_z.sum()),
                        Words("survey.item.z_dropped"),
                    )
                )
            table = table.set_geometry(shapely.force_2d(table.geometry.to_numpy()))
            ids = [f"{name}:{i + 1}" for i in range(len(table))]
            frames.append(_frame(str(name), table, ids, html_names=True))
            raw.read.insert(0, ReadItem(Words("survey.item.layer", name=name), len(table), _geom_note(table)))
    if frames:
        raw.features = gpd.GeoDataFrame(
            pd.concat([f.set_crs(None, allow_override=True) for f in frames], ignore_index=True),
            geometry="geometry",
            crs=None,
        )
    return raw
