"""Timing helpers shared by the benchmarks, and the one line per result that ``bench/table.py`` gathers.

Medians of alternating runs: ours and the peer run in turn (a, b, a, b, ...), so a change in the
machine's load during the measurement falls on both alike. Every result line carries the load
average of the minute before it (a 2-core machine shared with others is noisy).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

#: Result lines start with this; ``bench/table.py`` reads them from a run's output.
TAG = "BENCH-RESULT"
#: When set, result lines are also appended to this file (``make bench`` sets it, then prints the table).
RESULTS_ENV = "BENCH_RESULTS"


def median_s(fn: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternating_s(fns: Mapping[str, Callable[[], object]], *, repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median wall seconds of each ``fn()``, the functions run in turn ``repeats`` times."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def alternating_processes_s(
    commands: Mapping[str, Sequence[str]], *, repeats: int = 7, cwd: Path | None = None, warmup: int = 1
) -> dict[str, float]:
    """Median wall seconds of each command as a fresh process, the commands run in turn."""

    def run(command: Sequence[str]) -> None:
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return alternating_s({name: lambda c=c: run(c) for name, c in commands.items()}, repeats=repeats, warmup=warmup)


def load() -> float:
    """The machine's load average over the last minute."""
    return os.getloadavg()[0]


def result(
    stage: str,
    ours: float,
    peer_name: str,
    peer: float,
    *,
    target: str = "",
    met: bool | None = None,
    unit: str = "s",
) -> None:
    """Print one machine-readable result line (and append it to ``$BENCH_RESULTS`` when set).

    ``ratio`` is ``peer / ours``: above 1, ours is faster. ``target`` is the issue's, in words, and
    ``met`` whether this run meets it (``None`` when the issue sets none).
    """
    line = json.dumps(
        {
            "stage": stage,
            "ours": round(ours, 4),
            "peer_name": peer_name,
            "peer": round(peer, 4),
            "ratio": round(peer / ours, 3) if ours else None,
            "unit": unit,
            "target": target,
            "met": met,
            "load": round(load(), 2),
        },
        ensure_ascii=False,
    )
    print(f"{TAG} {line}", flush=True)
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
