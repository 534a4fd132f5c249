"""Hand-drawn scenes for the clockwise numbering, with the expected order written out."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.affinity import scale

from pipeline.core.errors import CRSError, DataError, GateError
from pipeline.inventory.numbering import (
    GRID_MIN_VERTICES,
    PreviousLabels,
    clockwise_keys,
    clockwise_ring,
    compound_centre,
    locate_on_ring,
    number_assets,
    retired_labels,
)

UTM = "EPSG:32650"

# A 100 m square compound, gate in the middle of the south side, one asset near each compass
# point (10 m in from the sides):
#
#     NW ---- N ---- NE
#     |               |
#     W               E
#     |               |
#     SW ---- S ---- SE
#             ^ gate (50, 0)
#
# Clockwise on a north-up map, from a south gate: S, SW, W, NW, N, NE, E, SE.
SQUARE = shapely.box(0, 0, 100, 100)
SOUTH_GATE = shapely.Point(50, 0)
COMPASS = {
    "N": (50, 90), "NE": (90, 90), "E": (90, 50), "SE": (90, 10),
    "S": (50, 10), "SW": (10, 10), "W": (10, 50), "NW": (10, 90),
}
CLOCKWISE_FROM_SOUTH = ["S", "SW", "W", "NW", "N", "NE", "E", "SE"]


def frame(points: dict[str, tuple[float, float]], crs: str = UTM, category: str = "facility") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"source_id": list(points), "name": list(points), "category": category},
        geometry=[shapely.Point(xy) for xy in points.values()],
        crs=crs,
    )


def order(numbered: gpd.GeoDataFrame) -> list[str]:
    return list(numbered["source_id"])


@pytest.mark.parametrize("method", ["polar", "perimeter"])
def test_square_from_south_gate(method):
    numbered = number_assets(frame(COMPASS), SQUARE, SOUTH_GATE, method=method)
    assert order(numbered) == CLOCKWISE_FROM_SOUTH
    assert list(numbered["seq"]) == list(range(1, 9))
    assert list(numbered["label"]) == [str(i) for i in range(1, 9)]


@pytest.mark.parametrize("method", ["polar", "perimeter"])
def test_square_from_east_gate(method):
    """From a gate on the east side, clockwise runs south first: E, SE, S, SW, W, NW, N, NE."""
    numbered = number_assets(frame(COMPASS), SQUARE, shapely.Point(100, 50), method=method)
    assert order(numbered) == ["E", "SE", "S", "SW", "W", "NW", "N", "NE"]


@pytest.mark.parametrize("method", ["polar", "perimeter"])
def test_shuffled_rows_give_the_same_order(method):
    base = frame(COMPASS)
    rng = np.random.default_rng(7)
    for _ in range(5):
        shuffled = base.iloc[rng.permutation(len(base))]
        assert order(number_assets(shuffled, SQUARE, SOUTH_GATE, method=method)) == CLOCKWISE_FROM_SOUTH


@pytest.mark.parametrize("method", ["polar", "perimeter"])
def test_mirrored_scene_runs_the_other_way(method):
    """Mirrored east-west, each asset lands where its mirror name was: the order of names reverses."""
    mirrored = frame(COMPASS)
    mirrored["geometry"] = mirrored.geometry.map(lambda p: scale(p, xfact=-1, origin=(50, 50)))
    numbered = number_assets(mirrored, SQUARE, SOUTH_GATE, method=method)
    assert order(numbered) == ["S", "SE", "E", "NE", "N", "NW", "W", "SW"]


# An L-shaped compound, 60 m wide arms (its centroid (71, 71) lies outside it):
#
#   (0,200)-(60,200)
#      |  b     |
#      |        |  f (70,120), adjacent, outside
#      |        (60,60)----------(200,60)
#      | c               d           a |
#   (0,0)---------gate(100,0)-------(200,0)
#
# The perimeter walk from the gate goes west, up the west side, round the north arm, along the
# inner corner and back along the east arm: c (130 m), b (330 m), f (440 m), d (540 m), a (670 m).
L_SHAPE = shapely.Polygon([(0, 0), (200, 0), (200, 60), (60, 60), (60, 200), (0, 200)])
L_ASSETS = {"a": (200 - 20, 30), "b": (30, 180), "c": (20, 30), "d": (100, 50), "f": (70, 120)}


def test_l_shape_perimeter_keys_are_the_distances_walked():
    numbered = number_assets(frame(L_ASSETS), L_SHAPE, shapely.Point(100, 0), method="perimeter")
    assert order(numbered) == ["c", "b", "f", "d", "a"]
    keys = dict(zip(numbered["source_id"], numbered["order_key"], strict=True))
    assert keys == pytest.approx({"c": 130, "b": 330, "f": 440, "d": 540, "a": 670}, abs=1e-6)


def test_l_shape_polar_uses_the_pole_of_inaccessibility():
    centre = compound_centre(L_SHAPE)
    assert L_SHAPE.contains(centre)
    # The largest circle in the corner square touches x=0, y=0 and the inner corner (60, 60).
    assert (centre.x, centre.y) == pytest.approx((35.15, 35.15), abs=0.5)
    numbered = number_assets(frame(L_ASSETS), L_SHAPE, shapely.Point(100, 0), method="polar")
    assert order(numbered) == ["c", "b", "f", "d", "a"]


def test_polar_ties_go_to_the_nearer_asset_then_name_then_id():
    """Three assets due west of the centre (50, 50): 'far' at 40 m, 'near' and 'near2' at 20 m."""
    scene = frame({"far": (10, 50), "near-b": (30, 50), "near-a": (30, 50)})
    numbered = number_assets(scene, SQUARE, SOUTH_GATE, method="polar")
    assert order(numbered) == ["near-a", "near-b", "far"]
    same_name = scene.assign(name="同名")
    assert order(number_assets(same_name.iloc[::-1], SQUARE, SOUTH_GATE)) == ["near-a", "near-b", "far"]


def test_perimeter_ties_go_to_the_asset_nearer_the_boundary():
    """Both project to (0, 50) on the west side; the one 5 m in comes before the one 30 m in."""
    numbered = number_assets(frame({"deep": (30, 50), "edge": (5, 50)}), SQUARE, SOUTH_GATE, method="perimeter")
    assert order(numbered) == ["edge", "deep"]


def test_asset_at_the_gate_bearing_is_first():
    numbered = number_assets(frame({"x": (60, 40), "at-gate": (50, 5)}), SQUARE, SOUTH_GATE)
    assert order(numbered)[0] == "at-gate"


def test_category_scheme_restarts_per_category_in_clockwise_order():
    scene = frame(COMPASS)
    scene["category"] = ["public_space", "facility", "institution", "facility",
                         "public_space", "facility", "facility", "public_space"]
    numbered = number_assets(scene, SQUARE, SOUTH_GATE, scheme="category")
    labels = dict(zip(numbered["source_id"], numbered["label"], strict=True))
    # Clockwise: S(ps) SW(fac) W(fac) NW(ps) N(ps) NE(fac) E(inst) SE(fac)
    assert [labels[k] for k in CLOCKWISE_FROM_SOUTH] == ["A01", "B01", "B02", "A02", "A03", "B03", "C01", "B04"]
    assert list(numbered["seq"]) == list(range(1, 9))


def test_projected_and_wgs84_inputs_agree_once_projected():
    """The same scene in a projected CRS and, converted, in WGS-84 gives the same order."""
    lonlat = frame(COMPASS).set_geometry(frame(COMPASS).geometry.translate(444000, 4427000)).to_crs("EPSG:4326")
    boundary = gpd.GeoSeries([shapely.box(444000, 4427000, 444100, 4427100)], crs=UTM)
    gate = gpd.GeoSeries([shapely.Point(444050, 4427000)], crs=UTM)
    reprojected = lonlat.to_crs(UTM)
    assert order(number_assets(reprojected, boundary, gate)) == CLOCKWISE_FROM_SOUTH
    with pytest.raises(CRSError, match="geographic coordinates"):
        number_assets(lonlat, boundary.to_crs("EPSG:4326").iloc[0], gate.to_crs("EPSG:4326").iloc[0])


def test_boundary_in_another_crs_is_refused():
    boundary = gpd.GeoSeries([SQUARE], crs="EPSG:3857")
    with pytest.raises(DataError, match="EPSG:3857.*reproject"):
        number_assets(frame(COMPASS), boundary, SOUTH_GATE)


def test_gate_far_from_the_boundary_is_refused_unless_forced():
    far = shapely.Point(50, -80)
    with pytest.raises(GateError, match="80 m from the boundary.*--force"):
        number_assets(frame(COMPASS), SQUARE, far)
    assert order(number_assets(frame(COMPASS), SQUARE, far, force=True)) == CLOCKWISE_FROM_SOUTH


def test_empty_inventory_is_refused():
    with pytest.raises(DataError, match="inventory is empty"):
        number_assets(frame({}), SQUARE, SOUTH_GATE)


def test_unknown_method_scheme_and_category_are_refused():
    with pytest.raises(DataError, match="method `clockwise`"):
        number_assets(frame(COMPASS), SQUARE, SOUTH_GATE, method="clockwise")
    with pytest.raises(DataError, match="scheme `alpha`"):
        number_assets(frame(COMPASS), SQUARE, SOUTH_GATE, scheme="alpha")
    with pytest.raises(DataError, match="Unknown categories \\['shop'\\]"):
        number_assets(frame(COMPASS, category="shop"), SQUARE, SOUTH_GATE)


def test_input_is_not_mutated_and_other_columns_are_kept():
    scene = frame(COMPASS)
    scene["note"] = [f"n{i}" for i in range(8)]
    before = scene.copy()
    numbered = number_assets(scene, SQUARE, SOUTH_GATE)
    assert scene.equals(before)
    assert dict(zip(numbered["source_id"], numbered["note"], strict=True)) == dict(
        zip(before["source_id"], before["note"], strict=True)
    )


def test_stable_renumbering_keeps_labels_and_gives_sub_numbers():
    first = number_assets(frame(COMPASS), SQUARE, SOUTH_GATE)
    previous = PreviousLabels(dict(zip(first["source_id"], first["label"], strict=True)))
    # W (label 3) is removed; two assets appear between NW (4) and N (5), one before S.
    changed = {k: v for k, v in COMPASS.items() if k != "W"} | {
        "new-nnw": (30, 90), "new-nnw2": (40, 90), "new-first": (50, 20),  # due south of the centre, nearer than S
    }
    second = number_assets(frame(changed), SQUARE, SOUTH_GATE, previous=previous)
    labels = dict(zip(second["source_id"], second["label"], strict=True))
    assert labels == {
        "new-first": "0.1", "S": "1", "SW": "2", "NW": "4", "new-nnw": "4.1", "new-nnw2": "4.2",
        "N": "5", "NE": "6", "E": "7", "SE": "8",
    }
    assert retired_labels(previous, second) == ["3"]
    # A third build after 4.1 was removed never gives 4.1 or 3 again.
    previous2 = PreviousLabels(dict(zip(second["source_id"], second["label"], strict=True)), frozenset({"3"}))
    third_scene = {k: v for k, v in changed.items() if k != "new-nnw"} | {"newer": (20, 60)}
    third = number_assets(frame(third_scene), SQUARE, SOUTH_GATE, previous=previous2)
    labels3 = dict(zip(third["source_id"], third["label"], strict=True))
    assert labels3["newer"] == "2.1"
    assert "4.1" not in labels3.values() and "3" not in labels3.values()
    assert retired_labels(previous2, third) == ["3", "4.1"]


def test_retired_labels_are_listed_as_a_person_counts_them():
    """report.json lists unused numbers in label order: 5 before 12, 7.1 between 7 and 8, A02 before A10."""
    previous = PreviousLabels({}, frozenset({"12", "5", "7", "7.1", "A10", "A02", "8"}))
    numbered = pd.DataFrame({"label": ["7", "9"]})  # 7 is still carried
    assert retired_labels(previous, numbered) == ["5", "7.1", "8", "12", "A02", "A10"]


def test_kept_labels_stay_from_another_gate_and_a_returning_asset_gets_its_own_back():
    """The app's published numbering in small: W hidden (its 3 unused), then shown again; another gate."""
    first = number_assets(frame(COMPASS), SQUARE, SOUTH_GATE)
    previous = PreviousLabels(dict(zip(first["source_id"], first["label"], strict=True)))
    without_w = number_assets(frame({k: v for k, v in COMPASS.items() if k != "W"}), SQUARE, SOUTH_GATE, previous=previous)
    assert list(without_w["label"]) == ["1", "2", "4", "5", "6", "7", "8"]
    back = number_assets(frame(COMPASS | {"new": (30, 90)}), SQUARE, SOUTH_GATE, previous=previous)
    assert dict(zip(back["source_id"], back["label"], strict=True)) == {
        "S": "1", "SW": "2", "W": "3", "NW": "4", "new": "4.1", "N": "5", "NE": "6", "E": "7", "SE": "8",
    }
    # from an east gate (100, 50), perimeter: E comes first, every label stays, the new one still after NW
    east = number_assets(frame(COMPASS | {"new": (30, 90)}), SQUARE, shapely.Point(100, 50), method="perimeter",
                         previous=previous)
    assert list(east["source_id"]) == ["E", "SE", "S", "SW", "W", "NW", "new", "N", "NE"]
    assert list(east["label"]) == ["7", "8", "1", "2", "3", "4", "4.1", "5", "6"]


