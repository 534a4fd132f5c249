"""Roles and kinds from CAD layer names: the shipped defaults, a user mapping, its errors."""

from __future__ import annotations

import pytest

from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.survey.layers import load_layer_mapping
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import write_dxf


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


ROLES_SAID = "boundary, gate, building, road, green, water, other, ignore"


def test_a_bad_layer_rule_is_refused_in_chinese(tmp_path):
    with pytest.raises(DataError) as typo:
        load_layer_mapping({"YEY": "kindergarden"})
    assert typo.value.text("zh") == (
        "图层对照中的第 1 条规则把 `YEY` 对应到类型 `kindergarden`，但分类中没有这个类型：是不是 `kindergarten`？"
        f"请使用 taxonomy.toml 中的类型，或一个角色（{ROLES_SAID}）。"
    )
    bad = tmp_path / "layers.toml"
    bad.write_text('[[layers]]\nmatch = "x"\nkind = "kindergarten"\n\n[[layers]]\nmatch = "YEY"\nrole = "pond"\n')
    with pytest.raises(DataError) as role:
        load_layer_mapping(bad)
    assert role.value.text("zh") == (
        "图层对照文件 `layers.toml` 的第 2 条规则把 `YEY` 对应到 `pond`："
        f"请给出 `kind`（分类中的类型）或 `role`（{ROLES_SAID} 之一）。"
    )
    assert str(role.value) == (
        f"rule 2 in `{bad}` maps `YEY` to `pond`; give `kind` (a taxonomy key) or `role` (one of {ROLES_SAID})."
    )
