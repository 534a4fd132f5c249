"""The last resort: an error nobody planned for becomes one line for the user and a log for us.

The command line (:func:`pipeline.cli.main.main`) and the app (``app.py``) catch what is not a
:class:`~pipeline.core.errors.MapperError` (a bug, a library's surprise, memory running out) and call
:func:`report_crash`: the traceback goes to a file in the ``logs`` folder of the runtime folder
(:class:`pipeline.core.settings.Settings`, ``runtime/logs/`` by default), and the user sees one line
naming the error and that file, never a page of stack.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import traceback
from pathlib import Path

log = logging.getLogger(__name__)

def log_dir() -> Path:
    """Where crash logs go: ``logs`` in the runtime folder (the project's ``runtime/logs`` by default)."""
    from pipeline.core.errors import MapperError
    from pipeline.core.settings import PROJECT_ROOT, Settings

    try:
        return Settings.from_env().runtime_dir / "logs"
    except MapperError:  # a bad setting must not hide the crash
        return PROJECT_ROOT / "runtime" / "logs"


def _summary(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def write_crash_log(exc: BaseException, context: str = "") -> Path | None:
    """Write the traceback of ``exc`` (and ``context``) to a new log file; return it, or ``None``."""
    now = dt.datetime.now(dt.UTC)
    body = (
        f"{now.isoformat(timespec='seconds')} pid {os.getpid()}\n{context}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    name = f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}-"
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix=name, suffix=".log", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
        except OSError:
            continue
        return Path(path)
    return None


def report_crash(exc: BaseException, context: str = "", *, full_path: bool = True) -> str:
    """Log an unexpected error and return the one line to show the user.

    ``full_path=False`` names the log file without its folder (the app shows no server paths).
    """
    path = write_crash_log(exc, context)
    shown = path if full_path or path is None else path.name
    where = f"details in {shown}" if path else "no log could be written"
    log.debug("Unexpected error", exc_info=exc)
    return f"unexpected error ({_summary(exc)}); please report it ({where})."


__all__ = ["log_dir", "report_crash", "write_crash_log"]
