"""Survey files written the way planners' tools write them, around the demo compound.

The truth is real OSM geometry of 石科院生活区 (way/595108678, data/osm/beijing_haidian_qinghua-
east-rd.osm, © OpenStreetMap contributors, ODbL), rounded to 1e-7°, plus a few survey-only
assets placed inside it. Every writer starts from this WGS-84 truth, so a reader must give it
back within 0.5 m.

Zones, checked with pyproj: lon 116.35° lies in CGCS2000 3° Gauss-Krüger zone 39 (central
meridian 117°E): EPSG:4527 with the zone prefix (eastings 39 4xx xxx), EPSG:4548 without.
EPSG:4549 (CM 120°E, named in the issue) is the next zone east: the compound lies 2.2° west of
its area of use, as a drawing in a neighbouring zone does. UTM zone 50N is EPSG:32650.

Map of the truth (north up, about 760 m × 260 m)::

    +-------------------------------------------+  boundary 小区边界 (closed polyline)
    |  [1号楼]  [食堂]  配电室 ·       地下停车场 · |
    |  [停车场]           垃圾分类驿站 (text only)   |
    |  ~~~绿地 (hatch with a hole)~~~              |
    +-------------------------------- 东南门 ▲ ---+  gate (block insert, attribute NAME)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import ezdxf
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import LineString, Point, Polygon

from pipeline.core import schema as S
from pipeline.core.coords import wgs84_to_bd09, wgs84_to_gcj02

if TYPE_CHECKING:
    from pipeline.survey.result import SurveyResult

LON0, LAT0 = 116.347, 39.997
UTM = "EPSG:32650"

BOUNDARY = Polygon(
    [
        (116.3471433, 39.9971235),
        (116.3471634, 39.9968487),
        (116.3471796, 39.9966262),
        (116.3482417, 39.9966673),
        (116.3482551, 39.9965088),
        (116.348387, 39.9964857),
        (116.3483598, 39.9966591),
        (116.3493093, 39.9966509),
        (116.3492878, 39.9964865),
        (116.3501944, 39.9964865),
        (116.3513902, 39.996793),
        (116.3514389, 39.996807),
        (116.3521685, 39.9967906),
        (116.3533594, 39.996729),
        (116.3543933, 39.9967588),
        (116.3556875, 39.996807),
        (116.3556929, 39.9972714),
        (116.3559289, 39.9972838),
        (116.3558433, 39.9987725),
        (116.3551319, 39.9987759),
        (116.3551572, 39.9979107),
        (116.3525243, 39.997842),
        (116.3524659, 39.9980533),
        (116.3520851, 39.9980526),
        (116.3520582, 39.9983402),
        (116.3487848, 39.9982577),
        (116.3481955, 39.9982336),
        (116.3482376, 39.9973413),
        (116.3474973, 39.9973618),
        (116.3475081, 39.9971892),
        (116.34739, 39.9971194),
    ]
)
BUILDING_1 = Polygon(
    [(116.348955, 39.997859), (116.3489612, 39.9977245), (116.3496914, 39.9977315), (116.3496914, 39.9978802)]
)
CANTEEN = Polygon(
    [
        (116.3498387, 39.9981763),
        (116.3498622, 39.9978625),
        (116.3505824, 39.9978876),
        (116.3505379, 39.9981963),
    ]
)
PARKING = Polygon(
    [
        (116.3483706, 39.9977143),
        (116.3483749, 39.9976256),
        (116.348384, 39.9974367),
        (116.3483883, 39.9973471),
        (116.3487881, 39.9973606),
        (116.348777, 39.9977194),
    ]
)
GATE = Point(116.3543933, 39.9967588)  # 东南门, OSM node/5671590330
SHOP = Point(116.3501544, 39.9977046)  # 石科院小卖部, OSM node/5671638103
UNDERGROUND_PARKING = Point(116.3553482, 39.9987154)  # 地下停车场, OSM node/5672637337
SUBSTATION = Point(116.3510, 39.9975)  # survey-only
WASTE = Point(116.3530, 39.9976)  # survey-only, drawn as a text alone
GREEN = Polygon([(116.3505, 39.9967), (116.3520, 39.9969), (116.3520, 39.9973), (116.3505, 39.9972)])
GREEN_HOLE = Polygon([(116.3510, 39.9969), (116.3513, 39.9969), (116.3513, 39.9971), (116.3510, 39.9971)])
ROAD = LineString([(116.3475, 39.99715), (116.3550, 39.99730)])

#: Points with names and kinds, as a phone app or spreadsheet lists them.
POINTS = [
    ("石科院小卖部", "convenience", SHOP),
    ("地下停车场", "parking", UNDERGROUND_PARKING),
    ("配电室", "substation", SUBSTATION),
    ("垃圾分类驿站", "waste_point", WASTE),
]


def to_crs(geom: shapely.Geometry, crs: str) -> shapely.Geometry:
    """Project a WGS-84 geometry to ``crs``."""
    t = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))


def error_m(got: shapely.Geometry, truth: shapely.Geometry) -> float:
    """Hausdorff distance in metres between two WGS-84 geometries (in UTM 50N)."""
    return float(shapely.hausdorff_distance(to_crs(got, UTM), to_crs(truth, UTM)))


# ----------------------------------------------------------------------------- checks

#: How far from the truth a reader may place a feature, metres.
TOL_M = 0.5
#: The WGS-84 truth of every named feature, by name.
TRUTH = {name: geom for name, _, geom in POINTS} | {
    "1号楼": BUILDING_1,
    "石科院职工食堂": CANTEEN,
    "原幼儿园停车场": PARKING,
    "东南门": GATE,
}
#: What the demo DXF (:func:`write_dxf`) holds: (source layer, role, kind, name), sorted.
DXF_EXPECTED = [
    ("停车场", "asset", "parking", "原幼儿园停车场"),
    ("大门", "gate", "", "东南门"),
    ("小区边界", "boundary", "", ""),
    ("建筑", "asset", "canteen", "石科院职工食堂"),
    ("建筑", "building", "", "1号楼"),
    ("文字", "asset", "waste_point", "垃圾分类驿站"),
    ("绿地", "green", "", ""),
    ("道路", "road", "", ""),
    ("配电", "asset", "substation", "配电室"),
]


def feature_table(result: SurveyResult) -> list[tuple[str, str, str, str]]:
    """(source layer, role, kind, name) of every feature read, sorted, to compare with DXF_EXPECTED."""
    f = result.features
    return sorted(zip(f["layer"], f["role"], f["kind"], f["name"], strict=True))


def assert_positions(result: SurveyResult) -> None:
    """Every named feature of the truth lies within TOL_M of it; so do boundary and green."""
    f = result.features
    checked = 0
    for name, geom in zip(f[S.NAME], f.geometry, strict=True):
        if name in TRUTH:
            assert error_m(geom, TRUTH[name]) < TOL_M, name
            checked += 1
    for role, truth in (("boundary", BOUNDARY), ("green", GREEN.difference(GREEN_HOLE))):
        rows = f[f["role"] == role]
        if len(rows):
            assert error_m(rows.geometry.iloc[0], truth) < TOL_M, role
            checked += 1
    assert checked >= 4


# ----------------------------------------------------------------------------- DXF


def _local(epsg: str | None, *, angle_deg: float = 0.0, scale: float = 1.0):
    """Return a function mapping WGS-84 geometry to drawing coordinates.

    With ``epsg``: the projected coordinates. Without: Gauss-Krüger CM 117°E coordinates moved to
    an origin at the compound's south-west, rotated by ``angle_deg`` and multiplied by ``scale``
    (1000 for a drawing in millimetres), as a CAD drawing on its own grid.
    """
    crs = epsg or "EPSG:4548"
    t = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    e0, n0 = t.transform(116.3470, 39.9964)
    a = np.radians(angle_deg)

    def convert(coords: np.ndarray) -> np.ndarray:
        e, n = t.transform(coords[:, 0], coords[:, 1])
        if epsg:
            return np.column_stack([e, n])
        x, y = np.asarray(e) - e0, np.asarray(n) - n0
        return scale * np.column_stack([x * np.cos(a) - y * np.sin(a), x * np.sin(a) + y * np.cos(a)])

    return lambda g: shapely.transform(g, convert)


def write_dxf(
    path: Path,
    *,
    epsg: str | None = "EPSG:4548",
    angle_deg: float = 0.0,
    scale: float = 1.0,
    insunits: int = 6,
    version: str = "R2018",
) -> Path:
    """Write the compound as a surveyor's DXF: Chinese layer names, texts, a block, a hatch."""
    f = _local(epsg, angle_deg=angle_deg, scale=scale)
    doc = ezdxf.new(version)
    doc.header["$INSUNITS"] = insunits
    msp = doc.modelspace()
    for name in ("小区边界", "建筑", "停车场", "大门", "配电", "道路", "绿地", "文字", "TK", "尺寸"):
        doc.layers.add(name)
    h = 3.0 * scale  # text height in drawing units

    def xy(g: shapely.Geometry) -> list[tuple[float, float]]:
        return [tuple(c) for c in shapely.get_coordinates(f(g))]

    msp.add_lwpolyline(xy(BOUNDARY.exterior)[:-1], close=True, dxfattribs={"layer": "小区边界"})
    msp.add_lwpolyline(xy(BUILDING_1.exterior)[:-1], close=True, dxfattribs={"layer": "建筑"})
    msp.add_text("1号楼", height=h, dxfattribs={"layer": "文字"}).set_placement(
        xy(BUILDING_1.centroid)[0], align=ezdxf.enums.TextEntityAlignment.MIDDLE_CENTER
    )
    # The canteen outline repeats its first vertex instead of setting the closed flag.
    msp.add_lwpolyline(xy(CANTEEN.exterior), close=False, dxfattribs={"layer": "建筑"})
    mt = msp.add_mtext("石科院职工食堂", dxfattribs={"layer": "文字", "char_height": h})
    mt.set_location(xy(CANTEEN.centroid)[0], attachment_point=5)
    msp.add_lwpolyline(xy(PARKING.exterior)[:-1], close=True, dxfattribs={"layer": "停车场"})
    msp.add_text("原幼儿园停车场", height=h, dxfattribs={"layer": "文字"}).set_placement(
        xy(PARKING.centroid)[0], align=ezdxf.enums.TextEntityAlignment.MIDDLE_CENTER
    )
    block = doc.blocks.new("GATE")
    block.add_circle((0, 0), radius=h)
    block.add_attdef("NAME", (0, 0))
    msp.add_blockref("GATE", xy(GATE)[0], dxfattribs={"layer": "大门"}).add_auto_attribs({"NAME": "东南门"})
    msp.add_point(xy(SUBSTATION)[0], dxfattribs={"layer": "配电"})
    sx, sy = xy(SUBSTATION)[0]
    msp.add_text("配电室", height=h, dxfattribs={"layer": "文字", "insert": (sx + h, sy + h)})
    msp.add_lwpolyline(xy(ROAD), dxfattribs={"layer": "道路"})
    hatch = msp.add_hatch(dxfattribs={"layer": "绿地"})
    hatch.paths.add_polyline_path(xy(GREEN.exterior)[:-1], is_closed=True)
    hatch.paths.add_polyline_path(xy(GREEN_HOLE.exterior)[:-1], is_closed=True)
    wx, wy = xy(WASTE)[0]
    msp.add_text("垃圾分类驿站", height=h, dxfattribs={"layer": "文字"}).set_placement(
        (wx, wy), align=ezdxf.enums.TextEntityAlignment.MIDDLE_CENTER
    )
    msp.add_text("3.50", height=h, dxfattribs={"layer": "文字", "insert": (wx, wy + 40 * scale)})
    minx, miny, maxx, maxy = f(BOUNDARY).bounds
    msp.add_lwpolyline(
        [
            (minx - 50 * scale, miny - 50 * scale),
            (maxx + 50 * scale, miny - 50 * scale),
            (maxx + 50 * scale, maxy + 50 * scale),
            (minx - 50 * scale, maxy + 50 * scale),
        ],
        close=True,
        dxfattribs={"layer": "TK"},
    )
    msp.add_linear_dim(
        base=(minx, miny - 10 * scale), p1=(minx, miny), p2=(maxx, miny), dxfattribs={"layer": "尺寸"}
    ).render()
    doc.saveas(path)
    return path


