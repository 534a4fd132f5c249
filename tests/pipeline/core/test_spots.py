"""A resident's spot category, read from its key or its names, refused in the reader's language."""

from __future__ import annotations

import pytest

from pipeline.core.errors import DataError
from pipeline.core.spots import SpotCategory, parse_spot_category

ACCEPTED = (
    "parking (停车), lighting (照明), paving (路面), waste (垃圾), greenery (绿化), seating (座椅), "
    "accessibility (无障碍), safety (安全), drainage (排水), noise (噪音), other (其他)"
)


def test_a_category_is_read_from_its_chinese_name():
    assert parse_spot_category(" 停车 ") is SpotCategory.PARKING


def test_an_unknown_category_is_refused_in_both_languages():
    with pytest.raises(DataError) as info:
        parse_spot_category("飞机")
    assert info.value.text("zh") == f"问题点类别 '飞机' 无法识别：请使用以下之一：{ACCEPTED}。"
    assert str(info.value) == f"Spot category '飞机' is not known: use one of {ACCEPTED}."
