"""Reading survey files made by the libraries planners' tools use; see ``survey_files.py``.

Every position must come back within 0.5 m of the WGS-84 truth and every name in Chinese.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from pipeline.cli.survey import add_parser, parse_layers
from pipeline.core import schema as S
from pipeline.core.errors import CRSError, DataError, InputFileError
from pipeline.survey.base import clean_text, looks_mojibake
from pipeline.survey.formats.archive import ZipLimits, check_zip
from pipeline.survey.layers import load_layer_mapping
from pipeline.survey.read import SURVEY_COLUMNS, SurveyLimits, read_survey, write_survey
from tests.helpers.survey_files import (
    BOUNDARY,
    BUILDING_1,
    CANTEEN,
    GATE,
    GREEN,
    GREEN_HOLE,
    PARKING,
    POINTS,
    control_points_for,
    error_m,
    write_csv,
    write_dxf,
    write_geojson,
    write_gpkg,
    write_kml,
    write_kmz,
    write_shapefile_zip,
    write_xlsx,
)

TOL_M = 0.5
TRUTH = {name: geom for name, _, geom in POINTS} | {
    "1号楼": BUILDING_1,
    "石科院职工食堂": CANTEEN,
    "原幼儿园停车场": PARKING,
    "东南门": GATE,
}

#: What the demo DXF holds, by source layer: (role, kind, name), sorted.
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


def _table(result) -> list[tuple[str, str, str, str]]:
    f = result.features
    return sorted(zip(f["layer"], f["role"], f["kind"], f["name"], strict=True))


def _assert_positions(result) -> None:
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


# --------------------------------------------------------------------------- DXF


@pytest.mark.parametrize("epsg", ["EPSG:4548", "EPSG:4549"])
def test_dxf_in_gauss_kruger(tmp_path, epsg):
    """EPSG:4548 is the compound's own zone (CM 117°E); 4549 (CM 120°E) the neighbour east."""
    result = read_survey(write_dxf(tmp_path / "survey.dxf", epsg=epsg), crs=epsg)
    assert _table(result) == DXF_EXPECTED
    _assert_positions(result)
    f = result.features
    assert list(f.columns) == [*SURVEY_COLUMNS, "geometry"]
    assert f.crs.to_epsg() == 4326
    assert set(f[S.SOURCE]) == {"survey"}
    assert all(re.fullmatch(r"[^:]+:[0-9A-F]+", sid) for sid in f[S.SOURCE_ID])
    green = f.loc[f["role"] == "green"].geometry.iloc[0]
    assert len(green.interiors) == 1  # the hatch's hole stays a hole
    assert result.units == "$INSUNITS 6 (Meters)"
    assert result.crs.startswith(epsg)
    not_read = {i.what: i.note for i in result.not_read}
    assert not_read["layer TK"] == "ignored by the layer mapping"
    assert not_read["layer 尺寸"] == "ignored by the layer mapping"
    assert "numbers only" in not_read["texts without words"]
    assert f.loc[f[S.NAME] == "石科院职工食堂", S.CATEGORY].item() == "facility"


def test_dxf_in_local_millimetres_registered_from_control_points(tmp_path):
    """A drawing on its own grid, rotated 27.5°, in millimetres, placed by five control points."""
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=27.5, scale=1000, insunits=4)
    with pytest.raises(CRSError, match=r"(?s)does not say which coordinate system.*control points"):
        read_survey(path)
    cp = tmp_path / "控制点.csv"
    control_points_for(angle_deg=27.5, scale=1000).to_csv(cp, index=False, encoding="utf-8-sig")
    result = read_survey(path, control_points=cp, near=BOUNDARY)
    assert _table(result) == DXF_EXPECTED
    _assert_positions(result)
    reg = result.registration
    assert reg is not None
    assert reg.scale == pytest.approx(0.001, rel=1e-3)
    assert reg.rms_m < 0.01
    assert result.crs.startswith("local drawing coordinates, registered from 5 control points")
    assert not result.warnings


