"""The shape of the code: the import contract holds, and no private name crosses a module.

The contract is pyproject.toml's ``[tool.importlinter]`` (views -> ui -> layers | store -> pipeline; only
pipeline.cli combines the core with the store and the drawings; only app.py, views and ui import
streamlit). ``make lint`` runs it too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers.testdata import ROOT

PACKAGES = ("pipeline", "layers", "store", "ui", "views")
CONTRACTS = {
    c["id"]: c
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
}


def sources() -> list[Path]:
    """Every Python file of the app and its packages."""
    return [ROOT / "app.py", *(p for name in PACKAGES for p in sorted((ROOT / name).rglob("*.py")))]


def module_of(path: Path) -> str:
    """``pipeline/cli/main.py`` -> ``pipeline.cli.main``; ``pipeline/cli/__init__.py`` -> ``pipeline.cli``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def project_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of the project (not a name inside one)."""
    path = ROOT.joinpath(*dotted.split("."))
    return dotted.split(".")[0] in PACKAGES and (path.is_dir() or path.with_suffix(".py").is_file())


def private_crossings(path: Path, text: str | None = None) -> list[str]:
    """``from x import _y`` in ``path`` (or in ``text``, as if it were there), and ``m._y`` on a project module ``m``."""
    text = path.read_text(encoding="utf-8") if text is None else text
    tree = ast.parse(text, filename=str(path))
    here = module_of(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                if is_private(alias.name):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {source} import {alias.name}")
                elif project_module(f"{source}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_private(alias.name.rpartition(".")[2]):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {alias.name}")
                elif alias.asname and project_module(alias.name):
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and is_private(node.attr)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {modules[node.value.id]}.{node.attr}")
    return found


def test_the_import_contract_holds():
    script = Path(sys.executable).parent / "lint-imports"
    assert script.exists(), "lint-imports is missing: `make install` installs requirements-dev.txt"
    done = subprocess.run(
        [str(script), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )
    broken = done.stdout[done.stdout.find("Broken contracts") :] if "Broken contracts" in done.stdout else ""
    assert done.returncode == 0, broken or done.stdout + done.stderr


def test_the_contract_names_every_stage():
    """A new stage under pipeline/ must be added to the contracts that list the stages."""
    stages = {f"pipeline.{p.name}" for p in (ROOT / "pipeline").iterdir() if (p / "__init__.py").is_file()}
    assert set(CONTRACTS["store-core"]["forbidden_modules"]) == stages - {"pipeline.core"}
    assert set(CONTRACTS["stages-below-cli"]["source_modules"]) == stages - {"pipeline.cli"}
    assert CONTRACTS["direction"]["layers"] == ["views", "ui", "layers | store", "pipeline"]


def test_no_private_name_crosses_a_module():
    found = [line for path in sources() for line in private_crossings(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("code", "caught"),
    [
        ("from pipeline.survey.read import _read_raw\n", True),
        ("from .read import _helper\n", True),
        ("import pipeline.survey.read as r\nr._read_raw(1)\n", True),
        ("from pipeline.survey import read\nread._read_raw(1)\n", True),
        ("from __future__ import annotations\nfrom pipeline import __doc__\n", False),
        ("import argparse\nx: argparse._SubParsersAction\n", False),
        ("def f(self):\n    return self._x\n", False),
    ],
)
def test_the_private_name_check_catches_what_it_should(code, caught):
    assert bool(private_crossings(ROOT / "pipeline" / "survey" / "probe.py", code)) is caught


def imported_test_modules(code: str) -> list[str]:
    """The test modules and conftests that ``code`` imports (a test shares through tests/helpers only)."""
    found = []
    for node in ast.walk(ast.parse(code)):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        found += [
            n
            for n in names
            if n.startswith("tests.") and n.rsplit(".", 1)[-1].startswith(("test_", "conftest"))
        ]
    return found


def test_no_test_imports_another_test_module():
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for name in imported_test_modules(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("code", "caught"),
    [
        ("from tests.app.test_chinese import ALLOWED\n", True),
        ("def f():\n    from tests.app.conftest import x\n", True),
        ("import tests.pipeline.inventory.test_build\n", True),
        ("from tests.helpers.chinese import ALLOWED\n", False),
    ],
)
def test_the_test_import_check_catches_what_it_should(code, caught):
    assert bool(imported_test_modules(code)) is caught
