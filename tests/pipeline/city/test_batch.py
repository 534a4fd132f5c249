"""City scale on Dask: the batch builds what `build` builds, survives a broken compound, resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from pipeline.city import batch as batch_module
from pipeline.city.batch import check_workers, folder_name, plan_tasks, run_batch, task_features
from pipeline.core.errors import DataError
from pipeline.inventory import compound as compound_module
from pipeline.inventory.build import build_inventory, read_inventory
from pipeline.osm.read import read_osm
from tests.helpers.testdata import EXTRACTS, ROOT

BEIJING = ("qinghua", "wudaokou", "xitucheng")
COLUMNS = ["seq", "label", "category", "kind", "name", "source_id", "inside"]


@pytest.fixture(scope="module")
def beijing():
    frames = [read_osm(EXTRACTS[name]) for name in BEIJING]
    return frames, gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326).drop_duplicates("source_id")


@pytest.fixture(scope="module")
def city_run(beijing, tmp_path_factory):
    """One batch over the three Beijing extracts, plus a compound whose outline is a zero-area spike."""
    _, features = beijing
    spike = gpd.GeoDataFrame(
        {"source": "osm", "source_id": ["way/1"], "name": ["坏边界小区"], "tags": [{"landuse": "residential"}]},
        geometry=[shapely.MultiPolygon([shapely.Polygon([(116.30, 39.95), (116.301, 39.951), (116.302, 39.952)])])],
        crs=4326,
    )
    city = gpd.GeoDataFrame(pd.concat([features, spike], ignore_index=True), crs=4326)
    out = tmp_path_factory.mktemp("city")
    table = run_batch(city, out, workers=2)
    return out, table


def test_every_compound_equals_its_own_build(beijing, city_run):
    frames, _ = beijing
    out, table = city_run
    done = table[table["status"] == "done"]
    assert len(done) == 19  # 10 + 6 + 3 residential polygons
    for features in frames:
        for sid in set(done["compound_id"]) & set(features["source_id"]):
            alone = build_inventory(features, compound=sid, source="batch")
            batch = read_inventory(out / "compounds" / folder_name(sid))
            pd.testing.assert_frame_equal(
                pd.DataFrame(batch.assets[COLUMNS]), pd.DataFrame(alone.assets[COLUMNS]), check_dtype=False
            )
            assert batch.assets.geometry.geom_equals_exact(alone.assets.geometry, tolerance=0.01).all()
            assert batch.main_gate.source_id == alone.main_gate.source_id


def test_broken_compound_is_reported_and_the_others_complete(city_run):
    out, table = city_run
    failed = table[table["status"] == "failed"]
    assert list(failed["compound_id"]) == ["way/1"]
    assert "no area once repaired" in failed["reason"].iloc[0]
    report = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert report["done"] == 19 and report["failed"][0]["compound_id"] == "way/1"


def test_city_file_holds_every_asset_with_its_compound(city_run):
    out, table = city_run
    assets = gpd.read_parquet(out / "city_assets.parquet")
    compounds = gpd.read_file(out / "city.gpkg", layer="compounds")
    assert assets.crs.to_epsg() == 4326
    assert len(assets) == table["assets"].fillna(0).sum()
    assert set(assets["compound_id"]) <= set(table.loc[table["status"] == "done", "compound_id"])
    demo = compounds.set_index("compound_id").loc["way/595108678"]
    assert demo["name"] == "石科院生活区" and demo["main_gate"] == "东南门"
    assert demo["assets"] == (assets["compound_id"] == "way/595108678").sum()
    assert gpd.read_file(out / "city.gpkg", layer="assets").shape[0] == len(assets)


def test_interrupted_run_resumes(tmp_path):
    """Kill the batch once the first compound is written; the rerun skips it and builds the rest."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "pipeline", "-q", "batch", "--osm", str(EXTRACTS["qinghua"]),
               "--out", str(out), "--workers", "1"]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def built():  # compound folders in place (a folder being written is hidden: `.<name>.mapper-tmp-…`)
        return [p for p in out.glob("compounds/*/batch-row.json") if not p.parent.name.startswith(".")]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not built():
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.parent.name: p.stat().st_mtime_ns for p in built()}
    assert 1 <= len(before) < 10, before
    assert not (out / "city.gpkg").exists()
    table = run_batch(read_osm(EXTRACTS["qinghua"]), out, workers=1)
    assert (table["status"] == "done").sum() == 10
    after = {p.parent.name: p.stat().st_mtime_ns for p in built()}
    assert {k: after[k] for k in before} == before  # not built again
    assert not list(out.glob("compounds/.*"))  # no half-written folder left behind
    # The city file holds the compounds built by both runs (the first run's read back from their folders).
    city = gpd.read_parquet(out / "city_assets.parquet")
    counts = table[table["assets"] > 0].set_index("compound_id")["assets"].to_dict()
    assert city.groupby("compound_id").size().to_dict() == counts


