"""Reading the shipped extracts offline, checked against osmnx on the same file."""

from __future__ import annotations

import logging
import shutil

import pytest

from pipeline.core.errors import InputFileError
from pipeline.osm.read import read_osm, read_osm_with_stats
from tests.helpers.testdata import DEMO_OSM, EXTRACTS


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_every_extract_reads_with_points_lines_and_areas(name):
    frame = read_osm(EXTRACTS[name])
    assert frame.crs.to_epsg() == 4326
    assert set(frame.geom_type) == {"Point", "LineString", "MultiPolygon"}
    assert frame["source_id"].is_unique
    assert frame["source_id"].str.match(r"^(node|way|relation)/\d+$").all()


def test_demo_extract_has_the_compound_its_gates_and_named_assets(demo_features):
    by_id = demo_features.set_index("source_id")
    assert by_id.loc["way/595108678", "name"] == "石科院生活区"
    assert by_id.loc["node/5671590330", "tags"]["entrance"] == "yes"
    assert by_id.loc["way/595098643", "name"] == "畅乐园"
    assert by_id.loc["way/594882341", "tags"]["amenity"] == "parking"


def test_same_parking_and_gates_as_osmnx(demo_features):
    """pyosmium and osmnx.features_from_xml return the same parking lots and gate nodes."""
    import osmnx as ox

    ours = demo_features
    theirs = ox.features_from_xml(DEMO_OSM, tags={"amenity": "parking", "entrance": True})
    their_ids = {f"{el}/{i}" for el, i in theirs.index}
    our_parking = {s for s, t in zip(ours["source_id"], ours["tags"], strict=True) if t.get("amenity") == "parking"}
    our_entrances = {s for s, t in zip(ours["source_id"], ours["tags"], strict=True) if "entrance" in t}
    assert our_parking | our_entrances == their_ids
    assert len(our_parking) == 19


def test_cut_extract_skips_ways_with_missing_nodes_and_says_so(caplog):
    """The Helsinki PBF is cut by a box: ways whose nodes lie outside are counted, not fatal."""
    with caplog.at_level(logging.WARNING, logger="pipeline.osm.read"):
        frame, stats = read_osm_with_stats(EXTRACTS["helsinki"])
    assert stats.skipped_ways > 0
    assert f"Skipped {stats.skipped_ways} ways" in caplog.text
    assert len(frame) == stats.features > 5000


def test_outline_ways_of_multipolygons_are_not_read_twice():
    """xitucheng has a building way that is also the outer member of a building relation."""
    _, stats = read_osm_with_stats(EXTRACTS["xitucheng"])
    assert stats.deduplicated == 1


def test_missing_file_names_the_path():
    with pytest.raises(InputFileError, match="`nowhere.osm` does not exist"):
        read_osm("nowhere.osm")


def test_wrong_kind_of_file_is_refused(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("lon,lat\n1,2\n")
    with pytest.raises(InputFileError, match="not an OSM extract"):
        read_osm(csv)


def test_truncated_file_gets_a_clear_error(tmp_path):
    cut = tmp_path / "cut.osm"
    cut.write_bytes(DEMO_OSM.read_bytes()[:50_000])
    with pytest.raises(InputFileError, match="Cannot read the OSM file .*cut.osm.*re-export"):
        read_osm(cut)


def test_pbf_and_xml_of_the_same_data_agree(tmp_path):
    """The same extract converted to PBF reads to the same features."""
    import osmium

    pbf = tmp_path / "demo.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(DEMO_OSM)):
            writer.add(obj)
    xml = tmp_path / "demo.osm"
    shutil.copy(DEMO_OSM, xml)
    a, b = read_osm(xml), read_osm(pbf)
    assert list(a["source_id"]) == list(b["source_id"])
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-7).all()


def _pyosmium_objects(path) -> tuple[dict[str, dict[str, str]], dict[str, tuple[float, float]]]:
    """Every object's tags, and every node's location, as pyosmium gives them one object at a time."""
    import osmium

    kinds = {"n": "node", "w": "way", "r": "relation"}
    tags, locations = {}, {}
    for o in osmium.FileProcessor(str(path)):
        tags[f"{kinds[o.type_str()]}/{o.id}"] = {t.k: t.v for t in o.tags}
        if o.type_str() == "n" and o.location.valid():
            locations[f"node/{o.id}"] = (o.location.lon, o.location.lat)
    return tags, locations


