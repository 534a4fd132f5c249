"""Writing outputs without destroying anything the mapper did not make.

One helper for every command that writes:

* :func:`output_folder` — a folder output (an inventory, the sites tables, a batch compound). The
  files are written to a temporary folder beside the target, stamped, and swapped into place. An
  existing target is replaced only when it carries the stamp of the same kind of output and holds
  nothing but what the stamp lists; any other non-empty folder is refused with
  :class:`OutputNotOursError`, before anything moves.
* :func:`claim_folder` — a folder filled over several runs (``batch --out``): refused unless it is
  empty, missing, or stamped as that kind.
* :func:`output_file` — a file output (``number``, ``export``, ``figure``, ``spots export``, the CSV
  and XLSX writers). Written to a temporary file in the same folder, then renamed over the target
  (:func:`os.replace`), so a full or read-only disk leaves the previous file as it was and raises
  :class:`OutputWriteError`: one line naming the path.

Temporary names carry the writer's process id; the next run removes those whose process is gone
(a run killed with ``kill -9``), and puts back a target a killed swap had moved aside.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.core.errors import MapperError

log = logging.getLogger(__name__)

#: The stamp file the mapper writes in every folder output.
STAMP = ".mapper-output.json"
#: Temporary names: ``.<target>.mapper-tmp-<pid>-<random>`` (being written) and
#: ``.<target>.mapper-old-<pid>-<random>`` (the previous output, moved aside during the swap).
_TEMP = re.compile(
    r"^\.(?P<target>.+)\.mapper-(?P<role>tmp|old)-(?P<pid>\d+)-[A-Za-z0-9_]+(?P<suffix>\.[^.]*)?$"
)


class OutputError(MapperError):
    """An output cannot be written where it was asked for."""


class OutputNotOursError(OutputError, FileExistsError):
    """The output folder exists, is not empty, and was not written by the mapper (or holds more)."""


class OutputWriteError(OutputError, OSError):
    """Writing failed (disk full, read-only, no permission); the previous output is untouched."""


# ------------------------------------------------------------------------------------------- stamps


def read_stamp(folder: str | Path) -> dict[str, Any] | None:
    """Return the stamp of a folder the mapper wrote, or ``None``."""
    path = Path(folder) / STAMP
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("written_by") == "community asset mapper" else None


def _stamp(kind: str, folder: Path) -> dict[str, Any]:
    return {
        "written_by": "community asset mapper",
        "kind": kind,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": sorted(p.name for p in folder.iterdir() if p.name != STAMP),
    }


def check_replaceable(
    target: str | Path,
    kind: str,
    *,
    legacy: Callable[[Path], bool] | None = None,
    option: str = "--out",
    whole: bool = True,
) -> None:
    """Refuse ``target`` unless it is missing, empty, or a ``kind`` output the mapper wrote.

    Parameters
    ----------
    target
        The folder a command is about to replace.
    kind
        The kind of output (``inventory``, ``sites``, ``batch``, ``compound``).
    legacy
        Tells an unstamped folder written by an earlier version of the mapper (only its own files).
    option
        The command-line option that named the folder, for the message.
    whole
        The folder is replaced whole, so it may hold nothing but the files its stamp lists; ``False``
        for a folder filled over several runs, whose other files are never touched.

    Raises
    ------
    OutputNotOursError
        Naming the folder, what is in it that is not ours, and what to do.
    """
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink():
        raise OutputNotOursError(
            f"`{target}` is a symbolic link, so it is left untouched; give `{option}` a new folder name."
        )
    if not target.is_dir():
        raise OutputNotOursError(
            f"`{target}` is a file, not a folder, so it is left untouched; give `{option}` a folder name "
            "(it is created)."
        )
    try:
        entries = sorted(p.name for p in target.iterdir())
    except OSError as exc:
        raise OutputWriteError(f"Cannot look inside `{target}`: {_reason(exc, target)}.") from exc
    if not entries:
        return
    stamp = read_stamp(target)
    if stamp is None:
        if legacy is not None and legacy(target):
            return
        shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
        raise OutputNotOursError(
            f"`{target}` is not empty ({shown}) and was not written by the mapper, so it is left "
            f"untouched; give `{option}` a new or empty folder, or move its contents away first."
        )
    if stamp.get("kind") != kind:
        raise OutputNotOursError(
            f"`{target}` holds {_a(stamp.get('kind', 'different'))} output, not {_a(kind)}; it is left "
            f"untouched. Give `{option}` another folder."
        )
    if not whole:  # filled over several runs: what it holds besides ours is never touched
        return
    extra = sorted(set(entries) - set(stamp.get("files", [])) - {STAMP})
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise OutputNotOursError(
            f"`{target}` is {_a(kind)} the mapper wrote, but it now also holds {shown}, which the mapper "
            f"did not write; it is left untouched. Move those out, or give `{option}` another folder."
        )


def _a(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


# --------------------------------------------------------------------------------- stale temporaries


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: str | Path) -> int:
    """Remove the temporaries a killed run left in ``folder``; return how many.

    A target that a killed swap had moved aside (and not yet replaced) is put back instead.
    """
    folder = Path(folder)
    removed = 0
    try:
        names = [p.name for p in folder.iterdir() if p.name.startswith(".") and ".mapper-" in p.name]
    except OSError:
        return 0
    for name in sorted(names, key=lambda n: "old" in n):  # tmp first, then old
        match = _TEMP.match(name)
        if match is None or _alive(int(match["pid"])):
            continue
        path = folder / name
        target = folder / match["target"]
        try:
            if match["role"] == "old" and not target.exists():
                path.rename(target)
                log.warning("Put back %s, which a killed run had moved aside.", target)
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
            log.info("Removed %s, left by a run that was killed.", path)
        except OSError as exc:
            log.warning("Cannot remove %s, left by a run that was killed: %s", path, exc)
    return removed


def _temp_name(target: Path, role: str) -> str:
    return f".{target.name}.mapper-{role}-{os.getpid()}-"


# ------------------------------------------------------------------------------------------ failures


_DISK_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
_PATH_REASONS = {
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}
_DISK_WORDS = (
    ("No space left", errno.ENOSPC),
    ("disk is full", errno.ENOSPC),
    ("Read-only file system", errno.EROFS),
    ("Permission denied", errno.EACCES),
)


def _errno_of(exc: BaseException, where: Path) -> int | None:
    """The cause of a failed write: the exception's errno, its words, or the state of the disk."""
    code = getattr(exc, "errno", None)
    if code is not None:
        return int(code)
    text = str(exc)
    for words, found in _DISK_WORDS:
        if words in text:
            return found
    with contextlib.suppress(OSError):
        stat = os.statvfs(where)
        if stat.f_flag & os.ST_RDONLY:
            return errno.EROFS
        if stat.f_bavail * stat.f_frsize < 1024 * 1024:
            return errno.ENOSPC
    return None


