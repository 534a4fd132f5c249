"""City scale: build every compound of an extract on Dask, one task per compound.

The OSM file is read once, by the client, and the features are sent once to every worker
(``scatter(broadcast=True)``); a task is then only its compound's id and outline. The worker cuts the
compound's neighbourhood (:func:`pipeline.inventory.compound.neighbourhood`) from its own copy, builds the
inventory with the same :func:`pipeline.inventory.build.build_inventory` as ``python -m pipeline build``,
and writes it to ``OUT/compounds/<id>/`` atomically, so the client, which also runs a local cluster's
scheduler, does little per task (it used to cut and pickle every neighbourhood). ``OUT`` must be new,
empty, or a batch folder the mapper wrote. A compound that fails is recorded with its reason and the
others go on; a rerun skips the compounds already written. At the end the client gathers the
per-compound results into one city file: ``city.gpkg`` and GeoParquet (``city_assets.parquet``,
``city_compounds.parquet``), in WGS-84 since a city may span UTM zones.

On a cluster (``scheduler=``), a worker may not see the client's disk: it builds into a temporary
folder of its own and returns the folder's files with its row, and the client writes them.
Every row records where its time went on the worker (``cut_s``, ``build_s``, ``write_s``,
``coverage_s``) and the worker's own peak memory; ``batch.json`` adds the client's peak and the
client's phases (``plan_s``, ``start_s`` starting the cluster and sending the city, ``tasks_s``,
``city_s`` writing the city files).

Figures are drawn by a callable the caller passes (``draw_figure``; the command line passes
:func:`pipeline.cli.batch.draw_layout`), so the core never imports the drawing code.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from pipeline.core import schema as S
from pipeline.core.cells import csv_bytes
from pipeline.core.errors import DataError, MapperError
from pipeline.core.fileio import STAMP, claim_folder, output_file, output_folder, remove_stale, write_text
from pipeline.inventory.build import (
    Inventory,
    build_inventory,
    is_legacy_inventory,
    neighbourhood_margin,
    read_inventory,
    sync_folder,
    write_inventory_files,
)
from pipeline.inventory.compound import AREA_M2, find_compounds, neighbourhood
from pipeline.inventory.naming import compound_title, title_of
from pipeline.sites.coverage import assess_coverage, coverage_summary

log = logging.getLogger(__name__)

COMPOUND_ID = "compound_id"
STATUS = "status"
REASON = "reason"
COVERAGE_NOTE = "coverage_note"
#: A failed compound's reason and a coverage note are kept in English (the CSV, the report) and in Chinese
#: (the City page in Chinese): ``reason_zh``, ``coverage_note_zh``; :func:`said` picks one.
ZH_COLUMNS = (f"{REASON}_zh", f"{COVERAGE_NOTE}_zh")
COVERAGE_CSV = "coverage.csv"
DONE = "batch-row.json"
FIGURE = "layout.pdf"
#: The worker's own peak memory when it finished the compound (MB).
PEAK_RSS = "peak_rss_mb"
#: The city files a batch writes beside ``compounds/``.
CITY_FILES = ("city.gpkg", "city_assets.parquet", "city_compounds.parquet", "batch.json")
#: The walking network for coverage reaches this far beyond a build's own neighbourhood.
NETWORK_MARGIN_M = 600.0


@dataclass(frozen=True)
class BatchOptions:
    """How every compound is built: the same options as ``build``."""

    method: str = "auto"
    scheme: str = "global"
    radius_m: float = 50.0


#: Draws a compound's figure from its inventory into the given file; it runs on a worker, so it must pickle
#: (a module-level function).
DrawFigure = Callable[[Inventory, Path], None]

#: Tasks in flight per worker: enough to keep workers busy, few enough that the client never holds
#: every compound's neighbourhood at once.
IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class Task:
    """One compound to build: its id, name and WGS-84 outline."""

    compound_id: str
    name: str
    outline: shapely.Geometry


def folder_name(compound_id: str) -> str:
    """Return a safe folder name for a compound id: ``way/595108678`` → ``way-595108678``."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "-", compound_id).strip("-")


def plan_tasks(
    features: gpd.GeoDataFrame, *, compounds: Iterable[str] | None = None, radius_m: float = 50.0
) -> list[Task]:
    """Split a city's features into one task per compound (all compounds, or the ids/names given)."""
    found = find_compounds(features, count_gates=False)
    if compounds is not None:
        wanted = list(compounds)
        chosen = found[found[S.SOURCE_ID].isin(wanted) | found[S.NAME].isin(wanted)]
        missing = sorted(set(wanted) - set(chosen[S.SOURCE_ID]) - set(chosen[S.NAME]))
        if missing:
            raise DataError("error.batch.missing", n=len(missing), names=", ".join(missing[:10]))
        found = chosen
    if found.empty:
        raise DataError("error.batch.no_compound")
    return [
        Task(sid, name, geom)
        for sid, name, geom in zip(found[S.SOURCE_ID], found[S.NAME], found.geometry, strict=True)
    ]


