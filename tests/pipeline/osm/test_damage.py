"""What an extract holds that the reader cannot use is named: long tags, missing nodes, nodes without coordinates."""

from __future__ import annotations

import bz2
import logging

import pytest

from pipeline.core.errors import DataError
from pipeline.osm.damage import MAX_TAG_BYTES, cut_long_tags
from pipeline.osm.read import read_osm_with_stats

LONG = "长" * 400  # 1,200 bytes in UTF-8


def extract(body: str) -> str:
    return f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n{body}\n</osm>\n"


DAMAGED = extract(
    f"""<node id="1" lat="40.0" lon="116.0"><tag k="amenity" v="kindergarten"/><tag k="name" v="{LONG}"/></node>
<node id="2" lat="40.001" lon="116.001"><tag k="amenity" v="bench"/><tag k='note' v='a &amp; b > c'/></node>
<node id="3"><tag k="amenity" v="school"/><tag k="name" v="无坐标小学"/></node>
<node id="4" lat="40.002" lon="116.002"/>
<way id="10"><nd ref="1"/><nd ref="4"/><nd ref="99"/><nd ref="98"/><tag k="highway" v="footway"/><tag k="name" v="长廊"/></way>
<way id="11"><nd ref="1"/><nd ref="4"/><tag k="highway" v="footway"/></way>"""
)


@pytest.fixture
def damaged(tmp_path):
    path = tmp_path / "damaged.osm"
    path.write_text(DAMAGED, encoding="utf-8")
    return path


def test_a_long_tag_value_is_cut_and_named_and_the_rest_is_read(damaged, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.osm.read"):
        frame, stats = read_osm_with_stats(damaged)
    assert stats.cut_tags == 1
    by_id = dict(zip(frame["source_id"], frame["tags"], strict=True))
    assert len(by_id["node/1"]["name"].encode()) <= MAX_TAG_BYTES
    assert LONG.startswith(by_id["node/1"]["name"]) and len(by_id["node/1"]["name"]) == MAX_TAG_BYTES // 3
    assert by_id["node/2"]["note"] == "a & b > c"
    assert "way/11" in by_id
    assert "damaged.osm has 1 tag values over 1,024 bytes" in caplog.text
    assert "node/1 `name` (1,200 bytes)" in caplog.text
    assert damaged.read_text(encoding="utf-8") == DAMAGED  # the user's file is never changed


def test_a_way_with_missing_nodes_is_named_with_them(damaged, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.osm.read"):
        frame, stats = read_osm_with_stats(damaged)
    assert stats.skipped_ways == 1 and "way/10" not in set(frame["source_id"])
    assert "Skipped 1 ways of damaged.osm" in caplog.text
    assert "way/10 长廊 (missing nodes 99, 98)" in caplog.text


def test_a_tagged_node_without_coordinates_is_named(damaged, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline.osm.read"):
        frame, stats = read_osm_with_stats(damaged)
    assert stats.skipped_nodes == 1 and "node/3" not in set(frame["source_id"])
    assert "node/3 无坐标小学" in caplog.text and "no coordinates" in caplog.text


def test_a_compressed_extract_is_cut_the_same_way(tmp_path):
    path = tmp_path / "damaged.osm.bz2"
    path.write_bytes(bz2.compress(DAMAGED.encode()))
    _, stats = read_osm_with_stats(path)
    assert stats.cut_tags == 1


def test_a_long_key_is_left_out():
    data, cut = cut_long_tags(
        extract(f'<node id="7" lat="1" lon="1"><tag k="{"k" * 1100}" v="x"/></node>').encode()
    )
    assert b"kkkk" not in data and cut == [f"node/7 key `{'k' * 20}…` (1,100 bytes, left out)"]


def test_a_pbf_with_a_long_tag_is_refused_in_one_line_in_either_language(tmp_path, monkeypatch):
    import pipeline.osm.read as R

    def refuse(*args, **kwargs):
        raise ValueError("OSM tag value is too long")

    monkeypatch.setattr(R, "_scan", refuse)
    path = tmp_path / "city.osm.pbf"
    path.write_bytes(b"\0")
    with pytest.raises(
        DataError, match=r"city\.osm\.pbf` holds an OSM tag key or value over 1,024 bytes"
    ) as info:
        read_osm_with_stats(path)
    assert "\n" not in str(info.value)
    assert info.value.text("zh") == (
        "文件 `city.osm.pbf` 中有超过 1,024 字节的 OSM 标签键或值，PBF 文件中的这种标签无法读取"
        "（OpenStreetMap 允许 255 个字符）：请从 openstreetmap.org 重新导出该范围，或改用 .osm XML 文件"
        "（过长的值会被截断并列出）。"
    )
