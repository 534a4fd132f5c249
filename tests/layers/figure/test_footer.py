"""The footer names the main gate without brackets inside brackets, in both languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from layers.figure.layout import plot_layout
from pipeline.inventory.build import build_inventory
from pipeline.osm.read import read_osm
from tests.helpers.testdata import EXTRACTS


@pytest.fixture(scope="module")
def huaqing():
    """华清嘉园小区 (way/473654608): its main gate is unnamed, titled from 成府路 (tests/golden/huaqing.toml)."""
    return build_inventory(read_osm(EXTRACTS["wudaokou"]), compound="way/473654608")


def _depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += ch in "（("
        deepest = max(deepest, depth)
        depth -= ch in "）)"
    return deepest


@pytest.mark.parametrize(
    ("lang", "field", "numbered"),
    [
        ("zh", "主入口：西北侧入口（成府路）", "自主入口起按顺时针编号（"),
        ("en", "Main gate: north-west entrance (Chengfu Rd)", "numbered clockwise from it, "),
    ],
)
def test_the_main_gate_is_a_field_of_its_own(huaqing, lang, field, numbered):
    fig, _ = plot_layout(huaqing, paper="A4", lang=lang, date=dt.date(2025, 6, 1))
    page = next(a for a in fig.axes if a.get_label() == "page")
    line = next(t.get_text() for t in page.texts if t.get_gid() == "footer-1")
    assert line.startswith(field) and numbered in line
    assert _depth(line) == 1, line
    assert not re.search(r"（[^（）]*（", line)
