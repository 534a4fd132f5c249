"""Reading a batch result back: what a planner is told, in Chinese, when a compound cannot be opened."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from pipeline.city.city import City, read_city
from pipeline.core.errors import CompoundNotFoundError, DataError, InputFileError


def _city(folder, **row) -> City:
    """A batch of one compound, ``way/7``, with the row's status and reasons as given."""
    table = {"compound_id": ["way/7"], "name": ["静淑苑"], **{k: [v] for k, v in row.items()}}
    return City(folder, gpd.GeoDataFrame(table, geometry=[shapely.box(0, 0, 1, 1)], crs=4326))


def test_a_failed_compound_gives_the_reason_the_batch_wrote_in_each_language(tmp_path):
    city = _city(
        tmp_path,
        status="failed",
        reason="The boundary has no area; cannot choose a numbering method for it.",
        reason_zh="小区边界没有面积。",
    )
    with pytest.raises(DataError) as caught:
        city.read_compound("way/7")
    assert caught.value.text("zh") == (
        "批量处理没有生成小区 `way/7`：小区边界没有面积。修正输入后重新运行批量处理，它只补做缺少的部分。"
    )
    assert str(caught.value) == (
        "`way/7` was not built by the batch: The boundary has no area; cannot choose a numbering method for it.. "
        "Fix the input and run the batch again; it rebuilds only what is missing."
    )


def test_a_batch_of_an_earlier_version_gives_its_english_reason(tmp_path):
    city = _city(tmp_path, status="failed", reason="ValueError: broken")
    with pytest.raises(DataError) as caught:
        city.read_compound("way/7")
    assert caught.value.text("zh").startswith("批量处理没有生成小区 `way/7`：ValueError: broken。")


def test_a_compound_outside_the_batch_and_a_missing_inventory_are_said_in_chinese(tmp_path):
    city = _city(tmp_path / "海淀", status="done", reason="", reason_zh="")
    with pytest.raises(CompoundNotFoundError) as caught:
        city.read_compound("way/8")
    assert caught.value.text("zh") == "小区 `way/8` 不在这批结果中：请从其中的 1 个小区里选择。"
    with pytest.raises(InputFileError) as caught:
        city.read_compound("way/7")
    assert caught.value.text("zh") == "小区 `way/7` 的清单不在批量结果 `海淀` 中：请重新运行批量处理以补上它。"
    assert f"--out {tmp_path / '海淀'}" in str(caught.value)


def test_a_folder_without_a_batch_is_said_in_chinese(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_city(tmp_path)
    assert caught.value.text("zh") == "所选文件夹中没有 `city.gpkg`：请选择批量处理输出的文件夹，或先运行批量处理。"
