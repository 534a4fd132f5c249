"""China's coordinate systems: WGS-84, GCJ-02, BD-09, CGCS2000 and its Gauss-Krüger zones.

OSM and GPS are WGS-84. Gaode/Amap and Tencent publish GCJ-02, a non-uniform offset of a few
hundred metres applied inside China; Baidu publishes BD-09, a further offset on top of GCJ-02.
Survey drawings come in CGCS2000 Gauss-Krüger zones (EPSG:4491–4554) or in local coordinates.

The GCJ-02 forward formula is the published one (the constants of the widely used
``coordTransform`` and ``eviltransform`` projects: Krasovsky semi-major axis 6378245 m and
eccentricity² 0.00669342162296594323). Its inverse has no closed form: :func:`gcj02_to_wgs84`
iterates the forward formula to a fixed point, which converges to better than 1e-9° in four or
five steps (the offset changes by about 0.2 % per degree). BD-09 is inverted the same way.

Every function is vectorised over numpy arrays; scalars give 0-d arrays.

Choices written down here:

- "Inside China" is the rectangle lon 73.66–135.05°, lat 3.86–53.55° used by ``coordTransform``.
  It is a coarse test: points in neighbouring countries inside the rectangle pass. Points outside
  it are refused for GCJ-02 and BD-09 (the offset does not apply there) instead of being passed
  through unchanged as the reference implementations do, because a silent pass-through hides
  swapped columns and wrong files.
- Projected coordinates must land within 3° (one Gauss-Krüger zone) of the CRS's area of use;
  surveys near a zone edge are often drawn in the neighbouring zone.
- A missing CRS is never guessed: :func:`suggest_crs` lists the candidates and
  :func:`missing_crs_error` turns them into an error that the user answers with ``--crs``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj.exceptions import CRSError as ProjCRSError

from pipeline.core.errors import CRSError, Words

log = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
#: Where coordinates come from, named in messages: a text, a file (by its name in the app) or words.
Where = str | PurePath | Words

#: The rectangle inside which GCJ-02 and BD-09 apply (lon_min, lat_min, lon_max, lat_max).
CHINA_BBOX = (73.66, 3.86, 135.05, 53.55)

GCJ02 = "gcj02"
BD09 = "bd09"

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as in the published GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

#: Degrees of tolerance to which the iterative inverses converge.
INVERSE_TOL_DEG = 1e-10
_MAX_ITER = 30

#: How far outside a projected CRS's area of use coordinates may land, in degrees.
AREA_MARGIN_DEG = 3.0

_WORDS: dict[str, str] = {
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "gcj": GCJ02,
    "mars": GCJ02,
    "火星": GCJ02,
    "amap": GCJ02,
    "gaode": GCJ02,
    "高德": GCJ02,
    "tencent": GCJ02,
    "腾讯": GCJ02,
    "bd09": BD09,
    "bd-09": BD09,
    "bd09ll": BD09,
    "baidu": BD09,
    "百度": BD09,
    "wgs84": "EPSG:4326",
    "wgs-84": "EPSG:4326",
    "gps": "EPSG:4326",
    "cgcs2000": "EPSG:4490",
}
_LABELS = {
    GCJ02: "GCJ-02 (Gaode/Amap, Tencent; 高德、腾讯)",
    BD09: "BD-09 (Baidu; 百度)",
}


# --------------------------------------------------------------------------- GCJ-02 and BD-09


def _as_float(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return x.astype(float, copy=True), y.astype(float, copy=True)


def outside_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell, per point, whether it lies outside :data:`CHINA_BBOX` (or is not finite).

    Parameters
    ----------
    lon, lat
        Degrees; scalars or arrays of the same shape.

    Returns
    -------
    ndarray of bool
        True where GCJ-02 and BD-09 do not apply.
    """
    x, y = _as_float(lon, lat)
    lon0, lat0, lon1, lat1 = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        inside = (x > lon0) & (x < lon1) & (y > lat0) & (y < lat1)
    return ~inside


