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