def test_dxf_units_that_disagree_with_the_fit_are_reported(tmp_path):
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=0, scale=1000, insunits=6)
    result = read_survey(path, control_points=control_points_for(angle_deg=0, scale=1000))
    assert any("probably drawn in millimetres" in w for w in result.warnings)


def test_dxf_control_points_over_tolerance_name_the_point(tmp_path):
    path = write_dxf(tmp_path / "local.dxf", epsg=None, angle_deg=10, scale=1)
    cp = control_points_for(angle_deg=10, scale=1)
    cp.loc[2, "local_x"] += 8.0  # a typo in 东南角
    with pytest.raises(DataError, match=r"(?s)over the tolerance of 1 m.*东南角"):
        read_survey(path, control_points=cp)
    result = read_survey(path, control_points=cp, tolerance_m=5.0)
    assert result.registration.residuals.set_index("name")["residual_m"].idxmax() == "东南角"


def test_dxf_control_points_refused_for_a_georeferenced_file(tmp_path):
    cp = control_points_for(angle_deg=0, scale=1)
    with pytest.raises(DataError, match="already georeferenced"):
        read_survey(write_kml(tmp_path / "a.kml"), control_points=cp)


def test_dxf_old_codepage_and_unicode_escapes(tmp_path):
    """An R2000 file: ezdxf writes ``\\U+XXXX``; AutoCAD in China writes GBK (ANSI_936)."""
    escaped = write_dxf(tmp_path / "escaped.dxf", version="R2000")
    raw = escaped.read_bytes()
    assert b"\\U+" in raw
    gbk = tmp_path / "gbk.dxf"
    gbk.write_bytes(
        re.sub(
            rb"\\U\+([0-9a-fA-F]{4})",
            lambda m: chr(int(m.group(1), 16)).encode("gbk"),
            raw.replace(b"ANSI_1252", b"ANSI_936"),
        )
    )
    for path in (escaped, gbk):
        result = read_survey(path, crs="EPSG:4548")
        assert _table(result) == DXF_EXPECTED, path.name


def test_dxf_with_only_open_lines_is_refused(tmp_path):
    import ezdxf

    doc = ezdxf.new("R2018")
    doc.modelspace().add_lwpolyline([(0, 0), (10, 0), (10, 10)], dxfattribs={"layer": "围墙"})
    doc.saveas(tmp_path / "lines.dxf")
    with pytest.raises(DataError, match=r"no closed shape, point or block insert.*PEDIT"):
        read_survey(tmp_path / "lines.dxf", crs="EPSG:4548")


def test_not_a_dxf_and_dwg(tmp_path):
    bad = tmp_path / "bad.dxf"
    bad.write_text("this is not a drawing\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"`bad\.dxf` is not a readable DXF"):
        read_survey(bad, crs="EPSG:4548")
    dwg = tmp_path / "a.dwg"
    dwg.write_bytes(b"AC1032" + b"\0" * 100)
    with pytest.raises(InputFileError, match="DWG, AutoCAD's closed binary format"):
        read_survey(dwg, crs="EPSG:4548")


def test_dxf_wrong_zone_is_refused_with_the_right_one_suggested(tmp_path):
    path = write_dxf(tmp_path / "prefix.dxf", epsg="EPSG:4527")
    with pytest.raises(CRSError, match=r"(?s)cannot be in EPSG:4548.*`--crs EPSG:4527`"):
        read_survey(path, crs="EPSG:4548")
    with pytest.raises(CRSError, match=r"(?s)does not say.*`--crs EPSG:4527`"):
        read_survey(path)


# --------------------------------------------------------------------------- Shapefile


def test_zipped_shapefile_in_gbk_without_cpg(tmp_path):
    result = read_survey(write_shapefile_zip(tmp_path / "测绘.zip", tmp_path))
    _assert_positions(result)
    f = result.features.sort_values(S.SOURCE_ID)
    assert f[S.NAME].tolist() == [
        "1号楼",
        "石科院职工食堂",
        "石科院小卖部",
        "地下停车场",
        "配电室",
        "垃圾分类驿站",
    ]
    assert f[S.KIND].tolist() == ["", "canteen", "convenience", "parking", "substation", "waste_point"]
    assert f[S.SOURCE_ID].tolist() == ["建筑:0", "建筑:1", "设施点:0", "设施点:1", "设施点:2", "设施点:3"]
    assert sum("has no .cpg" in w and "GB18030" in w for w in result.warnings) == 2
    assert result.crs.startswith("EPSG:4527")


def test_shapefile_without_prj_or_dbf(tmp_path):
    path = write_shapefile_zip(tmp_path / "a.zip", tmp_path)
    for drop, error, match in (
        (".prj", CRSError, "does not say which coordinate system"),
        (".dbf", InputFileError, "`建筑.shp` has no `建筑.dbf`"),
    ):
        out = tmp_path / f"no{drop[1:]}.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if not info.filename.endswith(drop):
                    dst.writestr(info, src.read(info))
        with pytest.raises(error, match=match):
            read_survey(out)
    result = read_survey(tmp_path / "noprj.zip", crs="EPSG:4527")
    _assert_positions(result)


def test_zip_member_names_in_gbk_are_decoded(tmp_path):
    """Zips made on Chinese Windows store GBK names without the UTF-8 flag."""

    class GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):
            return self.filename.encode("gbk"), self.flag_bits

    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(GbkInfo("小区/设施点.shp"), b"x")
    assert [name for _, name in check_zip(path)] == ["小区/设施点.shp"]


