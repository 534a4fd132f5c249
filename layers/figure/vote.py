"""The figure of a closed vote: ranked topics as horizontal bars, the top N coloured, in Chinese or English.

Topic titles are residents' and planners' text: every one is drawn with ``parse_math=False`` so a ``$``
never starts mathtext, and in the CJK font of :func:`layers.figure.layout.find_cjk_font` so Chinese never prints
as boxes. The figure is a bare :class:`matplotlib.figure.Figure` (no pyplot state), safe to draw in a
multi-user server; encode it with :func:`layers.figure.layout.figure_bytes` or save it with ``save=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from layers.figure.layout import find_cjk_font, save_figure
from pipeline.core.errors import DataError
from pipeline.core.words import word


class _Topic(Protocol):
    rank: int
    topic_id: int
    title: str
    dots: int
    voters: int
    top: bool


class _Session(Protocol):
    title: str
    ballot_mode: str
    top_n: int


class VoteResults(Protocol):
    """What the chart reads of a closed vote (:class:`store.VoteResults` has it); layers never import the store."""

    @property
    def session(self) -> _Session:
        """The session: title, ballot mode, top N."""
    @property
    def ranked(self) -> Sequence[_Topic]:
        """Every topic, most dots first."""
    @property
    def ballots(self) -> int:
        """Ballots cast."""
    @property
    def dots_cast(self) -> int:
        """Dots cast."""
    @property
    def paper_ballots(self) -> int:
        """Paper ballots entered."""

#: Bar colours: the top N, and the other topics.
TOP_COLOR, OTHER_COLOR = "#d7301f", "#bdbdbd"
#: Titles longer than this are cut (with an ellipsis) on the figure; the table and CSV keep them whole.
TITLE_CHARS = 26


def _cut(text: str, limit: int = TITLE_CHARS) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def plot_vote_results(
    results: VoteResults,
    *,
    lang: str = "zh",
    max_topics: int = 20,
    ax: Axes | None = None,
    save: bool = False,
    filepath: str | Path | None = None,
    dpi: float = 200,
) -> tuple[Figure, Axes]:
    """Draw a closed session's ranked topics as horizontal bars, most dots at the top.

    Parameters
    ----------
    results
        From :func:`store.close_session` or :func:`store.get_results`.
    lang
        ``zh`` or ``en`` for the figure's words (titles are drawn as written).
    max_topics
        Draw at most this many topics (the rest are counted in a note).
    ax
        Draw into this axes; a new figure sized to the topics when omitted.
    save, filepath, dpi
        Save the figure to ``filepath`` (pdf, svg or png, from its suffix) at ``dpi``.

    Returns
    -------
    tuple of (Figure, Axes)

    Raises
    ------
    DataError
        When ``lang`` is not ``zh``/``en``, or ``save=True`` has no ``filepath``.
    InputFileError
        When no CJK font is installed (:func:`layers.figure.layout.find_cjk_font`).
    """
    if lang not in ("zh", "en"):
        raise DataError("error.figure.vote_lang", language=lang)
    if save and filepath is None:
        raise DataError("error.figure.save_path", example="results.png")
    font = [find_cjk_font(), "DejaVu Sans"]
    ranked = list(results.ranked)
    shown = ranked[:max_topics]
    session = results.session
    if ax is None:
        fig = Figure(figsize=(9.0, 1.9 + 0.42 * max(len(shown), 2)), layout="constrained")
        ax = fig.add_subplot()
    else:
        root = ax.get_figure(root=True)
        assert isinstance(root, Figure), "the axes belongs to no figure"
        fig = root
    title = ax.set_title(
        word("vote.title", lang, title=_cut(session.title, 40)), loc="left", fontsize=13, fontfamily=font, pad=22
    )
    title.set_parse_math(False)
    summary = word(
        "vote.summary",
        lang,
        ballots=results.ballots,
        paper=results.paper_ballots,
        dots=results.dots_cast,
        mode=word(f"vote.mode.{session.ballot_mode}", lang),
    )
    ax.text(0, 1.015, summary, transform=ax.transAxes, fontsize=9, color="#555", fontfamily=font)
    ax.tick_params(labelfontfamily=font)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if not shown:
        ax.set_axis_off()
        ax.text(
            0.5, 0.5, word("vote.empty", lang), ha="center", va="center", fontfamily=font, transform=ax.transAxes
        )
        if save:
            assert filepath is not None
            save_figure(fig, filepath, dpi=dpi)
        return fig, ax

    ys = list(range(len(shown)))[::-1]  # rank 1 at the top
    dots = [r.dots for r in shown]
    colors = [TOP_COLOR if r.top else OTHER_COLOR for r in shown]
    ax.barh(ys, dots, color=colors, height=0.62)
    top_dots = max(max(dots), 1)
    ax.set_xlim(0, top_dots * 1.28)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.set_yticks([])
    ax.set_xlabel(word("vote.dots", lang), fontfamily=font)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for y, result in zip(ys, shown, strict=True):
        label = ax.text(
            -top_dots * 0.02,
            y,
            f"{result.rank}. {_cut(result.title)}",
            ha="right",
            va="center",
            fontsize=10,
            fontfamily=font,
            fontweight="bold" if result.top else "normal",
            gid=f"topic-{result.topic_id}",
        )
        label.set_parse_math(False)
        ax.text(
            result.dots + top_dots * 0.015,
            y,
            word("vote.bar", lang, dots=result.dots, voters=result.voters),
            va="center",
            fontsize=9,
            color="#333",
            fontfamily=font,
        )
    handles = [
        Patch(color=TOP_COLOR, label=word("vote.top", lang, n=session.top_n)),
        Patch(color=OTHER_COLOR, label=word("vote.other", lang)),
    ]
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        frameon=False,
        prop={"family": font, "size": 9},
    )
    if len(ranked) > len(shown):
        ax.text(
            1.0,
            -0.12,
            word("vote.more", lang, n=len(ranked) - len(shown)),
            transform=ax.transAxes,
            ha="right",
            fontsize=8,
            color="#666",
            fontfamily=font,
        )
    if save:
        assert filepath is not None
        save_figure(fig, filepath, dpi=dpi)
    return fig, ax
