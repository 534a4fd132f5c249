"""Tests of layers.figure.notice: one A4 page whose text (read back from the PDF) lists the topics in rank order."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from layers.figure.layout import find_cjk_font
from layers.figure.notice import Notice, NoticeRow, notice_pdf, plot_notice, wrap
from pipeline.core.errors import DataError

LINK = "http://127.0.0.1:8501/results?osm=beijing_haidian_qinghua-east-rd.osm&compound=way/595108678&vote=1"
TITLES = ["增设电动车充电桩", "畅乐园夜间照明不足", "自行车乱停", "垃圾站异味"]


def _notice(rows: list[NoticeRow], signed: str = "清华同衡规划院 · 王工") -> Notice:
    return Notice(
        session_title="2025 年第一次居民议事会",
        compound="石科院小区",
        opened=dt.date(2025, 5, 1),
        closed=dt.date(2025, 5, 8),
        ballots=12,
        paper_ballots=3,
        dots_cast=36,
        dots_each=3,
        top_n=2,
        rows=rows,
        signed=signed,
        dated=dt.date(2025, 5, 9),
        link=LINK,
    )


def _rows(titles: list[str]) -> list[NoticeRow]:
    dots = [9, 6, 6, 2, 1, 1, 1, 1][: len(titles)]
    ranks = [1, 2, 2, 4, 5, 5, 5, 5][: len(titles)]
    return [NoticeRow(r, t, d, d, r <= 2, "") for r, t, d in zip(ranks, titles, dots, strict=True)]


def _pdf_text(data: bytes) -> tuple[list[pypdf.PageObject], str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return list(reader.pages), "".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_a4_page_with_the_topics_in_rank_order(lang: str) -> None:
    rows = _rows(TITLES)
    rows[0] = NoticeRow(1, TITLES[0], 9, 5, True, "#3 已列入计划 · 候选点 S03")
    pages, text = _pdf_text(notice_pdf(_notice(rows), lang=lang))
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1) and float(box.height) == pytest.approx(842, abs=1)
    flat = text.replace("\n", "")
    where = [flat.index(t) for t in TITLES]
    assert where == sorted(where)
    assert "候选点 S03" in flat and "石科院小区" in flat
    if lang == "zh":
        assert "公　示" in text and "2025年5月9日" in flat and "共 12 人参与投票" in flat
        assert "清华同衡规划院" in flat and "待规划" in flat  # a topic without follow-up says so
    else:
        assert "PUBLIC NOTICE" in text and "2025/5/9" in flat and "12 residents took part" in flat


def test_topics_that_do_not_fit_are_counted_on_the_page() -> None:
    long = "把畅乐园东侧的空地改成带座椅、遮阳棚和照明的老年活动场地，并在旁边加装无障碍坡道和扶手"
    titles = [f"{k + 1:02d}号议题 {long}" for k in range(40)]
    rows = [NoticeRow(k + 1, t, 40 - k, 40 - k, k < 2, "") for k, t in enumerate(titles)]
    pages, text = _pdf_text(notice_pdf(_notice(rows)))
    assert len(pages) == 1
    shown = sum(f"{k + 1:02d}号议题" in text for k in range(40))
    assert 5 <= shown < 40
    assert f"另有 {40 - shown} 项议题，见公示页。" in text.replace("\n", "")
    assert "二、下一步" in text  # what happens next is never pushed off the page
    fig = plot_notice(_notice(rows))
    renderer = FigureCanvasAgg(fig).get_renderer()
    page = fig.bbox  # pixels of the A4 page
    margin = 10 / 25.4 * fig.dpi  # 10 mm
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text()]
    outside = [
        b
        for b in boxes
        if b.x0 < margin or b.y0 < margin or b.x1 > page.x1 - margin or b.y1 > page.y1 - margin
    ]
    assert outside == []
    # nothing overlaps: each text's box is clear of every other's (1 px of slack)
    hits = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a.shrunk(0.99, 0.9).overlaps(b.shrunk(0.99, 0.9))
    ]
    assert hits == []


def test_a_comma_stays_at_the_end_of_the_line_it_follows() -> None:
    prop = FontProperties(family=[find_cjk_font()], size=10)
    ten = TextToPath().get_text_width_height_descent("一二三四五六七八九十", prop, ismath=False)[0]
    assert wrap("一二三四五六七八九十，一二三", ten + 0.5, prop) == ["一二三四五六七八九十，", "一二三"]


def test_wrap_breaks_between_chinese_characters_within_the_width() -> None:
    prop = FontProperties(family=[find_cjk_font()], size=10)
    width = 100.0  # points: about ten Chinese characters at 10 pt
    lines = wrap("增设电动车充电桩，解决楼道飞线充电的安全隐患 and some English words", width, prop)
    measure = TextToPath()
    assert len(lines) >= 3
    assert all(measure.get_text_width_height_descent(x, prop, ismath=False)[0] <= width + 11 for x in lines)
    assert not any(x.startswith("，") for x in lines)  # punctuation stays at the end of the line before
    assert (
        "".join(lines).replace(" ", "") == "增设电动车充电桩，解决楼道飞线充电的安全隐患andsomeEnglishwords"
    )
    assert wrap("一二三四五六七八九十" * 5, width, prop, max_lines=2)[-1].endswith("…")


def test_an_unknown_language_is_refused_in_one_line() -> None:
    with pytest.raises(DataError, match="Notice language `fr` is not known") as info:
        notice_pdf(_notice(_rows(TITLES)), lang="fr")
    assert info.value.text("zh") == "公示的语言 `fr` 无法识别：请使用 zh（中文）或 en（英文）。"