def test_stable_renumbering_refuses_a_scheme_change():
    first = number_assets(frame(COMPASS), SQUARE, SOUTH_GATE)
    previous = PreviousLabels(dict(zip(first["source_id"], first["label"], strict=True)))
    with pytest.raises(DataError, match="not a `category` label.*--scheme global"):
        number_assets(frame(COMPASS), SQUARE, SOUTH_GATE, scheme="category", previous=previous)


def test_stable_renumbering_in_category_scheme():
    scene = frame(COMPASS)
    first = number_assets(scene, SQUARE, SOUTH_GATE, scheme="category")
    previous = PreviousLabels(dict(zip(first["source_id"], first["label"], strict=True)))
    added = frame(COMPASS | {"new": (30, 90)})
    second = number_assets(added, SQUARE, SOUTH_GATE, scheme="category", previous=previous)
    labels = dict(zip(second["source_id"], second["label"], strict=True))
    assert labels["new"] == "B04.1"  # after NW, which is B04
    assert {k: labels[k] for k in COMPASS} == dict(zip(first["source_id"], first["label"], strict=True))


def test_polygon_assets_are_placed_by_a_point_on_their_surface():
    """A C-shaped lot whose centroid falls in its hole is placed on its own surface."""
    c_shape = shapely.Polygon([(10, 60), (40, 60), (40, 65), (15, 65), (15, 85), (40, 85), (40, 90), (10, 90)])
    scene = gpd.GeoDataFrame(
        {"source_id": ["lot", "n"], "name": ["", ""], "category": "public_space"},
        geometry=[c_shape, shapely.Point(50, 90)], crs=UTM,
    )
    numbered = number_assets(scene, SQUARE, SOUTH_GATE)
    assert order(numbered) == ["lot", "n"]


