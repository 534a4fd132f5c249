"""The golden set: real compounds labelled by hand (tests/golden/*.toml), and build held to them.

Each file says which gate is main, which features are assets and in which category, and the
clockwise order of the first assets, with the reasoning. An expected asset lists the features that
make it (``ids``): exactly one of them is kept, the others are merged into it.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import pytest

from pipeline.inventory.build import Inventory, build_inventory
from pipeline.osm.read import read_osm
from tests.helpers.testdata import OSM_DIR, ROOT

GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.toml"))


@functools.cache
def _features(extract: str):
    return read_osm(OSM_DIR / extract)


@functools.cache
def _build(path: Path) -> tuple[dict, Inventory]:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    return spec, build_inventory(_features(spec["extract"]), compound=spec["compound"])


def _groups(spec: dict, inventory: Inventory) -> dict[str, int]:
    """Map each kept asset's id to the index of the expected asset it is."""
    kept = set(inventory.assets["source_id"])
    out = {}
    for i, asset in enumerate(spec["assets"]):
        present = [sid for sid in asset["ids"] if sid in kept]
        assert len(present) == 1, f"expected one of {asset['ids']} kept, got {present}: {asset['why']}"
        out[present[0]] = i
    return out


def test_the_golden_set_has_eight_compounds_of_different_shapes():
    assert len(GOLDEN) >= 8
    specs = [tomllib.loads(p.read_text(encoding="utf-8")) for p in GOLDEN]
    assert {s["method"]["expected"] for s in specs} == {"polar", "perimeter"}
    assert any(s["main_gate"]["source_id"] == "boundary" for s in specs)  # no gate mapped
    assert any(s["extract"].startswith("helsinki") for s in specs)
    for spec in specs:
        assert spec["main_gate"]["why"].strip() and spec["order"]["why"].strip()
        assert all(a["why"].strip() for a in spec["assets"])
        assert len(spec["order"]["first"]) >= min(10, len(spec["assets"]))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_main_gate(path):
    spec, inventory = _build(path)
    expected, main = spec["main_gate"], inventory.main_gate
    assert main.source_id == expected["source_id"], expected["why"]
    if "side" in expected:
        row = inventory.gates[inventory.gates["is_main"]].iloc[0]
        assert row["side"] == expected["side"]
    if "title_zh" in expected:
        assert main.title("zh") == expected["title_zh"]
    if "title_en" in expected:
        assert main.title("en") == expected["title_en"]


@pytest.mark.parametrize("path", [p for p in GOLDEN if "[[gates]]" in p.read_text(encoding="utf-8")], ids=lambda p: p.stem)
def test_gates_and_their_titles(path):
    """Where a file lists the gates, they are all the compound's gates, with these titles."""
    spec, inventory = _build(path)
    gates = inventory.gates[inventory.gates["gate_type"] != "chosen point"].set_index("source_id")
    assert set(gates.index) == {g["id"] for g in spec["gates"]}
    for gate in spec["gates"]:
        for lang in ("zh", "en"):
            if f"title_{lang}" in gate:
                assert gates.loc[gate["id"], f"title_{lang}"] == gate[f"title_{lang}"], gate["why"]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_method(path):
    spec, inventory = _build(path)
    assert inventory.report["method"] == spec["method"]["expected"], spec["method"]["why"]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_assets_and_categories(path):
    spec, inventory = _build(path)
    groups = _groups(spec, inventory)
    extra = sorted(set(inventory.assets["source_id"]) - set(groups))
    assert not extra, f"assets the expert does not number: {extra}"
    categories = dict(zip(inventory.assets["source_id"], inventory.assets["category"], strict=True))
    names = dict(zip(inventory.assets["source_id"], inventory.assets["name"], strict=True))
    for sid, i in groups.items():
        assert categories[sid] == spec["assets"][i]["category"], spec["assets"][i]["why"]
        if "name" in spec["assets"][i]:
            assert names[sid] == spec["assets"][i]["name"], spec["assets"][i]["why"]
    for entry in spec.get("not_assets", []):
        assert not set(entry["ids"]) & set(categories), entry["why"]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_clockwise_order(path):
    spec, inventory = _build(path)
    groups = _groups(spec, inventory)
    index = {sid: i for i, asset in enumerate(spec["assets"]) for sid in asset["ids"]}
    expected = [index[sid] for sid in spec["order"]["first"]]
    got = [groups[sid] for sid in inventory.assets["source_id"][: len(expected)]]
    names = [spec["assets"][i]["why"].split(",")[0][:30] for i in got]
    assert got == expected, f"{spec['order']['why']}\ngot: {names}"


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_no_id_in_what_people_read(path):
    """Gate titles, the compound's title and the rule carry no internal id."""
    import re

    _, inventory = _build(path)
    ids = re.compile(r"(?:node|way|relation|crossing)/")
    texts = [inventory.main_gate.title("zh"), inventory.main_gate.title("en"), inventory.main_gate.rule]
    texts += [inventory.report["compound"].get("title_zh", ""), inventory.report["compound"].get("title_en", "")]
    texts += list(inventory.gates["title_zh"]) + list(inventory.gates["title_en"])
    assert not [t for t in texts if ids.search(str(t))]
