"""Outputs never destroy what they did not make: the one helper every command writes through."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.fileio import (
    STAMP,
    OutputError,
    OutputNotOursError,
    OutputWriteError,
    check_replaceable,
    claim_folder,
    output_file,
    output_folder,
    read_stamp,
    remove_stale,
    write_text,
)


def tree_hash(root: Path) -> str:
    """A hash of every name and byte under ``root`` (the folder itself included)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def users_folder(path: Path) -> Path:
    path.mkdir()
    (path / "thesis.docx").write_bytes(b"four years of work")
    (path / "drafts").mkdir()
    (path / "drafts" / "v1.docx").write_bytes(b"draft")
    return path


def test_a_new_folder_is_written_and_stamped(tmp_path):
    out = tmp_path / "a" / "inv"
    with output_folder(out, "inventory") as tmp:
        assert tmp.parent == out.parent and tmp != out
        (tmp / "report.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == [STAMP, "report.json"]
    stamp = read_stamp(out)
    assert stamp["kind"] == "inventory" and stamp["files"] == ["report.json"]
    assert [p.name for p in out.parent.iterdir()] == ["inv"]  # no temporary left


def test_a_folder_the_mapper_wrote_is_replaced_whole(tmp_path):
    out = tmp_path / "inv"
    with output_folder(out, "inventory") as tmp:
        (tmp / "old.csv").write_text("old")
    with output_folder(out, "inventory") as tmp:
        (tmp / "new.csv").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [STAMP, "new.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["inv"]


def test_a_users_folder_is_refused_before_anything_is_written(tmp_path):
    out = users_folder(tmp_path / "thesis")
    before = tree_hash(tmp_path)
    entered = False
    with (
        pytest.raises(OutputNotOursError, match=r"thesis.*not written by the mapper.*--out"),
        output_folder(out, "inventory"),
    ):
        entered = True
    assert not entered
    assert tree_hash(tmp_path) == before


def test_a_file_the_user_added_to_an_output_stops_the_replacement(tmp_path):
    out = tmp_path / "inv"
    with output_folder(out, "inventory") as tmp:
        (tmp / "inventory.csv").write_text("x")
    (out / "notes.txt").write_text("mine")
    before = tree_hash(tmp_path)
    with (
        pytest.raises(OutputNotOursError, match=r"notes\.txt.*did not write"),
        output_folder(out, "inventory"),
    ):
        pass
    assert tree_hash(tmp_path) == before


def test_another_kind_of_output_is_not_replaced(tmp_path):
    out = tmp_path / "sites"
    with output_folder(out, "sites") as tmp:
        (tmp / "sites.csv").write_text("x")
    with (
        pytest.raises(OutputNotOursError, match="sites output, not an inventory"),
        output_folder(out, "inventory"),
    ):
        pass


def test_an_empty_folder_and_a_legacy_output_are_accepted(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    check_replaceable(empty, "inventory")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "report.json").write_text("{}")
    check_replaceable(legacy, "inventory", legacy=lambda p: (p / "report.json").is_file())
    with pytest.raises(OutputNotOursError):
        check_replaceable(legacy, "inventory", legacy=lambda p: False)


def test_a_file_or_a_link_where_a_folder_goes_is_refused(tmp_path):
    target = tmp_path / "out"
    target.write_text("a file")
    with pytest.raises(OutputNotOursError, match="is a file"):
        check_replaceable(target, "inventory")
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(OutputNotOursError, match="symbolic link"):
        check_replaceable(link, "inventory")


def test_a_failure_inside_leaves_the_previous_output(tmp_path):
    out = tmp_path / "inv"
    with output_folder(out, "inventory") as tmp:
        (tmp / "a.csv").write_text("previous")
    before = tree_hash(tmp_path)
    with pytest.raises(RuntimeError), output_folder(out, "inventory") as tmp:
        (tmp / "a.csv").write_text("half")
        raise RuntimeError("boom")
    assert tree_hash(tmp_path) == before


def test_an_oserror_inside_becomes_one_line_naming_the_target(tmp_path):
    out = tmp_path / "inv"
    with pytest.raises(OutputWriteError) as info, output_folder(out, "inventory"):
        raise OSError(28, "No space left on device", str(tmp_path / ".inv.mapper-tmp-1-x" / "f"))
    message = str(info.value)
    assert "\n" not in message
    assert f"`{out}`" in message and "the disk is full" in message and "mapper-tmp" not in message
    assert not out.exists()


def test_temporaries_of_a_killed_run_are_removed_and_a_moved_aside_output_is_put_back(tmp_path):
    pid = dead_pid()
    stale_dir = tmp_path / f".inv.mapper-tmp-{pid}-abc"
    stale_dir.mkdir()
    (stale_dir / "half.gpkg").write_bytes(b"half")
    stale_file = tmp_path / f".x.csv.mapper-tmp-{pid}-def.csv"
    stale_file.write_text("half")
    moved = tmp_path / f".kept.mapper-old-{pid}-ghi"
    moved.mkdir()
    (moved / "report.json").write_text("{}")
    live = tmp_path / ".other.mapper-tmp-1-xyz"  # pid 1 is alive: another run's
    live.mkdir()
    users = tmp_path / ".hidden"
    users.write_text("not ours")
    assert remove_stale(tmp_path) == 2
    assert not stale_dir.exists() and not stale_file.exists()
    assert (tmp_path / "kept" / "report.json").is_file() and not moved.exists()
    assert live.exists() and users.exists()


def test_output_file_replaces_atomically_and_keeps_the_previous_on_failure(tmp_path):
    target = tmp_path / "x.csv"
    write_text(target, "one\n")
    with pytest.raises(ValueError), output_file(target) as tmp:
        tmp.write_text("half")
        raise ValueError("bad data")
    assert target.read_text() == "one\n"
    with output_file(target) as tmp:
        assert tmp.suffix == ".csv" and tmp.parent == tmp_path and not tmp.exists()
        tmp.write_text("two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_output_file_at_a_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match=r"is a folder; write to a file instead"), output_file(tmp_path):
        pass


def test_output_file_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(OutputWriteError, match="Nothing was written"), output_file(tmp_path / "x.csv"):
        pass


def test_output_file_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("a")
    target.chmod(0o640)
    write_text(target, "b")
    assert target.stat().st_mode & 0o777 == 0o640


def test_claim_folder_stamps_an_empty_folder_and_refuses_a_users(tmp_path):
    out = claim_folder(tmp_path / "city", "batch")
    assert read_stamp(out)["kind"] == "batch"
    (out / "mine.txt").write_text("kept")  # a batch folder is filled over runs: extras are left alone
    assert claim_folder(out, "batch") == out
    assert (out / "mine.txt").read_text() == "kept"
    users = users_folder(tmp_path / "data")
    before = tree_hash(users)
    with pytest.raises(OutputNotOursError, match="data"):
        claim_folder(users, "batch")
    assert tree_hash(users) == before
    assert json.loads((out / STAMP).read_text())["written_by"] == "community asset mapper"


def test_a_stamp_the_mapper_did_not_write_does_not_count(tmp_path):
    out = users_folder(tmp_path / "forged")
    (out / STAMP).write_text(json.dumps({"written_by": "someone else", "kind": "inventory", "files": []}))
    with pytest.raises(OutputNotOursError, match="not written by the mapper"):
        check_replaceable(out, "inventory")
    (out / STAMP).write_text("not json")
    with pytest.raises(OutputNotOursError, match="not written by the mapper"):
        check_replaceable(out, "inventory")


def test_temporaries_of_this_very_process_are_left_alone(tmp_path):
    """Another thread of this process (the app serves many) may be writing them right now."""
    mine = tmp_path / f".inv.mapper-tmp-{os.getpid()}-abc"
    mine.mkdir()
    assert remove_stale(tmp_path) == 0
    assert mine.exists()


def test_a_swap_that_fails_half_way_puts_the_previous_output_back(tmp_path, monkeypatch):
    out = tmp_path / "inv"
    with output_folder(out, "inventory") as tmp:
        (tmp / "a.csv").write_text("previous")
    before = tree_hash(tmp_path)
    real_rename = Path.rename

    def rename(self, target):
        if ".mapper-tmp-" in self.name:  # the new output cannot be moved into place
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OutputWriteError, match="previous one is kept"), output_folder(out, "inventory") as tmp:
        (tmp / "a.csv").write_text("new")
    assert tree_hash(tmp_path) == before


def test_write_bytes_writes_exactly(tmp_path):
    from pipeline.core.fileio import write_bytes

    data = bytes(range(256))
    assert write_bytes(tmp_path / "x.bin", data).read_bytes() == data
