"""Place a survey's coordinates on the ground: CRS, control points, checks against the compound."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from pipeline.core import schema as S
from pipeline.core.coords import (
    SourceCRS,
    check_fits,
    missing_crs_error,
    parse_crs,
    suggestion_text,
    to_wgs84_geometries,
)
from pipeline.core.errors import CRSError, DataError, Words
from pipeline.core.words import CRSName
from pipeline.survey.base import RawSurvey
from pipeline.survey.register import Registration

log = logging.getLogger(__name__)

#: Features farther than this outside the compound are flagged, metres.
OUTSIDE_FLAG_M = 50.0


def swap_axes(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return a copy with x and y swapped (for files whose first axis is the northing)."""
    if frame is None or frame.empty:
        return frame
    swapped = shapely.transform(frame.geometry.to_numpy(), lambda c: c[:, ::-1])
    return frame.set_geometry(gpd.GeoSeries(swapped, index=frame.index, crs=frame.crs))


def coords_of(raw: RawSurvey) -> np.ndarray:
    """Return every vertex of the features and labels as an ``(n, 2)`` array."""
    frames = [raw.features] + ([raw.labels] if raw.labels is not None else [])
    parts = [shapely.get_coordinates(f.geometry.to_numpy()) for f in frames if not f.empty]
    return np.vstack(parts) if parts else np.empty((0, 2))


def near_lonlat(
    near: shapely.Geometry | tuple[float, float] | None,
) -> tuple[float, float] | None:
    """Return ``(lon, lat)`` of the compound's centre, or ``None``."""
    if near is None:
        return None
    if isinstance(near, tuple):
        return near
    point = near.centroid
    return float(point.x), float(point.y)


def georeference(
    raw: RawSurvey,
    path: Path,
    *,
    crs: str | int | pyproj.CRS | SourceCRS | None,
    registration: Registration | None,
    near: tuple[float, float] | None,
    warnings: list[Words],
) -> tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Convert features and labels to WGS-84.

    Uses the registration, else ``crs`` (warning when it overrides the file's), else the file's
    CRS; with none of them, raises the missing-CRS error with suggestions.

    Returns
    -------
    (str, GeoDataFrame, GeoDataFrame or None)
        How the coordinates were read, the features and the labels in EPSG:4326.
    """
    xy = coords_of(raw)
    if registration is not None:
        if raw.crs is not None or raw.degrees:
            stated = raw.crs.name if raw.crs is not None else Words("error.survey.lonlat_columns")
            raise DataError("error.survey.georeferenced", name=path.name, stated=stated)

        def convert(c: np.ndarray) -> np.ndarray:
            lon, lat = registration.to_wgs84(c[:, 0], c[:, 1])
            return np.column_stack([lon, lat])

        how = (
            f"local drawing coordinates, registered from {len(registration.residuals)} "
            f"control points ({registration.method}, RMS {registration.rms_m:.3f} m)"
        )
        transform = lambda g: shapely.transform(shapely.force_2d(g), convert)  # noqa: E731
    else:
        if crs is not None:
            source = parse_crs(crs)
            if (raw.crs is not None and not source.crs.equals(raw.crs)) or (
                raw.crs is not None and source.offset is not None
            ):
                stated = CRSName(raw.crs.name)
                warnings.append(Words("survey.warning.crs_overridden", name=path.name, stated=stated, used=source.label))
        elif raw.crs is not None:
            source = parse_crs(raw.crs)
        else:
            raise missing_crs_error(xy[:, 0], xy[:, 1], where=path.name, near=near)
        check_fits(xy[:, 0], xy[:, 1], source, where=path.name)
        how = source.label
        transform = lambda g: to_wgs84_geometries(g, source)  # noqa: E731

    def to_wgs(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
        if frame is None:
            return None
        geoms = transform(frame.geometry.to_numpy()) if not frame.empty else []
        out = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index), crs=None)
        return out.set_crs(S.WGS84, allow_override=True)

    features = to_wgs(raw.features)
    assert features is not None
    return how, features, to_wgs(raw.labels)


def check_near(
    features: gpd.GeoDataFrame,
    metric: pyproj.CRS,
    near: shapely.Geometry | tuple[float, float],
    *,
    where: str,
    how: str,
    registered: bool,
    xy: np.ndarray,
    warnings: list[Words],
) -> None:
    """Flag features outside the compound; refuse when most are, since the CRS is then suspect."""
    geom = shapely.Point(near) if isinstance(near, tuple) else near
    target = gpd.GeoSeries([geom], crs=S.WGS84).to_crs(metric).iloc[0]
    dist = features.geometry.to_crs(metric).distance(target).to_numpy()
    far = np.flatnonzero(dist > OUTSIDE_FLAG_M)
    if far.size == 0:
        return
    if far.size > len(dist) / 2:
        values = {
            "n": far.size,
            "total": len(dist),
            "name": where,
            "flag": OUTSIDE_FLAG_M,
            "median": np.median(dist),
        }
        if registered:
            raise DataError("error.survey.far_registered", **values, detail=how)
        detail = (
            f"{how}; the coordinate system is probably wrong (GCJ-02/BD-09 data read as WGS-84 lands "
            "300–1,000 m off; a wrong Gauss-Krüger zone hundreds of km off)."
            f"{suggestion_text(xy[:, 0], xy[:, 1], near_lonlat(near))}"
        )
        raise CRSError("error.survey.far_crs", **values, detail=detail)
    ids = ", ".join(features[S.SOURCE_ID].iloc[far[:5]])
    warnings.append(
        Words(
            "survey.warning.far",
            n=far.size,
            name=where,
            flag=OUTSIDE_FLAG_M,
            ids=ids + (" …" if far.size > 5 else ""),
        )
    )


_UNITS_M = {
    "millimetres": 0.001,
    "centimetres": 0.01,
    "decimetres": 0.1,
    "metres": 1.0,
    "kilometres": 1000.0,
    "feet": 0.3048,
    "inches": 0.0254,
}


def unit_notes(raw: RawSurvey, registration: Registration | None, how: str) -> list[Words]:
    """Compare a DXF's declared unit with the fitted scale or the CRS's metres."""
    if raw.unit_m is None:
        return []
    if registration is not None:
        ratio = registration.scale / raw.unit_m
        if 0.9 < ratio < 1.1:
            return []
        guess = min(_UNITS_M, key=lambda k: abs(np.log(registration.scale / _UNITS_M[k])))
        unit = Words(f"survey.unit.{guess}")
        return [Words("survey.warning.unit_fit", units=raw.units, scale=registration.scale, guess=unit)]
    if raw.unit_m != 1.0:
        return [Words("survey.warning.unit_unscaled", units=raw.units, crs=how)]
    return []