#: Features per geometry type of each shipped extract (as read before the reader parsed tags in bulk;
#: Helsinki without the ways missing nodes, which are skipped whole).
GEOMETRY_COUNTS = {
    "qinghua": {"Point": 391, "LineString": 321, "MultiPolygon": 357},
    "wudaokou": {"Point": 562, "LineString": 696, "MultiPolygon": 653},
    "xitucheng": {"Point": 279, "LineString": 241, "MultiPolygon": 228},
    "helsinki": {"Point": 4966, "LineString": 3190, "MultiPolygon": 900},
}


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_tags_and_nodes_are_those_pyosmium_gives_object_by_object(name):
    """Tags and node locations come from a bulk parse of libosmium's OPL output; they equal pyosmium's."""
    frame = read_osm(EXTRACTS[name])
    assert frame.geom_type.value_counts().to_dict() == GEOMETRY_COUNTS[name]
    expected, locations = _pyosmium_objects(EXTRACTS[name])
    for source_id, name_, tags in zip(frame["source_id"], frame["name"], frame["tags"], strict=True):
        want = dict(expected[source_id])
        if source_id.startswith("relation/"):
            want.pop("type", None)  # an area of a relation carries the relation's tags but its type
        assert tags == want, source_id
        assert name_ == want.get("name", "")
    nodes = frame[frame["source_id"].str.startswith("node/")]
    assert [(p.x, p.y) for p in nodes.geometry] == [locations[s] for s in nodes["source_id"]]


def test_awkward_tag_text_survives_the_read(tmp_path):
    """Separators, percent signs, escapes written literally, CJK, emoji and spaces in keys and values."""
    import osmium

    awkward = {
        "amenity": "bench",
        "name": "长椅, 北=南 %20% 50%",
        "note": "a=b,c=d;e%2c%f %3d% %25%",
        "addr:street": "Kaivokatu 1",
        "name:ja": "ベンチ🙂",
        "odd key=,%": "x",
        "empty": "",
    }
    path = tmp_path / "awkward.osm"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(24.94, 60.17), tags=awkward))
        writer.add_node(osmium.osm.mutable.Node(id=2, location=(24.95, 60.17), tags={"amenity": "toilets"}))
    frame = read_osm(path).set_index("source_id")
    assert frame.loc["node/1", "tags"] == awkward
    assert frame.loc["node/1", "name"] == awkward["name"]
    assert frame.loc["node/2", "tags"] == {"amenity": "toilets"}


def _grid_of_buildings(path, count: int) -> None:
    """``count`` square buildings in a row, each with a footpath beside it, and a bench per building."""
    import osmium

    with osmium.SimpleWriter(str(path)) as writer:
        for i in range(count):
            x = 116.3 + i * 0.001
            corners = [(x, 39.9), (x + 0.0005, 39.9), (x + 0.0005, 39.9005), (x, 39.9005)]
            for j, location in enumerate(corners):
                writer.add_node(osmium.osm.mutable.Node(id=10 * i + j + 1, location=location))
            bench = {"amenity": "bench"}
            writer.add_node(osmium.osm.mutable.Node(id=10 * i + 5, location=(x, 39.899), tags=bench))
        for i in range(count):
            square = [10 * i + 1, 10 * i + 2, 10 * i + 3, 10 * i + 4, 10 * i + 1]
            writer.add_way(osmium.osm.mutable.Way(id=2 * i + 1, nodes=square, tags={"building": "yes"}))
            path_tags = {"highway": "footway"}
            writer.add_way(osmium.osm.mutable.Way(id=2 * i + 2, nodes=square[:2], tags=path_tags))