def control_points_for(
    epsg_local: str | None = None,
    *,
    angle_deg: float,
    scale: float,
    names: tuple[str, ...] = ("西北角", "西南角", "东南角", "东北角", "食堂角"),
) -> pd.DataFrame:
    """Control points for a drawing made by :func:`write_dxf` without a CRS: drawing ↔ lon/lat."""
    f = _local(epsg_local, angle_deg=angle_deg, scale=scale)
    ground = [
        Point(116.3471433, 39.9971235),
        Point(116.3501944, 39.9964865),
        Point(116.3559289, 39.9972838),
        Point(116.3551319, 39.9987759),
        Point(116.3498387, 39.9981763),
    ]
    rows = []
    for name, g in zip(names, ground, strict=False):
        lx, ly = shapely.get_coordinates(f(g))[0]
        rows.append({"name": name, "local_x": lx, "local_y": ly, "lon": g.x, "lat": g.y})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- GIS files


def _frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    rows = [(n, k, g) for n, k, g in POINTS]
    rows += [("1号楼", "建筑", BUILDING_1), ("石科院职工食堂", "食堂", CANTEEN)]
    g = gpd.GeoDataFrame(
        {"名称": [r[0] for r in rows], "类型": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )
    return g.to_crs(crs)


def write_shapefile_zip(path: Path, tmp: Path, *, crs: str = "EPSG:4527") -> Path:
    """Write points and polygons as GBK Shapefiles with no .cpg (as old ArcGIS did), zipped."""
    frame = _frame(crs)
    folder = tmp / "shp"
    folder.mkdir()
    points = frame[frame.geom_type == "Point"]
    polygons = frame[frame.geom_type == "Polygon"]
    pyogrio.write_dataframe(points, folder / "设施点.shp", encoding="GBK")
    pyogrio.write_dataframe(polygons, folder / "建筑.shp", encoding="GBK")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(folder.iterdir()):
            z.write(part, f"测绘/{part.name}")
    return path


def write_kml(path: Path) -> Path:
    """Write the points and buildings with altitude (Z) through GDAL's KML driver.

    Names carry HTML as phone apps put it there; GDAL escapes it into the XML.
    """
    frame = _frame()
    frame["Name"] = [f"<b>{n}</b>" if i == 0 else n for i, n in enumerate(frame["名称"])]
    frame["geometry"] = shapely.force_3d(frame.geometry.to_numpy(), z=52.0)
    pyogrio.write_dataframe(frame[["Name", "geometry"]], path, driver="KML", layer="设施")
    return path


def write_kmz(path: Path) -> Path:
    """Write a KMZ the way apps do: a zipped doc.kml with CDATA HTML names and Z."""
    marks = "".join(
        f"<Placemark><name><![CDATA[<font color='red'>{n}</font> &amp; 测绘]]></name>"
        f"<Point><coordinates>{g.x},{g.y},48.5</coordinates></Point></Placemark>"
        for n, _, g in POINTS
    )
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Folder><name>设施</name>{marks}</Folder></Document></kml>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", doc)
    return path


def write_csv(path: Path, *, system: str, encoding: str) -> Path:
    """Write the points as copied from a Chinese map app: GCJ-02 (Gaode) or BD-09 (Baidu)."""
    lon = np.array([g.x for _, _, g in POINTS])
    lat = np.array([g.y for _, _, g in POINTS])
    convert = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09, "wgs84": lambda a, b: (a, b)}
    x, y = convert[system](lon, lat)
    table = pd.DataFrame(
        {
            "名称": [n for n, _, _ in POINTS],
            "经度": np.round(x, 8),
            "纬度": np.round(y, 8),
            "类型": ["", "", "配电", ""],
        }
    )
    table.to_csv(path, index=False, encoding=encoding)
    return path


