"""Hand-drawn compounds for the walking-network, coverage and sites tests.

Geometry is drawn in metres on a local grid whose origin is UTM zone 50N (EPSG:32650) 444000 E,
4427000 N (Haidian, Beijing), then turned into the WGS-84 feature frame :func:`pipeline.osm.read.read_osm`
returns, so :func:`pipeline.inventory.build.build_inventory` picks EPSG:32650 again and the grid comes back
to within a micrometre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from shapely import affinity

from pipeline.inventory.build import Inventory, build_inventory
from pipeline.sites.coverage import Coverage
from pipeline.sites.rank import find_sites

ORIGIN = (444000.0, 4427000.0)
LOCAL_CRS = "EPSG:32650"


@dataclass
class Scene:
    """Features drawn on the local grid: ``add(id, geometry, name, **tags)``."""

    rows: list[dict] = field(default_factory=list)

    def add(self, source_id: str, geom: shapely.Geometry, name: str = "", **tags: str) -> Scene:
        tags = {k.replace("__", ":"): str(v) for k, v in tags.items()}
        if name:
            tags["name"] = name
        self.rows.append(
            {"source": "osm", "source_id": source_id, "name": name, "tags": tags, "geometry": geom}
        )
        return self

    def local(self) -> gpd.GeoDataFrame:
        """The features on the grid, in metres relative to :data:`ORIGIN` (no CRS)."""
        return gpd.GeoDataFrame(self.rows, geometry="geometry")

    def frame(self) -> gpd.GeoDataFrame:
        """The features in WGS-84, as ``read_osm`` gives them."""
        moved = [affinity.translate(r["geometry"], *ORIGIN) for r in self.rows]
        frame = gpd.GeoDataFrame(self.rows, geometry=moved, crs=LOCAL_CRS)
        return frame.to_crs("EPSG:4326")


def at(x: float, y: float) -> shapely.Point:
    """A point on the grid, in the inventory's CRS (EPSG:32650)."""
    return shapely.Point(ORIGIN[0] + x, ORIGIN[1] + y)


def line(*xy: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString(xy)


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(x0, y0, x1, y1)


def walled_scene() -> Scene:
    """A narrow compound whose only gate is in the south; a kindergarten lies behind its north wall.

    ::

                      K (160,350) kindergarten, 10 m east of the north footway
                      |
                      | footway (150,205)-(150,400)
        ring road  ---+--- y=220, x 80..220 (residential)
                      |  (150,205)  outside end: 10 m of wall between the two ends, no gate
        +-------------.-------------+ y=200  compound 90..210 x 0..200
        |             | (150,195) inside end of the spine
        |             |  W (155,140) waste point
        |   door (160,150) of B1 [160..180 x 140..160]
        |  B2 [100..130 x 40..60], door (130,50)
        |             |
        |             | spine (service) (150,-20)-(150,195)
        +-------------G-------------+ y=0   gate G (150,0), barrier=gate
        ring road  ---+--- y=-20, x 80..220

    From B1's door to K is 200 m in a straight line. On foot, through the gate:
    door→spine 10 + spine to the gate 150 + gate to the ring 20 + round the ring 70 + 240 + 70 +
    up the footway 130 + to K 10 = **700 m**.
    """
    s = Scene()
    s.add("way/1", box(90, 0, 210, 200), "围墙小区", landuse="residential")
    s.add("node/10", shapely.Point(150, 0), "南门", barrier="gate")
    s.add("way/20", line((150, -20), (150, 0), (150, 150), (150, 195)), highway="service")
    s.add(
        "way/21",
        line((150, -20), (80, -20), (80, 220), (150, 220), (220, 220), (220, -20), (150, -20)),
        highway="residential",
    )
    s.add("way/22", line((150, 205), (150, 220), (150, 350), (150, 400)), highway="footway")
    s.add("way/30", box(160, 140, 180, 160), "1号楼", building="residential", building__levels="6")
    s.add("node/31", shapely.Point(160, 150), entrance="staircase")
    s.add("way/32", box(100, 40, 130, 60), "2号楼", building="residential", building__levels="6")
    s.add("node/33", shapely.Point(130, 50), entrance="staircase")
    s.add("node/40", shapely.Point(160, 350), "北边幼儿园", amenity="kindergarten")
    s.add("node/50", shapely.Point(155, 140), amenity="waste_disposal")
    return s


def lawn_scene(*, spots_near_lawn: bool = True) -> Scene:
    """A 300 × 200 m compound with a large lawn, a 3 m grass strip, a car park and no playground.

    ::

        +----------------------------------------------+ y=200
        |  R1 [20..60 x 120..140]   |    LAWN [180..230 x 125..165] (2,000 m2, grass)
        |                           |       * spots along its north edge (LAWN_SPOTS)
        |- - - - - - - path y=100 (10..290) - - - - - -|
        |  R2 [20..60 x 60..80]     |    R3 [240..280 x 60..80]
        |  strip [20..120 x 30..33] (3 m grass)       |
        |          P [60..90 x 8..28] car park        |
        +----------------------G-----------------------+ y=0, gate G (150,0)
        ring road round it at 20 m

    No playground anywhere, so none is within 300 m; the lawn can hold one.
    """
    s = Scene()
    s.add("way/1", box(0, 0, 300, 200), "草坪小区", landuse="residential")
    s.add("node/10", shapely.Point(150, 0), "南门", barrier="gate")
    s.add("way/20", line((150, -20), (150, 0), (150, 100), (150, 190)), highway="service")
    s.add("way/21", line((10, 100), (150, 100), (290, 100)), highway="footway")
    s.add(
        "way/22",
        line((150, -20), (-20, -20), (-20, 220), (320, 220), (320, -20), (150, -20)),
        highway="residential",
    )
    s.add("way/30", box(20, 120, 60, 140), "1号楼", building="residential", building__levels="6")
    s.add("way/31", box(20, 60, 60, 80), "2号楼", building="residential", building__levels="6")
    s.add("way/32", box(240, 60, 280, 80), "3号楼", building="residential", building__levels="6")
    s.add("way/33", box(240, 120, 280, 140), "4号楼", building="residential", building__levels="6")
    s.add("way/40", box(180, 125, 230, 165), landuse="grass")
    s.add("way/41", box(20, 30, 120, 33), landuse="grass")
    s.add("way/42", box(60, 8, 90, 28), amenity="parking", parking="surface")
    return s


#: Six residents' spots along the lawn's north edge (y = 172, 7 m off it), with 6 supports between them.
LAWN_SPOTS = gpd.GeoDataFrame(
    {"supports": [2, 0, 1, 3, 0, 0], "votes": 0},
    geometry=[at(185 + 8 * i, 172) for i in range(6)],
    crs=LOCAL_CRS,
)


def lawn_sites() -> tuple[Inventory, Coverage, gpd.GeoDataFrame]:
    """The inventory, coverage and ranked candidate sites of :func:`lawn_scene` with LAWN_SPOTS."""
    features = lawn_scene().frame()
    inventory = build_inventory(features, compound="way/1")
    # Four buildings on 6 ha would be a thin map; the drawn scene is complete, so trust it.
    coverage, sites = find_sites(inventory, features, spots=LAWN_SPOTS, min_housing_share=0.0)
    return inventory, coverage, sites