def task_features(features: gpd.GeoDataFrame, task: Task, *, radius_m: float) -> gpd.GeoDataFrame:
    """The part of the city a task is handed: everything its build and walking network can reach."""
    return neighbourhood(features, task.outline, margin_m=neighbourhood_margin(radius_m) + NETWORK_MARGIN_M)


def run_task(
    task: Task,
    features: gpd.GeoDataFrame,
    out_dir: str,
    options: BatchOptions,
    draw_figure: DrawFigure | None = None,
) -> dict[str, Any]:
    """Build one compound from its neighbourhood and write its inventory; return its summary row.

    Runs on a worker. With ``draw_figure``, the figure of the inventory as written goes to ``layout.pdf``
    beside it.
    """
    folder = Path(out_dir) / "compounds" / folder_name(task.compound_id)
    row: dict[str, Any] = {COMPOUND_ID: task.compound_id, S.NAME: task.name}
    clock = _StageClock()
    try:
        inventory = build_inventory(
            features,
            compound=task.compound_id,
            method=options.method,
            scheme=options.scheme,
            radius_m=options.radius_m,
            source="batch",
        )
        clock.lap("build")
        # One folder holds the inventory, its coverage, its figure and the done row; it is written
        # whole or not at all, and replaces only a compound folder the mapper wrote.
        with output_folder(folder, "inventory", legacy=_legacy_compound) as tmp:
            write_inventory_files(inventory, tmp)
            clock.lap("write")
            row.update(summarise(inventory.report))
            row.update(_coverage(inventory, features, tmp))
            clock.lap("coverage")
            if draw_figure is not None:
                draw_figure(read_inventory(tmp), tmp / FIGURE)
                clock.lap("figure")
            row.update({STATUS: "done", REASON: "", f"{REASON}_zh": ""})
            row.update(clock.seconds())
            row[PEAK_RSS] = peak_rss_mb()
            (tmp / DONE).write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
            sync_folder(tmp)  # on disk, once per file, before the folder is moved into place
        clock.lap("write")
    except MapperError as exc:
        row.update({STATUS: "failed", REASON: str(exc), f"{REASON}_zh": exc.text("zh")})
    row.update(clock.seconds())
    row[PEAK_RSS] = peak_rss_mb()
    return row


def cut_and_run(
    task: Task,
    city: gpd.GeoDataFrame,
    out_dir: str | None,
    options: BatchOptions,
    draw_figure: DrawFigure | None = None,
) -> tuple[dict[str, Any], dict[str, bytes], gpd.GeoDataFrame | None]:
    """Cut a task's neighbourhood from the whole city on the worker, build it; return row, files, assets.

    ``city`` is the worker's copy of the features, sent once; its spatial index is built on the first
    task and kept. With ``out_dir`` the compound is written there (:func:`run_task`) and ``files`` is
    empty; without (a cluster), the folder's files come back for the client to write
    (:func:`run_task_returning_files`). ``assets`` is the inventory's assets layer as written, in
    WGS-84, for the city file: read here, on the worker, rather than by the client at the end.
    """
    started = time.perf_counter()
    part = task_features(city, task, radius_m=options.radius_m)
    cut_s = round(time.perf_counter() - started, 3)
    files: dict[str, bytes] = {}
    if out_dir is None:
        row, files = run_task_returning_files(task, part, options, draw_figure)
        gpkg: Any = io.BytesIO(files["inventory.gpkg"]) if "inventory.gpkg" in files else None
    else:
        row = run_task(task, part, out_dir, options, draw_figure)
        gpkg = Path(out_dir) / "compounds" / folder_name(task.compound_id) / "inventory.gpkg"
    assets = city_assets(gpkg, task.compound_id) if row[STATUS] == "done" and gpkg is not None else None
    return {**row, "cut_s": cut_s}, files, assets


def city_assets(gpkg: Any, compound_id: str) -> gpd.GeoDataFrame:
    """A compound's assets as the city file holds them: the written layer, its compound's id first, WGS-84."""
    assets = pyogrio.read_dataframe(gpkg, layer="assets")
    assets.insert(0, COMPOUND_ID, compound_id)
    return assets.to_crs(S.WGS84)


