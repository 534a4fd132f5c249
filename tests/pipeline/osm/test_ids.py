"""OSM files with negative ids, as JOSM saves them and as ogr2osm writes them, read like any other."""

from __future__ import annotations

import geopandas as gpd
import osmium
import pytest
import shapely

from pipeline.inventory.build import build_inventory
from pipeline.inventory.compound import find_compounds
from pipeline.osm.read import read_osm, read_osm_with_stats

# A planner drew a missing compound in JOSM and saved without uploading: new objects have negative
# ids, action='modify' and no version; the existing street (way 4000, version 3) got a new node
# (-107); a bench that was mapped (node 9002) was deleted, which JOSM keeps as action='delete'.
# The compound is the box 116.3500–116.3510 E, 39.9990–39.9998 N; its gate is in the south side.
JOSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6' upload='false' generator='JOSM'>
  <bounds minlat='39.9980' minlon='116.3490' maxlat='40.0005' maxlon='116.3520' origin='CGImap 0.9.3' />
  <node id='-101' action='modify' visible='true' lat='39.9990' lon='116.3500' />
  <node id='-102' action='modify' visible='true' lat='39.9990' lon='116.3510' />
  <node id='-103' action='modify' visible='true' lat='39.9998' lon='116.3510' />
  <node id='-104' action='modify' visible='true' lat='39.9998' lon='116.3500' />
  <node id='-105' action='modify' visible='true' lat='39.9990' lon='116.3505'>
    <tag k='barrier' v='gate' />
  </node>
  <node id='-106' action='modify' visible='true' lat='39.9994' lon='116.3504'>
    <tag k='leisure' v='playground' />
    <tag k='name' v='儿童乐园' />
  </node>
  <node id='-107' action='modify' visible='true' lat='39.9988' lon='116.3505' />
  <node id='9001' timestamp='2020-01-01T00:00:00Z' uid='1' user='a' visible='true' version='2' changeset='1' lat='39.9988' lon='116.3480' />
  <node id='9003' timestamp='2020-01-01T00:00:00Z' uid='1' user='a' visible='true' version='1' changeset='1' lat='39.9988' lon='116.3530' />
  <node id='9002' action='delete' timestamp='2020-01-01T00:00:00Z' uid='1' user='a' visible='true' version='4' changeset='1' lat='39.9995' lon='116.3506'>
    <tag k='amenity' v='bench' />
  </node>
  <way id='-201' action='modify' visible='true'>
    <nd ref='-101' />
    <nd ref='-102' />
    <nd ref='-103' />
    <nd ref='-104' />
    <nd ref='-101' />
    <tag k='landuse' v='residential' />
    <tag k='name' v='新绘小区' />
  </way>
  <way id='4000' action='modify' timestamp='2020-01-01T00:00:00Z' uid='1' user='a' visible='true' version='3' changeset='1'>
    <nd ref='9001' />
    <nd ref='-107' />
    <nd ref='9003' />
    <tag k='highway' v='residential' />
    <tag k='name' v='测试路' />
  </way>
</osm>
"""

# ogr2osm 1.2 converting a Shapefile of one compound with a courtyard cut out (a multipolygon) and
# a park: one counter for every object, starting at -1, visible="true", no version.
OGR2OSM = """<?xml version="1.0"?>
<osm version="0.6" upload="false" generator="ogr2osm 1.2.0">
<node visible="true" id="-1" lat="39.9990000" lon="116.3500000"/>
<node visible="true" id="-2" lat="39.9990000" lon="116.3510000"/>
<node visible="true" id="-3" lat="39.9998000" lon="116.3510000"/>
<node visible="true" id="-4" lat="39.9998000" lon="116.3500000"/>
<node visible="true" id="-5" lat="39.9993000" lon="116.3503000"/>
<node visible="true" id="-6" lat="39.9993000" lon="116.3507000"/>
<node visible="true" id="-7" lat="39.9995000" lon="116.3507000"/>
<node visible="true" id="-8" lat="39.9995000" lon="116.3503000"/>
<node visible="true" id="-12" lat="39.9991000" lon="116.3501000"/>
<node visible="true" id="-13" lat="39.9991000" lon="116.3503000"/>
<node visible="true" id="-14" lat="39.9992000" lon="116.3503000"/>
<node visible="true" id="-15" lat="39.9992000" lon="116.3501000"/>
<way visible="true" id="-9">
  <nd ref="-1"/>
  <nd ref="-2"/>
  <nd ref="-3"/>
  <nd ref="-4"/>
  <nd ref="-1"/>
</way>
<way visible="true" id="-10">
  <nd ref="-5"/>
  <nd ref="-6"/>
  <nd ref="-7"/>
  <nd ref="-8"/>
  <nd ref="-5"/>
</way>
<relation visible="true" id="-11">
  <member type="way" ref="-9" role="outer"/>
  <member type="way" ref="-10" role="inner"/>
  <tag k="type" v="multipolygon"/>
  <tag k="landuse" v="residential"/>
  <tag k="name" v="转换小区"/>
</relation>
<way visible="true" id="-16">
  <nd ref="-12"/>
  <nd ref="-13"/>
  <nd ref="-14"/>
  <nd ref="-15"/>
  <nd ref="-12"/>
  <tag k="leisure" v="park"/>
  <tag k="name" v="小游园"/>