def test_coverage_per_compound_equals_coverage_on_the_whole_extract(beijing, city_run):
    from pipeline.sites.coverage import assess_coverage, coverage_summary

    frames, _ = beijing
    out, table = city_run
    row = table.set_index("compound_id").loc["way/595108678"]
    alone = build_inventory(frames[0], compound="way/595108678")
    expected = coverage_summary(assess_coverage(alone, frames[0]).table)
    assert expected["gap_kinds"] > 0
    for column, value in expected.items():
        assert row[column] == (pytest.approx(value) if isinstance(value, float) else value), column
    assert (out / "compounds" / "way-595108678" / "coverage.csv").is_file()


def test_listed_compounds_with_figures(tmp_path):
    """`--compounds FILE --figures`: only the listed compound is built, with its A3 layout PDF."""
    from pypdf import PdfReader

    listing = tmp_path / "list.txt"
    listing.write_text("way/1376112785\n", encoding="utf-8")
    out = tmp_path / "run"
    from pipeline.cli.main import main

    assert main(["-q", "batch", "--osm", str(EXTRACTS["xitucheng"]), "--out", str(out), "--workers", "1",
                 "--compounds", str(listing), "--figures"]) == 0
    assert [p.name for p in (out / "compounds").iterdir()] == ["way-1376112785"]
    pdf = PdfReader(out / "compounds" / "way-1376112785" / "layout.pdf")
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox.upper_right)
    assert sorted((round(width_mm), round(height_mm))) == [297, 420]  # A3
    assert "重要生活服务设施布局图" in pdf.pages[0].extract_text()


def test_a_task_draws_its_figure_with_the_callable_it_is_given(beijing, tmp_path):
    """The core draws nothing itself: ``draw_figure`` gets the inventory as written and the PDF's path."""
    from pipeline.city.batch import BatchOptions, plan_tasks, run_task, task_features

    features = beijing[0][2]  # xitucheng
    task = next(t for t in plan_tasks(features) if t.compound_id == "way/1376112785")
    part = task_features(features, task, radius_m=50.0)
    drawn = []
    row = run_task(task, part, str(tmp_path / "a"), BatchOptions(),
                   lambda inventory, path: drawn.append((inventory.report["compound"]["source_id"], path)))
    assert row["status"] == "done"
    # drawn into the compound's temporary folder, which then becomes compounds/way-1376112785 whole
    ((sid, path),) = drawn
    assert (sid, path.name, path.parent.parent) == ("way/1376112785", "layout.pdf", tmp_path / "a" / "compounds")
    assert path.parent.name.startswith(".way-1376112785.mapper-tmp-")
    assert run_task(task, part, str(tmp_path / "b"), BatchOptions())["status"] == "done"
    assert not list((tmp_path / "b").rglob("layout.pdf"))


def test_planning_searches_no_gates_and_cuts_each_neighbourhood(beijing, monkeypatch):
    """Planning lists the compounds without a gate search (that was quadratic in the city's size)."""
    _, features = beijing

    def no_search(*args, **kwargs):
        raise AssertionError("a gate search ran")

    monkeypatch.setattr(compound_module, "find_gates", no_search)
    monkeypatch.setattr(compound_module, "gates_near", no_search)
    tasks = plan_tasks(features)
    assert len(tasks) == 19
    demo = next(t for t in tasks if t.compound_id == "way/595108678")
    part = task_features(features, demo, radius_m=50.0)
    assert "way/595108678" in set(part["source_id"]) and len(part) < len(features)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux carries ru_maxrss over an exec; VmHWM is Linux's")
