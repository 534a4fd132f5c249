"""Label placement: one label per symbol, no overlaps, a leader line where a label had to move away.

:func:`place_labels` is a greedy candidate search in page points. Labels are taken most crowded first;
each tries the eight positions beside its symbol (kept only if nearer its own symbol than any other),
then rings farther out with a leader line. No placed label overlaps another label or a symbol, every
label stays inside the map frame, no leader crosses another leader, and leaders keep off labels and
other symbols unless no such spot is left; a label with no free spot at all is drawn beside its
symbol, with a warning.

The project places labels itself rather than using adjustText, the obvious alternative:
``bench/bench_figure.py`` runs both on the inputs the A3 page really produces (25…300 labels). This
search leaves no overlaps where adjustText leaves some, and it is 2.5–36× faster (the ratio varies from
run to run; the bench prints it). It works on plain arrays of boxes and knows nothing of matplotlib;
:mod:`layers.figure.layout` measures the texts and draws the result.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelPlacement:
    """Where :func:`place_labels` put each label, in the points of the anchors' coordinates.

    Attributes
    ----------
    centers, sizes
        N×2 box centres and (width, height).
    leaders
        N×4 leader lines ``x0, y0, x1, y1`` from the symbol's edge to the box; NaN where the label sits
        beside its symbol.
    placed
        False where no free spot existed; the label is then drawn beside its symbol and may overlap.
    """

    centers: np.ndarray
    sizes: np.ndarray
    leaders: np.ndarray
    placed: np.ndarray

    @property
    def leader(self) -> np.ndarray:
        """True where the label needs a leader line."""
        return ~np.isnan(self.leaders[:, 0])

    @property
    def boxes(self) -> np.ndarray:
        """N×4 boxes ``x0, y0, x1, y1``."""
        half = self.sizes / 2
        return np.column_stack([self.centers - half, self.centers + half])


def _boxes_hit(cands: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Tell, for each candidate box (M×4), whether it overlaps any of ``rects`` (K×4)."""
    if len(rects) == 0:
        return np.zeros(len(cands), bool)
    c, r = cands[:, None, :], rects[None, :, :]
    hit = (
        (c[..., 0] < r[..., 2]) & (c[..., 2] > r[..., 0]) & (c[..., 1] < r[..., 3]) & (c[..., 3] > r[..., 1])
    )
    return np.asarray(hit.any(1))