@pytest.mark.parametrize(
    ("members", "limits", "match"),
    [
        ({f"f{i}.txt": b"x" for i in range(6)}, ZipLimits(max_members=5), "holds 6 members"),
        ({"../../etc/passwd.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"/abs.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"C:/a.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"inner.zip": b"PK"}, ZipLimits(), "holds another archive"),
        ({"bomb.shp": b"\0" * 5_000_000}, ZipLimits(), "compressed .*:1"),
        ({"big.shp": b"\0" * 2000}, ZipLimits(max_member_bytes=1000), "more than the 1,000"),
        ({"a.shp": b"1" * 800, "b.shp": b"2" * 800}, ZipLimits(max_total_bytes=1000), "unpacks to 1,600"),
    ],
)
def test_unsafe_zips_are_refused_before_extracting(tmp_path, members, limits, match):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(InputFileError, match=match):
        read_survey(path, limits=SurveyLimits(zip=limits))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip"]


def test_zip_member_that_lies_about_its_size(tmp_path):
    """Patch the declared size below the real one: the copy stops at the declared size."""
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.shp", b"A" * 1000)
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"`liar\.zip` member `a\.shp` cannot be unpacked"):
        read_survey(path)


# --------------------------------------------------------------------------- KML, CSV, XLSX


def test_kml_from_gdal_with_z_and_html_names(tmp_path):
    result = read_survey(write_kml(tmp_path / "a.kml"))
    f = result.features
    assert not f.geometry.has_z.any()
    assert "石科院小卖部" in f[S.NAME].tolist()  # was <b>石科院小卖部</b>
    _assert_positions(result)
    assert any(i.note == "altitude (Z) dropped" for i in result.read)


def test_kmz_with_cdata_html_names(tmp_path):
    result = read_survey(write_kmz(tmp_path / "a.kmz"))
    f = result.features
    assert f[S.NAME].tolist() == [f"{n} & 测绘" for n, _, _ in POINTS]
    assert f[S.KIND].tolist() == [k for _, k, _ in POINTS]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


@pytest.mark.parametrize(
    ("system", "encoding"), [("gcj02", "utf-8-sig"), ("bd09", "gbk"), ("gcj02", "gb18030")]
)
def test_csv_from_chinese_map_apps(tmp_path, system, encoding):
    path = write_csv(tmp_path / f"{system}.csv", system=system, encoding=encoding)
    result = read_survey(path, crs=system, near=BOUNDARY)
    f = result.features
    assert f[S.NAME].tolist() == [n for n, _, _ in POINTS]
    assert f[S.KIND].tolist() == [k for _, k, _ in POINTS]
    assert f[S.SOURCE_ID].tolist() == [f"{system}:{r}" for r in range(2, 6)]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_csv_without_crs_asks_which_app(tmp_path):
    path = write_csv(tmp_path / "gaode.csv", system="gcj02", encoding="utf-8")
    with pytest.raises(CRSError, match=r"(?s)does not say.*\n  - `--crs gcj02`.*from the compound"):
        read_survey(path, near=BOUNDARY)


def test_csv_gcj02_read_as_wgs84_is_caught_near_the_compound(tmp_path):
    path = write_csv(tmp_path / "gaode.csv", system="gcj02", encoding="utf-8")
    with pytest.raises(CRSError, match=r"(?s)probably wrong.*\n  - `--crs gcj02`"):
        read_survey(path, crs="wgs84", near=BOUNDARY)


def test_csv_bad_rows(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("名称,经度,纬度\n配电室,116.351,39.9975\n垃圾站,116.35x,39.99\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 3: `116.35x` is not a number"):
        read_survey(path, crs="wgs84")
    path.write_text("名称,经度,纬度\n配电室,１１６.３５１,39.9975°\n空,,\n", encoding="utf-8")
    result = read_survey(path, crs="wgs84")
    assert result.features.geometry.iloc[0].x == pytest.approx(116.351)
    assert [(i.what, i.count) for i in result.not_read] == [("rows 3", 1)]
    assert "no location" in result.not_read[0].note
    path.write_text("名称,a,b\n配电室,1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="name the coordinate columns lon/lat"):
        read_survey(path, crs="wgs84")
    path.write_text("名称,经度,纬度\n空,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"Nothing in `pts.csv` can be imported: rows 2"):
        read_survey(path, crs="wgs84")


def test_csv_outside_china_in_gcj02(tmp_path):
    path = tmp_path / "paris.csv"
    path.write_text("name,lon,lat\nLouvre,2.3376,48.8606\n", encoding="utf-8")
    with pytest.raises(CRSError, match="outside China"):
        read_survey(path, crs="gcj02")


def test_csv_with_surveyors_x_northing_first(tmp_path):
    """Chinese survey tables put X = northing first; the suggestion flags the swap."""
    from pipeline.core.coords import parse_crs

    lon = [g.x for _, _, g in POINTS]
    lat = [g.y for _, _, g in POINTS]
    east, north = parse_crs(4527).from_wgs84(lon, lat)
    path = tmp_path / "points.csv"
    pd.DataFrame({"名称": [n for n, _, _ in POINTS], "X": north, "Y": east}).to_csv(path, index=False)
    with pytest.raises(CRSError, match=r"`--crs EPSG:4527` .*with x and y swapped \(`--swap-xy`\)"):
        read_survey(path)
    result = read_survey(path, crs="EPSG:4527", swap_xy=True)
    for geom, (_, _, truth) in zip(result.features.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_xlsx_points(tmp_path):
    result = read_survey(write_xlsx(tmp_path / "测绘.xlsx"), crs="wgs84")
    f = result.features
    assert f[S.NAME].tolist() == [n for n, _, _ in POINTS]
    assert f[S.SOURCE_ID].tolist() == [f"设施:{r}" for r in range(2, 6)]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M
    assert [(i.what, i.note) for i in result.not_read] == [("sheet 说明", "no coordinate columns")]


# --------------------------------------------------------------------------- GeoJSON, GPKG


def test_geojson_duplicate_ids_and_a_feature_without_location(tmp_path):
    result = read_survey(write_geojson(tmp_path / "pts.geojson"))
    f = result.features
    assert f[S.SOURCE_ID].tolist() == ["pts:7", "pts:7", "pts:2", "pts:3"]
    assert f.index.tolist() == [0, 1, 2, 3]
    assert any("repeats feature ids (pts:7)" in w for w in result.warnings)
    assert [(i.what, i.note) for i in result.not_read] == [
        ("feature pts:99", "no location: empty or missing geometry")
    ]
    for geom, (_, _, truth) in zip(f.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


def test_geojson_repairs_and_refusals_name_each_feature(tmp_path):
    """A bow-tie keeps both lobes; a spike (zero area) is refused; a collection keeps its polygon.

    Bow-tie (116.350..116.351, 39.997..39.998)::

        +   +
        |\\ /|      two triangles touching at the centre: area 2 × ¼ of the square
        | X |
        |/ \\|
        +   +
    """

    def sq(x0, y0, d=0.001):
        return [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]

    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[116.350, 39.997], [116.351, 39.998], [116.351, 39.997], [116.350, 39.998], [116.350, 39.997]]
        ],
    }
    spike = {"type": "Polygon", "coordinates": [[[116.352, 39.997], [116.353, 39.997], [116.352, 39.997]]]}
    coll = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "Point", "coordinates": [116.354, 39.997]},
            {"type": "Polygon", "coordinates": [sq(116.354, 39.997)]},
        ],
    }
    feats = [
        {"type": "Feature", "id": k, "properties": {"name": f"健身场地{k}"}, "geometry": g}
        for k, g in (("bowtie", bowtie), ("spike", spike), ("coll", coll))
    ]
    path = tmp_path / "shapes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    result = read_survey(path)
    f = result.features.set_index(S.SOURCE_ID)
    assert f.index.tolist() == ["shapes:bowtie", "shapes:coll"]
    bow = f.loc["shapes:bowtie"].geometry
    assert bow.is_valid and bow.geom_type == "MultiPolygon" and len(bow.geoms) == 2
    assert f.loc["shapes:coll"].geometry.geom_type == "Polygon"
    assert f[S.KIND].tolist() == ["fitness", "fitness"]
    warnings = "\n".join(result.warnings)
    assert re.search(r"feature shapes:bowtie: Self-intersection.*repaired with make_valid", warnings)
    assert "feature shapes:coll: a collection of mixed types; kept its Polygon" in warnings
    assert [i.what for i in result.not_read] == ["feature shapes:spike"]
    assert result.not_read[0].note.startswith("invalid (Too few points")
    assert result.not_read[0].note.endswith("could not be repaired")


