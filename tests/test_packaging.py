"""The project installs as a package: pyproject's dependencies are requirements.txt, `mapper` is the CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.helpers.testdata import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_dependencies_are_requirements_txt():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    assert PYPROJECT["project"]["dependencies"] == requirements


def test_mapper_is_the_command_line():
    assert PYPROJECT["project"]["scripts"] == {"mapper": "pipeline.cli.main:main"}
    assert PYPROJECT["build-system"]["build-backend"] == "setuptools.build_meta"


def test_package_data_names_files_that_exist():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package, patterns in data.items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{package}: {pattern}"
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]) == {
        "pipeline*", "layers*", "store*", "ui*", "views*", "data", "static",
    }  # fmt: skip


def test_the_makefile_installs_the_project_in_editable_mode():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = makefile[makefile.index("$(STAMP):") :].split("\n\n")[0]
    assert "install -q -r requirements-dev.txt" in stamp and "install -q -e ." in stamp
    assert stamp.index("requirements-dev.txt\n") < stamp.index("-e .")


# The wheel: built as `python -m build --wheel` builds it (in an isolated environment with the build
# requirements of pyproject.toml), from a copy of the tracked files, since a build writes build/ and
# *.egg-info beside its source.
RUNTIME_FOLDERS = ("pipeline", "layers", "store", "ui", "views", "static")


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in _tracked():
        if name.startswith(("tests/", "bench/", "notebooks/", "data/osm/")):
            continue
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    out = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    (built,) = dist.glob("*.whl")
    return built


def test_the_wheel_carries_every_file_the_code_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every tracked file of the packages and static/, and the standard's table; .pyc never, tests never.
    expected = {n for n in _tracked() if n.split("/")[0] in RUNTIME_FOLDERS} | {
        "data/standards/gb50180_2018_facilities.csv"
    }
    assert expected - names == set()
    assert {
        "pipeline/core/words.toml",
        "static/vendor/leaflet@1.9.3/leaflet.js",
        "static/identity/index.html",
    } <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "data/osm/")) or n.endswith(".pyc")]


def test_the_unpacked_wheel_runs_from_another_folder(wheel, tmp_path):
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    zipfile.ZipFile(wheel).extractall(site)  # what installing a pure-Python wheel does
    elsewhere.mkdir()
    code = (
        "import json, pipeline, layers.web.vendor as v, ui.roles as r;"
        "from pipeline.sites.standards import read_standards;"
        "from pipeline.core.words import word;"
        "print(json.dumps([pipeline.__file__, sorted(read_standards().index), word('app.app_title', 'zh'),"
        " (v.VENDOR_DIR / 'leaflet@1.9.3' / 'leaflet.js').stat().st_size, r.__file__]))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    package, kinds, title, leaflet, roles = json.loads(out.stdout.splitlines()[-1])
    assert Path(package).is_relative_to(site) and Path(roles).is_relative_to(site)
    with (ROOT / "data" / "standards" / "gb50180_2018_facilities.csv").open(encoding="utf-8") as f:
        assert set(kinds) == {row["kind"] for row in csv.DictReader(f) if row["level"] in ("5min", "block")}
    words = tomllib.loads((ROOT / "pipeline" / "core" / "words.toml").read_text(encoding="utf-8"))
    assert title == words["app"]["app_title"]["zh"]
    assert leaflet == (ROOT / "static" / "vendor" / "leaflet@1.9.3" / "leaflet.js").stat().st_size