def write_xlsx(path: Path) -> Path:
    """Write the points to a workbook (WGS-84), with a notes sheet that has no coordinates."""
    table = pd.DataFrame(
        {
            "name": [n for n, _, _ in POINTS],
            "lng": [g.x for _, _, g in POINTS],
            "lat": [g.y for _, _, g in POINTS],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="设施", index=False)
        pd.DataFrame({"说明": ["测绘单位: 示例"]}).to_excel(writer, sheet_name="说明", index=False)
    return path


def write_geojson(path: Path) -> Path:
    """Write a FeatureCollection in which two features share the id ``7``."""
    feats = []
    for i, (name, _, g) in enumerate(POINTS):
        feats.append(
            {
                "type": "Feature",
                "id": 7 if i < 2 else i,
                "properties": {"name": name},
                "geometry": shapely.geometry.mapping(g),
            }
        )
    feats.append({"type": "Feature", "id": 99, "properties": {"name": "空"}, "geometry": None})
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def write_gpkg(path: Path, *, crs: str = "EPSG:4548") -> Path:
    """Write a GeoPackage with a boundary layer and a facilities layer, in a projected CRS."""
    boundary = gpd.GeoDataFrame({"名称": ["石科院生活区"]}, geometry=[BOUNDARY], crs="EPSG:4326")
    pyogrio.write_dataframe(boundary.to_crs(crs), path, layer="小区边界")
    pyogrio.write_dataframe(_frame(crs), path, layer="设施", append=True)
    return path


# ----------------------------------------------------------------------------- CAD labels

#: A CASS-like 1:500 sheet in EPSG:4548 metres, relative to CASS_ORIGIN: point symbols on layer
#: DLDW (独立地物), notes on layer ZJ (注记), a building on JMD, a lawn on ZBTZ, a road edge on DLSS;
#: text height 1 m (2 mm at 1:500).
#: Each shape with the name and kind its label gives it, by construction (x, y of a point, or the
#: centre of a circle or building)::
#:
#:   y=60  S11 ▲ 便利店 (TEXT rotated 90°, upward)  · S12 decoy        S13 ▲   老槐树 (3 m off)
#:   y=40  S9 ○ 居民活动室/（二层） (MTEXT top-left)  · S16 decoy     [ S10 3号楼 (MTEXT centred) ]
#:                                                       [ G1 lawn: S18 ▲ 凉亭 …   中心绿地 (centred) ]
#:   y=20  S3 · 健身器材 · S4          S7 · 公共厕所 · S8   (each label 1 m from both points)
#:                                                                              ——— R1 road edge ———
#:   y=0   S1 ▲ 小区配电室（箱式变压器）…      垃圾分类收集点 ▲ S5      配电室 ▲ S14 配电箱   S17 ▲ 垃圾桶
#:                 ○ S2 快递柜 (3 m below the long label's middle)   S6 ▲ 自行车棚 (above S5's label)
CASS_ORIGIN = (444_491.0, 4_429_371.0)  # inside the demo compound, south of its canteen
CASS_SHAPES = [
    # (key, x, y, name, kind): the long left-aligned label is 0.8 m right of S1 by its box, while its
    # centre is nearer S2's circle (2.9 m) than S1 (6.8 m).
    ("S1", 0.0, 0.0, "小区配电室（箱式变压器）", "substation"),
    ("S2", 6.5, -3.0, "快递柜", "parcel_locker"),
    # A left-aligned label 1 m from a point on each side: the anchor (left) side wins the tie.
    ("S3", 0.0, 20.0, "健身器材", "fitness"),
    ("S4", 6.0, 20.0, "", ""),
    # A right-aligned label 1 m from a point on each side: the right side wins.
    ("S7", 14.0, 20.0, "", ""),
    ("S8", 20.0, 20.0, "公共厕所", "toilets"),
    # A right-aligned label to the left of its symbol; S6's own label is above, left-aligned.
    ("S5", 30.0, 0.0, "垃圾分类收集点", "waste_point"),
    ("S6", 25.7, 2.8, "自行车棚", "bicycle_parking"),
    # MTEXT attached top-left to the right of a circle; the decoy is where a box drawn upward would be.
    ("S9", 0.0, 40.0, "居民活动室 （二层）", "culture_station"),
    ("S16", 3.3, 42.5, "", ""),
    # MTEXT attached middle-centre inside a building, far from its walls: the building holding it.
    ("S10", 20.0, 40.0, "3号楼", ""),
    # TEXT rotated 90°: its box runs up from S11; unrotated it would lie 0.5 m from the decoy S12.
    ("S11", 0.0, 60.0, "便利店", "convenience"),
    ("S12", 2.5, 62.3, "", ""),
    # A label 3 m from the only symbol near it: reported, no asset, the symbol stays unnamed.
    ("S13", 40.0, 60.0, "", ""),
    # Two labels by one symbol: the nearer names it, the other is reported and makes no asset.
    ("S14", 60.0, 0.0, "配电箱", "substation"),
    # A symbol inside a lawn with its label beside it, both far from the lawn's edge: the symbol
    # takes it (the lawn's outline is 4 m away), and the lawn its own centred label.
    ("G1", 55.0, 40.0, "中心绿地", "garden"),
    ("S18", 45.0, 45.0, "凉亭", "pavilion"),
    # A label 0.35 m from a road edge and 0.9 m from its symbol: a text naming a kind names no road.
    ("R1", 82.5, 1.0, "", ""),
    ("S17", 80.0, 0.0, "垃圾桶", "waste_point"),
]
#: Texts that name nothing: (text, no shape within reach, anchor x, y relative to CASS_ORIGIN).
CASS_STRAYS = [("老槐树", True, 43.0, 60.15), ("配电室", False, 58.5, 0.15)]


def write_cass_sheet(path: Path) -> Path:
    """Write :data:`CASS_SHAPES` and their labels as a CASS drawing would hold them (see above)."""
    from ezdxf.enums import TextEntityAlignment as Align

    e0, n0 = CASS_ORIGIN
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for name in ("DLDW", "ZJ", "JMD", "ZBTZ", "DLSS"):
        doc.layers.add(name)
    symbol = doc.blocks.new("GC200")  # a CASS point symbol: a small triangle
    symbol.add_lwpolyline([(-0.4, -0.3), (0.4, -0.3), (0, 0.4)], close=True)
    pts = {key: (e0 + x, n0 + y) for key, x, y, *_ in CASS_SHAPES}

    def at(x: float, y: float) -> tuple[float, float]:
        return (e0 + x, n0 + y)

    def text(s: str, x: float, y: float, align: Align = Align.LEFT, **attribs: float) -> None:
        msp.add_text(s, height=1.0, dxfattribs={"layer": "ZJ", **attribs}).set_placement(
            at(x, y), align=align
        )

    for key in ("S1", "S5", "S6", "S11", "S13", "S14", "S17", "S18"):
        msp.add_blockref("GC200", pts[key], dxfattribs={"layer": "DLDW"})
    for key in ("S3", "S4", "S7", "S8", "S12", "S16"):
        msp.add_point(pts[key], dxfattribs={"layer": "DLDW"})
    msp.add_circle(pts["S2"], radius=0.3, dxfattribs={"layer": "DLDW"})
    msp.add_circle(pts["S9"], radius=0.5, dxfattribs={"layer": "DLDW"})
    msp.add_lwpolyline(
        [at(10, 34), at(30, 34), at(30, 46), at(10, 46)], close=True, dxfattribs={"layer": "JMD"}
    )
    text("小区配电室（箱式变压器）", 0.8, -0.35)  # box x 0.8 … 12.8, y -0.35 … 0.65
    text("快递柜", 7.1, -3.35)  # 0.3 m right of S2's circle
    text("健身器材", 1.0, 19.65)  # box x 1 … 5
    text("公共厕所", 19.0, 19.65, Align.RIGHT)  # box x 15 … 19
    text("垃圾分类收集点", 29.2, -0.35, Align.RIGHT)  # box x 22.2 … 29.2
    text("自行车棚", 26.3, 2.45)  # box x 26.3 … 30.3, y 2.45 … 3.45
    mt = msp.add_mtext("居民活动室\\P（二层）", dxfattribs={"layer": "ZJ", "char_height": 1.0})
    mt.set_location(at(0.8, 40.2), attachment_point=1)  # box x 0.8 … 5.8, y 37.53 … 40.2
    mt = msp.add_mtext("3号楼", dxfattribs={"layer": "ZJ", "char_height": 2.0})
    mt.set_location(at(20, 40), attachment_point=5)
    text("便利店", 0.35, 60.8, rotation=90.0)  # box x -0.65 … 0.35, y 60.8 … 63.8
    text("老槐树", 43.0, 59.65)  # 3 m right of S13
    text("配电箱", 60.6, -0.35)  # 0.6 m right of S14
    text("配电室", 58.5, -0.35, Align.RIGHT)  # 1.5 m left of S14
    msp.add_lwpolyline(
        [at(40, 30), at(70, 30), at(70, 50), at(40, 50)], close=True, dxfattribs={"layer": "ZBTZ"}
    )
    text("凉亭", 45.8, 44.65)  # box x 45.8 … 47.8: 0.8 m from S18, 4.35 m from the lawn's edge
    msp.add_text("中心绿地", height=2.0, dxfattribs={"layer": "ZJ"}).set_placement(
        at(55, 38), align=Align.MIDDLE_CENTER
    )
    msp.add_line(at(70, 1.0), at(95, 1.0), dxfattribs={"layer": "DLSS"})
    text("垃圾桶", 80.9, -0.35)  # box y -0.35 … 0.65: 0.35 m below the road edge
    doc.saveas(path)
    return path


def cass_table(result: SurveyResult) -> dict[str, tuple[str, str]]:
    """Key of :data:`CASS_SHAPES` → (name, kind) read back, matching shapes by position (1 cm)."""
    local = result.features.to_crs("EPSG:4548")
    centres = shapely.centroid(local.geometry.to_numpy())
    found: dict[str, tuple[str, str]] = {}
    for key, x, y, *_ in CASS_SHAPES:
        target = Point(CASS_ORIGIN[0] + x, CASS_ORIGIN[1] + y)
        hits = [i for i, c in enumerate(centres) if c.distance(target) < 0.01]
        assert len(hits) == 1, (key, len(hits))
        row = local.iloc[hits[0]]
        found[key] = (row[S.NAME], row[S.KIND])
    return found