def test_rows_come_in_the_order_of_a_pass_object_by_object(tmp_path):
    """Lines and areas keep the order pyosmium gives them one by one, nodes first.

    With thousands of buildings pyosmium hands its areas over in batches among the footpaths, so
    the order is not simply all lines then all areas.
    """
    import osmium
    from osmium.filter import KeyFilter

    path = tmp_path / "grid.osm.pbf"
    _grid_of_buildings(path, 6000)
    keys = ("amenity", "building", "highway")
    nodes, others = [], []
    for obj in osmium.FileProcessor(str(path)).with_locations().with_areas().with_filter(KeyFilter(*keys)):
        if isinstance(obj, osmium.osm.Node):
            nodes.append(f"node/{obj.id}")
        elif isinstance(obj, osmium.osm.Way) and "highway" in obj.tags:
            others.append(f"way/{obj.id}")
        elif isinstance(obj, osmium.osm.Area):
            others.append(f"way/{obj.orig_id()}")
    first_area = next(i for i, sid in enumerate(others) if int(sid[4:]) % 2)  # buildings have odd ids
    assert 0 < first_area < 6000  # a batch of areas before the last footpath
    assert list(read_osm(path, keys=keys)["source_id"]) == nodes + others


def test_a_read_leaves_the_cycle_collector_as_it_was(tmp_path):
    import gc

    read_osm(EXTRACTS["xitucheng"])
    assert gc.isenabled()
    cut = tmp_path / "cut.osm"
    cut.write_bytes(DEMO_OSM.read_bytes()[:50_000])
    with pytest.raises(InputFileError):
        read_osm(cut)
    assert gc.isenabled()
    gc.disable()
    try:
        read_osm(EXTRACTS["xitucheng"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def _write(path, nodes: dict[int, tuple[float, float]], ways: dict[int, tuple[list[int], dict[str, str]]]) -> None:
    import osmium

    with osmium.SimpleWriter(str(path)) as writer:
        for osm_id, location in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=osm_id, location=location))
        for osm_id, (refs, tags) in ways.items():
            writer.add_way(osmium.osm.mutable.Way(id=osm_id, nodes=refs, tags=tags))


def test_lines_leave_out_repeated_points_and_a_way_on_one_spot_is_skipped(tmp_path):
    """As libosmium draws a way: a node given twice in a row is one point; two nodes on one spot are no line."""
    path = tmp_path / "walls.osm"
    nodes = {1: (116.30, 39.90), 2: (116.31, 39.90), 3: (116.31, 39.91), 4: (116.30, 39.90)}
    ways = {
        10: ([1, 2, 2, 3], {"barrier": "wall"}),
        11: ([1, 4], {"highway": "footway", "name": "原地"}),
        12: ([2, 3], {"highway": "footway"}),
    }
    _write(path, nodes, ways)
    frame, stats = read_osm_with_stats(path)
    lines = dict(zip(frame["source_id"], frame.geometry, strict=True))
    assert list(lines) == ["way/10", "way/12"]
    assert list(lines["way/10"].coords) == [(116.30, 39.90), (116.31, 39.90), (116.31, 39.91)]
    assert list(lines["way/12"].coords) == [(116.31, 39.90), (116.31, 39.91)]
    assert stats.skipped_ways == 1


def test_a_building_ending_on_another_node_at_its_start_is_read_once(tmp_path):
    """Its first and last nodes differ but lie on one spot: libosmium draws a line and assembles an area;
    the line, given first, is kept."""
    path = tmp_path / "ring.osm"
    nodes = {1: (116.30, 39.90), 2: (116.31, 39.90), 3: (116.31, 39.91), 4: (116.30, 39.90)}
    _write(path, nodes, {10: ([1, 2, 3, 4], {"building": "yes"})})
    frame = read_osm(path)
    assert list(frame["source_id"]) == ["way/10"]
    assert frame.geometry.iloc[0].geom_type == "LineString"


def test_wrong_kind_of_file_is_refused_in_chinese_by_its_name(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("lon,lat\n1,2\n")
    with pytest.raises(InputFileError) as info:
        read_osm(csv)
    assert info.value.text("zh") == (
        "文件 `points.csv` 不是 OSM 数据文件：本工具读取 .osm, .osm.pbf, .pbf, .osm.xml, .xml, .osm.bz2, .osm.gz 文件。"
        "请从 openstreetmap.org 导出，或用 osmium 截取。"
    )


def test_a_truncated_file_is_refused_in_chinese_without_the_readers_words(tmp_path):
    cut = tmp_path / "cut.osm"
    cut.write_bytes(DEMO_OSM.read_bytes()[:50_000])
    with pytest.raises(InputFileError) as info:
        read_osm(cut)
    assert info.value.text("zh") == (
        "无法读取 OSM 数据文件 `cut.osm`：请确认它是完整的 .osm 或 .osm.pbf 文件（如果下载中断，请重新导出）。"
    )
