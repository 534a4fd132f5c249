"""Leader lines: the placement's crossing test agrees with shapely, and placed leaders never cross."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from layers.figure.labels import _segments_cross, place_labels


def test_segment_crossing_agrees_with_shapely_on_random_segments():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 10, (300, 4))
    b = rng.uniform(0, 10, (200, 4))
    ours = _segments_cross(a[:, :2], a[:, 2:], b)
    lines_a = shapely.linestrings(a.reshape(-1, 2, 2))
    lines_b = shapely.linestrings(b.reshape(-1, 2, 2))
    theirs = shapely.intersects(lines_a[:, None], lines_b[None, :])
    assert ours.shape == (300, 200)
    assert (ours == theirs).all()
    # Touching ends count as meeting, as for shapely.
    assert _segments_cross(np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]]), np.array([[1.0, 1.0, 2.0, 0.0]]))[
        0, 0
    ]


@pytest.mark.parametrize(
    ("anchors", "size"),
    [
        # The crowded grid of test_layout: 6×6 symbols 6 pt apart, labels 12×8 pt.
        (
            np.column_stack(
                [g.ravel() for g in np.meshgrid(np.arange(6) * 6.0 + 135, np.arange(6) * 6.0 + 135)]
            ),
            (12, 8),
        ),
        # A row of 40 shops 4 pt apart, labels 14×9 pt: all but the ends need leaders.
        (np.column_stack([np.arange(40) * 4.0 + 80, np.full(40, 150.0)]), (14, 9)),
    ],
    ids=["grid", "row"],
)
def test_leaders_in_a_crowd_never_cross(anchors, size):
    placement = place_labels(
        anchors, np.tile(size, (len(anchors), 1)), radius=2.0, frame=(0, 0, 300, 300), gap=0.5
    )
    assert placement.placed.all()
    leaders = [shapely.LineString(seg.reshape(2, 2)) for seg in placement.leaders[placement.leader]]
    assert len(leaders) >= len(anchors) - 2
    crossing = [
        (i, j) for i, j in itertools.combinations(range(len(leaders)), 2) if leaders[i].intersects(leaders[j])
    ]
    assert crossing == []
