"""The project installs as a package: pyproject's dependencies are requirements.txt, `mapper` is the CLI."""

from __future__ import annotations

import tomllib

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
        "pipeline*", "layers*", "store*", "ui*", "views*",
    }  # fmt: skip


def test_the_makefile_installs_the_project_in_editable_mode():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = makefile[makefile.index("$(STAMP):") :].split("\n\n")[0]
    assert "install -q -r requirements-dev.txt" in stamp and "install -q -e ." in stamp
    assert stamp.index("requirements-dev.txt\n") < stamp.index("-e .")
