"""One table of every benchmark result: stage, ours, peer, ratio, the issue's target, met.

Run: .venv/bin/python bench/table.py RESULTS [RESULTS ...]
Each file holds the result lines the benchmarks wrote (``make bench`` collects them in one file
through ``$BENCH_RESULTS``), or a benchmark's printed output, whose result lines start with
``BENCH-RESULT``. Prints a Markdown table, in the order the results came.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import TAG


def rows(text: str) -> list[dict]:
    """The results in ``text``: bare JSON lines, or lines tagged ``BENCH-RESULT`` among other output."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(TAG):
            line = line[len(TAG) :].strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def figure(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.1f} {unit}"


def table(results: list[dict]) -> str:
    lines = [
        "| stage | ours | peer | ratio (peer ÷ ours) | target (issue 15) | met? | load |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(
            f"| {r['stage']} | {figure(r['ours'], r['unit'])} | {r['peer_name']}: {figure(r['peer'], r['unit'])} "
            f"| {ratio} | {r['target'] or '–'} | {met} | {r['load']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    results = [r for name in sys.argv[1:] for r in rows(Path(name).read_text(encoding="utf-8"))]
    if not results:
        sys.exit("No benchmark results in " + ", ".join(sys.argv[1:]) + ": run bench/bench_*.py first.")
    print(table(results))


if __name__ == "__main__":
    main()
