"""Number assets clockwise from the main gate, as ``docs/design.md`` defines it.

Two methods give each asset a clockwise key, in a local metric CRS with north up:

- ``polar``: the bearing of the asset seen from the compound's centre, minus the gate's bearing,
  modulo 360°. The centre is the centroid when it lies inside the boundary, else the pole of
  inaccessibility.
- ``perimeter``: the distance walked clockwise along the boundary, from where the gate meets it
  to the boundary point nearest the asset. It follows concave and long compounds.
- ``walk``: the distance walked clockwise along the compound's own paths from the main gate
  (:mod:`pipeline.inventory.walkorder`); an asset far from them keeps its perimeter position.

Smallest key first; ties go to the asset nearer the centre (polar), the boundary (perimeter) or the paths (walk),
then by name, then by ``source_id``, so the order never depends on the input's row order.
Two schemes print the numbers: ``global`` (``1``…``N``) and ``category`` (``A01``, ``B01``…, one
count per category, in the same clockwise order). :class:`PreviousLabels` keeps numbers stable
across rebuilds and once the app has published them.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from pipeline.core import schema as S
from pipeline.core.crs import require_projected
from pipeline.core.errors import DataError, GateError, GeometryError, Words
from pipeline.inventory.order import choose_method
from pipeline.inventory.walkorder import MAX_OFF_M, WalkLoop

log = logging.getLogger(__name__)

#: A gate farther than this from the boundary is refused unless forced.
MAX_GATE_DIST_M = 50.0

# Keys are rounded so that floating-point noise does not break ties that are exact on paper.
_KEY_DECIMALS = 6

Boundary: TypeAlias = shapely.Polygon | shapely.MultiPolygon


def compound_centre(boundary: Boundary) -> shapely.Point:
    """Return the centroid if it lies inside the boundary, else the pole of inaccessibility."""
    centroid = boundary.centroid
    if boundary.contains(centroid):
        return centroid
    part = max(getattr(boundary, "geoms", [boundary]), key=lambda g: g.area)
    return polylabel(part, tolerance=max(part.length / 1e4, 1e-6))


def bearing_deg(origin: shapely.Point, xy: np.ndarray) -> np.ndarray:
    """Bearing clockwise from north, in [0, 360), of each point of ``xy`` (N×2) seen from ``origin``."""
    dx = xy[:, 0] - origin.x
    dy = xy[:, 1] - origin.y
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def clockwise_ring(boundary: Boundary) -> shapely.LinearRing:
    """Return the boundary's outer ring, oriented clockwise (the largest part of a multipolygon)."""
    part = max(getattr(boundary, "geoms", [boundary]), key=lambda g: g.area)
    if isinstance(boundary, shapely.MultiPolygon) and len(boundary.geoms) > 1:
        log.warning("The boundary has %d parts; the perimeter walk follows the largest.", len(boundary.geoms))
    oriented = shapely.orient_polygons(part, exterior_cw=True)
    return oriented.exterior