def check_in_china(lon: ArrayLike, lat: ArrayLike, *, system: str, where: Where = "") -> None:
    """Raise :class:`CRSError` if any point is outside China, where ``system`` does not apply.

    Parameters
    ----------
    lon, lat
        Degrees.
    system
        The system the caller is about to apply, e.g. ``"GCJ-02"``; named in the message.
    where
        The file or layer the points come from (a file by its name in the app); named in the message.
    """
    x, y = _as_float(lon, lat)
    bad = np.flatnonzero(outside_china(x, y).ravel())
    if bad.size == 0:
        return
    xs, ys = x.ravel(), y.ravel()
    shown = ", ".join(f"#{i + 1} ({xs[i]:.6f}, {ys[i]:.6f})" for i in bad[:5])
    swapped = outside_china(ys[bad], xs[bad])
    lon0, lat0, lon1, lat1 = CHINA_BBOX
    raise CRSError(
        "error.coords.outside_china",
        n=bad.size,
        total=xs.size,
        source=Words("error.coords.in_where", where=where) if where else "",
        lon0=lon0,
        lon1=lon1,
        lat0=lat0,
        lat1=lat1,
        system=system,
        shown=shown,
        more=Words("error.coords.more", n=bad.size - 5) if bad.size > 5 else "",
        hint=Words("error.coords.swapped") if not swapped.any() else "",
    )


