"""GB 50180-2018 facility standards: the shipped defaults and a planner's overrides."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.errors import DataError, InputFileError
from pipeline.sites.standards import DEFAULT_STANDARDS, read_overrides, read_standards


def test_standards_defaults_and_overrides(tmp_path):
    table = read_standards()
    assert table.loc["elderly_care", ["radius_m", "radius_basis", "recalled"]].tolist() == [
        300.0,
        "stated",
        True,
    ]
    assert table.loc["playground", "radius_basis"] == "assumed: the 5-minute walk (300 m)"
    assert table.loc["fitness", "level"] == "5min+block"
    assert table.loc["elderly_care", "renovation_class"] == "enhancement"
    toml = tmp_path / "overrides.toml"
    toml.write_text("[elderly_care]\nradius_m = 500\n[bus_stop]\nenabled = false\n", encoding="utf-8")
    changed = read_standards(overrides=toml)
    assert changed.loc["elderly_care", ["radius_m", "radius_basis"]].tolist() == [500.0, "user"]
    assert "bus_stop" not in changed.index
    csv = tmp_path / "overrides.csv"
    csv.write_text("kind,radius_m\nplayground,200\n", encoding="utf-8")
    assert read_standards(overrides=csv).loc["playground", "radius_m"] == 200.0
    assert read_overrides(csv) == {"playground": {"radius_m": "200"}}
    with pytest.raises(DataError, match="kind `swimming_pool`, which the standards do not list"):
        read_standards(overrides={"swimming_pool": {"radius_m": 100}})
    with pytest.raises(DataError, match=r"Override `playground.radius_m` is `-5`"):
        read_standards(overrides={"playground": {"radius_m": -5}})
    with pytest.raises(DataError, match=r"Override `playground.colour` is not a field"):
        read_standards(overrides={"playground": {"colour": "red"}})


def test_overrides_are_refused_in_chinese_naming_the_file_not_its_folder(tmp_path):
    with pytest.raises(DataError) as caught:
        read_standards(overrides={"playground": {"radius_m": -5}})
    assert caught.value.text("zh") == "`playground.radius_m` 的值 `-5` 不可用：请给出大于 0、不超过 10000 的米数。"
    missing = tmp_path / "mine.toml"
    with pytest.raises(InputFileError) as caught:
        read_overrides(missing)
    assert caught.value.text("zh") == "标准修改文件 `mine.toml` 不存在。"
    assert str(caught.value) == f"The standards overrides file `{missing}` does not exist."


def test_a_standards_table_missing_or_with_words_for_metres_is_said_in_chinese(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_standards(tmp_path / "none.csv")
    assert caught.value.text("zh") == "标准表 `none.csv` 不存在：请给出 GB 50180-2018 的 CSV 表。"
    table = pd.read_csv(DEFAULT_STANDARDS, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.loc[table["radius_m"] != "", "radius_m"] = "五百"
    table.to_csv(tmp_path / "words.csv", index=False)
    with pytest.raises(DataError) as caught:
        read_standards(tmp_path / "words.csv")
    assert caught.value.text("zh") == "`words.csv` 的 `radius_m` 列中有 `五百`，不是数字：请用阿拉伯数字写米数。"