def test_workers_report_their_own_peak_memory_not_their_parents(tmp_path):
    """The client holds 600 MB while the workers start: their rows must not inherit it."""
    import resource

    import numpy as np

    ballast = np.ones(600 * 2**20 // 8)  # written to, so resident
    parent_maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = tmp_path / "run"
    table = run_batch(read_osm(EXTRACTS["xitucheng"]), out, workers=1)
    del ballast
    assert parent_maxrss_mb > 600
    peaks = table.loc[table["status"] == "done", "peak_rss_mb"]
    assert len(peaks) == 3
    # A worker starts afresh (its imports and one compound: a few hundred MB).
    assert ((peaks > 50) & (peaks < parent_maxrss_mb - 300)).all(), (list(peaks), parent_maxrss_mb)
    report = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert report["client_peak_rss_mb"] >= parent_maxrss_mb - 1  # the client's own peak, ballast included
    assert report["worker_peak_rss_mb"] == round(peaks.max(), 1)


def test_the_dashboard_and_the_workers_profiler_only_when_asked(beijing, tmp_path, caplog):
    """A local cluster serves its dashboard, and profiles its workers for it, only with ``dashboard=True``."""
    import logging
    import re
    import urllib.request

    from tests.helpers.worker_probe import write_worker_profiling

    features = beijing[0][2]  # xitucheng
    pages = []

    def open_dashboard(done, total, row):  # called while the cluster is up
        link = re.search(r"Dask dashboard: (\S+)", caplog.text)
        if link:
            with urllib.request.urlopen(link.group(1), timeout=10) as page:
                pages.append((page.status, "Dask" in page.read().decode("utf-8", "replace")))

    profiled = {}
    for dashboard in (True, False):
        caplog.clear()
        out = tmp_path / f"dashboard-{dashboard}"
        with caplog.at_level(logging.INFO, logger="pipeline.city.batch"):
            run_batch(features, out, compounds=["way/1376112785"], workers=1, progress=open_dashboard,
                      draw_figure=write_worker_profiling, dashboard=dashboard)
        profiled[dashboard] = (out / "compounds" / "way-1376112785" / "layout.pdf").read_text(encoding="utf-8")
        assert ("Dask dashboard: http://127.0.0.1:" in caplog.text) is dashboard
    assert pages == [(200, True)]  # the page answered once: in the run with a dashboard
    assert profiled == {True: "True", False: "False"}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_batch_on_a_scheduler_and_workers_started_on_their_own(beijing, tmp_path):
    """`dask scheduler` and two `dask worker`s as their own processes in another folder, as on a cluster.

    The workers return each compound's files; the client writes them, so the result does not
    depend on the workers seeing the client's disk.
    """
    from dask.distributed import Client

    frames, _ = beijing
    features = frames[2]  # xitucheng: 3 compounds
    elsewhere = tmp_path / "cluster"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the project is importable there, not installed
    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = [sys.executable, "-m", "dask"]
    processes = [
        subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                          "--no-dashboard"], cwd=elsewhere, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ]
    try:
        for i in range(2):
            processes.append(subprocess.Popen(
                [*dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(elsewhere / f"w{i}")],
                cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "run"
        table = run_batch(features, out, scheduler=address)
    finally:
        for process in processes[::-1]:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    assert list(table["status"]) == ["done"] * 3
    assert (table["coverage_note"] == "").any()
    assert table["store_s"].notna().all()  # the client wrote what the workers returned
    for sid, note in zip(table["compound_id"], table["coverage_note"], strict=True):
        alone = build_inventory(features, compound=sid, source="batch")
        folder = out / "compounds" / folder_name(sid)
        batch = read_inventory(folder)
        pd.testing.assert_frame_equal(
            pd.DataFrame(batch.assets[COLUMNS]), pd.DataFrame(alone.assets[COLUMNS]), check_dtype=False
        )
        assert (folder / "batch-row.json").is_file()
        assert (folder / "coverage.csv").is_file() == (note == "")  # written when coverage could be measured
    assert len(gpd.read_parquet(out / "city_assets.parquet")) == table["assets"].sum()
    assert not list((out / "compounds").glob(".*"))


def test_rows_say_where_the_time_went(city_run):
    out, table = city_run
    done = table[table["status"] == "done"]
    stages = ["cut_s", "build_s", "write_s", "coverage_s"]
    assert done[stages].notna().all().all() and (done[stages] >= 0).all().all()
    assert done["build_s"].sum() > 0
    # The client's phases: planning, starting the cluster and sending the city, the tasks, the city files.
    phases = json.loads((out / "batch.json").read_text(encoding="utf-8"))["phases_s"]
    assert list(phases) == ["plan_s", "start_s", "tasks_s", "city_s"]
    assert all(seconds > 0 for seconds in phases.values())
    # The tasks' phase holds every compound's work, spread over two workers.
    assert phases["tasks_s"] >= done[stages].sum(axis=1).sum() / 2 * 0.9


def test_listed_compounds_missing_from_the_extract_are_said_in_chinese():
    features = read_osm(EXTRACTS["xitucheng"])
    with pytest.raises(DataError) as caught:
        plan_tasks(features, compounds=["不存在小区", "way/1"])
    assert caught.value.text("zh") == "名单中有 2 个小区不在地图数据中：way/1, 不存在小区。"
    assert str(caught.value) == (
        "2 compounds of the list are not in the extract: way/1, 不存在小区; "
        "list them with `python -m pipeline compounds FILE`."
    )


def test_a_worker_count_the_machine_cannot_run_is_said_in_chinese(monkeypatch):
    """On two cores, up to 4 worker processes a core: 1 to 8."""
    monkeypatch.setattr(batch_module.os, "cpu_count", lambda: 2)
    with pytest.raises(DataError) as caught:
        check_workers(9)
    assert caught.value.text("zh") == (
        "`--workers 9` 不是本机能运行的进程数：请给 1 到 8（本机 2 核），或用 `--scheduler tcp://HOST:8786` 连接别处的集群。"
    )
    check_workers(8)