def test_a_plain_assets_file_is_numbered_without_ids_or_categories():
    """Only names and points: numbered 1…N; the category scheme and kept labels say what they need."""
    plain = gpd.GeoDataFrame({"name": list(COMPASS)}, geometry=[shapely.Point(xy) for xy in COMPASS.values()], crs=UTM)
    numbered = number_assets(plain.iloc[::-1], SQUARE, SOUTH_GATE)
    assert list(numbered["name"]) == CLOCKWISE_FROM_SOUTH
    assert list(numbered["label"]) == [str(i) for i in range(1, 9)]
    with pytest.raises(DataError, match="no `category` column.*--scheme global"):
        number_assets(plain, SQUARE, SOUTH_GATE, scheme="category")
    with pytest.raises(DataError, match="needs a `source_id`"):
        number_assets(plain, SQUARE, SOUTH_GATE, previous=PreviousLabels({"x": "1"}))


def test_exact_ties_fall_back_to_name_then_position():
    """Two points 10 m either side of the south wall, at x = 20: the same distance walked and the same
    distance from the wall. Unnamed, the one further south (smaller y) comes first, whatever the row
    order; named, the name decides."""
    inside, outside = shapely.Point(20, 10), shapely.Point(20, -10)
    for rows in ([inside, outside], [outside, inside]):
        plain = gpd.GeoDataFrame({"name": ["", ""]}, geometry=rows, crs=UTM)
        numbered = number_assets(plain, SQUARE, SOUTH_GATE, method="perimeter")
        assert [p.y for p in numbered.geometry] == [-10, 10]
        named = plain.assign(name=["b" if p.y < 0 else "a" for p in rows])
        numbered = number_assets(named, SQUARE, SOUTH_GATE, method="perimeter")
        assert list(numbered["name"]) == ["a", "b"]


