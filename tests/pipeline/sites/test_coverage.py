"""Coverage against GB 50180-2018: walls, weights, hand-measured demo distances, service areas."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import shapely

from pipeline.core.words import coverage_note_text
from pipeline.inventory.build import build_inventory
from pipeline.sites.coverage import assess_coverage, coverage_summary, service_areas
from pipeline.sites.standards import read_standards
from tests.helpers.walk_scene import at, line, walled_scene


def dist(coverage, building: str, kind: str) -> float:
    row = coverage.access[(coverage.access["source_id"] == building) & (coverage.access["kind"] == kind)]
    return float(row["dist_m"].iloc[0])


@pytest.fixture(scope="module")
def walled():
    """tests/helpers/walk_scene.walled_scene, plus two facilities nobody reaches.

    - its waste point W (155,140), 5 m east of the spine (radius 70 m): 1号楼's door is 10 + 10 + 5 = 25 m
      away (covered), 2号楼's 20 + 90 + 5 = 115 m (not covered);
    - a clinic at (600,600), 480 m from every path: off the network;
    - toilets by an isolated footway (500,0)-(520,0): on the network, reached by nobody.
    """
    scene = walled_scene()
    scene.add("node/51", shapely.Point(600, 600), amenity="clinic")
    scene.add("way/52", line((500, 0), (520, 0)), highway="footway")
    scene.add("node/53", shapely.Point(510, 2), amenity="toilets")
    features = scene.frame()
    inventory = build_inventory(features, compound="way/1")
    # A drawn scene: two buildings on 2.4 ha would be a thin map; it is complete, so trust it.
    return inventory, features, assess_coverage(inventory, features, min_housing_share=0.0)


def test_facility_behind_the_wall_counts_as_the_walk_through_the_gate(walled):
    """The kindergarten is 200 m from 1号楼's door in a straight line and 700 m through the gate."""
    inventory, _, coverage = walled
    door = at(160, 150)
    kindergarten = inventory.assets  # it is outside the 50 m asset radius: found in the features
    assert kindergarten[kindergarten["kind"] == "kindergarten"].empty
    assert door.distance(at(160, 350)) == pytest.approx(200.0)
    assert dist(coverage, "way/30", "kindergarten") == pytest.approx(700.0, abs=0.1)
    # 2号楼's door (130,50): 20 to the spine + 50 down + 20 + 380 round the ring + 130 + 10.
    assert dist(coverage, "way/32", "kindergarten") == pytest.approx(610.0, abs=0.1)
    row = coverage.table.set_index("kind").loc["kindergarten"]
    assert (row["buildings_covered"], row["share_covered"], row["status"]) == (0, 0.0, "gap")


def test_share_is_weighted_by_floor_area_else_households(walled):
    """Waste point: 1号楼 covered (25 m), 2号楼 not (115 m > 70 m).

    Floor area: 1号楼 20 x 20 x 6 = 2,400 m², 2号楼 30 x 20 x 6 = 3,600 m²: share 0.4.
    Households 30 and 10: share 0.75.
    """
    inventory, features, coverage = walled
    assert dist(coverage, "way/30", "waste_point") == pytest.approx(25.0, abs=0.1)
    assert dist(coverage, "way/32", "waste_point") == pytest.approx(115.0, abs=0.1)
    row = coverage.table.set_index("kind").loc["waste_point"]
    assert (row["share_covered"], row["status"], row["weight_basis"]) == (0.4, "partial", "floor_area_m2")
    by_households = assess_coverage(
        inventory, features, weights={"way/30": 30, "way/32": 10}, min_housing_share=0.0
    )
    row = by_households.table.set_index("kind").loc["waste_point"]
    assert (row["share_covered"], row["weight_basis"]) == (0.75, "households")


