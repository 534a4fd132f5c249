"""Publishing the numbering in the app: printed labels survive hiding and adding assets (the ``--keep-labels`` rule).

The inventory page (AppTest, the map replaced by :class:`FakeMap`): a planner publishes the numbers, hides
asset 5 and adds a missing one by clicking the map between 7 and 8. Every other asset keeps the number it had,
5 stays unused, and the new asset takes a sub-number after its clockwise predecessor, 7.1 (as
``build --keep-labels`` gives it: ``tests/pipeline/inventory/test_build.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pipeline.workspace.edits import edits_path
from tests.helpers.app import APP, WORK_AREA_GATE, FakeMap, marker_labels
from tests.helpers.testdata import DEMO_ASSETS
from ui.state import K_GATE

COMPOUND = "way/595108678"


def _inventory() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).switch_page("views/inventory.py")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _shown(at: AppTest, fake: FakeMap) -> dict[str, str]:
    """``source_id`` -> the number on its map marker."""
    assert not at.exception, at.exception
    return marker_labels(fake.maps[-1])


def test_published_numbers_survive_hiding_and_adding(fake_map: FakeMap, runtime: Path) -> None:
    at = _inventory().run()
    before = _shown(at, fake_map)
    assert sorted(before.values(), key=int) == [str(i) for i in range(1, DEMO_ASSETS + 1)]
    at = _button(at, "发布当前编号").click().run()
    assert any(t.value.startswith("编号已于") and f"（{DEMO_ASSETS} 个编号）" in t.value for t in at.text)

    fifth = next(sid for sid, label in before.items() if label == "5")
    at.selectbox(key="inventory_pick").set_value(fifth).run()
    next(c for c in at.checkbox if c.label.startswith("隐藏")).check()
    at = _button(at, "保存修正").click().run()
    after_hiding = _shown(at, fake_map)
    assert fifth not in after_hiding
    assert after_hiding == {sid: label for sid, label in before.items() if sid != fifth}  # nobody moved up
    assert "空着的编号（资产已隐藏或已删除）：5" in [t.value for t in at.text]

    # halfway between 7 and 8 (their clockwise places on the boundary: 1116.5 m, 1121.6 m; this point 1119.0 m)
    fake_map.returns = {"last_clicked": {"lat": 39.997673, "lng": 116.350185}}
    at = _inventory().run()
    at.text_input(key="add_name").input("新公厕")
    at = _button(at, "添加").click().run()
    after_adding = _shown(at, fake_map)
    saved = json.loads(edits_path(runtime, COMPOUND).read_text(encoding="utf-8"))
    [new] = [a["source_id"] for a in saved["added"]]
    assert after_adding.pop(new) == "7.1"  # a sub-number after its clockwise predecessor
    assert after_adding == after_hiding
    assert "5" not in after_adding.values()
    table = at.dataframe[0].value
    assert table.loc[table["名称"] == "新公厕", "编号"].tolist() == ["7.1"]
    assert table["编号"].tolist()[3:8] == ["4", "6", "7", "7.1", "8"]  # clockwise, 5 hidden

    # published again (with 7.1), another main gate renumbers nothing
    at = _button(at, "重新发布（包括新增资产的编号）").click().run()
    assert any(f"（{DEMO_ASSETS + 1} 个编号）" in t.value for t in at.text)  # 5 stays published, unused
    at.selectbox(key=K_GATE).set_value(WORK_AREA_GATE).run()
    assert at.selectbox(key=K_GATE).value == WORK_AREA_GATE
    after_gate = _shown(at, fake_map)
    assert after_gate == {**after_hiding, new: "7.1"}

    # shown again, 5 gets its number back
    at.selectbox(key="inventory_unhide").set_value(fifth).run()
    at = at.button(key="inventory_unhide_button").click().run()
    assert _shown(at, fake_map) == {**before, new: "7.1"}

    # withdrawn, the numbering starts afresh: 1 … N without gaps
    at = _button(at, "撤销发布并重新编号").click().run()
    fresh = _shown(at, fake_map)
    assert sorted(fresh.values(), key=int) == [str(i) for i in range(1, DEMO_ASSETS + 2)]
