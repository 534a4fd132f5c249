"""The last resort: an unexpected error is one line for the user and a traceback in a log file."""

from __future__ import annotations

import pytest

from pipeline.cli import main as cli
from pipeline.core.crash import report_crash


def boom() -> None:
    raise ValueError("a value nobody expected\nwith a second line")


def test_report_crash_writes_the_traceback_and_returns_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(tmp_path))
    try:
        boom()
    except ValueError as exc:
        line = report_crash(exc, "python -m pipeline build")
    assert "\n" not in line
    assert line.startswith("unexpected error (ValueError: a value nobody expected with a second line)")
    logs = list((tmp_path / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in line
    text = logs[0].read_text()
    assert "Traceback" in text and "in boom" in text and "python -m pipeline build" in text


def test_the_app_is_shown_the_log_name_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(tmp_path))
    line = report_crash(RuntimeError("x"), full_path=False)
    assert str(tmp_path) not in line and "details in crash-" in line


def test_an_unwritable_log_folder_still_gives_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(blocker))
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(blocker / "tmp"))
    line = report_crash(RuntimeError("x"))
    assert line.endswith("(no log could be written).")


def test_the_cli_turns_a_bug_into_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(tmp_path))

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pipeline.cli.compounds.run", broken)
    assert cli.main(["compounds", "x.osm"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: unexpected error (ZeroDivisionError: division by zero)")
    (log,) = (tmp_path / "logs").glob("crash-*.log")
    assert "ZeroDivisionError" in log.read_text() and "python -m pipeline compounds" in log.read_text()


def test_keyboard_interrupt_is_not_swallowed(monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.cli.compounds.run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.main(["compounds", "x.osm"])
