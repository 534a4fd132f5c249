"""The printable A4 public notice (公示) of a closed vote: what was decided and what happens next.

One portrait A4 page: the title, the compound, the session's dates, how many took part, the ranked topics as
a table (rank, topic, dots, voters, what became of it), what happens next, the link to the results page, and
the date and signature of the planner or organisation. The page takes plain data (:class:`Notice`), never the
store. Text is wrapped by measuring it in the CJK font (matplotlib does not break lines between Chinese
characters); rows that do not fit on the page are counted in a line under the table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from layers.figure.layout import figure_bytes, find_cjk_font
from layers.figure.page import PAPER_SIZES_MM
from pipeline.core.errors import DataError
from pipeline.core.words import word

MM = 72 / 25.4  # points per millimetre
MARGIN_MM = 18.0
#: The table's columns: their share of the text width, and their words (``notice.col.<key>``).
COLUMNS = (("rank", 0.08), ("topic", 0.38), ("dots", 0.09), ("voters", 0.10), ("follow_up", 0.35))
#: A cell never takes more than this many lines (the last ends with an ellipsis).
MAX_CELL_LINES = 3
TOP_FILL = "#fde0dd"


@dataclass(frozen=True)
class NoticeRow:
    """One ranked topic: its words are the residents' and planners' own, in any language."""

    rank: int
    title: str
    dots: int
    voters: int
    top: bool
    follow_up: str = ""  # what became of it, in the notice's language; "" when nothing yet


@dataclass(frozen=True)
class Notice:
    """Everything the notice prints: plain data, so layers need nothing of the store."""

    session_title: str
    compound: str
    opened: dt.date
    closed: dt.date
    ballots: int
    paper_ballots: int
    dots_cast: int
    dots_each: int
    top_n: int
    rows: Sequence[NoticeRow]
    signed: str  # the planner's name and organisation
    dated: dt.date
    link: str = ""  # the results page, where the follow-up is kept up to date


_TOKENS = re.compile(r"[A-Za-z0-9_'’.,:;!?%/@&+-]+\s*|\s+|.", re.S)
_PATHS = TextToPath()
#: Chinese punctuation that never starts a line (it stays at the end of the line before, a little over).
_NO_LINE_START = set("，。、；：！？）》」』”’…")


def _width_pt(text: str, prop: FontProperties) -> float:
    return _PATHS.get_text_width_height_descent(text, prop, ismath=False)[0]


def wrap(text: str, width_pt: float, prop: FontProperties, max_lines: int | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width_pt`` in ``prop``: between Chinese characters or words.

    ``textwrap`` counts characters, and a Chinese character is twice as wide as a Latin one, so the lines are
    measured in the font instead. Beyond ``max_lines`` the last line ends with an ellipsis.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _TOKENS.findall(paragraph):
            fresh = not line.strip()
            if fresh or token in _NO_LINE_START or _width_pt((line + token).rstrip(), prop) <= width_pt:
                line += token
            else:
                lines.append(line.rstrip())
                line, fresh = token.lstrip(), True
            while fresh and len(line.rstrip()) > 1 and _width_pt(line.rstrip(), prop) > width_pt:
                cut = len(line) - 1  # a word wider than the line: cut it where the width runs out
                while cut > 1 and _width_pt(line[:cut], prop) > width_pt:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _width_pt(last + "…", prop) > width_pt:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _date(day: dt.date, lang: str) -> str:
    return word("notice.date", lang, y=day.year, m=day.month, d=day.day)


class _Page:
    """Writes lines down an A4 page, in millimetres from its top-left corner."""

    def __init__(self, ax: Axes, font: list[str], width_mm: float) -> None:
        self.ax, self.font, self.width_mm = ax, font, width_mm
        self.y = MARGIN_MM

    def prop(self, size: float, weight: str = "normal") -> FontProperties:
        return FontProperties(family=self.font, size=size, weight=weight)

    def text(self, x_mm: float, y_mm: float, text: str, size: float, **kwargs: object) -> None:
        shown = self.ax.text(
            x_mm,
            y_mm,
            text,
            fontsize=size,
            fontfamily=self.font,
            va="top",
            **kwargs,  # type: ignore[arg-type]
        )
        shown.set_parse_math(False)

    def paragraph(
        self, text: str, size: float, *, weight: str = "normal", gap_mm: float = 2.0, **kw: object
    ) -> None:
        """Write ``text`` wrapped to the text width, then move down past it."""
        line_mm = size * 1.5 / MM
        for line in wrap(text, self.width_mm * MM, self.prop(size, weight)):
            self.text(MARGIN_MM, self.y, line, size, fontweight=weight, **kw)
            self.y += line_mm
        self.y += gap_mm


def _table(page: _Page, notice: Notice, lang: str, bottom_mm: float) -> None:
    """The ranked topics; the top N shaded; rows that would pass ``bottom_mm`` counted in a line instead."""
    size = 9.5
    line_mm = size * 1.45 / MM
    pad = 1.6
    widths = [share * page.width_mm for _, share in COLUMNS]
    lefts = [MARGIN_MM + sum(widths[:i]) for i in range(len(widths))]
    prop = page.prop(size)
    head_prop = page.prop(size, "bold")

    def cells(values: Sequence[str], bold: bool) -> list[list[str]]:
        return [
            wrap(v, (w - 2 * pad) * MM, head_prop if bold else prop, MAX_CELL_LINES)
            for v, w in zip(values, widths, strict=True)
        ]

    def draw(rows: list[list[str]], y: float, fill: str | None, bold: bool) -> float:
        height = max(len(c) for c in rows) * line_mm + 2 * pad
        if fill:
            page.ax.fill_between([MARGIN_MM, MARGIN_MM + page.width_mm], y, y + height, color=fill, lw=0)
        for left, lines, (key, _) in zip(lefts, rows, COLUMNS, strict=True):
            for k, line in enumerate(lines):
                page.text(left + pad, y + pad + k * line_mm, line, size, fontweight="bold" if bold else "normal",
                          gid=f"cell-{key}")  # fmt: skip
        page.ax.plot([MARGIN_MM, MARGIN_MM + page.width_mm], [y + height] * 2, color="#999", lw=0.5)
        return y + height

    head = [word(f"notice.col.{key}", lang) for key, _ in COLUMNS]
    page.ax.plot([MARGIN_MM, MARGIN_MM + page.width_mm], [page.y] * 2, color="#333", lw=1.0)
    y = draw(cells(head, True), page.y, None, True)
    more_mm = line_mm + 3
    shown = 0
    for row in notice.rows:
        values = [
            str(row.rank),
            row.title,
            str(row.dots),
            str(row.voters),
            row.follow_up or word("notice.no_follow_up", lang),
        ]
        lines = cells(values, False)
        height = max(len(c) for c in lines) * line_mm + 2 * pad
        if y + height > bottom_mm - (more_mm if shown + 1 < len(notice.rows) else 0):
            break
        y = draw(lines, y, TOP_FILL if row.top else None, False)
        shown += 1
    page.y = y + 2
    if shown < len(notice.rows):
        page.text(MARGIN_MM, page.y, word("notice.more", lang, n=len(notice.rows) - shown), 8.5, color="#555")
        page.y += more_mm
    if not notice.rows:
        page.text(MARGIN_MM, page.y, word("vote.empty", lang), size)
        page.y += more_mm


def plot_notice(notice: Notice, *, lang: str = "zh") -> Figure:
    """Draw the public notice of a closed vote on one portrait A4 page, in Chinese or English.

    Raises
    ------
    DataError
        When ``lang`` is not ``zh``/``en``.
    InputFileError
        When no CJK font is installed (:func:`layers.figure.layout.find_cjk_font`).
    """
    if lang not in ("zh", "en"):
        raise DataError("error.figure.notice_lang", language=lang)
    width_mm, height_mm = PAPER_SIZES_MM["A4"]
    fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width_mm)
    ax.set_ylim(height_mm, 0)  # millimetres down from the top
    ax.set_axis_off()
    page = _Page(ax, [find_cjk_font(), "DejaVu Sans"], width_mm - 2 * MARGIN_MM)
    heading = word("notice.heading", lang)
    page.text(width_mm / 2, page.y, heading, 22, ha="center", fontweight="bold")
    page.y += 13
    title_size = 14
    title = word("notice.title", lang, title=notice.session_title)
    for k, line in enumerate(wrap(title, page.width_mm * MM, page.prop(title_size, "bold"))):
        gid = "title" if k == 0 else None  # the PDF's title (layers.figure.layout reads it)
        page.text(width_mm / 2, page.y, line, title_size, ha="center", fontweight="bold", gid=gid)
        page.y += title_size * 1.5 / MM
    page.y += 4
    facts = word(
        "notice.facts",
        lang,
        compound=notice.compound,
        opened=_date(notice.opened, lang),
        closed=_date(notice.closed, lang),
        ballots=notice.ballots,
        paper=notice.paper_ballots,
        dots=notice.dots_cast,
        each=notice.dots_each,
        top=notice.top_n,
    )
    page.paragraph(facts, 10.5, gap_mm=4)
    page.paragraph(word("notice.results", lang), 12, weight="bold", gap_mm=1)
    next_steps = word("notice.next", lang, top=min(notice.top_n, len(notice.rows)))
    reserve = 62 if notice.link else 52  # what happens next, the link, the signature
    _table(page, notice, lang, height_mm - MARGIN_MM - reserve)
    page.y += 3
    page.paragraph(word("notice.next_title", lang), 12, weight="bold", gap_mm=1)
    page.paragraph(next_steps, 10.5, gap_mm=2)
    if notice.link:
        page.paragraph(word("notice.link", lang, link=notice.link), 9, gap_mm=2, color="#333")
    right = width_mm - MARGIN_MM
    signed = wrap(notice.signed.strip(), 90 * MM, page.prop(11)) if notice.signed.strip() else []
    y = max(page.y + 8, height_mm - MARGIN_MM - 6 * (len(signed) + 1))
    for line in [*signed, _date(notice.dated, lang)]:
        page.text(right, y, line, 11, ha="right", gid="signed")
        y += 6
    return fig


def notice_pdf(notice: Notice, *, lang: str = "zh") -> bytes:
    """The notice as a one-page A4 PDF with its fonts embedded (the text stays selectable and searchable)."""
    return figure_bytes(plot_notice(notice, lang=lang), "pdf")
