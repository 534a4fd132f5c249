"""The ``compounds`` command lists every residential compound of an extract."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from pipeline.cli.main import main
from tests.helpers.testdata import DEMO_OSM, EXTRACTS, ROOT


def test_compounds_command_on_every_extract(capsys):
    for path in EXTRACTS.values():
        assert main(["-q", "compounds", str(path)]) == 0
        assert capsys.readouterr().out.strip().splitlines()[-1].endswith(str(path))
    listing = subprocess.run(
        [sys.executable, "-m", "pipeline", "-q", "compounds", str(DEMO_OSM)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    assert re.search(r"^way/595108678\s+113205\s+2\s+石科院生活区$", listing, re.MULTILINE)


def test_an_unnamed_compound_is_listed_by_the_title_its_build_gets(capsys, tmp_path):
    """BUPT's staff housing (way/1376112785) has no name; 西土城路 runs along its west side (hand-read from
    the map), so it is listed as 西土城路东侧小区, marked as a title, and its build is titled alike."""
    xitucheng = EXTRACTS["xitucheng"]
    assert main(["-q", "compounds", str(xitucheng)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^way/1376112785\s+\d+\s+\d+\s+西土城路东侧小区 \*$", out, re.MULTILINE)
    rows = [line for line in out.splitlines() if line.startswith("way/")]
    assert len(rows) == 3 and all(not re.match(r"^\S+\s+\d+\s+\d+$", r) for r in rows)  # no blank name
    assert "select it by its id" in out.splitlines()[-2]
    assert main(["-q", "compounds", "--lang", "en", str(xitucheng)]) == 0
    english = capsys.readouterr().out
    assert re.search(r"^way/1376112785\s+.*compound east of Xitucheng Rd \*$", english, re.MULTILINE)
    # The build of the same compound carries the same title (one rule for both).
    assert main(["-q", "build", "--osm", str(xitucheng), "--compound", "way/1376112785",
                 "--out", str(tmp_path / "bupt")]) == 0
    report = json.loads((tmp_path / "bupt" / "report.json").read_text(encoding="utf-8"))
    assert (report["compound"]["title_zh"], report["compound"]["title_en"]) == (
        "西土城路东侧小区", "compound east of Xitucheng Rd")


def test_a_named_compound_is_listed_by_its_name_without_a_mark(capsys):
    assert main(["-q", "compounds", "--lang", "en", str(DEMO_OSM)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^way/595108678\s+113205\s+2\s+石科院生活区$", out, re.MULTILINE)
