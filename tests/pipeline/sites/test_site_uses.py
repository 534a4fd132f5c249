"""Sites that make sense, on drawn compounds: shape, sunlight spacing, greedy ranking, thin maps.

Every expected use and rank is reasoned by hand from the drawing below (:func:`homes`)::

    +------------------------------------------------------------+ y=160   compound 0..260 x 0..160
    |  H1 [20..60 x 110..125]      |            H2 [200..240 x 110..125]
    |- - - - - - - - - - footway y=100 (10..250) - - - - - - - - |
    |                              | spine (service) x=130
    |  H3 [20..60 x 15..30]        |            H4 [200..240 x 15..30]
    +------------------------------G-----------------------------+ y=0, gate G (130,0)
    ring road round it at 20 m

A primary school just south (an asset, no kind of the 5-minute circle or block). Four homes of 6 storeys (18 m high, 40 x 15 m): their sunlight spacing is the ground north of each,
1.7 x 18 = 30.6 m deep. No facility is mapped anywhere, so every kind is missing for every home,
and every site below reaches all four homes within 300 m on foot (the compound is 260 m across).
Leftover corners are switched off (``max_leftover_m2=0``) so only the drawn sites compete.
"""

from __future__ import annotations

import pytest
import shapely
from shapely import affinity

from pipeline.inventory.build import build_inventory
from pipeline.sites.candidates import SiteOptions
from pipeline.sites.coverage import assess_coverage, coverage_summary
from pipeline.sites.rank import OPEN_AIR, SiteWeights, find_sites, rank_sites
from pipeline.sites.spacing import spacing_zone
from tests.helpers.walk_scene import Scene, box, lawn_scene, line

ONLY_DRAWN = SiteOptions(max_leftover_m2=0.0)
BUILT = {"property_management", "convenience", "parcel_locker", "childcare", "community_service", "elderly_care",
         "culture_station", "clinic", "canteen", "recycling", "waste_station", "toilets"}  # fmt: skip


def homes(h1: dict[str, str] | None = None) -> Scene:
    s = Scene()
    s.add("way/1", box(0, 0, 260, 160), "间距小区", landuse="residential")
    s.add("node/10", shapely.Point(130, 0), "南门", barrier="gate")
    s.add("way/20", line((130, -20), (130, 0), (130, 100), (130, 150)), highway="service")
    s.add("way/21", line((10, 100), (130, 100), (250, 100)), highway="footway")
    s.add(
        "way/22",
        line((130, -20), (-20, -20), (-20, 180), (280, 180), (280, -20), (130, -20)),
        highway="residential",
    )
    # An asset, of no kind coverage counts.
    s.add("node/90", shapely.Point(100, -10), "间距小学", amenity="school")
    tall = {"building": "residential", "building__levels": "6"}
    s.add("way/30", box(20, 110, 60, 125), "1号楼", **(h1 or tall))
    s.add("way/31", box(200, 110, 240, 125), "2号楼", **tall)
    s.add("way/32", box(20, 15, 60, 30), "3号楼", **tall)
    s.add("way/33", box(200, 15, 240, 30), "4号楼", **tall)
    return s


def sites_of(scene: Scene):
    features = scene.frame()
    inventory = build_inventory(features, compound="way/1")
    _, sites = find_sites(inventory, features, options=ONLY_DRAWN, min_housing_share=0.0)
    return sites.set_index("source_id")


def test_a_large_lawn_comes_before_a_thin_strip_for_the_missing_playground():
    """Lawn way/40: 50 x 40 m (2,000 m², 40 m wide), fit 1. Strip way/41: 110 x 10 m (1,100 m²), fit
    min(1, 1100/800) x min(1, 10/20) = 0.5.

    The lawn brings all the housing a playground: value 1, so it ranks first and takes it. The strip
    then has no playground gap left; its best is outdoor fitness at 0.5 (fitness and the sports
    ground tie at 0.5, fitness comes first in the standards' order, at the block level).
    """
    scene = homes().add("way/40", box(150, 40, 200, 80), landuse="grass")
    scene.add("way/41", box(10, 75, 120, 85), landuse="grass")
    sites = sites_of(scene)
    lawn, strip = sites.loc["way/40"], sites.loc["way/41"]
    assert (lawn["rank"], strip["rank"]) == (1, 2)
    assert lawn["uses"]["kinds"] == ["playground", "fitness", "sports_ground"]
    assert lawn["gap"] == pytest.approx(1.0)
    assert strip["width_m"] == pytest.approx(10.0, abs=0.3)
    assert strip["uses"]["kinds"][0] == "fitness"
    assert strip["gap"] == pytest.approx(0.5, abs=0.02)
    # The shape decides within the gap part itself, not only through suitability.
    gap_only = rank_sites(sites.reset_index(), SiteWeights(demand=0, gap=1, suitability=0, profile=0))
    assert list(gap_only["source_id"]) == ["way/40", "way/41"]


