"""The command line's shape: every command listed, each loaded only when it runs, and light to start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import options
from pipeline.cli.main import COMMANDS, command_of, main
from tests.helpers.testdata import DEMO_ID, DEMO_OSM, ROOT

NINE = ["compounds", "build", "number", "survey", "figure", "export", "sites", "spots", "batch"]
#: Libraries no command needs to print its help; ``--help`` alone needs none of the geodata stack either.
HEAVY = ["sqlalchemy", "ezdxf", "scipy.sparse.csgraph", "matplotlib", "streamlit", "store", "layers"]


def loaded_after(*argv: str) -> dict[str, object]:
    """Run ``python -m pipeline ARGV`` in a fresh interpreter; return its exit status and the modules it loaded."""
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['pipeline', *{list(argv)!r}]\n"
        "status = 0\n"
        "try:\n"
        "    runpy.run_module('pipeline', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_lists_all_nine_commands(capsys):
    assert list(COMMANDS) == NINE
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name, (_module, help_text) in COMMANDS.items():
        assert f"    {name} " in out
        assert help_text.split()[0] in out


def test_help_imports_no_command_and_no_geodata():
    run = loaded_after("--help")
    assert run["status"] == 0
    modules = set(run["modules"])
    assert not {m for m in modules if m.startswith("pipeline.cli.")} - {"pipeline.cli.main"}
    assert not modules & {"geopandas", "pandas", "shapely", *HEAVY}


@pytest.mark.parametrize("name", NINE)
def test_a_command_loads_its_own_module_only(name):
    run = loaded_after(name, "--help")
    assert run["status"] == 0
    commands = {m for m in run["modules"] if m.startswith("pipeline.cli.")}
    assert commands - {"pipeline.cli.main", "pipeline.cli.options"} == {COMMANDS[name][0]}


def test_build_help_imports_nothing_heavy():
    modules = set(loaded_after("build", "--help")["modules"])
    assert not modules & set(HEAVY)
    assert "geopandas" not in modules


def test_a_build_loads_neither_the_store_nor_cad_nor_csgraph(tmp_path):
    """Not only its help: a whole ``build`` of the demo compound."""
    run = loaded_after("-q", "build", "--osm", str(DEMO_OSM), "--compound", DEMO_ID, "--out", str(tmp_path / "inv"))
    assert run["status"] == 0
    assert (tmp_path / "inv" / "inventory.gpkg").is_file()
    assert not set(run["modules"]) & set(HEAVY)


def test_every_command_module_has_add_arguments_and_run():
    import importlib

    for module_path, _help in COMMANDS.values():
        module = importlib.import_module(module_path)
        assert callable(module.add_arguments) and callable(module.run), module_path


@pytest.mark.parametrize("name", NINE)
def test_every_command_prints_its_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert f"pipeline {name}" in capsys.readouterr().out


def test_the_command_is_the_first_word_that_is_not_an_option():
    assert command_of(["-q", "build", "--osm", "x"]) == "build"
    assert command_of(["--help"]) is None
    assert command_of(["nope", "build"]) is None


def test_a_mapper_error_is_one_line_and_status_2(tmp_path, capsys):
    assert main(["compounds", str(tmp_path / "missing.osm")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing.osm" in err and err.count("\n") == 1


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["nope"])
    assert exc.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_the_parsers_choices_are_the_cores():
    """The flags repeat the core's choices so that building a parser stays light; they must not drift."""
    from layers.figure.layout import LANGS, ORIENTATIONS
    from layers.figure.page import PAPER_SIZES_MM
    from pipeline.cli import export, figure, survey
    from pipeline.core import schema as S
    from pipeline.inventory.classify import DEFAULT_RADIUS_M
    from pipeline.inventory.export import FORMATS
    from pipeline.survey import read, register

    assert (options.METHODS, options.SCHEMES, options.DEFAULT_RADIUS_M) == (S.METHODS, S.SCHEMES, DEFAULT_RADIUS_M)
    assert (survey.SUFFIXES, survey.METHODS) == (read.SUFFIXES, register.METHODS)
    assert survey.DEFAULT_TOLERANCE_M == register.DEFAULT_TOLERANCE_M
    assert export.EXPORT_FORMATS == FORMATS
    assert tuple(PAPER_SIZES_MM) == figure.PAPERS
    assert (figure.ORIENTATIONS, figure.LANGS) == (ORIENTATIONS, LANGS)


def test_python_m_pipeline_runs_a_command():
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "spots", "hash-password"],
        input="correct horse battery\n", capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("scrypt$")


def test_the_mapper_script_is_the_same_program():
    script = Path(sys.executable).parent / "mapper"
    if not script.exists():
        pytest.skip("the project is not installed (`make install` runs `pip install -e .`)")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.startswith("usage: mapper ")
    assert all(f"    {name} " in done.stdout for name in NINE)