class _StageClock:
    """Wall seconds of a task's stages, as ``<stage>_s`` columns of its row."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self._laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._laps[stage] = self._laps.get(stage, 0.0) + now - self._last
        self._last = now

    def seconds(self) -> dict[str, float]:
        return {f"{stage}_s": round(value, 3) for stage, value in self._laps.items()}


def run_task_returning_files(
    task: Task, features: gpd.GeoDataFrame, options: BatchOptions, draw_figure: DrawFigure | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Build one compound as :func:`run_task` does, and return its row and its folder's files.

    Runs on a worker of a cluster, whose disk the client may not see: the folder is written to a
    temporary place on the worker, read back and deleted; the client writes the files
    (:func:`_store_files`).
    """
    with tempfile.TemporaryDirectory(prefix="mapper-batch-") as tmp:
        row = run_task(task, features, tmp, options, draw_figure)
        started = time.perf_counter()
        folder = Path(tmp) / "compounds" / folder_name(task.compound_id)
        files = (
            {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != STAMP}
            if folder.is_dir()
            else {}
        )
        row["pack_s"] = round(time.perf_counter() - started, 3)
    return row, files


def _store_files(out: Path, task: Task, files: dict[str, bytes]) -> None:
    """Write a compound's files that a worker returned into ``out/compounds/<id>/``, whole or not at all."""
    if not files:
        return
    folder = out / "compounds" / folder_name(task.compound_id)
    with output_folder(folder, "inventory", legacy=_legacy_compound) as tmp:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        sync_folder(tmp)