def _reason(exc: BaseException, where: Path) -> str:
    """Say in a few words why writing failed."""
    code = _errno_of(exc, where)
    return (
        _DISK_REASONS.get(code or -1)
        or _PATH_REASONS.get(code or -1)
        or getattr(exc, "strerror", None)
        or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    )


def _write_failure(target: Path, exc: BaseException, *, kept: bool) -> OutputWriteError:
    where = _existing_parent(target)
    what = "the previous one is kept as it was" if kept else "nothing was written"
    hint = (
        " Free some space, or choose a place you may write to."
        if _errno_of(exc, where) in _DISK_REASONS
        else ""
    )
    return OutputWriteError(f"Cannot write `{target}`: {_reason(exc, where)}; {what}.{hint}")


def _existing_parent(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists():
            return parent
    return Path()


def _is_write_failure(exc: BaseException) -> bool:
    """Errors a full, read-only or forbidden disk causes (pyogrio raises its own types for them)."""
    if isinstance(exc, MapperError):
        return False
    if isinstance(exc, OSError):
        return True
    module = type(exc).__module__ or ""
    return module.startswith(("pyogrio", "fiona", "sqlite3", "zipfile")) or "No space left" in str(exc)


def _mkparent(path: Path, target: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failure(target, exc, kept=target.exists()) from exc


# ------------------------------------------------------------------------------------------- folders


@contextmanager
def output_folder(
    target: str | Path,
    kind: str,
    *,
    legacy: Callable[[Path], bool] | None = None,
    option: str = "--out",
) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``target``, stamped.

    The target is checked first (:func:`check_replaceable`): a folder the mapper did not write is
    refused before anything is written. A failure inside the block removes the temporary folder and
    leaves the target as it was.

    Examples
    --------
    >>> with output_folder("build/x", "inventory") as tmp:  # doctest: +SKIP
    ...     (tmp / "report.json").write_text("{}")
    """
    target = Path(target)
    check_replaceable(target, kind, legacy=legacy, option=option)
    parent = target.parent
    _mkparent(parent, target)
    remove_stale(parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_name(target, "tmp"), dir=parent))
    except OSError as exc:
        raise _write_failure(target, exc, kept=target.exists()) from exc
    try:
        try:
            yield tmp
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; an output is as any new folder
            stamp = _stamp(kind, tmp)
            (tmp / STAMP).write_text(json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8")
        except BaseException as exc:
            if isinstance(exc, OutputWriteError) and exc.__cause__ is not None:  # a file inside failed
                raise _write_failure(target, exc.__cause__, kept=target.exists()) from exc.__cause__
            if _is_write_failure(exc):
                raise _write_failure(target, exc, kept=target.exists()) from exc
            raise
        check_replaceable(target, kind, legacy=legacy, option=option)  # it may have changed meanwhile
        _swap(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _swap(tmp: Path, target: Path) -> None:
    """Put ``tmp`` where ``target`` is; the old target is removed only once the new one is in place."""
    if not target.exists():
        try:
            tmp.rename(target)
        except OSError as exc:
            raise _write_failure(target, exc, kept=False) from exc
        return
    old = Path(tempfile.mkdtemp(prefix=_temp_name(target, "old"), dir=target.parent))
    old.rmdir()
    try:
        target.rename(old)
    except OSError as exc:
        raise _write_failure(target, exc, kept=True) from exc
    try:
        tmp.rename(target)
    except OSError as exc:
        old.rename(target)
        raise _write_failure(target, exc, kept=True) from exc
    shutil.rmtree(old, ignore_errors=True)


def claim_folder(
    target: str | Path, kind: str, *, legacy: Callable[[Path], bool] | None = None, option: str = "--out"
) -> Path:
    """Make ``target`` a ``kind`` folder the mapper fills over several runs, and return it.

    Refused (:class:`OutputNotOursError`) unless it is missing, empty, or already stamped as ``kind``;
    stale temporaries of a killed run inside it are removed.
    """
    target = Path(target)
    check_replaceable(target, kind, legacy=legacy, option=option, whole=False)
    _mkparent(target, target)
    if read_stamp(target) is None:
        stamp = {**_stamp(kind, target), "files": [], "host": socket.gethostname()}
        try:
            write_text(target / STAMP, json.dumps(stamp, ensure_ascii=False, indent=1), option=option)
        except OutputWriteError as exc:
            raise _write_failure(target, exc.__cause__ or exc, kept=False) from exc
    remove_stale(target)
    return target


# --------------------------------------------------------------------------------------------- files


@contextmanager
def output_file(target: str | Path, *, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it is renamed over ``target``.

    The temporary file keeps the target's suffix (GDAL and matplotlib pick the format from it). On
    any failure it is removed and the target is left as it was; a full, read-only or forbidden disk
    raises :class:`OutputWriteError` naming the target.

    Raises
    ------
    OutputError
        When the target is a folder.
    OutputWriteError
        When the file cannot be written or moved into place.
    """
    target = Path(target)
    if target.is_dir():
        raise OutputError(
            f"`{target}` is a folder; write to a file instead, e.g. `{target / ('out' + (target.suffix or '.csv'))}`."
        )
    parent = target.parent
    _mkparent(parent, target)
    remove_stale(parent)
    suffix = "".join(target.suffixes[-1:]) or ""
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_name(target, "tmp"), suffix=suffix, dir=parent)
    except OSError as exc:
        raise _write_failure(target, exc, kept=target.exists()) from exc
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers that refuse an existing file (GDAL) create it themselves
    try:
        try:
            yield tmp
            if not tmp.exists():
                raise OutputWriteError(f"Nothing was written to `{target}`.")
            with contextlib.suppress(OSError):
                mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
                tmp.chmod(mode)
            tmp.replace(target)  # os.replace: atomic within one file system
        except OutputError:
            raise
        except BaseException as exc:
            if _is_write_failure(exc):
                raise _write_failure(target, exc, kept=target.exists()) from exc
            raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(target: str | Path, data: bytes, *, option: str = "--out") -> Path:
    """Write ``data`` to ``target`` atomically (see :func:`output_file`)."""
    with output_file(target, option=option) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | Path, text: str, *, encoding: str = "utf-8", option: str = "--out") -> Path:
    """Write ``text`` to ``target`` atomically (see :func:`output_file`); newlines are written as given."""
    with output_file(target, option=option) as tmp, tmp.open("w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return Path(target)


__all__ = [
    "STAMP",
    "OutputError",
    "OutputNotOursError",
    "OutputWriteError",
    "check_replaceable",
    "claim_folder",
    "output_file",
    "output_folder",
    "read_stamp",
    "remove_stale",
    "write_bytes",
    "write_text",
]