def _segments_hit(p0: np.ndarray, p1: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Return a K×M matrix: does segment k (``p0``→``p1``, K×2) cross box m (M×4)? (Liang–Barsky)."""
    t0 = np.zeros((len(p0), len(rects)))
    t1 = np.ones((len(p0), len(rects)))
    d = p1 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            lo = rects[None, :, axis] - p0[:, None, axis]
            hi = rects[None, :, axis + 2] - p0[:, None, axis]
            da = d[:, None, axis]
            ta, tb = lo / da, hi / da
            flat = da == 0
            inside = (lo <= 0) & (hi >= 0)
            tmin = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(ta, tb))
            tmax = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(ta, tb))
            t0, t1 = np.maximum(t0, tmin), np.minimum(t1, tmax)
    return t0 < t1


def _segments_cross(p0: np.ndarray, p1: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Return a K×M matrix telling whether segment k (``p0``→``p1``, K×2) meets segment m (M×4).

    The orientation test of each segment's ends against the other's line; touching counts as
    meeting, and so (conservatively) do collinear segments, which only costs a candidate spot.
    """
    if len(segments) == 0:
        return np.zeros((len(p0), 0), bool)
    q0, q1 = segments[None, :, :2], segments[None, :, 2:]
    a0, a1 = p0[:, None, :], p1[:, None, :]

    def side(o: np.ndarray, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        return (e[..., 0] - o[..., 0]) * (p[..., 1] - o[..., 1]) - (e[..., 1] - o[..., 1]) * (p[..., 0] - o[..., 0])

    return (side(q0, q1, a0) * side(q0, q1, a1) <= 0) & (side(a0, a1, q0) * side(a0, a1, q1) <= 0)


def _box_distance(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Return a P×M matrix of distances from each point (P×2) to each box (M×4)."""
    dx = np.maximum(
        np.maximum(boxes[None, :, 0] - points[:, None, 0], points[:, None, 0] - boxes[None, :, 2]), 0
    )
    dy = np.maximum(
        np.maximum(boxes[None, :, 1] - points[:, None, 1], points[:, None, 1] - boxes[None, :, 3]), 0
    )
    return np.hypot(dx, dy)


# Unit directions of the eight positions beside a symbol, in the cartographer's order of preference:
# right, upper right, lower right, left, upper left, lower left, above, below.
_NEAR = np.array([(1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1)], float)
_RING_ANGLES = np.radians(np.arange(0, 360, 22.5))
_RINGS_PER_BATCH = 4
_LEADER_MAX_STEPS = 12  # leaders longer than this many label heights are a last resort


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    *,
    radius: float | np.ndarray,
    frame: tuple[float, float, float, float],
    obstacles: np.ndarray | None = None,
    gap: float = 1.0,
) -> LabelPlacement:
    """Place one label per anchor so that no label overlaps another label, a symbol or a leader line.

    Labels are taken most crowded first. Each tries the eight positions beside its symbol (right first)
    and keeps the first one that is free, inside ``frame`` and nearer its own symbol than any other; if
    none is, it tries rings farther out in 16 directions and is joined to its symbol by a leader line
    that crosses no other leader, and no label or other symbol while such a spot is left.

    Parameters
    ----------
    anchors
        N×2 symbol centres, in points (any unit of length; all arguments share it).
    sizes
        N×2 label (width, height), halo included.
    radius
        Half the size of each symbol (scalar or N).
    frame
        ``x0, y0, x1, y1`` every label must stay inside.
    obstacles
        K×4 boxes no label may cover (other symbols, furniture).
    gap
        Clearance kept between a label and anything else.

    Returns
    -------
    LabelPlacement
    """
    anchors = np.asarray(anchors, float).reshape(-1, 2)
    sizes = np.asarray(sizes, float).reshape(-1, 2)
    n = len(anchors)
    radius = np.broadcast_to(np.asarray(radius, float), (n,))
    symbols = np.column_stack([anchors - radius[:, None], anchors + radius[:, None]])
    fixed = symbols if obstacles is None or len(obstacles) == 0 else np.vstack([symbols, obstacles])
    x0, y0, x1, y1 = frame
    inner = np.array([x0 + gap, y0 + gap, x1 - gap, y1 - gap])
    max_dist = math.hypot(x1 - x0, y1 - y0)
    centers = anchors.copy()
    leaders = np.full((n, 4), np.nan)
    placed = np.zeros(n, bool)
    boxes: list[np.ndarray] = []
    segments: list[np.ndarray] = []
    for i in _crowded_first(anchors, sizes):
        state = (np.array(boxes).reshape(-1, 4), np.array(segments).reshape(-1, 4))
        found = _place_one(i, anchors, sizes[i], radius[i], fixed, state, inner, gap, max_dist)
        if found is None:
            log.warning("No free spot for label %d of %d; it may overlap.", i + 1, n)
            beside = anchors[i] + (radius[i] + gap + sizes[i, 0] / 2, 0)
            centers[i] = np.clip(beside, inner[:2] + sizes[i] / 2, inner[2:] - sizes[i] / 2)
            continue
        center, segment = found
        centers[i], placed[i] = center, True
        boxes.append(np.concatenate([center - sizes[i] / 2, center + sizes[i] / 2]))
        if segment is not None:
            leaders[i] = segment
            segments.append(segment)
    return LabelPlacement(centers=centers, sizes=sizes, leaders=leaders, placed=placed)


def _crowded_first(anchors: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    reach = 2.5 * float(np.median(sizes.sum(1))) if len(sizes) else 0.0
    d = np.abs(anchors[:, None, :] - anchors[None, :, :]).max(2)
    crowd = (d < reach).sum(1)
    return np.lexsort((np.arange(len(anchors)), -crowd))


def _free(
    cands: np.ndarray,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
) -> np.ndarray:
    grown = cands + np.array([-gap, -gap, gap, gap])
    ok = (
        (cands[:, 0] >= inner[0])
        & (cands[:, 1] >= inner[1])
        & (cands[:, 2] <= inner[2])
        & (cands[:, 3] <= inner[3])
    )
    ok &= ~_boxes_hit(grown, fixed)
    placed_boxes, placed_segments = state
    ok &= ~_boxes_hit(grown, placed_boxes)
    if len(placed_segments):
        ok &= ~_segments_hit(placed_segments[:, :2], placed_segments[:, 2:], grown).any(0)
    return ok


def _place_one(
    i: int,
    anchors: np.ndarray,
    size: np.ndarray,
    radius: float,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
    max_dist: float,
) -> tuple[np.ndarray, np.ndarray | None] | None:
    anchor, half = anchors[i], size / 2
    others = np.delete(np.arange(len(anchors)), i)  # symbols only: obstacles follow them in ``fixed``
    # Beside the symbol: the box touches a square of side 2 * (radius + gap) around it.
    d = radius + gap
    near = anchor + _NEAR * (d + half)
    cands = np.column_stack([near - half, near + half])
    ok = _free(cands, fixed, state, inner, gap)
    if ok.any():
        own = _box_distance(anchor[None], cands)[0]
        nearest_other = (
            _box_distance(np.column_stack([fixed[others, :2] + fixed[others, 2:]]) / 2, cands).min(0)
            if len(others)
            else np.inf
        )
        clear = ok & (own < nearest_other)
        if clear.any():
            return near[np.argmax(clear)], None
    # Farther out, on rings, with a leader line from the symbol's edge to the box: short leaders that
    # cross nothing first, then short leaders that may cross other symbols, then anywhere in the frame
    # with leaders that may also pass under labels. Labels never overlap labels or symbols.
    step = max(float(size[1]), 2.0 * gap)
    short = d + _LEADER_MAX_STEPS * step
    for limit, level in ((short, 0), (short, 1), (max_dist, 2)):
        found = _ring_search(i, anchor, half, radius, d, step, limit, level, fixed, state, inner, gap)
        if found is not None:
            return found
    return None


def _ring_search(
    i: int,
    anchor: np.ndarray,
    half: np.ndarray,
    radius: float,
    d: float,
    step: float,
    limit: float,
    level: int,
    fixed: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    inner: np.ndarray,
    gap: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    # Only what lies within reach of the farthest candidate can get in the way.
    far = limit + 2 * float(half.sum()) + gap
    lo, hi = anchor - far, anchor + far
    local = (fixed[:, 0] < hi[0]) & (fixed[:, 2] > lo[0]) & (fixed[:, 1] < hi[1]) & (fixed[:, 3] > lo[1])
    local[i] = False
    near_fixed = fixed[local]
    boxes, segments = state
    near_boxes = boxes[
        (boxes[:, 0] < hi[0]) & (boxes[:, 2] > lo[0]) & (boxes[:, 1] < hi[1]) & (boxes[:, 3] > lo[1])
    ]
    own = np.concatenate([anchor - radius, anchor + radius])[None]
    units = np.column_stack([np.cos(_RING_ANGLES), np.sin(_RING_ANGLES)])
    reach = np.abs(units) @ half  # how far the box extends along each direction
    k = 1
    while d + k * step <= limit:
        rings = d + step * np.arange(k, k + _RINGS_PER_BATCH)
        centres = (anchor + (rings[:, None, None] + reach[None, :, None]) * units[None]).reshape(-1, 2)
        cands = np.column_stack([centres - half, centres + half])
        ok = _free(
            cands,
            np.vstack([near_fixed, own]),
            (near_boxes, segments[:0] if level == 2 else segments),
            inner,
            gap,
        )
        if ok.any():
            idx = np.flatnonzero(ok)
            start = anchor + np.tile(units, (_RINGS_PER_BATCH, 1))[idx] * radius
            end = np.clip(anchor, cands[idx, :2], cands[idx, 2:])
            crossing = _segments_cross(start, end, segments).any(1)  # leaders never cross leaders
            if level < 2:
                crossing |= _segments_hit(start, end, near_boxes).any(1)
            if level < 1:
                crossing |= _segments_hit(start, end, near_fixed).any(1)
            if not crossing.all():
                j = int(np.argmin(crossing))
                return centres[idx[j]], np.concatenate([start[j], end[j]])
        k += _RINGS_PER_BATCH
    return None