def test_geojson_not_json(tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"`a.geojson` is not valid JSON \(line 1"):
        read_survey(path)
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InputFileError, match="not GeoJSON"):
        read_survey(path)


def test_geopackage_in_a_projected_crs(tmp_path):
    result = read_survey(write_gpkg(tmp_path / "survey.gpkg"))
    f = result.features
    assert f.loc[f["role"] == "boundary", S.NAME].tolist() == ["石科院生活区"]
    _assert_positions(result)
    assert result.crs.startswith("EPSG:4548")


def test_crs_option_overrides_the_file_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "gcj.csv", system="gcj02", encoding="utf-8")
    frame = pd.read_csv(path)
    gj = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["经度"], frame["纬度"]), crs="EPSG:4326")
    pyogrio.write_dataframe(gj, tmp_path / "gcj.gpkg")
    result = read_survey(tmp_path / "gcj.gpkg", crs="gcj02")
    assert any("says its coordinates are WGS 84; they were read as GCJ-02" in w for w in result.warnings)
    for geom, (_, _, truth) in zip(result.features.geometry, POINTS, strict=True):
        assert error_m(geom, truth) < TOL_M


# --------------------------------------------------------------------------- files and layers


def test_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_survey(tmp_path / "missing.dxf")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"`empty.csv` is empty \(0 bytes\)"):
        read_survey(empty)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputFileError, match="over the 1,000-byte limit"):
        read_survey(big, limits=SurveyLimits(max_file_bytes=1000))
    odd = tmp_path / "survey.pdf"
    odd.write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="not a survey format the mapper reads"):
        read_survey(odd)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf")
    with pytest.raises(InputFileError, match=r"old .xls workbook; save it as .xlsx"):
        read_survey(xls)