def _transform_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS-84 ``lon``, ``lat``."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    x: FloatArray,
    y: FloatArray,
    start: tuple[FloatArray, FloatArray],
    name: str,
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(u, v) == (x, y)`` by fixed-point iteration from ``start``."""
    u, v = start
    for _ in range(_MAX_ITER):
        fx, fy = forward(u, v)
        ex, ey = fx - x, fy - y
        u, v = u - ex, v - ey
        if np.all(np.abs(ex) < INVERSE_TOL_DEG) and np.all(np.abs(ey) < INVERSE_TOL_DEG):
            return u, v
    raise CRSError(  # pragma: no cover - the offsets are contractions inside China
        "error.coords.no_converge", name=name, steps=_MAX_ITER
    )


def _wgs_to_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 longitude/latitude to GCJ-02 (the published forward formula).

    Raises
    ------
    CRSError
        If any point is outside China (see :data:`CHINA_BBOX`).
    """
    x, y = _as_float(lon, lat)
    check_in_china(x, y, system="GCJ-02")
    return _wgs_to_gcj(x, y)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude to WGS-84, exact to :data:`INVERSE_TOL_DEG`.

    The one-step inverse of the reference implementations (``gcj - offset(gcj)``) is off by up to
    about 2 m; this iterates it until ``wgs84_to_gcj02(result)`` reproduces the input.
    """
    x, y = _as_float(lon, lat)
    check_in_china(x, y, system="GCJ-02")
    dlon, dlat = _gcj_offset(x, y)
    return _invert(_wgs_to_gcj, x, y, (x - dlon, y - dlat), "GCJ-02")


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude to BD-09 (Baidu's published forward formula)."""
    x, y = _as_float(lon, lat)
    check_in_china(x, y, system="BD-09")
    return _gcj_to_bd(x, y)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 longitude/latitude to GCJ-02, exact to :data:`INVERSE_TOL_DEG`.

    Starts from Baidu's published approximate inverse and refines it by iteration.
    """
    x, y = _as_float(lon, lat)
    check_in_china(x, y, system="BD-09")
    bx, by = x - 0.0065, y - 0.006
    z = np.hypot(bx, by) - 0.00002 * np.sin(by * _X_PI)
    theta = np.arctan2(by, bx) - 0.000003 * np.cos(bx * _X_PI)
    return _invert(_gcj_to_bd, x, y, (z * np.cos(theta), z * np.sin(theta)), "BD-09")


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 longitude/latitude to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 longitude/latitude to WGS-84 (through GCJ-02), exact to 1e-9°."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


# --------------------------------------------------------------------------- CRS values

_THREAD = threading.local()


def transformer(src: str | pyproj.CRS, dst: str | pyproj.CRS) -> pyproj.Transformer:
    """Return an ``always_xy`` transformer, cached per thread.

    Building one that crosses datums (CGCS2000 → WGS-84) searches PROJ's database for about
    0.1 s; transformers are not shared between threads (Streamlit serves each session in its own).
    """
    cache: dict[tuple[str, str], pyproj.Transformer] = _THREAD.__dict__.setdefault("cache", {})
    key = (pyproj.CRS.from_user_input(src).srs, pyproj.CRS.from_user_input(dst).srs)
    if key not in cache:
        cache[key] = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    return cache[key]


@dataclass(frozen=True)
class SourceCRS:
    """The coordinate system of an input: a pyproj CRS, optionally with a Chinese map offset.

    Attributes
    ----------
    crs
        The pyproj CRS; EPSG:4326 for GCJ-02 and BD-09, whose offsets are applied on top.
    offset
        ``"gcj02"``, ``"bd09"`` or ``None``.
    text
        The value the user gave, for messages.
    """

    crs: pyproj.CRS
    offset: str | None = None
    text: str = ""

    @property
    def label(self) -> str:
        """Describe the system, e.g. ``EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E)``."""
        if self.offset is not None:
            return _LABELS[self.offset]
        code = self.crs.to_epsg()
        return f"EPSG:{code} ({self.crs.name})" if code else self.crs.name

    @property
    def is_geographic(self) -> bool:
        """Tell whether coordinates are longitude/latitude degrees."""
        return bool(self.crs.is_geographic)

    def to_wgs84(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Convert coordinates (easting/longitude first) to WGS-84 longitude/latitude."""
        xs, ys = _as_float(x, y)
        if self.offset is not None:
            return _TO_WGS[self.offset](xs, ys)
        lon, lat = transformer(self.crs, "EPSG:4326").transform(xs, ys)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def from_wgs84(self, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Convert WGS-84 longitude/latitude to this system (easting/longitude first)."""
        xs, ys = _as_float(lon, lat)
        if self.offset is not None:
            return _FROM_WGS[self.offset](xs, ys)
        x, y = transformer("EPSG:4326", self.crs).transform(xs, ys)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def parse_crs(value: str | int | pyproj.CRS | SourceCRS) -> SourceCRS:
    """Read a ``--crs`` value: an EPSG code, a PROJ or WKT string, or ``gcj02``/``bd09``.

    Parameters
    ----------
    value
        ``4548``, ``"EPSG:4548"``, ``"+proj=tmerc ..."``, ``"gcj02"`` (also ``gaode``, ``amap``,
        ``高德``, ``tencent``), ``"bd09"`` (also ``baidu``, ``百度``), ``"wgs84"``, ``"cgcs2000"``,
        a :class:`pyproj.CRS`, or a :class:`SourceCRS` (returned as is).

    Raises
    ------
    CRSError
        If the value names no coordinate system.
    """
    if isinstance(value, SourceCRS):
        return value
    if isinstance(value, pyproj.CRS):
        return SourceCRS(value, text=value.to_string())
    text = str(value).strip()
    word = _WORDS.get(text.lower().replace("_", "").replace(" ", ""), text)
    if word in (GCJ02, BD09):
        return SourceCRS(pyproj.CRS.from_epsg(4326), offset=word, text=text)
    if text.lower() in ("bd09mc", "baidu mercator", "百度墨卡托"):
        raise CRSError("error.coords.baidu_mercator", text=text)
    if re.fullmatch(r"\d{4,6}", word):
        word = f"EPSG:{word}"
    try:
        crs = pyproj.CRS.from_user_input(word)
    except ProjCRSError as exc:
        raise CRSError("error.coords.unknown_crs", text=text, detail=str(exc)) from exc
    return SourceCRS(crs, text=text)


def to_wgs84_geometries(
    geometries: Sequence[shapely.Geometry] | NDArray[np.object_], source: SourceCRS
) -> NDArray[np.object_]:
    """Convert shapely geometries from ``source`` to WGS-84, vertex by vertex (Z dropped)."""
    geoms = shapely.force_2d(np.asarray(geometries, dtype=object))

    def convert(coords: FloatArray) -> FloatArray:
        lon, lat = source.to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, convert)


# --------------------------------------------------------------------------- fit and suggest


def check_fits(x: ArrayLike, y: ArrayLike, source: SourceCRS, *, where: Where) -> None:
    """Raise :class:`CRSError` when coordinates cannot be in ``source``.

    Degrees must be within ±180/±90 (and inside China for GCJ-02/BD-09); projected coordinates
    must convert to finite longitudes/latitudes within :data:`AREA_MARGIN_DEG` of the CRS's
    area of use. The message lists what the coordinates look like instead.
    """
    xs, ys = _as_float(x, y)
    xs, ys = xs.ravel(), ys.ravel()
    if xs.size == 0:
        return
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise CRSError("error.coords.not_finite", where=where)
    if source.offset is not None:
        try:
            check_in_china(xs, ys, system=source.label, where=where)
        except CRSError as exc:
            raise CRSError("error.coords.suggest", error=exc, detail=suggestion_text(xs, ys)) from None
        return
    problem: Words | None = None
    if source.is_geographic:
        if np.abs(xs).max() > 180 or np.abs(ys).max() > 90:
            problem = Words("error.coords.not_degrees")
    else:
        lon, lat = source.to_wgs84(xs, ys)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            problem = Words("error.coords.no_convert")
        else:
            area = source.crs.area_of_use
            if area is not None:
                m = AREA_MARGIN_DEG
                outside = (
                    (lon < area.west - m)
                    | (lon > area.east + m)
                    | (lat < area.south - m)
                    | (lat > area.north + m)
                )
                if outside.any():
                    i = int(np.flatnonzero(outside)[0])
                    problem = Words(
                        "error.coords.outside_area",
                        n=int(outside.sum()),
                        total=xs.size,
                        detail=area.name,
                        x=xs[i],
                        y=ys[i],
                        lon=lon[i],
                        lat=lat[i],
                    )
    if problem is not None:
        raise CRSError(
            "error.coords.cannot_be",
            where=where,
            system=source.label,
            problem=problem,
            x0=xs.min(),
            x1=xs.max(),
            y0=ys.min(),
            y1=ys.max(),
            detail=suggestion_text(xs, ys),
        )


@dataclass(frozen=True)
class CRSSuggestion:
    """One coordinate system the coordinates could be in, and where they would land."""

    crs: str
    name: str
    lon: float
    lat: float
    reason: str
    swap_xy: bool = False
    dist_m: float | None = None

    def __str__(self) -> str:
        """Describe the suggestion in one line for messages."""
        swap = " with x and y swapped (`--swap-xy`)" if self.swap_xy else ""
        if self.crs == "local":
            return f"local drawing coordinates: {self.reason}"
        near = f", {self.dist_m:,.0f} m from the compound's centre" if self.dist_m is not None else ""
        return (
            f"`--crs {self.crs}` ({self.name}){swap}: lands at lon {self.lon:.5f}, "
            f"lat {self.lat:.5f}{near}; {self.reason}"
        )


def _gk_zone_codes() -> list[tuple[int, str]]:
    """Gauss-Krüger and UTM codes whose eastings carry no zone prefix, covering China."""
    codes = [(c, "3° Gauss-Krüger zone, no prefix") for c in range(4534, 4555)]
    codes += [(c, "6° Gauss-Krüger zone, no prefix") for c in range(4502, 4513)]
    codes += [(c, "UTM zone (WGS-84)") for c in range(32643, 32654)]
    return codes


def _land(code: int, x: float, y: float) -> tuple[float, float]:
    """Where ``(x, y)`` in EPSG ``code`` lands, in degrees of the CRS's own datum (fast)."""
    crs = pyproj.CRS.from_epsg(code)
    lon, lat = transformer(crs, crs.geodetic_crs or "EPSG:4326").transform(x, y)
    return float(lon), float(lat)


def _in_bbox(lon: float, lat: float) -> bool:
    return not bool(outside_china(lon, lat))


def _distance_m(lon: float, lat: float, near: tuple[float, float]) -> float:
    geod = pyproj.Geod(ellps="WGS84")
    return float(geod.inv(lon, lat, near[0], near[1])[2])


def suggest_crs(
    x: ArrayLike, y: ArrayLike, *, near: tuple[float, float] | None = None
) -> list[CRSSuggestion]:
    """List coordinate systems that coordinates with no stated CRS could be in.

    Tried for ``(x, y)`` and, flagged ``swap_xy``, for ``(y, x)``:

    - degrees inside China: WGS-84, GCJ-02, BD-09, CGCS2000 (the app they came from decides);
    - Gauss-Krüger eastings with a zone prefix (``39444235``): the prefix gives the zone,
      CGCS2000 3° EPSG:4513–4533 (zones 25–45) or 6° EPSG:4491–4501 (zones 13–23);
    - eastings without a prefix (``444235``): any central meridian fits, so every 3°/6° zone
      (EPSG:4534–4554, 4502–4512) and UTM zone 43N–53N that lands in China is listed, nearest
      to ``near`` first when it is given (only those within 50 km of it, or the three nearest);
    - nothing fits: local drawing coordinates, to be registered from control points.

    Parameters
    ----------
    x, y
        Coordinates as read (first axis first).
    near
        ``(lon, lat)`` of the compound, when known; ranks and filters the candidates.

    Returns
    -------
    list of CRSSuggestion
        Most likely first; never empty.
    """
    xs, ys = _as_float(x, y)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok].ravel(), ys[ok].ravel()
    if xs.size == 0:
        return [CRSSuggestion("local", "", math.nan, math.nan, "no finite coordinates")]
    out: list[CRSSuggestion] = []
    for swap in (False, True):
        a, b = (ys, xs) if swap else (xs, ys)
        out += _suggest_one(a, b, swap=swap)
    if near is not None:
        out = [
            CRSSuggestion(s.crs, s.name, s.lon, s.lat, s.reason, s.swap_xy, _distance_m(s.lon, s.lat, near))
            for s in out
        ]
        out.sort(key=lambda s: s.dist_m if s.dist_m is not None else math.inf)
        close = [s for s in out if s.dist_m is not None and s.dist_m <= 50_000]
        out = close or out[:3]
    span = float(max(np.ptp(xs), np.ptp(ys)))
    small = np.abs(xs).max() < 100_000 and np.abs(ys).max() < 100_000
    if not out or (small and 1.0 < span < 20_000):
        out.append(
            CRSSuggestion(
                "local",
                "",
                math.nan,
                math.nan,
                f"values {xs.min():,.2f}–{xs.max():,.2f} × {ys.min():,.2f}–{ys.max():,.2f} look like a "
                "CAD drawing's own grid; register it from ≥3 control points (`--control-points`)",
            )
        )
    return out