def test_perimeter_on_a_1000_vertex_boundary_agrees_with_shapely():
    """A wavy ring of 1,000 vertices takes the grid search; every key must be the distance along
    the clockwise ring that ``shapely.line_locate_point`` gives, counted from the gate."""
    n = 1000
    assert n >= GRID_MIN_VERTICES
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = 300 + 20 * np.sin(7 * angle)
    ring = shapely.Polygon(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))  # clockwise
    rng = np.random.default_rng(11)
    r = rng.uniform(50, 330, 200)
    t = rng.uniform(0, 2 * np.pi, 200)
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    scene = gpd.GeoDataFrame(
        {"source_id": [f"p{i}" for i in range(200)], "category": "facility"},
        geometry=shapely.points(points), crs=UTM,
    )
    gate = shapely.Point(0, -320)  # south
    numbered = number_assets(scene, ring, gate, method="perimeter")

    line = shapely.LineString(shapely.orient_polygons(ring, exterior_cw=True).exterior.coords)
    start = shapely.line_locate_point(line, gate)
    along = (shapely.line_locate_point(line, shapely.points(points)) - start) % line.length
    expected = dict(zip(scene["source_id"], along, strict=True))
    got = dict(zip(numbered["source_id"], numbered["order_key"], strict=True))
    assert got == pytest.approx(expected, abs=1e-6)
    # Points beyond a convex vertex share its position along the ring: nearer the ring first.
    near = dict(zip(scene["source_id"], shapely.distance(line, shapely.points(points)), strict=True))
    assert list(numbered["source_id"]) == sorted(expected, key=lambda s: (round(expected[s], 6), near[s]))


