"""The ``build`` command's errors: one line naming the input and the fix, nothing written."""

from __future__ import annotations

import re

import pytest

from pipeline.cli.main import main
from tests.helpers.testdata import DEMO_ID, DEMO_OSM


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--osm", "missing.osm", "--compound", DEMO_ID], "`missing.osm` does not exist"),
        (["build", "--osm", str(DEMO_OSM), "--compound", "石科院"], "Close matches: 石科院生活区"),
        (["build", "--osm", str(DEMO_OSM)], "Say which compound"),
        (["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--gate", "node/1"], "`node/1` is not a gate"),
        (["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--gate", "116.40,39.90"], "from the boundary .*--force"),
        (["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--gate", "39.99,116.35"], "not lon,lat"),
        (["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--radius", "0", "--boundary", "x"], None),
    ],
)
def test_bad_input_gets_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    if message is None:  # argparse refuses two compound choices itself
        with pytest.raises(SystemExit):
            main([*args, "--out", str(out)])
    else:
        assert main([*args, "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert err.startswith("error: ")
        assert re.search(message, err), err
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_a_survey_without_its_crs_is_asked_for_as_survey_crs(tmp_path, capsys):
    """The survey reader asks for `--crs`; `build` names its own flag."""
    from tests.helpers.survey_files import write_dxf

    dxf = write_dxf(tmp_path / "survey.dxf", epsg="EPSG:4548")
    out = tmp_path / "out"
    assert main(["build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--survey", str(dxf), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "does not say which coordinate system" in err and err.rstrip().endswith("give the survey's CRS as `--survey-crs`.)")
    assert not out.exists()
