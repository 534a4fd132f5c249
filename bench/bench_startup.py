"""Commands that start fast: ``--help`` and the whole demo build, as fresh processes, against their peers.

Run: .venv/bin/python bench/bench_startup.py [--repeats 7]
Each command runs as a new Python process (start-up and imports included), the commands in turn
(medians of alternating runs), from the checkout so it is this checkout's code that runs:

- ``python -m pipeline --help`` against ``python -c "import geopandas"`` (the issue's target: within
  1.3×);
- the whole demo build, ``python -m pipeline build --osm data/osm/beijing_haidian_qinghua-east-rd.osm
  --compound way/595108678 --out DIR`` (read, number, coverage, every output file) against osmnx's
  parse alone of the same file, ``osmnx.features_from_xml`` (the target: faster).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _timing import alternating_processes_s, load, result  # noqa: E402

DEMO = ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm"
PY = sys.executable


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    osmnx_parse = f"import warnings; warnings.simplefilter('ignore'); import osmnx; osmnx.features_from_xml({str(DEMO)!r})"
    with tempfile.TemporaryDirectory() as tmp:
        build = [PY, "-m", "pipeline", "build", "--osm", str(DEMO), "--compound", "way/595108678", "--out", f"{tmp}/out"]
        timed = alternating_processes_s(
            {
                "help": [PY, "-m", "pipeline", "--help"],
                "geopandas": [PY, "-c", "import geopandas"],
                "build": build,
                "osmnx": [PY, "-c", osmnx_parse],
            },
            repeats=args.repeats,
            cwd=ROOT,
        )
    print(f"load {load():.1f}; medians of {args.repeats} alternating runs, fresh processes")
    print(f"{'command':<52} {'s':>6}")
    for name, label in (
        ("help", "python -m pipeline --help"),
        ("geopandas", 'python -c "import geopandas"'),
        ("build", "python -m pipeline build (the demo compound, all files)"),
        ("osmnx", "osmnx.features_from_xml (the same file, parse alone)"),
    ):
        print(f"{label:<52} {timed[name]:>6.2f}")
    result("start-up: --help", timed["help"], "import geopandas", timed["geopandas"],
           target="within 1.3× of import geopandas", met=timed["help"] <= 1.3 * timed["geopandas"])
    result("whole demo build, as a process", timed["build"], "osmnx parse alone, as a process", timed["osmnx"],
           target="faster than osmnx's parse alone", met=timed["build"] < timed["osmnx"])


if __name__ == "__main__":
    main()