# Big boundaries: from GRID_MIN_VERTICES vertices the perimeter walk searches each asset's nearest
# segment itself; GEOS's line_locate_point and distance, computed here on their own, must agree.
def wobbly_ring(vertices: int) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, vertices + 1)[:-1]
    radius = 200 * (1 + 0.1 * np.sin(5 * angles))
    return shapely.Polygon(np.c_[200 + radius * np.cos(angles), 200 + radius * np.sin(angles)])


def awkward_points(poly: shapely.Polygon, n: int, seed: int) -> np.ndarray:
    """Random points in and around the boundary, plus its vertices, midpoints, centre and far corners."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = poly.bounds
    ring = shapely.get_coordinates(poly.exterior)
    return np.concatenate([
        rng.uniform((minx - 60, miny - 60), (maxx + 60, maxy + 60), size=(n, 2)),
        ring,  # on the vertices, the first one where the ring closes
        (ring[:-1] + ring[1:]) / 2,  # on the segments
        [[(minx + maxx) / 2, (miny + maxy) / 2], [minx - 500, miny - 500], [maxx + 1e4, maxy]],
        np.round(rng.uniform((minx, miny), (maxx, maxy), size=(200, 2))),  # on a coarse lattice
    ])


def geos_keys(poly: shapely.Polygon, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    line = shapely.LineString(clockwise_ring(poly).coords)
    points = shapely.points(xy)
    return shapely.line_locate_point(line, points), shapely.distance(line, points)


BIG_BOUNDARIES = {
    "wobbly-1000": wobbly_ring(1000),
    "wobbly-256": wobbly_ring(256),  # exactly where the search starts
    # An L-shaped compound: long straight sides, a dense arc of 600 vertices, a reflex corner.
    "l-with-arc": shapely.Polygon(
        [(0, 0), (300, 0), (300, 80), (120, 80), (120, 300)]
        + [(120 - 60 + 60 * np.cos(t), 300 + 60 * np.sin(t)) for t in np.linspace(0, np.pi, 600)]
        + [(0, 300)]
    ),
    # A square with one side cut in 1,000 pieces and a repeated vertex (a zero-length segment).
    "dense-side": shapely.Polygon(
        [(x, 0.0) for x in np.linspace(0, 100, 1001)] + [(100, 100), (100, 100), (0, 100)]
    ),
}


@pytest.mark.parametrize("name", list(BIG_BOUNDARIES))
def test_big_boundary_walk_equals_geos_line_locate_point(name, monkeypatch):
    poly = BIG_BOUNDARIES[name]
    ring = clockwise_ring(poly)
    assert len(shapely.get_coordinates(ring)) >= GRID_MIN_VERTICES
    xy = awkward_points(poly, 20_000, seed=len(name))
    expected_along, expected_dist = geos_keys(poly, xy)

    def not_here(*args, **kwargs):
        raise AssertionError("the walk fell back to GEOS")

    monkeypatch.setattr(shapely, "line_locate_point", not_here)  # the search itself must answer
    along, dist = locate_on_ring(ring, xy)
    np.testing.assert_array_equal(along, expected_along)  # bit for bit, ties included
    np.testing.assert_array_equal(dist, expected_dist)


def test_small_boundary_walk_is_geos_itself():
    poly = wobbly_ring(GRID_MIN_VERTICES - 2)  # one vertex fewer than the search needs, once closed
    xy = awkward_points(poly, 2_000, seed=1)
    along, dist = locate_on_ring(clockwise_ring(poly), xy)
    expected_along, expected_dist = geos_keys(poly, xy)
    np.testing.assert_array_equal(along, expected_along)
    np.testing.assert_array_equal(dist, expected_dist)


def test_perimeter_order_on_a_1000_vertex_boundary_is_geos_order():
    """The whole numbering on a 1,000-vertex boundary, against an order built from GEOS's keys."""
    poly = BIG_BOUNDARIES["wobbly-1000"]
    xy = awkward_points(poly, 30_000, seed=7)
    n = len(xy)
    names = [f"n{i % 97}" for i in range(n)]
    scene = gpd.GeoDataFrame(
        {"source_id": [f"node/{i}" for i in range(n)], "name": names, "category": "facility"},
        geometry=shapely.points(xy), crs=UTM,
    )
    gate = shapely.Point(200, 0)
    numbered = number_assets(scene.sample(frac=1, random_state=3), poly, gate, method="perimeter")
    line = shapely.LineString(clockwise_ring(poly).coords)
    along, tie = geos_keys(poly, xy)
    length = round(line.length, 6)
    key = np.round((along - line.project(gate)) % line.length, 6) % length
    expected = sorted(range(n), key=lambda i: (key[i], round(tie[i], 6), names[i], f"node/{i}"))
    assert list(numbered["source_id"]) == [f"node/{i}" for i in expected]


