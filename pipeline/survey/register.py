"""Register a CAD drawing in local coordinates from control points.

A control point pairs a position in the drawing (``local_x``, ``local_y``) with the same place on
the ground (longitude/latitude, or coordinates in a stated CRS). The fit is done in the UTM zone
of the control points, so scale is in metres per drawing unit and residuals are in metres:

- ``similarity`` (default): shift, rotation and one scale (4 parameters; ≥3 points, so the fit
  has redundancy and the residuals mean something). A drawing in millimetres fits with a scale
  of 0.001, so ``$INSUNITS`` does not have to be right.
- ``affine``: shift, rotation, two scales and shear (6 parameters). Three points determine it
  exactly, with zero residuals that prove nothing, so it needs ≥4.

The fit is refused when the RMS residual is over the tolerance, with every point's residual in
the message, so a mistyped control point is found rather than absorbed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from pipeline.core.coords import SourceCRS, check_fits, parse_crs, transformer
from pipeline.core.crs import utm_crs
from pipeline.core.errors import DataError, InputFileError, Words

log = logging.getLogger(__name__)

Method = Literal["similarity", "affine"]
METHODS: tuple[Method, ...] = ("similarity", "affine")

#: Default RMS tolerance in metres: clicking a point on a zoomed-in map is good to about 1 m.
DEFAULT_TOLERANCE_M = 1.0

#: Columns of a control-point frame.
CP_COLUMNS = ("name", "local_x", "local_y", "lon", "lat")

_MIN_POINTS = {"similarity": 3, "affine": 4}

_ALIASES = {
    "local_x": ("local_x", "localx", "cad_x", "dwg_x", "图上x", "本地x", "局部x"),
    "local_y": ("local_y", "localy", "cad_y", "dwg_y", "图上y", "本地y", "局部y"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "x": ("x", "easting", "东坐标"),
    "y": ("y", "northing", "北坐标"),
    "name": ("name", "id", "point", "名称", "点号", "点名"),
    "crs": ("crs", "坐标系"),
}


@dataclass(frozen=True)
class Registration:
    """A fitted transform from drawing coordinates to the ground.

    Attributes
    ----------
    method
        ``similarity`` or ``affine``.
    matrix
        2×3 array ``[[a, b, c], [d, e, f]]``: ``E = a x + b y + c``, ``N = d x + e y + f`` in
        :attr:`crs` (a UTM zone, metres).
    crs
        The metric CRS the fit was made in, e.g. ``EPSG:32650``.
    residuals
        One row per control point: ``name``, ``local_x``, ``local_y``, ``lon``, ``lat``,
        ``dx_m``, ``dy_m``, ``residual_m`` (fitted minus given, metres).
    rms_m
        Root mean square of the residuals, metres.
    tolerance_m
        The RMS tolerance the fit passed.
    """

    method: Method
    matrix: NDArray[np.float64]
    crs: str
    residuals: pd.DataFrame
    rms_m: float
    tolerance_m: float

    @property
    def scale(self) -> float:
        """Metres per drawing unit (the square root of the determinant for an affine fit)."""
        a, b, _, d, e, _ = self.matrix.ravel()
        return float(np.sqrt(abs(a * e - b * d)))

    @property
    def rotation_deg(self) -> float:
        """Counter-clockwise rotation of the drawing's x axis, degrees."""
        return float(np.degrees(np.arctan2(self.matrix[1, 0], self.matrix[0, 0])))

    @property
    def max_residual_m(self) -> float:
        """The largest control-point residual, metres."""
        return float(self.residuals["residual_m"].max())

    def apply(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map drawing coordinates to :attr:`crs` (metres)."""
        xs, ys = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        a, b, c, d, e, f = self.matrix.ravel()
        return a * xs + b * ys + c, d * xs + e * ys + f

    def to_wgs84(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map drawing coordinates to WGS-84 longitude/latitude."""
        east, north = self.apply(x, y)
        lon, lat = transformer(self.crs, "EPSG:4326").transform(east, north)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def describe(self) -> str:
        """Summarise the fit and list the residuals, one line per control point."""
        head = (
            f"{self.method} fit from {len(self.residuals)} control points in {self.crs}: "
            f"scale {self.scale:.6g} m per drawing unit, rotation {self.rotation_deg:.3f}°, "
            f"RMS {self.rms_m:.3f} m (tolerance {self.tolerance_m:g} m)"
        )
        return head + "\n" + residual_table(self.residuals)


def residual_table(residuals: pd.DataFrame) -> str:
    """Format control-point residuals as aligned text lines."""
    lines = [f"    {'point':<12} {'local x':>12} {'local y':>12} {'dx m':>8} {'dy m':>8} {'m':>8}"]
    for row in residuals.itertuples(index=False):
        lines.append(
            f"    {row.name!s:<12} {row.local_x:>12.3f} {row.local_y:>12.3f} "
            f"{row.dx_m:>8.3f} {row.dy_m:>8.3f} {row.residual_m:>8.3f}"
        )
    return "\n".join(lines)


def _design(x: NDArray[np.float64], y: NDArray[np.float64], method: Method) -> NDArray[np.float64]:
    """Least-squares design matrix; unknowns are stacked for E then N."""
    n = x.size
    one, zero = np.ones(n), np.zeros(n)
    if method == "similarity":  # E = a x - b y + c ; N = b x + a y + f
        top = np.column_stack([x, -y, one, zero])
        bottom = np.column_stack([y, x, zero, one])
    else:
        top = np.column_stack([x, y, one, zero, zero, zero])
        bottom = np.column_stack([zero, zero, zero, x, y, one])
    return np.vstack([top, bottom])


def _matrix(params: NDArray[np.float64], method: Method) -> NDArray[np.float64]:
    if method == "similarity":
        a, b, c, f = params
        return np.array([[a, -b, c], [b, a, f]])
    return params.reshape(2, 3)


#: How an error names the control points when they came from the page, not a file.
CONTROL_POINTS = Words("error.survey.cp_where")


def _method(method: str) -> Words:
    """A registration method in words (相似变换, similarity)."""
    return Words(f"survey.method.{method}")


def fit_registration(
    points: pd.DataFrame,
    *,
    method: Method = "similarity",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    where: str | Words = CONTROL_POINTS,
) -> Registration:
    """Fit drawing coordinates to the ground from control points.

    Parameters
    ----------
    points
        Columns ``local_x``, ``local_y``, ``lon``, ``lat`` (WGS-84) and optionally ``name``;
        :func:`read_control_points` makes one from a file.
    method
        ``similarity`` (≥3 points) or ``affine`` (≥4 points).
    tolerance_m
        Largest RMS residual accepted, metres.
    where
        Named in error messages (the control-point file).

    Returns
    -------
    Registration
        The transform and each point's residual.

    Raises
    ------
    DataError
        Too few points, points that do not span an area, or an RMS over ``tolerance_m``.
    """
    if method not in METHODS:
        raise DataError("error.survey.cp_method", method=method)
    if not tolerance_m > 0:
        raise DataError("error.survey.cp_tolerance", tolerance=tolerance_m)
    missing = [c for c in ("local_x", "local_y", "lon", "lat") if c not in points.columns]
    if missing:
        columns = ", ".join(f"`{c}`" for c in missing)
        raise DataError("error.survey.cp_columns", where=where, columns=columns)
    frame = points.reset_index(drop=True).copy()
    if "name" not in frame.columns:
        frame["name"] = [f"P{i + 1}" for i in range(len(frame))]
    frame["name"] = frame["name"].astype(str)
    need = _MIN_POINTS[method]
    if len(frame) < need:
        raise DataError("error.survey.cp_few", where=where, n=len(frame), method=_method(method), need=need)
    cols = ["local_x", "local_y", "lon", "lat"]
    values = frame[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        names = ", ".join(frame.loc[bad, "name"].head(5))
        raise DataError("error.survey.cp_not_number", where=where, names=names)
    x, y, lon, lat = values.T
    check_fits(lon, lat, parse_crs("EPSG:4326"), where=where)
    dup = pd.Series(list(zip(x, y, strict=True))).duplicated(keep=False).to_numpy()
    if dup.any():
        names = ", ".join(frame.loc[dup, "name"])
        raise DataError("error.survey.cp_repeat", where=where, names=names)
    crs = utm_crs(shapely.Point(float(np.mean(lon)), float(np.mean(lat))))
    east, north = (np.asarray(v, dtype=float) for v in transformer("EPSG:4326", crs).transform(lon, lat))
    # Centre both sides so the normal equations are well conditioned for large coordinates.
    x0, y0, e0, n0 = x.mean(), y.mean(), east.mean(), north.mean()
    spread = np.linalg.svd(np.column_stack([x - x0, y - y0]), compute_uv=False)
    design = _design(x - x0, y - y0, method)
    if spread[1] < 1e-3 * spread[0]:
        raise DataError("error.survey.cp_line", where=where)
    target = np.concatenate([east - e0, north - n0])
    params, *_ = np.linalg.lstsq(design, target, rcond=None)
    m = _matrix(params, method)
    m[0, 2] = e0 + m[0, 2] - m[0, 0] * x0 - m[0, 1] * y0
    m[1, 2] = n0 + m[1, 2] - m[1, 0] * x0 - m[1, 1] * y0
    fit_e = m[0, 0] * x + m[0, 1] * y + m[0, 2]
    fit_n = m[1, 0] * x + m[1, 1] * y + m[1, 2]
    dx, dy = fit_e - east, fit_n - north
    residuals = pd.DataFrame(
        {
            "name": frame["name"],
            "local_x": x,
            "local_y": y,
            "lon": lon,
            "lat": lat,
            "dx_m": dx,
            "dy_m": dy,
            "residual_m": np.hypot(dx, dy),
        }
    )
    rms = float(np.sqrt(np.mean(dx**2 + dy**2)))
    reg = Registration(
        method=method,
        matrix=m,
        crs=f"EPSG:{crs.to_epsg()}",
        residuals=residuals,
        rms_m=rms,
        tolerance_m=float(tolerance_m),
    )
    if rms > tolerance_m:
        worst = residuals.loc[residuals["residual_m"].idxmax(), "name"]
        raise DataError(
            "error.survey.cp_rms",
            where=where,
            method=_method(method),
            rms=rms,
            tolerance=tolerance_m,
            worst=worst,
            detail=residual_table(residuals),
        )
    log.info("Registered drawing: %s", reg.describe().splitlines()[0])
    return reg


def _pick(columns: list[str], key: str) -> str | None:
    norm = {c.strip().lower().replace(" ", ""): c for c in columns}
    return next((norm[a] for a in _ALIASES[key] if a in norm), None)


def read_control_points(
    path: str | Path, *, crs: str | int | pyproj.CRS | SourceCRS | None = None
) -> pd.DataFrame:
    """Read control points from a CSV file into the frame :func:`fit_registration` takes.

    The file has a header row with ``local_x``, ``local_y`` (the drawing's coordinates) and the
    ground position either as ``lon``, ``lat`` or as ``x``, ``y``; an optional ``name`` column
    names each point. The ground CRS comes from a ``crs`` column (one value for all rows), else
    from ``crs``, else WGS-84 for ``lon``/``lat``; ``x``/``y`` need one of the two. GCJ-02 and
    BD-09 (``gcj02``, ``bd09``) are accepted. UTF-8 (with or without BOM) or GB18030.

    Returns
    -------
    DataFrame
        Columns ``name``, ``local_x``, ``local_y``, ``lon``, ``lat`` (WGS-84).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError("error.survey.cp_unreadable", path=path, detail=str(exc)) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputFileError("error.survey.cp_encoding", path=path)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError("error.survey.cp_bad_csv", path=path, detail=str(exc)) from exc
    columns = list(table.columns)
    lx, ly = _pick(columns, "local_x"), _pick(columns, "local_y")
    lon_c, lat_c = _pick(columns, "lon"), _pick(columns, "lat")
    x_c, y_c = _pick(columns, "x"), _pick(columns, "y")
    crs_c, name_c = _pick(columns, "crs"), _pick(columns, "name")
    if lx is None or ly is None or not ((lon_c and lat_c) or (x_c and y_c)):
        raise DataError("error.survey.cp_file_columns", path=path, columns=", ".join(columns))
    tx, ty = (lon_c, lat_c) if lon_c and lat_c else (x_c, y_c)
    if crs_c is not None and table[crs_c].str.strip().ne("").any():
        values = table[crs_c].str.strip().unique()
        if len(values) > 1:
            raise DataError("error.survey.cp_mixed_crs", path=path, crs=", ".join(values))
        source = parse_crs(values[0])
    elif crs is not None:
        source = parse_crs(crs)
    elif lon_c and lat_c:
        source = parse_crs("EPSG:4326")
    else:
        raise DataError("error.survey.cp_no_crs", path=path)
    num = table[[lx, ly, tx, ty]].apply(lambda s: pd.to_numeric(s.str.strip(), errors="coerce"))
    bad = num.isna().any(axis=1).to_numpy()
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad)[:5])
        raise DataError("error.survey.cp_bad_rows", path=path, rows=rows)
    gx, gy = num[tx].to_numpy(float), num[ty].to_numpy(float)
    check_fits(gx, gy, source, where=path)
    lon, lat = source.to_wgs84(gx, gy)
    names = table[name_c] if name_c else pd.Series([f"P{i + 1}" for i in range(len(table))])
    return pd.DataFrame(
        {
            "name": names.astype(str).to_numpy(),
            "local_x": num[lx].to_numpy(float),
            "local_y": num[ly].to_numpy(float),
            "lon": lon,
            "lat": lat,
        }
    )
