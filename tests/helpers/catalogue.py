"""The bad-input catalogue's checks: one line naming the input, and nothing changed on disk or in the store.

Each case of ``tests/*/test_bad_input.py`` is named ``<outcome>-<what>``; the outcomes are
:data:`OUTCOMES`. ``README.md`` ("What we promise") gives their totals.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

#: What the user gets: refused with one line (exit 2), a warning and the rest done (exit 0), rows
#: skipped and counted (exit 0), or a bug turned into one line and a log (exit 1).
OUTCOMES = ("refused", "warned", "skipped", "crash")
ROOT = Path(__file__).resolve().parents[2]


def case_id(outcome: str, what: str) -> str:
    assert outcome in OUTCOMES, outcome
    return f"{outcome}-{what}"


def tree_hash(root: Path, *, skip: str | None = None) -> str:
    """A hash of every path, mode and byte under ``root`` (symbolic links by target; names holding ``skip`` left out)."""
    digest = hashlib.sha256()
    if not root.exists():
        return "missing"
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "__pycache__" in rel or (skip and skip in rel):
            continue
        digest.update(rel.encode() + b"\0")
        if path.is_symlink():
            digest.update(str(path.readlink()).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
        digest.update(oct(path.lstat().st_mode).encode())
    return digest.hexdigest()


def store_hash(db_file: Path) -> str:
    """A hash of every row of every table of a SQLite store (not of its file's pages)."""
    if not db_file.exists():
        return "missing"
    conn = sqlite3.connect(db_file)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def assert_one_line(message: str, names: str, *, listing: bool = False) -> None:
    """``message`` is one line (``listing``: a first line, then indented rows) that names the input."""
    assert "Traceback" not in message, message
    lines = message.strip("\n").splitlines()
    assert lines, "no message"
    if listing:
        rest = [line for line in lines[1:] if not line.startswith("  ")]
        assert len(rest) <= 1, message  # the closing "fix these lines"
    else:
        assert len(lines) == 1, message
    assert names in lines[0], f"{names!r} not named in: {lines[0]}"


def mapper(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline`` in the project as a user would (for faults that need a process)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        **kwargs,
    )


def mount_tmpfs(folder: Path, size: str) -> Path:
    """Mount a small tmpfs on ``folder`` (skip, naming the missing permission, when not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs on {folder} (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    return folder


def remount_read_only(folder: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount {folder} read-only (needs CAP_SYS_ADMIN): {done.stderr.strip()}")


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path, leave_bytes: int = 0) -> None:
    """Fill a file system until about ``leave_bytes`` are free."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize - leave_bytes
    if free > 0:
        with (folder / "filler.bin").open("wb") as handle, contextlib.suppress(OSError):
            handle.write(b"\0" * free)