def test_summary_row_for_a_city_table(walled):
    _, _, coverage = walled
    row = coverage_summary(coverage.table)
    assert row["coverage_waste_point"] == 0.4
    assert row["coverage_kindergarten"] == 0.0
    assert row["gap_kinds"] == int((coverage.table["status"] == "gap").sum())
    assert row["gaps"].split(", ")[0] == coverage.table.loc[coverage.table["status"] == "gap", "kind"].iloc[0]
    assert "waste_point" not in row["gaps"].split(", ")


def test_unreachable_facilities_are_explained_not_fatal(walled):
    _, _, coverage = walled
    table = coverage.table.set_index("kind")
    assert coverage_note_text(table.loc["clinic"], "en") == "1 off the walking network: node/51"
    assert coverage_note_text(table.loc["toilets"], "en") == "none reachable on foot from the compound"
    assert coverage_note_text(table.loc["clinic"], "zh") == "1 处不在步行网络上：node/51"
    assert pd.isna(dist(coverage, "way/30", "toilets"))
    assert table.loc["toilets", "status"] == "gap"


def test_service_area_follows_the_paths(walled):
    """The kindergarten's 300 m area reaches up its footway but not into the compound 150 m south."""
    _, _, coverage = walled
    areas = service_areas(coverage.area, read_standards()).set_index("kind")
    polygon = areas.loc["kindergarten", "geometry"]
    assert polygon.contains(at(150, 390))
    assert polygon.contains(at(150, 230))
    assert not polygon.contains(at(150, 150))
    assert areas.loc["elderly_care", "geometry"].is_empty


def test_demo_distances_match_the_ways_measured_by_hand(demo_features, demo_inventory):
    """Two buildings of 石科院生活区, measured along the OSM ways they use.

    - 17号楼 (way/594889494) to the community service station 多用厅 (node/5672637049): from the
      point of 17号楼's outline nearest the service road way/594874238, straight to that road, along
      it to the point nearest the station, then straight to the station (about 131 m).
    - 10号楼 (way/594886651) to the car park 原幼儿园停车场 (way/594882341): from 10号楼's outline to
      way/594874227, along it, then to the car park's outline (about 60 m).

    The expected lengths are computed here from the ways' geometry with shapely alone
    (``nearest_points`` and ``line_locate_point``), not with the network.
    """
    local = demo_features.to_crs(demo_inventory.crs).set_index("source_id").geometry
    coverage = assess_coverage(demo_inventory, demo_features)

    def by_hand(building: str, facility: str, way: str) -> float:
        road, target = local[way], local[facility]
        start, on_road = shapely.ops.nearest_points(local[building].boundary, road)
        end_on_road = shapely.ops.nearest_points(
            target if target.geom_type == "Point" else target.boundary, road
        )
        along = abs(road.project(on_road) - road.project(end_on_road[1]))
        return start.distance(on_road) + along + end_on_road[0].distance(end_on_road[1])

    expected = by_hand("way/594889494", "node/5672637049", "way/594874238")
    assert expected == pytest.approx(131.2, abs=0.5)
    assert dist(coverage, "way/594889494", "community_service") == pytest.approx(expected, abs=0.1)
    expected = by_hand("way/594886651", "way/594882341", "way/594874227")
    assert expected == pytest.approx(60.3, abs=0.5)
    assert dist(coverage, "way/594886651", "parking") == pytest.approx(expected, abs=0.1)
    assert set(coverage.area.buildings["name"]) == {f"{n}号楼" for n in (1, 6, 10, 11, 17, 19, 20, 21)}


def test_without_features_the_inventory_context_is_used(walled, caplog):
    inventory, _, _ = walled
    with caplog.at_level(logging.WARNING):
        coverage = assess_coverage(inventory)
    assert "No feature frame given" in caplog.text
    # Doors are not known without the features: 1号楼 is reached on its west wall (x=160, y 140..160),
    # at the point nearest the spine: 10 m to it, up to 20 m along it, 5 m to the waste point.
    assert 15.0 - 0.1 <= dist(coverage, "way/30", "waste_point") <= 35.0 + 0.1
    assert pd.isna(dist(coverage, "way/30", "kindergarten"))
