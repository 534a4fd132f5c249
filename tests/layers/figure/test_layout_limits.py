"""A figure's resolution is capped by its pixels, whichever way it is saved."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from layers.figure.layout import MAX_PAGE_PIXELS, check_page_pixels, figure_bytes, save_figure
from pipeline.core.errors import DataError


def a4_figure() -> Figure:
    return Figure(figsize=(8.27, 11.69))


def test_save_figure_refuses_a_resolution_past_the_cap_and_writes_nothing(tmp_path):
    with pytest.raises(
        DataError, match=r"`--dpi 3000` would draw the figure at 24,810 × 35,070 pixels"
    ) as info:
        save_figure(a4_figure(), tmp_path / "f.png", dpi=3000)
    assert "use at most 1,0" not in str(info.value) and "use at most 1017 dpi for the figure" in str(
        info.value
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dpi", [float("inf"), float("nan"), 0, -5])
def test_figure_bytes_refuses_what_is_not_a_resolution(dpi):
    with pytest.raises(DataError, match="dpi"):
        figure_bytes(a4_figure(), "png", dpi=dpi)


def test_a_page_just_under_the_cap_is_allowed():
    width, height = 10.0, 10.0
    check_page_pixels(width, height, (MAX_PAGE_PIXELS / (width * height)) ** 0.5 - 1)
    with pytest.raises(DataError, match="over the cap of 100 MP"):
        check_page_pixels(width, height, (MAX_PAGE_PIXELS / (width * height)) ** 0.5 + 1)


def test_the_cap_and_a_missing_page_read_in_chinese(tmp_path):
    # 8.27 × 11.69 in at 3000 dpi: 24,810 × 35,070 px = 870.1 MP; sqrt(1e8 / (8.27 × 11.69)) = 1017.04
    with pytest.raises(DataError) as cap:
        save_figure(a4_figure(), tmp_path / "f.png", dpi=3000)
    assert cap.value.text("zh") == (
        "分辨率 3000 dpi 会把图画成 24,810 × 35,070 像素（870 百万像素），超过每页 100 百万像素的上限："
        "图最多用 1017 dpi（印刷质量为 300 dpi）。"
    )
    with pytest.raises(DataError) as page:
        figure_bytes(a4_figure(), "png", page=2)
    assert page.value.text("zh") == "图共有 1 页，没有第 2 页。"
