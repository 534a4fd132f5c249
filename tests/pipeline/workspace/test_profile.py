"""Tests of pipeline.workspace.profile: the compound's profile and resources, checked and kept in a readable file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.core.errors import DataError
from pipeline.workspace.profile import (
    Profile,
    Resource,
    profile_from_dict,
    profile_path,
    profile_rows,
    read_profile,
    write_profile,
)

FULL = {
    "district": "北京市海淀区学院路街道",
    "year_built": "1985",
    "households": 1200,
    "population": 3100,
    "aged_60_plus_pct": 31.5,
    "building_groups": 24,
    "property_company": "某物业公司",
    "owners_committee": "已成立（2019）",
    "party_branch": "石科院生活区党支部",
    "resources": [
        {"kind": "fund", "name": "老旧小区综合整治资金", "provider": "区住建委", "amount_cny": 1_500_000},
        {
            "kind": "organisation",
            "name": "夕阳红志愿队",
            "provider": "",
            "amount_cny": None,
            "note": "每周三活动",
        },
    ],
}


def test_a_full_profile_is_read_with_numbers_from_text() -> None:
    profile = profile_from_dict(FULL, compound="way/595108678")
    assert (profile.year_built, profile.households, profile.population) == (1985, 1200, 3100)
    assert profile.aged_60_plus == 976
    assert profile.resources == (
        Resource("fund", "老旧小区综合整治资金", "区住建委", 1_500_000.0, ""),
        Resource("organisation", "夕阳红志愿队", "", None, "每周三活动"),
    )


def test_empty_values_mean_not_known() -> None:
    profile = profile_from_dict(
        {"households": "", "population": None, "aged_60_plus_pct": float("nan")}, compound="w"
    )
    assert profile == Profile(compound="w")
    assert profile.is_empty
    assert profile.aged_60_plus is None


@pytest.mark.parametrize(
    ("change", "message", "zh"),
    [
        ({"households": -1}, "Households is `-1`; give a whole number from 0", "“户数”填的是“-1”：请填 0 到"),
        ({"households": 12.5}, "Households is `12.5`", "“户数”填的是“12.5”"),
        ({"households": "many"}, "Households is `many`", "“户数”填的是“many”"),
        (
            {"population": 100, "households": 200},
            r"population \(100\) is smaller than the households \(200\)",
            "人口（100）少于户数（200）",
        ),
        (
            {"aged_60_plus_pct": 130},
            r"Aged 60\+ \(%\) is `130`; give a number from 0 to 100",
            "“60岁及以上占比（%）”填的是“130”：请填 0 到 100 之间的数",
        ),
        ({"year_built": dt.date.today().year + 1}, "Year built", "“建成年份”"),
        ({"year_built": 1850}, "Year built is `1850`", "“建成年份”填的是“1850”"),
        ({"property_company": "物" * 201}, "Property company has 201 characters", "“物业公司”有 201 个字符"),
        (
            {"resources": [{"kind": "gift", "name": "x"}]},
            "Resource 1 has kind `gift`",
            "第 1 项资源的类型“gift”",
        ),
        ({"resources": [{"kind": "fund", "name": " "}]}, "Resource 1 has no name", "第 1 项资源没有名称"),
        (
            {"resources": [{"kind": "fund", "name": "x", "amount_cny": -5}]},
            r"Resource 1, Amount \(CNY\), is `-5`",
            "“第 1 项资源的金额（元）”填的是“-5”",
        ),
        ({"colour": "red"}, "Unknown profile fields colour", "未知的字段 colour"),
    ],
)
def test_bad_values_name_the_field_and_the_fix(change: dict, message: str, zh: str) -> None:
    with pytest.raises(DataError, match=message) as caught:
        profile_from_dict({**FULL, **change}, compound="way/1")
    assert zh in caught.value.text("zh")


def test_rows_are_in_display_order_and_skip_unknowns() -> None:
    profile = profile_from_dict(
        {"households": 800, "aged_60_plus_pct": 25, "party_branch": "党支部"}, compound="w"
    )
    assert profile_rows(profile, "zh") == [
        ("户数", "800"),
        ("60岁及以上占比（%）", "25"),
        ("党支部", "党支部"),
    ]
    assert profile_rows(profile, "en")[0] == ("Households", "800")


def test_the_file_round_trips_and_stays_readable(tmp_path: Path) -> None:
    profile = profile_from_dict(FULL, compound="way/595108678")
    path = write_profile(profile, profile_path(tmp_path, "way/595108678"))
    assert path == tmp_path / "compounds" / "way-595108678" / "profile.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["households"] == 1200 and data["updated"] == dt.date.today().isoformat()
    assert "老旧小区综合整治资金" in path.read_text(encoding="utf-8")
    back = read_profile(path, "way/595108678")
    assert back.resources == profile.resources
    assert back.households == 1200 and back.updated == dt.date.today().isoformat()


def test_a_missing_file_gives_an_empty_profile(tmp_path: Path) -> None:
    assert read_profile(tmp_path / "none.json", "way/1") == Profile(compound="way/1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2", "is not valid JSON"),
        ('{"compound": "way/2"}', "belongs to another compound \\(`way/2`, not `way/1`\\)"),
        ('{"compound": "way/1", "households": -3}', "profile.json`: Households is `-3`"),
    ],
)
def test_a_broken_file_names_itself(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "profile.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_profile(path, "way/1")
