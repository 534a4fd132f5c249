"""The ``compounds`` command lists every residential compound of an extract."""

from __future__ import annotations

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