def random_star_ring(rng: np.random.Generator, vertices: int) -> shapely.Polygon:
    """A random star-shaped compound: vertices at sorted random bearings and random radii."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    radius = rng.uniform(80, 300) * rng.uniform(0.6, 1.0, vertices)
    centre = rng.uniform(-1e3, 1e3, 2)
    return shapely.Polygon(centre + np.c_[radius * np.cos(angles), radius * np.sin(angles)])


def dense_rectangle(rng: np.random.Generator, width: float, height: float, per_side: int) -> shapely.Polygon:
    """A width × height rectangle whose sides are cut at random places into ``per_side`` pieces."""
    cuts = np.sort(rng.uniform(0, 1, (4, per_side - 1)), axis=1)
    t = np.c_[np.zeros(4), cuts]
    return shapely.Polygon(np.concatenate([
        np.c_[t[0] * width, np.zeros(per_side)],
        np.c_[np.full(per_side, width), t[1] * height],
        np.c_[width - t[2] * width, np.full(per_side, height)],
        np.c_[np.zeros(per_side), height - t[3] * height],
    ]))


def bisector_points(ring: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Points on each vertex's angle bisector, equally far from the lines of its two segments."""
    prev, here, nxt = np.roll(ring, 1, axis=0), ring, np.roll(ring, -1, axis=0)
    u = prev - here
    v = nxt - here
    u /= np.hypot(*u.T)[:, None]
    v /= np.hypot(*v.T)[:, None]
    bisector = u + v
    norm = np.hypot(*bisector.T)
    ok = norm > 1e-9
    bisector = bisector[ok] / norm[ok, None]
    return np.concatenate([here[ok] + d * bisector for d in offsets] + [here[ok] - d * bisector for d in offsets])