def clockwise_keys(
    xy: np.ndarray, boundary: Boundary, gate: shapely.Point, method: str, walk: WalkLoop | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return each point's clockwise key and its tie-break distance.

    Parameters
    ----------
    xy
        N×2 array of asset positions in metres.
    boundary
        The compound's boundary in the same CRS.
    gate
        The main gate in the same CRS.
    method
        ``polar`` (key in degrees, tie = distance to the centre) or ``perimeter`` (key in
        metres along the clockwise boundary, tie = distance to the boundary) or ``walk`` (key in
        metres along ``walk``, tie = distance to it; farther than ``MAX_OFF_M``, the perimeter key
        scaled from the boundary's length to the walk's).
    walk
        The walk from the gate (:func:`pipeline.inventory.walkorder.walk_loop`), for ``walk``.
    """
    if method == "polar":
        centre = compound_centre(boundary)
        gate_bearing = bearing_deg(centre, np.array([[gate.x, gate.y]]))[0]
        key = (bearing_deg(centre, xy) - gate_bearing) % 360.0
        tie = np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y)
        period = 360.0
    elif method == "perimeter":
        ring = clockwise_ring(boundary)
        start, _ = locate_on_ring(ring, np.array([[gate.x, gate.y]]))
        period = ring.length
        along, tie = locate_on_ring(ring, xy)
        key = (along - start[0]) % period
    elif method == "walk":
        if walk is None or walk.length <= 0:
            raise DataError("error.numbering.walk_missing")
        along, tie = walk.locate(xy)
        ring = clockwise_ring(boundary)
        perimeter, _ = clockwise_keys(xy, boundary, gate, "perimeter")
        period = walk.length
        key = np.where(tie > MAX_OFF_M, perimeter / ring.length * period, along)
    else:
        raise DataError("error.numbering.method", method=method, methods=", ".join(S.METHODS))
    key = np.round(key, _KEY_DECIMALS) % round(period, _KEY_DECIMALS)
    return key, np.round(tie, _KEY_DECIMALS)


def locate_on_ring(ring: shapely.LinearRing, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each point, the distance along ``ring`` to its nearest point, and how far it is.

    The values are those of ``shapely.line_locate_point`` and ``shapely.distance`` on the ring as
    a line, bit for bit: a point equally near two segments takes the first along the ring, as GEOS
    does. Small rings and few points use those functions (GEOS walks every segment for every
    point). From :data:`GRID_MIN_VERTICES` vertices and :data:`GRID_MIN_WORK` point-segment pairs,
    each point compares only the few segments a grid keeps for its cell (:func:`_nearest_segments`),
    with GEOS's own formulas; ``bench/bench_numbering.py`` measures both against ``line_locate_point``.
    """
    coords = shapely.get_coordinates(ring)
    if len(coords) < GRID_MIN_VERTICES or len(xy) * len(coords) < GRID_MIN_WORK:
        line, points = shapely.LineString(coords), shapely.points(xy)
        return shapely.line_locate_point(line, points), shapely.distance(line, points)
    ring_segments = _Segments(coords)
    seg, dist = _nearest_segments(ring_segments, xy)
    return ring_segments.measure(seg, xy), dist


#: Rings with at least this many vertices are walked with a grid (see :func:`locate_on_ring`);
#: below it GEOS's walk over every segment is about as fast.
GRID_MIN_VERTICES = 256
#: ... and only with at least this many point-segment pairs to compare; fewer, GEOS is as quick.
GRID_MIN_WORK = 200_000
_GRID_CELLS = 16  # cells per side of the first grid (fewer for few points); cells split in four
_GRID_MAX_DEPTH = 10
_CELL_MAX_CANDIDATES = 3  # a cell with more candidate segments than this splits ...
_CELL_MIN_POINTS = 32  # ... when it holds at least this many points
_CHUNK = 1 << 16  # points (or cell-segment pairs) per numpy pass, to stay in cache
_FEW = 16  # up to this many candidates, a point compares them one column at a time


class _Segments:
    """A ring's segments ``a[i]``–``b[i]`` with what GEOS computes of them."""

    def __init__(self, coords: np.ndarray) -> None:
        ax, ay, bx, by = coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]
        ex, ey = bx - ax, by - ay
        len2 = ex * ex + ey * ey
        # One row per value, so that one np.take gathers a segment's values (the first five
        # are all that the grid's bounds read).
        self.table = np.stack([ax, ay, ex, ey, len2, bx, by, np.sqrt(len2)])
        self.length = self.table[7]
        # GEOS: a segment's start measure is the running sum of the lengths before it.
        self.start = np.r_[0.0, np.add.accumulate(self.length)[:-1]]

    def __len__(self) -> int:
        return self.table.shape[1]

    def distance(self, px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> np.ndarray:
        """Distance from points to segments, computed as GEOS's ``Distance::pointToSegment`` does.

        The same doubles as GEOS, so ties between segments break as in GEOS. Two rewrites keep
        every bit: GEOS's ``s`` numerator ``(ay - py)·ex - (ax - px)·ey`` is exactly the negation
        of ``dx·ey - dy·ex`` (rounding is symmetric, so negating operands negates results) and
        only ``|s|`` is used; ``sqrt(len2)`` is the stored length.
        """
        ax, ay, ex, ey, len2, bx, by, length = np.take(self.table, seg, axis=1)
        dx, dy = px - ax, py - ay
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (dx * ex + dy * ey) / len2
            perpendicular = np.abs(dx * ey - dy * ex) / len2 * length
        to_a = np.sqrt(dx * dx + dy * dy)
        bx -= px
        by -= py
        to_b = np.sqrt(bx * bx + by * by)
        return np.where((len2 == 0) | (r <= 0.0), to_a, np.where(r >= 1.0, to_b, perpendicular))

    def measure(self, seg: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Distance along the ring to each point's nearest point on ``seg``, as GEOS measures it."""
        ax, ay, ex, ey, len2 = np.take(self.table[:5], seg, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):  # a zero-length segment: NaN, its start
            factor = ((xy[:, 0] - ax) * ex + (xy[:, 1] - ay) * ey) / len2
        start, length = np.take(self.start, seg), np.take(self.length, seg)
        return np.where(factor <= 0.0, start, np.where(factor <= 1.0, start + factor * length, start + length))


def _nearest_segments(ring: _Segments, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first nearest segment of each point and its distance, with no loop per point.

    A grid covers the points and the ring. A cell keeps the segments that can be nearest to some
    point in it, by two tests that never drop one:

    - distance: a segment farther from the cell than another is at most from anywhere in it
      (from the cell's centre, give or take half its diagonal) is never nearest there;
    - position: the nearest point of the ring is either inside a segment, and then the point lies
      in that segment's perpendicular strip, or a vertex, and then it lies past the end of the
      segment before and before the start of the one after; the cell must reach that region. A
      vertex is kept as the start of the segment after it: GEOS would take the segment before
      when both are as near, but both give the vertex the same distance and measure, bit for bit
      (a segment's start measure is the previous one's plus its length).

    The second keeps few segments even where a whole arc is nearly as far (inside a round
    compound). A cell left with more than a few candidates and holding enough points splits in
    four, its children testing only its candidates, down to :func:`_finest_depth`. The cells
    that do not split (the leaves) tile the grid; a table at the finest depth names the leaf of
    each finest cell, so a point finds its leaf in one look-up and the points are never moved
    level by level. Each point then compares its leaf's candidates, in ring order, so the first
    of equally near segments wins.
    """
    n_seg = len(ring)
    # Column by column: numpy reduces an (N, 2) array along axis 0 a hundred times slower.
    lo = np.array([min(xy[:, k].min(), ring.table[k].min()) for k in (0, 1)])  # a segment's start
    hi = np.array([max(xy[:, k].max(), ring.table[k].max()) for k in (0, 1)])
    extent = max(float(np.max(hi - lo)), 1e-9)
    cells = int(np.clip(2 ** np.ceil(np.log2(np.sqrt(len(xy) / _CELL_MIN_POINTS))), 1, _GRID_CELLS))
    size = extent / cells * (1 + 1e-9)
    # Slack for the rounding of the bounds and for a point that rounding puts a hair outside its cell.
    slack = 1e-9 * (extent + float(np.abs(lo).max())) + 1e-12
    x, y = xy[:, 0].copy(), xy[:, 1].copy()

    # Every point's cell at the finest depth; a coarser level's is a shift away (sizes halve
    # exactly), so a point always falls in a child of its cell.
    depth = _finest_depth(len(xy), cells)
    finest = cells << depth
    fine = size / (1 << depth)
    fine_x = np.minimum(((x - lo[0]) / fine).astype(np.int64), finest - 1)
    fine_y = np.minimum(((y - lo[1]) / fine).astype(np.int64), finest - 1)
    fine_cell = fine_x * finest + fine_y
    # Points per cell at each level, finest first.
    held_grids = [np.bincount(fine_cell, minlength=finest * finest).reshape(finest, finest)]
    for _ in range(depth):
        side = len(held_grids[-1]) // 2
        held_grids.append(held_grids[-1].reshape(side, 2, side, 2).sum(axis=(1, 3)))
    leaf_of = np.empty((finest, finest), dtype=np.int64)
    leaf_counts, leaf_cands = [], []
    n_leaves = 0

    cell_x, cell_y = (g.ravel() for g in np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij"))
    pair_cell = np.repeat(np.arange(len(cell_x)), n_seg)
    pair_seg = np.tile(np.arange(n_seg), len(cell_x))
    indptr, cand = _cell_candidates(ring, lo, cell_x, cell_y, size, pair_cell, pair_seg, slack)
    for level in range(depth + 1):
        counts = np.diff(indptr)
        held = held_grids[depth - level][cell_x, cell_y]
        split = (counts > _CELL_MAX_CANDIDATES) & (held >= _CELL_MIN_POINTS) & (level < depth)
        leaves = np.flatnonzero(~split)
        leaf_counts.append(counts[leaves])
        leaf_cands.append(cand[np.repeat(~split, counts)])
        # The finest cells under each leaf name it.
        span, side = 1 << (depth - level), cells << level
        blocks = leaf_of.reshape(side, span, side, span)
        blocks[cell_x[leaves], :, cell_y[leaves], :] = (n_leaves + np.arange(len(leaves)))[:, None, None]
        n_leaves += len(leaves)
        if not split.any():
            break
        parents = np.flatnonzero(split)
        # Four children per parent, each testing its parent's candidates.
        child_x = (2 * cell_x[parents][:, None] + np.array([0, 0, 1, 1])).ravel()
        child_y = (2 * cell_y[parents][:, None] + np.array([0, 1, 0, 1])).ravel()
        child_counts = np.repeat(counts[parents], 4)
        pair_cell = np.repeat(np.arange(len(child_x)), child_counts)
        offsets = np.cumsum(child_counts) - child_counts
        pair_seg = cand[np.repeat(np.repeat(indptr[parents], 4) - offsets, child_counts) + np.arange(len(pair_cell))]
        size /= 2
        indptr, cand = _cell_candidates(ring, lo, child_x, child_y, size, pair_cell, pair_seg, slack)
        cell_x, cell_y = child_x, child_y
    leaf_indptr = np.r_[0, np.cumsum(np.concatenate(leaf_counts))]
    point_leaf = np.take(leaf_of, fine_cell)
    return _closest_candidate(ring, x, y, point_leaf, leaf_indptr, np.concatenate(leaf_cands))


def _finest_depth(n_points: int, cells: int) -> int:
    """How many times the first grid's cells may halve.

    Up to ``_GRID_MAX_DEPTH``, while the finest grid has no more cells than there are points, so
    that its table of leaves costs no more than the points themselves.
    """
    depth = 0
    while depth < _GRID_MAX_DEPTH and (cells << (depth + 1)) ** 2 <= n_points:
        depth += 1
    return depth


def _cell_candidates(
    ring: _Segments,
    lo: np.ndarray,
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    size: float,
    pair_cell: np.ndarray,
    pair_seg: np.ndarray,
    slack: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep, of (cell, segment) pairs grouped by cell, the segments that can be nearest in the cell.

    Returns the kept segments per cell as CSR arrays (``indptr``, segment ids in the given order).
    """
    n_seg, n_cells = len(ring), len(cell_x)
    half = size / 2
    cx = lo[0] + cell_x * size + half
    cy = lo[1] + cell_y * size + half
    reach = half * np.sqrt(2.0) + slack  # from the centre to a corner
    around = np.empty(len(pair_seg))
    for i in range(0, len(pair_seg), _CHUNK):
        c, s = pair_cell[i : i + _CHUNK], pair_seg[i : i + _CHUNK]
        around[i : i + _CHUNK] = _rough_distance(ring, cx[c], cy[c], s)
    starts = np.searchsorted(pair_cell, np.arange(n_cells))
    nonempty = starts < np.r_[starts[1:], len(pair_cell)]
    bound = np.full(n_cells, np.inf)
    bound[nonempty] = np.minimum.reduceat(around, starts[nonempty]) + 2 * reach
    near = np.flatnonzero(around <= bound[pair_cell])  # the position test only for these
    keep = np.zeros(len(pair_seg), dtype=bool)
    for i in range(0, len(near), _CHUNK):
        pairs = near[i : i + _CHUNK]
        c, s = pair_cell[pairs], pair_seg[pairs]
        # Where along each segment (0 at its start, 1 at its end) the cell (widened by the slack)
        # projects, and the same for the segment before it.
        r_lo, r_hi = _projection_range(ring, cx[c], cy[c], half + slack, s)
        _, prev_hi = _projection_range(ring, cx[c], cy[c], half + slack, (s - 1) % n_seg)
        inside = (r_hi >= 0.0) & (r_lo <= 1.0)
        at_start = (prev_hi >= 1.0) & (r_lo <= 0.0)
        keep[pairs] = inside | at_start
    indptr = np.r_[0, np.cumsum(np.bincount(pair_cell[keep], minlength=n_cells))]
    return indptr, pair_seg[keep]


def _rough_distance(ring: _Segments, px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Point-to-segment distances (not GEOS's exact doubles; for bounds, with slack)."""
    ax, ay, ex, ey, len2 = np.take(ring.table[:5], seg, axis=1)
    dx, dy = px - ax, py - ay
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.minimum(np.maximum((dx * ex + dy * ey) / len2, 0.0), 1.0)
    t = np.where(len2 > 0, t, 0.0)
    dx -= t * ex
    dy -= t * ey
    return np.sqrt(dx * dx + dy * dy)  # np.hypot is ten times slower


def _projection_range(
    ring: _Segments, cx: np.ndarray, cy: np.ndarray, half: float, seg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The range of the projection parameter of a square cell (centre, half side) on segments.

    Widened by a little for rounding; a zero-length segment covers everything.
    """
    ax, ay, ex, ey, len2 = np.take(ring.table[:5], seg, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mid = ((cx - ax) * ex + (cy - ay) * ey) / len2
        spread = (np.abs(ex) + np.abs(ey)) * half / len2 + 1e-9 * (1.0 + np.abs(mid))
    degenerate = len2 == 0
    return np.where(degenerate, -np.inf, mid - spread), np.where(degenerate, np.inf, mid + spread)


def _closest_candidate(
    ring: _Segments, x: np.ndarray, y: np.ndarray, cells: np.ndarray, indptr: np.ndarray, cand: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest candidate of its cell (the first in ring order on a tie) and its distance.

    Few candidates: a chunk of points, in order of decreasing count, compares one column at a
    time, so the points with a ``j``-th candidate are the chunk's first ones; a later candidate
    wins only when strictly nearer. Many (few points): :func:`_compare_many`.
    """
    found = np.empty(len(cells), dtype=np.int64)
    near = np.empty(len(cells))
    first = indptr[cells]
    count = indptr[cells + 1] - first
    many = count > _FEW
    for i in range(0, len(cells), _CHUNK):
        # Most candidates first (a radix sort on bytes); those with many come first, to skip.
        capped = np.minimum(count[i : i + _CHUNK], _FEW + 1).astype(np.int8)
        rows = i + np.argsort(-capped, kind="stable")
        rows = rows[np.count_nonzero(many[i : i + _CHUNK]) :]
        if len(rows) == 0:
            continue
        rows_count = count[rows]
        base, px, py = first[rows], x[rows], y[rows]
        best = cand[base]
        dist = ring.distance(px, py, best)
        for j in range(1, int(rows_count[0])):
            k = np.count_nonzero(rows_count > j)
            other = cand[base[:k] + j]
            d = ring.distance(px[:k], py[:k], other)
            np.copyto(best[:k], other, where=d < dist[:k])
            np.minimum(dist[:k], d, out=dist[:k])
        found[rows], near[rows] = best, dist
    _compare_many(ring, x, y, np.flatnonzero(many), first, count, cand, found, near)
    return found, near


def _compare_many(
    ring: _Segments,
    x: np.ndarray,
    y: np.ndarray,
    points: np.ndarray,
    first: np.ndarray,
    count: np.ndarray,
    cand: np.ndarray,
    found: np.ndarray,
    near: np.ndarray,
) -> None:
    """Fill ``found`` and ``near`` for points with many candidates, all compared at once.

    Candidates are padded to a power of two by repeating the last, which never wins a tie
    (``argmin`` takes the first of equal values).
    """
    width = np.left_shift(1, np.ceil(np.log2(count[points])).astype(np.int64))
    for w in np.unique(width):
        rows_w = points[width == w]
        step = max(1, _CHUNK // int(w))
        for i in range(0, len(rows_w), step):
            rows = rows_w[i : i + step]
            segs = cand[first[rows, None] + np.minimum(np.arange(w), count[rows, None] - 1)]
            d = ring.distance(x[rows, None], y[rows, None], segs)
            pick = np.argmin(d, axis=1)
            found[rows], near[rows] = segs[np.arange(len(rows)), pick], d[np.arange(len(rows)), pick]


@dataclass(frozen=True)
class PreviousLabels:
    """Labels printed before, so a new numbering keeps them.

    One rule for ``--keep-labels`` (an earlier inventory) and the app's published numbering
    (:mod:`pipeline.workspace.published`).
    ``by_source`` maps ``source_id`` to the label it had; an asset of ``by_source`` missing from the
    numbering (removed, or hidden in the app) leaves its label unused, and gets it back when it returns.
    ``retired`` holds labels of assets that are gone, which are never given again.
    """

    by_source: dict[str, str]
    retired: frozenset[str] = field(default_factory=frozenset)

    @property
    def used(self) -> frozenset[str]:
        """Every label ever printed: current and retired."""
        return frozenset(self.by_source.values()) | self.retired


def _category_label(category: str, count: int, width: int) -> str:
    return f"{S.CATEGORY_PREFIX[S.Category(category)]}{count:0{width}d}"


def _fresh_labels(ordered: pd.DataFrame, scheme: str) -> list[str]:
    if scheme == "global":
        return np.arange(1, len(ordered) + 1).astype(str).tolist()
    counts = ordered[S.CATEGORY].value_counts()
    width = max(2, len(str(int(counts.max()))))
    seen: dict[str, int] = defaultdict(int)
    labels = []
    for category in ordered[S.CATEGORY]:
        seen[category] += 1
        labels.append(_category_label(category, seen[category], width))
    return labels


_SUB = re.compile(r"^(?P<base>[^.]+)\.(?P<sub>\d+)$")


def _stable_labels(ordered: pd.DataFrame, scheme: str, previous: PreviousLabels) -> list[str]:
    """Keep every label that still exists; give a new asset a sub-number after its predecessor."""
    used = set(previous.used)
    max_sub: dict[str, int] = defaultdict(int)
    for label in used:
        if match := _SUB.match(label):
            max_sub[match["base"]] = max(max_sub[match["base"]], int(match["sub"]))
    _check_scheme(previous.by_source.values(), scheme)
    labels: list[str] = []
    last_in_group: dict[str, str] = {}
    categories = ordered[S.CATEGORY] if S.CATEGORY in ordered else pd.Series("", index=ordered.index)
    for source_id, category in zip(ordered[S.SOURCE_ID], categories, strict=True):
        group = category if scheme == "category" else ""
        kept = previous.by_source.get(source_id)
        if kept is not None:
            label = kept
        else:
            predecessor = last_in_group.get(group)
            if predecessor is None:
                base = _category_label(category, 0, 2) if scheme == "category" else "0"
            else:
                base = predecessor.split(".")[0]
            max_sub[base] += 1
            label = f"{base}.{max_sub[base]}"
            while label in used:  # only if a label was hand-made with a gap
                max_sub[base] += 1
                label = f"{base}.{max_sub[base]}"
            used.add(label)
        labels.append(label)
        last_in_group[group] = label
    return labels


def _check_scheme(labels: Iterable[str], scheme: str) -> None:
    prefixes = tuple(S.CATEGORY_PREFIX.values())
    for label in labels:
        looks_category = label.startswith(prefixes)
        if looks_category != (scheme == "category"):
            raise DataError(
                "error.numbering.label_scheme",
                label=label,
                scheme=scheme,
                previous="category" if looks_category else "global",
            )


#: What :func:`_as_geometry` is given, said in the reader's language when it refuses it.
_WHAT = {"boundary": Words("error.numbering.the_boundary"), "gate": Words("error.numbering.the_gate")}


def _as_geometry(value: object, crs: object, what: str) -> shapely.Geometry:
    """Accept a shapely geometry (taken to be in the assets' CRS) or a one-row GeoSeries/frame.

    ``what`` is ``boundary`` or ``gate``, said in the reader's language when the value is refused.
    """
    said = _WHAT[what]
    if isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        series = value.geometry if isinstance(value, gpd.GeoDataFrame) else value
        require_projected(series, what)
        if series.crs != crs:
            raise DataError("error.numbering.crs", what=said, crs_of=series.crs, crs=crs)
        if len(series) != 1:
            raise DataError("error.numbering.one_feature", what=said, n=len(series))
        return series.iloc[0]
    if isinstance(value, shapely.Geometry):
        return value
    raise DataError("error.numbering.geometry_type", what=said, type=type(value).__name__)


def number_assets(
    assets: gpd.GeoDataFrame,
    boundary: Boundary | gpd.GeoSeries | gpd.GeoDataFrame,
    gate: shapely.Point | gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    method: str = "polar",
    scheme: str = "global",
    previous: PreviousLabels | None = None,
    force: bool = False,
    walk: WalkLoop | None = None,
) -> gpd.GeoDataFrame:
    """Return the assets sorted clockwise from the gate, with ``seq``, ``label`` and the key.

    Parameters
    ----------
    assets
        Assets in a projected metric CRS; ``category`` (needed by the ``category`` scheme),
        ``name`` and ``source_id`` (needed to keep earlier labels) are optional. Other columns
        are kept as they are.
    boundary, gate
        The compound's boundary polygon and main gate point, in the assets' CRS.
    method
        ``polar``, ``perimeter`` or ``walk`` (see the module docstring), or ``auto``
        (:func:`pipeline.inventory.order.choose_method`).
    scheme
        ``global`` (``1``…``N``) or ``category`` (``A01``…, ``B01``…, ``C01``…).
    previous
        Labels of an earlier inventory to keep (stable renumbering).
    force
        Number even when the gate is more than 50 m from the boundary.
    walk
        The walk from the gate round the compound's paths, which ``walk`` needs
        (:func:`pipeline.inventory.walkorder.walk_loop`).

    Returns
    -------
    GeoDataFrame
        A new frame, one row per asset, in clockwise order, index kept from the input.
    """
    if method not in S.METHODS:
        raise DataError("error.numbering.method", method=method, methods=", ".join(S.METHODS))
    if scheme not in S.SCHEMES:
        raise DataError("error.numbering.scheme", scheme=scheme, schemes=", ".join(S.SCHEMES))
    require_projected(assets, "assets")
    if assets.empty:
        raise DataError("error.numbering.empty")
    if S.CATEGORY not in assets.columns and scheme == "category":
        raise DataError("error.numbering.no_category")
    if previous is not None and S.SOURCE_ID not in assets.columns:
        raise DataError("error.numbering.no_source_id")
    bad = sorted(set(assets.get(S.CATEGORY, pd.Series(dtype=str)).unique()) - {c.value for c in S.Category})
    if bad:
        raise DataError(
            "error.numbering.categories", bad=bad, categories=", ".join(c.value for c in S.Category)
        )
    poly = _as_geometry(boundary, assets.crs, "boundary")
    point = _as_geometry(gate, assets.crs, "gate")
    if not isinstance(poly, shapely.Polygon | shapely.MultiPolygon) or poly.is_empty:
        raise GeometryError("error.numbering.not_polygon", type=poly.geom_type)
    if not isinstance(point, shapely.Point) or point.is_empty:
        raise GateError("error.numbering.not_point", type=point.geom_type)
    gate_dist = poly.boundary.distance(point)
    if gate_dist > MAX_GATE_DIST_M and not force:
        raise GateError("error.numbering.gate_far", dist=gate_dist, max=MAX_GATE_DIST_M)
    empty = assets.geometry.is_empty | assets.geometry.isna()
    if empty.any():
        rows = ", ".join(map(str, assets.loc[empty].get(S.SOURCE_ID, assets.index[empty]).head(5)))
        raise GeometryError("error.numbering.no_location", n=int(empty.sum()), ids=rows)

    if method == "auto":
        method = choose_method(poly).method
    xy = _positions(assets.geometry.values)
    key, tie = clockwise_keys(xy, poly, point, method, walk)
    order = _clockwise_order(assets, key, tie, xy)
    ordered = assets.iloc[order]
    ordered[S.KEY] = key[order]
    ordered[S.SEQ] = np.arange(1, len(ordered) + 1)
    ordered[S.LABEL] = (
        _fresh_labels(ordered, scheme) if previous is None else _stable_labels(ordered, scheme, previous)
    )
    log.info("Numbered %d assets clockwise (%s, %s).", len(ordered), method, scheme)
    return ordered


def _positions(geometry: np.ndarray) -> np.ndarray:
    """Return N×2 positions: the point itself, or a point on the surface of a line or polygon."""
    is_point = shapely.get_type_id(geometry) == 0
    xy = np.empty((len(geometry), 2))
    xy[is_point] = shapely.get_coordinates(geometry[is_point])
    if (~is_point).any():
        xy[~is_point] = shapely.get_coordinates(shapely.point_on_surface(geometry[~is_point]))
    return xy


def _clockwise_order(assets: pd.DataFrame, key: np.ndarray, tie: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Sort by key, then tie distance; only exact ties fall back to name, id, then position.

    The id is ``source_id`` when there is one; the position is read west to east, south to north.

    Sorting strings for a million rows costs seconds, and exact ties are rare, so names are
    read only for the rows that need them.
    """
    order = _by_key_then_tie(key, tie)
    sorted_key, sorted_tie = key[order], tie[order]
    same = (sorted_key[1:] == sorted_key[:-1]) & (sorted_tie[1:] == sorted_tie[:-1])
    if not same.any():
        return order
    names = assets[S.NAME] if S.NAME in assets else pd.Series("", index=assets.index)
    ids = assets[S.SOURCE_ID] if S.SOURCE_ID in assets else pd.Series("", index=assets.index)
    starts = np.flatnonzero(np.diff(np.r_[0, same.astype(int)]) == 1)
    for start in starts:
        end = start + 1
        while end < len(same) and same[end]:
            end += 1
        group = order[start : end + 1]
        labels = [
            (str(n) if isinstance(n, str) else "", str(sid), x, y)
            for n, sid, (x, y) in zip(names.iloc[group], ids.iloc[group], xy[group].tolist(), strict=True)
        ]
        order[start : end + 1] = group[sorted(range(len(group)), key=labels.__getitem__)]
    return order


def _by_key_then_tie(key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The order of ``np.lexsort((np.arange(n), tie, key))``: by key, then tie, then position.

    One unstable sort by key (numpy's default, about a third of a stable one on a million floats);
    only the rows whose key repeats, rare among float keys, are sorted again by the three. Keys are
    never NaN: every asset has a position.
    """
    order = np.argsort(key)
    sorted_key = key[order]
    repeats = sorted_key[1:] == sorted_key[:-1]
    again = np.zeros(len(key), dtype=bool)
    again[1:] |= repeats
    again[:-1] |= repeats
    if again.any():
        at = np.flatnonzero(again)  # whole runs of one key, so they sort again among themselves
        rows = order[at]
        order[at] = rows[np.lexsort((rows, tie[rows], key[rows]))]
    return order


def retired_labels(previous: PreviousLabels, numbered: pd.DataFrame) -> list[str]:
    """Labels printed before that no asset carries now, in label order (5 before 12, A02 before A10).

    They are never given again.
    """
    return sorted(previous.used - set(numbered[S.LABEL]), key=label_order)


def label_order(label: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key reading the digit runs of a label as numbers: 5 < 7.1 < 12, A02 < A10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", label) if part)
