"""A taxonomy file with a bad rule is refused in the reader's language, naming the rule and the file."""

from __future__ import annotations

import pytest

from pipeline.core.errors import DataError
from pipeline.core.taxonomy import load_taxonomy


def test_a_rule_naming_a_missing_kind_is_refused_in_chinese(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        '[kinds.bench]\ncategory = "facility"\n\n[[rules]]\nkind = "bench"\ntag = "amenity=bench"\n\n'
        '[[rules]]\nkind = "playground"\ntag = "leisure=playground"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_taxonomy(path)
    assert info.value.text("zh") == (
        "分类文件 `taxonomy.toml` 的第 2 条规则指向类型 `playground`，但没有 [kinds.playground] 表："
        "请添加该类型或修改规则。"
    )
    assert str(info.value) == (
        f"Rule 2 in `{path}` names kind `playground`, which has no [kinds.playground] table; "
        "add the kind or fix the rule."
    )


def test_a_taxonomy_that_is_not_toml_is_refused_in_chinese(tmp_path):
    path = tmp_path / "分类.toml"
    path.write_text("[kinds.bench\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_taxonomy(path)
    assert info.value.text("zh") == "分类文件 `分类.toml` 不是有效的 TOML：请修正格式。"
    assert str(info.value).startswith(f"The taxonomy `{path}` is not valid TOML: ")