def test_user_layer_mapping_comes_first(tmp_path):
    path = write_dxf(tmp_path / "a.dxf")
    result = read_survey(path, crs="EPSG:4548", layers={"^停车场$": "bicycle_parking", "^绿地$": "ignore"})
    f = result.features
    assert f.loc[f["layer"] == "停车场", S.KIND].item() == "bicycle_parking"
    assert "绿地" not in set(f["layer"])
    toml = tmp_path / "layers.toml"
    toml.write_text('[[layers]]\nmatch = "^配电$"\nkind = "fire_safety"\n', encoding="utf-8")
    f = read_survey(path, crs="EPSG:4548", layers=toml).features
    assert f.loc[f["layer"] == "配电", S.KIND].item() == "fire_safety"


def test_layer_mapping_errors(tmp_path):
    with pytest.raises(
        DataError, match=r"kind `kindergarden`, which is not in the taxonomy; did you mean `kindergarten`"
    ):
        load_layer_mapping({"YEY": "kindergarden"})
    with pytest.raises(DataError, match="not a valid regular expression"):
        load_layer_mapping({"(": "boundary"})
    bad = tmp_path / "bad.toml"
    bad.write_text("[[layers]\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid UTF-8 TOML"):
        load_layer_mapping(bad)
    bad.write_text('[[layers]]\nmatch = "x"\nrole = "tower"\n', encoding="utf-8")
    with pytest.raises(DataError, match="maps `x` to `tower`"):
        load_layer_mapping(bad)