</way>
</osm>
"""

UTM = "EPSG:32650"


def _area_m2(lonlat: list[tuple[float, float]]) -> float:
    return float(gpd.GeoSeries([shapely.Polygon(lonlat)], crs="EPSG:4326").to_crs(UTM).area.iloc[0])


BOX = [(116.3500, 39.9990), (116.3510, 39.9990), (116.3510, 39.9998), (116.3500, 39.9998)]
COURTYARD = [(116.3503, 39.9993), (116.3507, 39.9993), (116.3507, 39.9995), (116.3503, 39.9995)]


def test_a_josm_file_reads_with_its_own_ids_and_without_deleted_objects(tmp_path):
    path = tmp_path / "drawn.osm"
    path.write_text(JOSM, encoding="utf-8")
    frame, stats = read_osm_with_stats(path)
    assert stats.skipped_ways == 0
    by_id = frame.set_index("source_id")
    assert set(by_id.index) == {"way/-201", "node/-105", "node/-106", "way/4000"}  # node/9002 was deleted
    assert by_id.loc["way/-201", "name"] == "新绘小区"
    assert list(by_id.loc["way/4000"].geometry.coords) == [(116.348, 39.9988), (116.3505, 39.9988), (116.353, 39.9988)]
    compounds = find_compounds(frame)
    assert list(compounds["source_id"]) == ["way/-201"]
    assert compounds["area_m2"].iloc[0] == pytest.approx(_area_m2(BOX), abs=1)


def test_a_compound_drawn_in_josm_builds(tmp_path):
    path = tmp_path / "drawn.osm"
    path.write_text(JOSM, encoding="utf-8")
    inventory = build_inventory(read_osm(path), compound="way/-201")
    assert inventory.main_gate.source_id == "node/-105"
    assert list(inventory.assets["source_id"]) == ["node/-106"]
    assert inventory.report["compound"]["source_id"] == "way/-201"


@pytest.mark.parametrize("fmt", ["osm", "osm.pbf"])
def test_an_ogr2osm_file_reads_with_its_multipolygon(tmp_path, fmt):
    xml = tmp_path / "converted.osm"
    xml.write_text(OGR2OSM, encoding="utf-8")
    path = xml
    if fmt == "osm.pbf":  # ogr2osm --pbf: the same objects in a PBF
        path = tmp_path / "converted.osm.pbf"
        with osmium.SimpleWriter(str(path)) as writer:
            for obj in osmium.FileProcessor(str(xml)):
                writer.add(obj)
    frame, stats = read_osm_with_stats(path)
    assert stats.skipped_ways == 0
    by_id = frame.set_index("source_id")
    assert set(by_id.index) == {"relation/-11", "way/-16"}
    compound = gpd.GeoSeries([by_id.loc["relation/-11"].geometry], crs="EPSG:4326").to_crs(UTM).iloc[0]
    assert compound.area == pytest.approx(_area_m2(BOX) - _area_m2(COURTYARD), abs=1)
    inventory = build_inventory(frame, compound="relation/-11")
    assert list(inventory.assets["name"]) == ["小游园"]


def test_a_file_without_negative_ids_is_read_as_it_is():
    from pipeline.osm.ids import readable_source
    from tests.helpers.testdata import EXTRACTS

    for path in EXTRACTS.values():
        assert readable_source(path) == (str(path), {})


def test_the_quick_check_for_negative_ids_agrees_with_the_pattern():
    """The file-wide test (a regex over every byte) and the quick one give the same answer."""
    import itertools
    import random

    from pipeline.osm.ids import _NEGATIVE_OR_DELETED, has_negative_or_deleted

    pieces = [b'<node id="-1"', b"<node id='-12'", b'<nd ref = "-3"/>', b'<tag k="layer" v="-1"/>',
              b'uid="-5"', b'xref="-2"', b'<way id="7" action="delete">', b"action = 'delete'",
              b'transaction="delete"', b'id="-x"', b'id=\n\t"-9"', b'id"-1"', b'ref=-1', b'"-1"', b"id=",
              b'<node id="5" lat="-33.9" lon="18.4"/>', b"", b" ", b"action", b"=", b'"-']
    rng = random.Random(3)
    cases = [b"".join(c) for c in itertools.product(pieces[:6], pieces[6:12])]
    cases += [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for data in cases:
        assert has_negative_or_deleted(data) == bool(_NEGATIVE_OR_DELETED.search(data)), data
    assert any(has_negative_or_deleted(c) for c in cases) and not all(has_negative_or_deleted(c) for c in cases)


def test_a_pbf_s_first_node_is_found_in_its_first_blocks(tmp_path):
    """The shipped PBF starts with a positive node, an ogr2osm one with a negative node: both told from its
    first two blobs, as the first node a reader of the whole file gives."""
    from pipeline.osm.ids import _leading_blobs, _leads_with_a_positive_node
    from tests.helpers.testdata import EXTRACTS

    helsinki = EXTRACTS["helsinki"]
    raw = helsinki.read_bytes()
    for count in (1, 2):  # cut where a blob ends: the next one's header names its type first
        lead = _leading_blobs(helsinki, count)
        assert raw.startswith(lead) and raw[len(lead) + 4 : len(lead) + 13] == b"\n\x07OSMData"
    assert next(n.id for n in osmium.FileProcessor(str(helsinki), osmium.osm.NODE)) > 0
    assert _leads_with_a_positive_node(helsinki)
    xml = tmp_path / "converted.osm"
    xml.write_text(OGR2OSM, encoding="utf-8")
    pbf = tmp_path / "converted.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    assert next(n.id for n in osmium.FileProcessor(str(pbf), osmium.osm.NODE)) < 0
    assert not _leads_with_a_positive_node(pbf)
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(helsinki.read_bytes()[:300])
    assert not _leads_with_a_positive_node(cut)
