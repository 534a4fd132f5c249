"""A figure callable for the batch that writes what the worker it runs on is set to do, not a figure.

The batch sends ``draw_figure`` to its workers by name, so this lives in an importable module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_worker_profiling(inventory: Any, path: Path) -> None:
    """Write whether the worker's statistical profiler is on ("True"/"False") where the figure would go."""
    import dask

    path.write_text(str(dask.config.get("distributed.worker.profile.enabled")), encoding="utf-8")
