"""The walk numbering method: assets in the order met walking the compound's paths clockwise from the gate.

Every expected position below was worked out by hand from the drawn scene (lengths of straight
paths, and projections onto the diamond edges of the figure-8, whose sides are √(50² + 30²) =
58.31 m). North is up; "clockwise from a south gate" goes west first.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from pipeline.core.errors import DataError
from pipeline.inventory.build import renumber
from pipeline.inventory.numbering import number_assets
from pipeline.inventory.walkorder import MAX_OFF_M, MIN_WAYS, walk_loop, walk_paths

UTM = "EPSG:32650"
SIDE = np.hypot(50, 30)  # a diamond side of the figure-8


def _paths(*lines: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"source_id": [f"way/{i}" for i in range(len(lines))], "road": "footway"},
        geometry=[shapely.LineString(line) for line in lines],
        crs=UTM,
    )


def _number(boundary, gate, paths, points: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    loop, why = walk_loop(boundary, gate, paths)
    assert loop is not None, why
    assets = gpd.GeoDataFrame(
        {"name": list(points), "category": "facility"},
        geometry=[shapely.Point(p) for p in points.values()],
        crs=UTM,
    )
    return number_assets(assets, boundary, gate, method="walk", walk=loop)


def test_ring_road_with_a_spur_is_walked_clockwise_from_the_south_gate():
    # 200 × 120 m compound, gate in the middle of the south wall at (100, 0). A path leads 20 m in to
    # a ring road 20 m inside the wall; a 15 m spur points north from the ring's north side (100, 100).
    # Clockwise from the south gate: in to (100, 20) [20 m], west to (20, 20) [100], north to
    # (20, 100) [180], east to (100, 100) [260], up the spur and back [290], east to (180, 100)
    # [370], south to (180, 20) [450], west to (100, 20) [530], out to the gate [550].
    boundary = shapely.box(0, 0, 200, 120)
    paths = _paths(
        [(100, 0), (100, 20)],
        [(100, 20), (20, 20), (20, 100), (100, 100)],
        [(100, 100), (180, 100), (180, 20), (100, 20)],
        [(100, 100), (100, 115)],
    )
    points = {
        "south-east, by the ring's south side": (140, 10),  # (140, 20) is passed at 490 m
        "west": (10, 60),  # (20, 60): 100 + 40 = 140 m
        "in the spur": (100, 110),  # 10 m up the spur: 260 + 10 = 270 m, on the way in
        "south-west": (60, 10),  # (60, 20): 20 + 40 = 60 m
        "inside the ring, east": (150, 50),  # nearest (180, 50): 370 + 50 = 420 m, 30 m off
        "east": (190, 60),  # (180, 60): 370 + 40 = 410 m
    }
    numbered = _number(boundary, shapely.Point(100, 0), paths, points)
    assert numbered["name"].tolist() == [
        "south-west", "west", "in the spur", "east", "inside the ring, east", "south-east, by the ring's south side",
    ]  # fmt: skip
    assert numbered["order_key"].tolist() == pytest.approx([60, 140, 270, 410, 420, 490], abs=1e-6)
    loop, _ = walk_loop(boundary, shapely.Point(100, 0), paths)
    assert loop.length == pytest.approx(550)


def test_a_gate_on_a_loop_road_leaves_by_the_first_path_clockwise_from_outside():
    # 200 × 120 m, a loop road whose south side runs along the wall, through the gate at (100, 0): the
    # gate is on the road, with a way to the west and one to the east. Standing at the gate with the
    # street behind (south), the first path clockwise is the one west: (40, 0) [60], north to (40, 80)
    # [140], east to (160, 80) [260], south to (160, 0) [340], west back to the gate [400].
    boundary = shapely.box(0, 0, 200, 120)
    paths = _paths([(100, 0), (40, 0), (40, 80)], [(40, 80), (160, 80)], [(160, 80), (160, 0), (100, 0)])
    points = {
        "south-east": (130, 10),  # (130, 0), on the last stretch: 340 + 30 = 370
        "north": (100, 90),  # (100, 80): 140 + 60 = 200
        "south-west": (70, 10),  # (70, 0): 30
        "east": (170, 40),  # (160, 40): 260 + 40 = 300
        "west": (30, 40),  # (40, 40): 60 + 40 = 100
    }
    numbered = _number(boundary, shapely.Point(100, 0), paths, points)
    assert numbered["name"].tolist() == ["south-west", "west", "north", "east", "south-east"]
    assert numbered["order_key"].tolist() == pytest.approx([30, 100, 200, 300, 370], abs=1e-6)


def test_a_figure_8_walks_the_far_loop_in_the_middle_of_the_near_one():
    # Two diamonds touching at X = (120, 50) in a 240 × 100 m compound; the gate at (70, 0) leads 20 m
    # north to the west diamond's south tip (70, 20). Leftmost turns: north-west to (20, 50)
    # [20 + 58.31], north-east to (70, 80) [+58.31], to X [194.93]; at X the leftmost turn is
    # north-east, round the whole east diamond (170, 80) [253.24], (220, 50) [311.55], (170, 20)
    # [369.86], back to X [428.17]; then south-west back to (70, 20) [486.48] and out.
    boundary = shapely.box(0, 0, 240, 100)
    paths = _paths(
        [(70, 0), (70, 20)],
        [(70, 20), (20, 50), (70, 80), (120, 50), (70, 20)],
        [(120, 50), (170, 80), (220, 50), (170, 20), (120, 50)],
    )
    points = {
        # on X→(70, 20), walked last: from X, t = (20·50 + 20·30) / 58.31² = 0.4706 → 428.17 + 27.44
        "between X and the gate": (100, 30),
        # on (70, 20)→(20, 50): t = (25·50 + 20·30) / 58.31² = 0.5441 → 20 + 31.73 = 51.73, 4.29 m off
        "south-west": (45, 40),
        "east tip": (230, 50),  # (220, 50): 311.55
        # 8.57 m from both sides that meet at X; (70, 80)→X reaches it first: 136.62 + 0.9118 · 58.31
        "just north of X": (120, 60),
        "north tip of the east loop": (170, 90),  # (170, 80): 253.24
    }
    numbered = _number(boundary, shapely.Point(70, 0), paths, points)
    assert numbered["name"].tolist() == [
        "south-west", "just north of X", "north tip of the east loop", "east tip", "between X and the gate",
    ]  # fmt: skip
    first = 20 + 2 * SIDE
    expected = [
        20 + 0.5441 * SIDE,
        first + (1 - 0.0882) * SIDE,
        first + 2 * SIDE,
        first + 3 * SIDE,
        first + 5 * SIDE + 0.4706 * SIDE,
    ]
    assert numbered["order_key"].tolist() == pytest.approx(expected, abs=0.05)


def test_a_gate_at_a_dead_end_walks_the_tree_round_and_far_assets_keep_their_perimeter_place():
    # 200 × 120 m, gate in the east wall at (200, 60); the drive ends 5 m short of it at (195, 60) and
    # runs west to (20, 60); at (100, 60) one branch goes south to (100, 10), one north to (100, 110).
    # Walking in heading west, the leftmost turn at (100, 60) is south: the tour is gate → (100, 60)
    # [100] → south tip [150] → back [200] → west end [280] → back [360] → north tip [410] → back
    # [460] → gate [560]: south, west, north: clockwise seen from the east.
    boundary = shapely.box(0, 0, 200, 120)
    paths = _paths([(195, 60), (100, 60), (20, 60)], [(100, 60), (100, 10)], [(100, 60), (100, 110)])
    points = {
        "north branch": (95, 100),  # 360 + 40 = 400
        "on the drive": (150, 55),  # 5 + 45 = 50, on the way in
        # 45 m from the drive: off the walk. Perimeter: clockwise from (200, 60) down the east wall,
        # round, to (200, 105): 60 + 200 + 120 + 200 + 15 = 595 m of 640, × 560 m of walk = 520.6
        "north-east corner": (192, 105),
        "south branch": (105, 20),  # 100 + 40 = 140
        "west end": (30, 65),  # 200 + 70 = 270
    }
    numbered = _number(boundary, shapely.Point(200, 60), paths, points)
    assert numbered["name"].tolist() == [
        "on the drive",
        "south branch",
        "west end",
        "north branch",
        "north-east corner",
    ]
    assert numbered["order_key"].tolist() == pytest.approx([50, 140, 270, 400, 595 / 640 * 560], abs=1e-6)


@pytest.mark.parametrize(
    ("gate", "paths", "why"),
    [
        (
            (100, 0),
            [[(100, 0), (100, 60)], [(100, 60), (20, 60)]],
            f"only 2 walkable ways inside the compound (fewer than {MIN_WAYS})",
        ),
        (
            (0, 60),
            [[(150, 20), (150, 100)], [(150, 100), (180, 100)], [(180, 100), (180, 20)]],
            "the main gate is more than 40 m",
        ),
        (
            (100, 0),
            [[(100, 0), (100, 30)], [(20, 60), (60, 60)], [(60, 60), (60, 100)], [(60, 100), (20, 100)]],
            "only 1 of the 4 walkable ways inside the compound connect to the main gate",
        ),
    ],
)
def test_no_usable_network_says_why(gate, paths, why):
    loop, reason = walk_loop(shapely.box(0, 0, 200, 120), shapely.Point(gate), _paths(*paths))
    assert loop is None
    assert reason.startswith(why)


def test_only_ways_people_walk_are_walked():
    # A compound's roads layer as the inventory keeps it: a motorway slip and a road under construction
    # cross the site, but nobody walks them.
    line = shapely.LineString([(0, 0), (10, 0)])
    roads = gpd.GeoDataFrame(
        {
            "source_id": ["way/1", "way/2", "way/3", "way/4"],
            "name": "",
            "type": ["service", "motorway", "footway", "construction"],
        },
        geometry=[line] * 4,
        crs=UTM,
    )
    paths = walk_paths(roads)
    assert paths["source_id"].tolist() == ["way/1", "way/3"]
    assert paths["road"].tolist() == ["service", "footway"]


def test_walk_without_paths_is_a_clear_error():
    assets = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(50, 50)], crs=UTM)
    with pytest.raises(DataError, match="follows the compound's paths"):
        number_assets(assets, shapely.box(0, 0, 100, 100), shapely.Point(50, 0), method="walk")


def test_the_demo_compound_walked_from_its_south_east_gate(demo_inventory):
    """石科院生活区, numbered by hand along its paths (24 ways inside, all joined to 东南门).

    东南门 is in the south wall; the nearest path is the service road way/595098660 31 m north, whose
    west end is there. It runs east along the south side, north up the east side to y ≈ 736, then
    west to the long east–west road. The walk, by leftmost turns:

    1. 北京石油学院附属中学 (way/365816824), the school outside the east wall, 7 m from the east-side
       road: met going north there.
    2. 畅乐园 (way/595098643): on the main road, heading west, the first left turn is the diagonal
       footway south-west into the garden (the dead end 12 m north of the service road is walked
       before it, with nothing beside it).
    3. 社区健身器材 (way/595098640): 15 m south of the main road, met after the spur at x ≈ 837.
    4. The car park way/595098623, beside the main road west of the x ≈ 657 lane (the walk first
       takes the loop south of the road via y ≈ 665 and comes back up that lane).
    5. The car park way/595098587, beside the lane y ≈ 733 that the walk takes west from x ≈ 500
       (at (500, 700) the leftmost turn is north, then west).
    6, 7. 石科院小卖部 and the car park way/595098618 lie beside the short road y ≈ 700 between
       x ≈ 500 and 577, which is inside two loops and never walked: 31 and 35 m from the walk, more
       than the 30 m tolerance, so they keep their perimeter places, about half way round (the
       middle of the north wall), which on the 2,909 m walk falls between 5 and 8.
    8. 原幼儿园停车场 (way/594882341), 28 m west of the westernmost lane, walked south then back.
    9. 二食堂 (way/595098584), west of the same lane north of y ≈ 733.
    10. The bike shed against the north wall (way/595098585), beside the north road walked east.
    """
    walked = renumber(demo_inventory, method="walk")
    expected = [
        "way/365816824", "way/595098643", "way/595098640", "way/595098623", "way/595098587",
        "node/5671638103", "way/595098618", "way/594882341", "way/595098584", "way/595098585",
    ]  # fmt: skip
    assert walked.assets["source_id"].head(10).tolist() == expected
    record = walked.report["method_choice"]
    assert (walked.report["method"], record["asked"], record["method"]) == ("walk", "walk", "walk")
    assert record["ways_inside"] == record["ways_connected"] == 24
    assert sorted(record["off_walk"]) == ["node/5671638103", "way/595098618"]
    assert (record["assets_on_walk"], record["coverage"]) == (15, round(15 / 17, 3))
    assert record["max_off_m"] == MAX_OFF_M
    # The walk is at least the paths' outer outline; the clipped paths measure 2,674 m in all.
    assert 2674 < record["walk_m"] < 2 * 2674


def test_a_compound_with_no_paths_falls_back_to_the_perimeter_and_says_so(demo_inventory):
    bare = demo_inventory.__class__(
        assets=demo_inventory.assets,
        boundary=demo_inventory.boundary,
        gates=demo_inventory.gates,
        context={**demo_inventory.context, "roads": demo_inventory.context["roads"].iloc[:0]},
        report=demo_inventory.report,
    )
    walked = renumber(bare, method="walk")
    perimeter = renumber(demo_inventory, method="perimeter")
    assert walked.report["method"] == "perimeter"
    assert walked.report["method_choice"] == {
        "asked": "walk",
        "method": "perimeter",
        "reason": f"only 0 walkable ways inside the compound (fewer than {MIN_WAYS})",
    }
    assert walked.assets["source_id"].tolist() == perimeter.assets["source_id"].tolist()
