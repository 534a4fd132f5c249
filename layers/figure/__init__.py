"""The printed figures: the facility layout figure (重要生活服务设施布局图) and the vote results chart.

``layout`` draws the sheet, ``page`` its frame (scale, north arrow, legend, index table), ``labels`` places
the numbers so that none overlaps another or a symbol, ``vote`` charts a closed vote.
"""

from layers.figure.layout import figure_bytes, figure_title, find_cjk_font, plot_layout, save_figure
from layers.figure.vote import plot_vote_results

__all__ = [
    "figure_bytes",
    "figure_title",
    "find_cjk_font",
    "plot_layout",
    "plot_vote_results",
    "save_figure",
]