@pytest.mark.parametrize("seed", range(4))
def test_walk_on_random_rings_agrees_with_line_locate_point(seed, monkeypatch):
    """Random rings and points, against GEOS's own ``line_locate_point`` and ``distance``
    within 1e-6 m: random points, the vertices, points on the bisectors
    of the corners (as far from two segments), and on the midline of a long dense rectangle (as
    far from its two long sides, so the tie is settled as GEOS settles it)."""
    rng = np.random.default_rng(seed)
    width, height = 512.0, 64.0
    star = random_star_ring(rng, int(rng.integers(GRID_MIN_VERTICES, 1200)))
    for poly in (star, dense_rectangle(rng, width, height, 300)):
        ring = clockwise_ring(poly)
        coords = shapely.get_coordinates(ring)[:-1]
        minx, miny, maxx, maxy = poly.bounds
        xy = np.concatenate([
            rng.uniform((minx - 50, miny - 50), (maxx + 50, maxy + 50), size=(3000, 2)),
            coords,
            bisector_points(coords, np.array([0.5, 3.0])),
            np.c_[rng.uniform(height, width - height, 500), np.full(500, height / 2)],
        ])
        line, points = shapely.LineString(shapely.get_coordinates(ring)), shapely.points(xy)
        expected_along, expected_dist = shapely.line_locate_point(line, points), shapely.distance(line, points)
        with monkeypatch.context() as patched:
            patched.setattr(shapely, "line_locate_point", lambda *a, **k: pytest.fail("GEOS answered"))
            along, dist = locate_on_ring(ring, xy)
        np.testing.assert_allclose(along, expected_along, rtol=0, atol=1e-6)
        np.testing.assert_allclose(dist, expected_dist, rtol=0, atol=1e-6)


def test_a_far_gate_and_a_boundary_in_another_crs_are_said_in_chinese():
    with pytest.raises(GateError) as caught:
        number_assets(frame(COMPASS), SQUARE, shapely.Point(50, -80))
    assert caught.value.text("zh") == (
        "出入口距小区边界 80 米（超过 50 米）：请检查它的坐标和坐标系，或选择边界上的出入口。"
    )
    with pytest.raises(DataError) as caught:
        number_assets(frame(COMPASS), gpd.GeoSeries([SQUARE, SQUARE], crs=UTM), SOUTH_GATE)
    assert caught.value.text("zh") == "边界只能有一个要素，现有 2 个。"
    assert str(caught.value) == "The boundary must be one feature; got 2."


def test_the_walk_method_without_a_walk_and_an_unknown_method_are_said_in_chinese():
    xy = np.array([[50.0, 90.0]])
    with pytest.raises(DataError) as caught:
        clockwise_keys(xy, SQUARE, SOUTH_GATE, "walk")
    assert caught.value.text("zh") == "沿小区内部道路编号需要小区的道路，但没有提供：请改用极角或沿边界编号。"
    with pytest.raises(DataError) as caught:
        clockwise_keys(xy, SQUARE, SOUTH_GATE, "spiral")
    assert caught.value.text("zh") == "编号方法 `spiral` 不存在：请用 auto, polar, perimeter, walk 之一。"