def test_default_layer_names():
    mapping = load_layer_mapping()
    expect = {
        "围墙": "boundary",
        "用地红线": "boundary",
        "小区边界": "boundary",
        "JJ": "boundary",
        "大门": "gate",
        "出入口": "gate",
        "建筑": "building",
        "房屋": "building",
        "JMD": "building",
        "道路": "road",
        "DLSS": "road",
        "绿地": "green",
        "ZBTZ": "green",
        "水系": "water",
        "幼儿园": "kindergarten",
        "停车场": "parking",
        "垃圾桶": "waste_point",
        "配电箱": "substation",
        "TK": "ignore",
        "DIM_1": "ignore",
    }
    got = {layer: (r.kind or r.role) for layer in expect if (r := mapping.lookup(layer))}
    assert got == expect
    assert mapping.lookup("0") is None


def test_text_helpers():
    assert clean_text(r"\U+5E7C\U+513F\U+56ED") == "幼儿园"
    assert clean_text("<b>幼儿园</b> &amp;  托儿所", html_markup=True) == "幼儿园 & 托儿所"
    assert clean_text("a<b") == "a<b"
    assert looks_mojibake(["Ó×¶ùÔ°"])
    assert not looks_mojibake(["幼儿园", "Café"])


def test_far_features_are_flagged(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text(
        "名称,经度,纬度\n配电室,116.3510,39.9975\n幼儿园,116.3512,39.9976\n远处,116.3700,39.9975\n",
        encoding="utf-8",
    )
    result = read_survey(path, crs="wgs84", near=BOUNDARY)
    assert any(
        w.startswith("1 features of `pts.csv` lie more than 50 m outside") and "pts:4" in w
        for w in result.warnings
    )


# --------------------------------------------------------------------------- output and CLI


def test_write_survey_gpkg_with_report(tmp_path):
    result = read_survey(write_dxf(tmp_path / "a.dxf"), crs="EPSG:4548")
    out = write_survey(result, tmp_path / "out" / "survey.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"survey", "survey_report"}
    back = pyogrio.read_dataframe(out, layer="survey")
    assert sorted(back[S.NAME].fillna("")) == sorted(result.features[S.NAME])
    report = pyogrio.read_dataframe(out, layer="survey_report")
    assert set(report["section"]) == {"read", "not_read", "crs"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["survey.gpkg"]
    with pytest.raises(InputFileError, match="GeoPackage"):
        write_survey(result, tmp_path / "x.shp")


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_prints_what_it_read_and_writes(tmp_path, capsys):
    path = write_dxf(tmp_path / "a.dxf", epsg=None, angle_deg=5, scale=1)
    cp = tmp_path / "cp.csv"
    control_points_for(angle_deg=5, scale=1).to_csv(cp, index=False)
    out = tmp_path / "a.gpkg"
    assert (
        _cli(
            [
                "survey",
                str(path),
                "--control-points",
                str(cp),
                "--layers",
                "^配电$=substation",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "已读取 Read:" in text and "未读取 Not read:" in text
    assert "layer TK: 1 (ignored by the layer mapping)" in text
    assert "RMS" in text and "东南角" in text
    assert f"写入 Wrote 9 features to {out}" in text
    assert len(pyogrio.read_dataframe(out, layer="survey")) == 9


def test_cli_failure_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", system="gcj02", encoding="utf-8")
    out = tmp_path / "a.gpkg"
    with pytest.raises(CRSError):
        _cli(["survey", str(path), "--out", str(out)])
    with pytest.raises(InputFileError, match="must be a GeoPackage"):
        _cli(["survey", str(path), "--crs", "gcj02", "--out", str(tmp_path / "a.shp")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_cli_layers_option():
    assert parse_layers("YEY=kindergarten，WQ=boundary") == {"YEY": "kindergarten", "WQ": "boundary"}
    assert parse_layers(None) is None
    with pytest.raises(InputFileError, match="neither a TOML file nor"):
        parse_layers("kindergarten")
    with pytest.raises(InputFileError, match="does not exist"):
        parse_layers("missing.toml")


def test_main_cli_runs_the_survey_command(tmp_path, capsys):
    from pipeline.cli.main import main

    path = write_csv(tmp_path / "a.csv", system="bd09", encoding="gbk")
    assert main(["survey", str(path), "--crs", "bd09", "--out", str(tmp_path / "a.gpkg")]) == 0
    assert main(["survey", str(path), "--out", str(tmp_path / "b.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "does not say which coordinate system" in err
    assert not (tmp_path / "b.gpkg").exists()


def test_report_frame_and_text_are_consistent(tmp_path):
    result = read_survey(write_geojson(tmp_path / "pts.geojson"))
    frame = result.report_frame()
    assert list(frame.columns) == ["section", "what", "count", "note"]
    text = result.report()
    for what in frame.loc[frame["section"] != "crs", "what"]:
        assert what in text
    assert result.counts() == {"asset": 4}
    assert np.all(shapely.is_valid(result.features.geometry.to_numpy()))


def test_boundary_walls_drawn_as_separate_lines_are_joined(tmp_path):
    """Four wall segments on 围墙 close a 100 m square; a fifth stub does not matter::

    (0,100) +-------+ (100,100)
            |   · 配电 (50, 50)
      (0,0) +-------+ (100,0)
    """
    import ezdxf

    from pipeline.core.coords import parse_crs

    e0, n0 = parse_crs(4548).from_wgs84(116.350, 39.997)
    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    corners = [(0, 0), (100, 0), (100, 100), (0, 100)]
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        msp.add_line((e0 + x1, n0 + y1), (e0 + x2, n0 + y2), dxfattribs={"layer": "围墙"})
    msp.add_point((e0 + 50, n0 + 50), dxfattribs={"layer": "配电"})
    doc.saveas(tmp_path / "walls.dxf")
    result = read_survey(tmp_path / "walls.dxf", crs="EPSG:4548")
    f = result.features.set_index("role")
    boundary = f.loc["boundary"]
    assert boundary.geometry.geom_type == "Polygon"
    assert re.fullmatch(r"围墙:[0-9A-F]+\+3", boundary[S.SOURCE_ID])
    assert "Joined 4 boundary lines into 1 boundary polygon(s)." in result.warnings
    assert gpd.GeoSeries([boundary.geometry], crs=4326).to_crs(32650).area.item() == pytest.approx(
        10_000, rel=1e-3
    )
    # Three walls do not close: they stay lines, and the report says so.
    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    for (x1, y1), (x2, y2) in itertools.pairwise(corners):
        msp.add_line((e0 + x1, n0 + y1), (e0 + x2, n0 + y2), dxfattribs={"layer": "围墙"})
    msp.add_point((e0 + 50, n0 + 50), dxfattribs={"layer": "配电"})
    doc.saveas(tmp_path / "open.dxf")
    result = read_survey(tmp_path / "open.dxf", crs="EPSG:4548")
    assert any("do not close into a ring" in w for w in result.warnings)
    assert (result.features["role"] == "boundary").sum() == 3