def _suggest_one(a: FloatArray, b: FloatArray, *, swap: bool) -> list[CRSSuggestion]:
    out: list[CRSSuggestion] = []
    a0, b0 = float(np.median(a)), float(np.median(b))
    lon0, lat0, lon1, lat1 = CHINA_BBOX
    if a.min() > lon0 and a.max() < lon1 and b.min() > lat0 and b.max() < lat1:
        for crs, name, why in (
            ("EPSG:4326", "WGS-84", "degrees: GPS, OSM, Google Earth"),
            ("gcj02", "GCJ-02", "degrees copied from Gaode/Amap or Tencent maps"),
            ("bd09", "BD-09", "degrees copied from Baidu maps"),
            ("EPSG:4490", "CGCS2000", "degrees from a Chinese survey"),
        ):
            lon, lat = (float(v) for v in _TO_WGS[crs](a0, b0)) if crs in _TO_WGS else (a0, b0)
            out.append(CRSSuggestion(crs, name, lon, lat, why, swap))
        return out
    if not (b.min() > 0 and b.max() < 6_500_000):
        return out
    zone = int(a0 // 1_000_000)
    if a.min() >= 13_000_000 and a.max() < 46_000_000 and int(a.min() // 1e6) == zone:
        if 25 <= zone <= 45:
            code, why = 4513 + zone - 25, f"easting prefix {zone} = 3° zone {zone}"
        elif 13 <= zone <= 23:
            code, why = 4491 + zone - 13, f"easting prefix {zone} = 6° zone {zone}"
        else:
            return out
        lon, lat = _land(code, a0, b0)
        if _in_bbox(lon, lat):
            out.append(CRSSuggestion(f"EPSG:{code}", pyproj.CRS.from_epsg(code).name, lon, lat, why, swap))
        return out
    if a.min() > 100_000 and a.max() < 900_000 and b.min() > 1_000_000:
        for code, why in _gk_zone_codes():
            lon, lat = _land(code, a0, b0)
            if _in_bbox(lon, lat):
                out.append(
                    CRSSuggestion(
                        f"EPSG:{code}",
                        pyproj.CRS.from_epsg(code).name,
                        lon,
                        lat,
                        f"{why}: the zone cannot be read from the coordinates",
                        swap,
                    )
                )
    return out


def suggestion_text(x: ArrayLike, y: ArrayLike, near: tuple[float, float] | None = None) -> str:
    """Format :func:`suggest_crs`'s list for an error message (at most eight lines)."""
    suggestions = suggest_crs(x, y, near=near)
    lines = [f"\n  - {s}" for s in suggestions[:8]]
    if len(suggestions) > 8:
        lines.append(f"\n  - … and {len(suggestions) - 8} more zones")
    return " What the coordinates could be:" + "".join(lines)


def missing_crs_error(
    x: ArrayLike, y: ArrayLike, *, where: str, near: tuple[float, float] | None = None
) -> CRSError:
    """Build the error for an input that does not state its CRS, listing the suggestions.

    The mapper never assumes a CRS; the caller raises this and the user answers with ``--crs``
    (or control points for a drawing in local coordinates).
    """
    return CRSError("error.coords.missing_crs", where=where, detail=suggestion_text(x, y, near))