def peak_rss_mb() -> float:
    """The calling process's own peak resident memory so far, in MB.

    On Linux, ``VmHWM`` of ``/proc/self/status``: it belongs to the running program and starts
    afresh when a process starts one. ``ru_maxrss`` does not: Linux keeps it across that exec,
    so a spawned Dask worker would report at least what its parent held when it was started.
    Elsewhere ``ru_maxrss`` is all there is (bytes on macOS, kilobytes on other systems).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not on Windows, where this is not reached on a worker anyway

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _legacy_compound(folder: Path) -> bool:
    """A compound folder an earlier version wrote: the inventory and its coverage, figure, done row."""
    return is_legacy_inventory(folder, also=(COVERAGE_CSV, DONE, FIGURE))


def _legacy_batch(folder: Path) -> bool:
    """A batch folder an earlier version wrote (no stamp): its compounds and city files only."""
    return {p.name for p in folder.iterdir()} <= {"compounds", *CITY_FILES}


def _coverage(inventory: Inventory, features: gpd.GeoDataFrame, folder: Path) -> dict[str, Any]:
    """Coverage against GB 50180 for the compounds table; written beside the inventory.

    A compound whose coverage cannot be measured (no residential building mapped, no gate on the
    walking network) is still built: the reason goes in ``coverage_note``.
    """
    try:
        coverage = assess_coverage(inventory, features)
    except MapperError as exc:
        return {COVERAGE_NOTE: str(exc), f"{COVERAGE_NOTE}_zh": exc.text("zh")}
    (folder / COVERAGE_CSV).write_bytes(csv_bytes(coverage.table))
    return {**coverage_summary(coverage.table), COVERAGE_NOTE: "", f"{COVERAGE_NOTE}_zh": ""}


def said(table: Any, column: str, lang: str) -> Any:
    """A text column of the compounds table (or one row's value) in ``lang``.

    Chinese comes from ``<column>_zh`` where the batch wrote it; where it did not (a batch of an earlier
    version wrote English only) the English is shown as it is.
    """
    english = table.get(column, "")
    chinese = table.get(f"{column}_zh") if lang == "zh" else None
    if chinese is None:
        return english
    if isinstance(chinese, pd.Series):
        return chinese.where(chinese.fillna("").astype(str) != "", english)
    return chinese if isinstance(chinese, str) and chinese else english


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """The compounds-table columns of one inventory report."""
    counts = report.get("counts_by_category", {})
    gate = report.get("main_gate", {})
    return {
        AREA_M2: report["compound"][AREA_M2],
        "title_zh": compound_title(report["compound"], "zh"),
        "title_en": compound_title(report["compound"], "en"),
        "assets": report.get("assets", 0),
        **{f"n_{c.value}": int(counts.get(c.value, 0)) for c in S.Category},
        "gates": report.get("gates", 0),
        "main_gate": title_of(gate, "zh") if gate else "",
        "main_gate_rule": gate.get("rule", ""),
        "review": len(report.get("review", [])),
    }


def _done_row(task: Task, out_dir: Path) -> dict[str, Any] | None:
    done = out_dir / "compounds" / folder_name(task.compound_id) / DONE
    return json.loads(done.read_text(encoding="utf-8")) if done.is_file() else None


def run_batch(
    features: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    compounds: Iterable[str] | None = None,
    options: BatchOptions | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
    draw_figure: DrawFigure | None = None,
    dashboard: bool = False,
) -> pd.DataFrame:
    """Build every compound on Dask and write the city file; return the compounds table.

    Parameters
    ----------
    features
        The whole extract, read once (:func:`pipeline.osm.read.read_osm`).
    out_dir
        Where ``compounds/<id>/`` and the city files go; a rerun skips what is there.
    compounds
        Ids or names to build; all by default.
    options
        Build options shared by every compound.
    workers
        Worker processes of a local cluster (default 2); ignored with ``scheduler``.
    scheduler
        Address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    progress
        Called as ``progress(done, total, row)`` after each compound.
    draw_figure
        Called on a worker as ``draw_figure(inventory, path)`` to write each built compound's figure
        (``compounds/<id>/layout.pdf``); no figures when ``None``.
    dashboard
        Serve a local cluster's Dask dashboard (on 127.0.0.1) and let its workers profile their tasks
        for it (:func:`_local_cluster`).
    """
    from dask.distributed import Client, as_completed

    options = options or BatchOptions()
    remote = scheduler is not None  # a cluster's workers may not share the client's disk
    check_workers(workers)
    started = time.perf_counter()
    out = claim_folder(out_dir, "batch", legacy=_legacy_batch)  # refuses a folder the mapper did not write
    remove_stale(out / "compounds")  # half-written by a run that was killed
    tasks = plan_tasks(features, compounds=compounds, radius_m=options.radius_m)
    existing = {t.compound_id: _done_row(t, out) for t in tasks}
    rows = [row for row in existing.values() if row is not None]
    todo = [t for t in tasks if existing[t.compound_id] is None]
    log.info("%d compounds: %d already built, %d to build.", len(tasks), len(rows), len(todo))
    done = len(rows)
    phases = {"plan_s": time.perf_counter() - started}
    city_parts: dict[str, gpd.GeoDataFrame] = {}  # the assets each worker returned, for the city file
    if todo:
        cluster = None if scheduler else _local_cluster(2 if workers is None else workers, dashboard=dashboard)
        with Client(scheduler or cluster) as client:
            if dashboard or scheduler:  # without a dashboard, a local cluster's link leads nowhere
                log.info("Dask dashboard: %s", client.dashboard_link)
            # Every worker gets the city once; a worker that joins later fetches it from a peer.
            city = client.scatter(features, broadcast=True, hash=False)
            phases["start_s"] = time.perf_counter() - started - phases["plan_s"]
            futures: dict[Any, Task] = {}
            queue = iter(todo)
            running = as_completed()
            window = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
            target = None if remote else str(out.resolve())

            def submit_next() -> None:
                task = next(queue, None)
                if task is not None:
                    key = f"compound-{folder_name(task.compound_id)}"
                    future = client.submit(cut_and_run, task, city, target, options, draw_figure, key=key)
                    futures[future] = task
                    running.add(future)

            for _ in range(window):
                submit_next()
            for future in running:
                task = futures.pop(future)
                row, assets = _row_of(future, task, out)
                rows.append(row)
                if assets is not None:
                    city_parts[task.compound_id] = assets
                done += 1
                if progress:
                    progress(done, len(tasks), rows[-1])
                submit_next()
            phases["tasks_s"] = time.perf_counter() - started - sum(phases.values())
        if cluster is not None:
            cluster.close()
    table = _compounds_table(rows, tasks)
    client_peak = peak_rss_mb()
    worker_peak = table[PEAK_RSS].max() if PEAK_RSS in table else float("nan")
    log.info("Peak memory: the client %.0f MB, the busiest worker %.0f MB.", client_peak, worker_peak)
    city_started = time.perf_counter()
    write_city(out, table, client_peak_mb=client_peak, assets=city_parts)
    phases["city_s"] = time.perf_counter() - city_started
    _record_phases(out, phases)
    failed = table[table[STATUS] == "failed"]
    for sid, reason in zip(failed[COMPOUND_ID], failed[REASON], strict=True):
        log.warning("Compound %s failed: %s", sid, reason)
    return table


def _local_cluster(workers: int, *, dashboard: bool = False) -> Any:
    """A cluster of ``workers`` processes on this machine, one thread each, for :func:`run_batch`.

    Without ``dashboard`` it serves none and its workers do not profile: a batch mostly runs
    unattended, a server listening on a port nobody opens is one more thing on a shared machine,
    and the statistical profiler, which only feeds the dashboard, wakes every worker every 10 ms
    to walk its task's stack. The time saved is small: about 1 % of a batch
    (``bench/bench_batch.py --dashboard``). With it, the dashboard listens on this machine only.
    """
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": dashboard}):  # the workers take a copy
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0" if dashboard else None,
        )


def _record_phases(out: Path, phases: dict[str, float]) -> None:
    """Add the client's phases (seconds) to ``batch.json``: where a batch's wall time went."""
    summary = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    summary["phases_s"] = {name: round(seconds, 3) for name, seconds in phases.items()}
    write_text(out / "batch.json", json.dumps(summary, ensure_ascii=False, indent=2))
    log.info("Where the time went: %s.", ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in phases.items()))


#: Local worker processes allowed per core: more only thrash memory.
MAX_WORKERS_PER_CORE = 4


def check_workers(workers: int | None) -> None:
    """Refuse a worker count a local cluster cannot run (``None`` means the default, 2).

    Raises
    ------
    DataError
        Naming the value and the range allowed on this machine.
    """
    if workers is None:
        return
    cores = os.cpu_count() or 1
    most = MAX_WORKERS_PER_CORE * cores
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= most:
        raise DataError("error.batch.workers", workers=workers, most=most, cores=cores)


def _row_of(future: Any, task: Task, out: Path) -> tuple[dict[str, Any], gpd.GeoDataFrame | None]:
    """The summary row a finished task returned and its assets, or its failure (a bug in a task too).

    Files the task returned (a cluster's worker, :func:`run_task_returning_files`) are written to
    ``out`` here.
    """
    if future.status != "error":
        row, files, assets = future.result()
        if not files:
            return dict(row), assets
        started = time.perf_counter()
        _store_files(out, task, files)
        return {**row, "store_s": round(time.perf_counter() - started, 3)}, assets
    exc = future.exception()
    log.error("%s failed: %r", task.compound_id, exc)
    return {
        COMPOUND_ID: task.compound_id,
        S.NAME: task.name,
        STATUS: "failed",
        REASON: f"{type(exc).__name__}: {exc}",
    }, None


def _compounds_table(rows: list[dict[str, Any]], tasks: list[Task]) -> gpd.GeoDataFrame:
    order = {t.compound_id: i for i, t in enumerate(tasks)}
    outlines = {t.compound_id: t.outline for t in tasks}
    table = pd.DataFrame(rows).sort_values(COMPOUND_ID, key=lambda s: s.map(order)).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=[outlines[c] for c in table[COMPOUND_ID]], crs=S.WGS84)


def write_city(
    out: Path,
    compounds: gpd.GeoDataFrame,
    *,
    client_peak_mb: float | None = None,
    assets: dict[str, gpd.GeoDataFrame] | None = None,
) -> None:
    """Gather the built compounds into ``city.gpkg`` and GeoParquet files, in WGS-84.

    ``assets`` holds the compounds' assets the workers returned (:func:`city_assets`); the others
    (built by an earlier run) are read from their folders. ``batch.json`` records the counts, the
    failures and the peak memory of the client (the process that read the city and wrote these files)
    and of the busiest worker.
    """
    given = assets or {}
    folders = out / "compounds"
    frames = [
        given[sid] if sid in given else city_assets(folders / folder_name(sid) / "inventory.gpkg", sid)
        for sid in compounds.loc[compounds[STATUS] == "done", COMPOUND_ID]
    ]
    city = (
        gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=S.WGS84)
        if frames
        else gpd.GeoDataFrame({COMPOUND_ID: []}, geometry=[], crs=S.WGS84)
    )
    with output_file(out / "city.gpkg") as tmp:
        pyogrio.write_dataframe(city, tmp, layer="assets", driver="GPKG")
        pyogrio.write_dataframe(compounds, tmp, layer="compounds", driver="GPKG")
    with output_file(out / "city_assets.parquet") as tmp:
        city.to_parquet(tmp)
    with output_file(out / "city_compounds.parquet") as tmp:
        compounds.to_parquet(tmp)
    summary = {
        "compounds": len(compounds),
        "done": int((compounds[STATUS] == "done").sum()),
        "failed": compounds.loc[compounds[STATUS] == "failed", [COMPOUND_ID, REASON]].to_dict("records"),
        "client_peak_rss_mb": None if client_peak_mb is None else round(client_peak_mb, 1),
        "worker_peak_rss_mb": round(float(compounds[PEAK_RSS].max()), 1)
        if PEAK_RSS in compounds and compounds[PEAK_RSS].notna().any()
        else None,
    }
    write_text(out / "batch.json", json.dumps(summary, ensure_ascii=False, indent=2))