def test_greedy_ranking_gives_the_first_sites_different_uses():
    """Three vacant plots of 30 x 30 m, all outside sunlight spacing, each reaching every home.

    Every kind is missing; ties between full values go by the standards' order (block level first:
    property management, playground, fitness, convenience store, parcel delivery, …). The first site
    takes property management; for the second it is filled, so it takes the playground; the third
    outdoor fitness. Each lists three uses, none already taken by a site above it.
    """
    scene = homes()
    scene.add("way/50", box(140, 40, 170, 70), landuse="brownfield")
    scene.add("way/51", box(70, 40, 100, 70), landuse="brownfield")
    scene.add("way/52", box(80, 120, 110, 150), landuse="brownfield")
    sites = sites_of(scene).sort_values("rank")
    assert [u["kinds"] for u in sites["uses"]] == [
        ["property_management", "playground", "fitness"],
        ["playground", "fitness", "convenience"],
        ["fitness", "convenience", "parcel_locker"],
    ]
    assert [r["fills"] for r in sites["reason"]] == ["property_management", "playground", "fitness"]
    assert list(sites["score"]) == sorted(sites["score"], reverse=True)


@pytest.mark.parametrize(
    ("h1", "in_spacing"),
    [
        ({"building": "residential", "building__levels": "6"}, True),  # 18 m: 30.6 m deep, to y=155.6
        ({"building": "residential", "building__levels": "1"}, False),  # 3 m: 5.1 m deep, to y=130.1
        ({"building": "residential", "building__levels": "6", "height": "2.5 m"}, False),  # the tag wins
    ],
)
def test_ground_in_a_homes_sunlight_spacing_takes_outdoor_uses_only(h1, in_spacing):
    """Plot way/60 [20..60 x 131..151], 6 m north of 1号楼 (roof at y=125), 40 x 20 m.

    Under a 6-storey 1号楼 it lies wholly in its spacing: only open-air uses (grounds, bicycle racks,
    bins), no kiosk or building. Under a 1-storey one, or one tagged 2.5 m high, it is clear, and
    property management (first in the standards' order, no size) is its first use.
    """
    scene = homes(h1).add("way/60", box(20, 131, 60, 151), landuse="brownfield")
    plot = sites_of(scene).loc["way/60"]
    kinds = plot["uses"]["kinds"]
    assert len(kinds) == 3
    if in_spacing:
        assert plot["spacing_share"] == 1.0 and plot["room_m2"] == 0
        assert set(kinds) <= OPEN_AIR and not set(kinds) & BUILT
        # Full value for all four homes, in the standards' order; bins (70 m) reach fewer.
        assert kinds == ["playground", "fitness", "bicycle_parking"]
    else:
        assert plot["spacing_share"] == 0.0 and plot["room_m2"] == 800
        assert kinds[0] == "property_management"


def test_spacing_zone_is_the_ground_a_footprint_sweeps_north():
    """A 40 x 20 box swept 30.6 m north covers the box [0..40 x 20..50.6]; an L-shaped footprint's sweep
    matches the union of 400 copies of it moved north step by step (an independent construction).
    """
    zone = spacing_zone([shapely.box(0, 0, 40, 20)], [30.6])
    assert zone.symmetric_difference(shapely.box(0, 20, 40, 50.6)).area < 1e-6
    ell = shapely.Polygon([(0, 0), (30, 0), (30, 10), (10, 10), (10, 25), (0, 25)])
    steps = shapely.union_all([affinity.translate(ell, 0, 20 * i / 400) for i in range(401)])
    expected = steps.difference(ell)
    got = spacing_zone([ell], [20.0])
    assert got.area == pytest.approx(expected.area, abs=0.01)
    assert got.symmetric_difference(expected).area < 0.01


def test_a_thin_map_says_not_mapped_and_asks_for_a_survey():
    """The lawn scene: 4 homes of 40 x 20 m on a 300 x 200 m compound cover 3,200 / 60,000 = 5.3 % of
    its ground, under the 10 % threshold: the playground none reaches is "not mapped", not a gap.
    Trusted down to 5 %, the same map has a playground gap.
    """
    features = lawn_scene().frame()
    inventory = build_inventory(features, compound="way/1")
    thin = assess_coverage(inventory, features)
    assert thin.density.thin and thin.density.buildings == 4
    assert thin.density.housing_share == pytest.approx(3200 / 60000, abs=0.001)
    table = thin.table.set_index("kind")
    assert table.loc["playground", "status"] == "unmapped"
    assert "gap" not in set(table["status"])
    row = coverage_summary(thin.table)
    assert row["unmapped_kinds"] == (table["status"] == "unmapped").sum() > 0
    trusted = assess_coverage(inventory, features, min_housing_share=0.05)
    assert not trusted.density.thin
    assert trusted.table.set_index("kind").loc["playground", "status"] == "gap"
