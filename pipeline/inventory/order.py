"""Which clockwise method suits a compound's shape: ``auto`` picks ``polar`` or ``perimeter``.

Polar numbering reads each asset's bearing from the compound's centre. On a compact compound it
sweeps round like a clock hand; on a long or concave one the hand sweeps across the arms, so
numbers jump back and forth (on the demo: 7 in the middle, 8 at the east end, 21 beside 1). The
perimeter method walks along the boundary instead and follows any shape. ``auto`` measures two
things of the outline, in the compound's metric CRS:

- **solidity**: area ÷ area of the convex hull. 1 for a convex compound; an L, a U or a deep notch
  brings it down (the demo: 0.75).
- **elongation**: long side ÷ short side of the minimum rotated rectangle (the demo: 3.4).

A compound is *compact* when its solidity is at least :data:`MIN_SOLIDITY` (0.85) and its
elongation at most :data:`MAX_ELONGATION` (2.5); it is numbered ``polar``, anything else
``perimeter``. The thresholds were set on the 19 compounds of the shipped Beijing extracts: the
rectangles up to 2.4 : 1 (西王庄小区, 荷清苑) read well polar; every compound below 0.85 solidity
(notched, L-shaped) or above 2.5 elongation (石科院生活区, 大华花园别墅) does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from pipeline.core.errors import DataError

MIN_SOLIDITY = 0.85
MAX_ELONGATION = 2.5


@dataclass(frozen=True)
class MethodChoice:
    """The method ``auto`` chose for a boundary, the two measures, and why."""

    method: str
    solidity: float
    elongation: float
    reason: str

    def record(self) -> dict[str, Any]:
        """The choice as ``report.json`` keeps it."""
        return {
            "asked": "auto",
            "method": self.method,
            "solidity": round(self.solidity, 3),
            "elongation": round(self.elongation, 3),
            "min_solidity": MIN_SOLIDITY,
            "max_elongation": MAX_ELONGATION,
            "reason": self.reason,
        }


def shape_measures(boundary: shapely.Geometry) -> tuple[float, float]:
    """Return the boundary's solidity and elongation (see the module docstring)."""
    if boundary.is_empty or boundary.area <= 0:
        raise DataError("error.order.no_area")
    solidity = float(boundary.area / boundary.convex_hull.area)
    box = np.asarray(shapely.get_coordinates(shapely.minimum_rotated_rectangle(boundary)))
    sides = np.hypot(*(box[1:3] - box[0:2]).T)
    elongation = float(sides.max() / max(sides.min(), 1e-9))
    return solidity, elongation


def choose_method(boundary: shapely.Geometry) -> MethodChoice:
    """Choose ``polar`` for a compact compound, ``perimeter`` for a long or concave one."""
    solidity, elongation = shape_measures(boundary)
    long_ = elongation > MAX_ELONGATION
    concave = solidity < MIN_SOLIDITY
    if long_ or concave:
        parts = []
        if long_:
            parts.append(f"long (elongation {elongation:.2f} > {MAX_ELONGATION})")
        if concave:
            parts.append(f"concave (solidity {solidity:.2f} < {MIN_SOLIDITY})")
        return MethodChoice("perimeter", solidity, elongation, "the compound is " + " and ".join(parts))
    return MethodChoice(
        "polar",
        solidity,
        elongation,
        f"the compound is compact (solidity {solidity:.2f} ≥ {MIN_SOLIDITY}, "
        f"elongation {elongation:.2f} ≤ {MAX_ELONGATION})",
    )
