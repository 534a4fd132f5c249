"""A batch compound is one stamped folder: inventory, coverage (escaped CSV) and done row, whole or not at all."""

from __future__ import annotations

import json

from pipeline.city.batch import COVERAGE_CSV, DONE, BatchOptions, plan_tasks, run_task, task_features
from pipeline.core.cells import read_csv
from pipeline.core.fileio import STAMP, read_stamp
from pipeline.osm.read import read_osm
from tests.helpers.testdata import EXTRACTS


def test_a_compound_folder_is_stamped_with_its_coverage_and_done_row(tmp_path):
    features = read_osm(EXTRACTS["xitucheng"])
    task = next(t for t in plan_tasks(features) if t.compound_id == "way/1376112785")
    row = run_task(task, task_features(features, task, radius_m=50.0), str(tmp_path), BatchOptions())
    folder = tmp_path / "compounds" / "way-1376112785"
    assert row["status"] == "done"
    stamp = read_stamp(folder)
    assert stamp["kind"] == "inventory"
    assert set(stamp["files"]) == {p.name for p in folder.iterdir()} - {STAMP}
    assert {COVERAGE_CSV, DONE, "inventory.gpkg", "inventory.csv", "report.json"} <= set(stamp["files"])
    coverage = read_csv(folder / COVERAGE_CSV)
    assert len(coverage) > 5 and {"kind", "status"} <= set(coverage.columns)
    assert (folder / COVERAGE_CSV).read_bytes().startswith(b"\xef\xbb\xbf")
    assert json.loads((folder / DONE).read_text(encoding="utf-8"))["status"] == "done"
    assert [p.name for p in (tmp_path / "compounds").iterdir()] == ["way-1376112785"]
