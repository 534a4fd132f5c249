"""The bad-input catalogue of the command line: what a careless user or an attacker gives it.

Every case runs ``python -m pipeline …`` (in process) in a folder holding its inputs, a built
inventory and a user's own files, and asserts the exit status, one line naming the input, and that
nothing in the folder changed (hash before and after) unless the case is one that writes (then the
change is checked). Real faults follow: a full disk (a small tmpfs), a read-only file system, and
``kill -9`` during build, export and import.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.core.fileio import STAMP
from pipeline.inventory.build import write_inventory
from tests.helpers.catalogue import (
    ROOT,
    assert_one_line,
    case_id,
    fill,
    mapper,
    mount_tmpfs,
    remount_read_only,
    store_hash,
    tree_hash,
    unmount,
)
from tests.helpers.testdata import DEMO_ID, DEMO_OSM

LONG_NAME = "很长的名字" * 80  # 1,200 bytes


@pytest.fixture(scope="module")
def inventory_src(tmp_path_factory, demo_inventory) -> Path:
    return write_inventory(demo_inventory, tmp_path_factory.mktemp("src") / "inv")


@pytest.fixture
def work(tmp_path, inventory_src) -> Path:
    """A user's folder: a built inventory, the demo extract, a thesis, a sites folder."""
    shutil.copytree(inventory_src, tmp_path / "inv")
    shutil.copy(DEMO_OSM, tmp_path / "demo.osm")
    thesis = tmp_path / "thesis"
    (thesis / "drafts").mkdir(parents=True)
    (thesis / "thesis.docx").write_bytes(b"four years of work")
    (thesis / "drafts" / "v1.docx").write_bytes(b"a draft")
    (tmp_path / "notes.txt").write_text("a user's file", encoding="utf-8")
    return tmp_path


def run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refusals
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


# ----------------------------------------------------------------------------------- the inputs


def metres_geojson(work: Path) -> Path:
    path = work / "metres.geojson"
    ring = [[448000, 4428000], [448200, 4428000], [448200, 4428200], [448000, 4428200], [448000, 4428000]]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def long_tag_osm(work: Path) -> Path:
    path = work / "long.osm"
    text = DEMO_OSM.read_text(encoding="utf-8")
    text = text.replace('<tag k="name" v="石科院小卖部"/>', f'<tag k="name" v="{LONG_NAME}"/>', 1)
    assert LONG_NAME in text
    path.write_text(text, encoding="utf-8")
    return path


def no_compound_osm(work: Path) -> Path:
    path = work / "empty.osm"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n"
        '<node id="1" lat="40" lon="116"><tag k="amenity" v="bench"/></node>\n</osm>\n',
        encoding="utf-8",
    )
    return path


def spots_csv(work: Path, body: str, name: str = "spots.csv") -> Path:
    path = work / name
    path.write_text("lon,lat,category,text,author\n" + body, encoding="utf-8")
    return path


def db(work: Path) -> str:
    return f"sqlite:///{work / 'spots.sqlite3'}"


BUILD = ["-q", "build", "--osm"]
SITES_STAMP = b'{"written_by": "community asset mapper", "kind": "sites", "files": []}'


def made(path: Path, data: bytes | None = None) -> Path:
    """Make a case's own input: a file with ``data``, or a folder; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data)
    return path


@dataclass(frozen=True)
class Case:
    """One bad input: the arguments (made in the work folder), the exit status, what the line names."""

    outcome: str
    what: str
    argv: Callable[[Path], list[str]]
    status: int
    names: Callable[[Path], str]
    listing: bool = False

    @property
    def id(self) -> str:
        return case_id(self.outcome, self.what)


def demo(work: Path) -> str:
    return str(work / "demo.osm")


CASES = [
    # --- outputs never destroy what they did not make
    Case(
        "refused",
        "build-out-a-users-folder",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", str(w / "thesis")],
        2,
        lambda w: f"`{w / 'thesis'}` is not empty",
    ),
    Case(
        "refused",
        "build-out-the-working-folder",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", str(w)],
        2,
        lambda w: f"`{w}` is not empty",
    ),
    Case(
        "refused",
        "build-out-a-file",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", str(w / "notes.txt")],
        2,
        lambda w: f"`{w / 'notes.txt'}` is a file",
    ),
    Case(
        "refused",
        "build-out-an-inventory-with-a-users-file",
        lambda w: [
            *BUILD,
            demo(w),
            "--compound",
            DEMO_ID,
            "--out",
            str(made(w / "inv" / "mine.docx", b"x").parent),
        ],
        2,
        lambda w: "mine.docx",
    ),
    Case(
        "refused",
        "build-out-a-sites-folder",
        lambda w: [
            *BUILD,
            demo(w),
            "--compound",
            DEMO_ID,
            "--out",
            str(made(w / "s" / STAMP, SITES_STAMP).parent),
        ],
        2,
        lambda w: "holds a sites output, not an inventory",
    ),
    Case(
        "refused",
        "build-out-empty-string",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", ""],
        2,
        lambda w: "`.` is not empty",
    ),
    Case(
        "refused",
        "sites-out-a-users-folder",
        lambda w: ["-q", "sites", "--inventory", str(w / "inv"), "--out", str(w / "thesis")],
        2,
        lambda w: f"`{w / 'thesis'}` is not empty",
    ),
    Case(
        "refused",
        "sites-out-an-inventory",
        lambda w: ["-q", "sites", "--inventory", str(w / "inv"), "--out", str(w / "inv")],
        2,
        lambda w: "holds an inventory output, not a sites",
    ),
    Case(
        "refused",
        "batch-out-a-users-folder",
        lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "thesis"), "--workers", "1"],
        2,
        lambda w: f"`{w / 'thesis'}` is not empty",
    ),
    Case(
        "refused",
        "export-out-a-folder",
        lambda w: [
            "-q",
            "export",
            "--inventory",
            str(w / "inv"),
            "--format",
            "csv",
            "--out",
            str(w / "thesis"),
        ],
        2,
        lambda w: f"`{w / 'thesis'}` is a folder",
    ),
    Case(
        "refused",
        "figure-out-a-folder",
        lambda w: [
            "-q",
            "figure",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(made(w / "f.pdf")),
            "--dpi",
            "50",
        ],
        2,
        lambda w: f"`{w / 'f.pdf'}` is a folder",
    ),
    Case(
        "refused",
        "spots-export-to-a-folder",
        lambda w: ["-q", "spots", "export", "--compound", DEMO_ID, "--db", db(w), str(w / "thesis")],
        2,
        lambda w: f"`{w / 'thesis'}` is a folder",
    ),
    Case(
        "refused",
        "number-out-a-shapefile",
        lambda w: [
            "-q",
            "number",
            "--assets",
            str(w / "inv" / "inventory.gpkg"),
            "--boundary",
            str(w / "inv" / "inventory.gpkg"),
            "--gate",
            str(w / "inv" / "inventory.gpkg"),
            "--out",
            str(w / "x.shp"),
        ],
        2,
        lambda w: f"Cannot write `{w / 'x.shp'}`; use .gpkg",
    ),
    # --- options out of range
    Case(
        "refused",
        "figure-dpi-100000",
        lambda w: [
            "-q",
            "figure",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(w / "f.png"),
            "--dpi",
            "100000",
        ],
        2,
        lambda w: "`--dpi 100000` would draw A3 at 1,169,291 × 1,653,543 pixels (1,933,474 MP), over the cap of 100 MP on a page; use at most 719 dpi for A3",
    ),
    Case(
        "refused",
        "figure-dpi-3000-on-a1",
        lambda w: [
            "-q",
            "figure",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(w / "f.png"),
            "--dpi",
            "3000",
            "--paper",
            "A1",
        ],
        2,
        lambda w: "over the cap of 100 MP",
    ),
    Case(
        "refused",
        "figure-dpi-inf",
        lambda w: ["-q", "figure", "--inventory", str(w / "inv"), "--out", str(w / "f.png"), "--dpi", "inf"],
        2,
        lambda w: "`--dpi inf`",
    ),
    Case(
        "refused",
        "figure-dpi-nan",
        lambda w: ["-q", "figure", "--inventory", str(w / "inv"), "--out", str(w / "f.png"), "--dpi", "nan"],
        2,
        lambda w: "dpi `nan`",
    ),
    Case(
        "refused",
        "figure-dpi-zero",
        lambda w: ["-q", "figure", "--inventory", str(w / "inv"), "--out", str(w / "f.png"), "--dpi", "0"],
        2,
        lambda w: "dpi `0",
    ),
    Case(
        "refused",
        "figure-out-a-text-file",
        lambda w: ["-q", "figure", "--inventory", str(w / "inv"), "--out", str(w / "f.txt")],
        2,
        lambda w: "f.txt",
    ),
    Case(
        "refused",
        "batch-workers-zero",
        lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "city"), "--workers", "0"],
        2,
        lambda w: "`--workers 0`",
    ),
    Case(
        "refused",
        "batch-workers-negative",
        lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "city"), "--workers", "-3"],
        2,
        lambda w: "`--workers -3`",
    ),
    Case(
        "refused",
        "batch-workers-100000",
        lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "city"), "--workers", "100000"],
        2,
        lambda w: "`--workers 100000`",
    ),
    Case(
        "refused",
        "batch-workers-not-a-number",
        lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "city"), "--workers", "two"],
        2,
        lambda w: "--workers",
    ),
    Case(
        "refused",
        "build-radius-negative",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--radius", "-5", "--out", str(w / "new")],
        2,
        lambda w: "`--radius -5`",
    ),
    Case(
        "refused",
        "build-radius-nan",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--radius", "nan", "--out", str(w / "new")],
        2,
        lambda w: "`--radius nan`",
    ),
    Case(
        "refused",
        "export-unknown-suffix",
        lambda w: ["-q", "export", "--inventory", str(w / "inv"), "--out", str(w / "x.doc")],
        2,
        lambda w: "x.doc",
    ),
    Case(
        "refused",
        "export-crs-unknown",
        lambda w: [
            "-q",
            "export",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(w / "x.gpkg"),
            "--crs",
            "EPSG:999999",
        ],
        2,
        lambda w: "`--crs EPSG:999999`",
    ),
    Case(
        "refused",
        "export-dxf-in-degrees",
        lambda w: [
            "-q",
            "export",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(w / "x.dxf"),
            "--crs",
            "EPSG:4326",
        ],
        2,
        lambda w: "WGS 84",
    ),
    Case(
        "refused",
        "export-geojson-in-another-crs",
        lambda w: [
            "-q",
            "export",
            "--inventory",
            str(w / "inv"),
            "--out",
            str(w / "x.geojson"),
            "--crs",
            "EPSG:4548",
        ],
        2,
        lambda w: "GeoJSON is always WGS-84",
    ),
    # --- inputs missing, wrong or hostile
    Case(
        "refused",
        "build-osm-missing",
        lambda w: [*BUILD, str(w / "nope.osm"), "--compound", DEMO_ID, "--out", str(w / "new")],
        2,
        lambda w: f"`{w / 'nope.osm'}` does not exist",
    ),
    Case(
        "refused",
        "build-osm-not-an-extract",
        lambda w: [*BUILD, str(w / "notes.txt"), "--compound", DEMO_ID, "--out", str(w / "new")],
        2,
        lambda w: f"`{w / 'notes.txt'}` is not an OSM extract",
    ),
    Case(
        "refused",
        "build-osm-cut-short",
        lambda w: [
            *BUILD,
            str(made(w / "cut.osm", DEMO_OSM.read_bytes()[:5000])),
            "--compound",
            DEMO_ID,
            "--out",
            str(w / "new"),
        ],
        2,
        lambda w: "cut.osm",
    ),
    Case(
        "refused",
        "build-compound-unknown",
        lambda w: [*BUILD, demo(w), "--compound", "way/1", "--out", str(w / "new")],
        2,
        lambda w: "way/1",
    ),
    Case(
        "refused",
        "build-gate-off-the-globe",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--gate", "500,500", "--out", str(w / "new")],
        2,
        lambda w: "`--gate 500,500`",
    ),
    Case(
        "refused",
        "build-gate-not-a-gate",
        lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--gate", "node/1", "--out", str(w / "new")],
        2,
        lambda w: "node/1",
    ),
    Case(
        "refused",
        "build-boundary-in-metres",
        lambda w: [*BUILD, demo(w), "--boundary", str(metres_geojson(w)), "--out", str(w / "new")],
        2,
        lambda w: f"The boundary file `{w / 'metres.geojson'}` has coordinates like (448000, 4428000)",
    ),
    Case(
        "refused",
        "build-boundary-missing",
        lambda w: [*BUILD, demo(w), "--boundary", str(w / "b.geojson"), "--out", str(w / "new")],
        2,
        lambda w: f"`{w / 'b.geojson'}` does not exist",
    ),
    Case(
        "refused",
        "build-keep-labels-missing",
        lambda w: [
            *BUILD,
            demo(w),
            "--compound",
            DEMO_ID,
            "--keep-labels",
            str(w / "old"),
            "--out",
            str(w / "new"),
        ],
        2,
        lambda w: f"`{w / 'old'}`",
    ),
    Case(
        "refused",
        "number-boundary-in-metres",
        lambda w: [
            "-q",
            "number",
            "--assets",
            str(w / "inv" / "inventory.gpkg"),
            "--boundary",
            str(metres_geojson(w)),
            "--gate",
            str(w / "inv" / "inventory.gpkg"),
            "--out",
            str(w / "n.gpkg"),
        ],
        2,
        lambda w: "metres.geojson",
    ),
    Case(
        "refused",
        "number-assets-missing",
        lambda w: [
            "-q",
            "number",
            "--assets",
            str(w / "a.gpkg"),
            "--boundary",
            str(w / "b.gpkg"),
            "--gate",
            str(w / "g.gpkg"),
            "--out",
            str(w / "n.gpkg"),
        ],
        2,
        lambda w: f"`{w / 'a.gpkg'}` does not exist",
    ),
    Case(
        "refused",
        "compounds-of-an-extract-without-any",
        lambda w: ["-q", "compounds", str(no_compound_osm(w))],
        2,
        lambda w: "empty.osm",
    ),
    Case(
        "refused",
        "export-inventory-missing",
        lambda w: ["-q", "export", "--inventory", str(w / "none"), "--out", str(w / "x.csv")],
        2,
        lambda w: f"`{w / 'none'}`",
    ),
    Case(
        "refused",
        "figure-inventory-a-users-folder",
        lambda w: ["-q", "figure", "--inventory", str(w / "thesis"), "--out", str(w / "f.pdf")],
        2,
        lambda w: f"`{w / 'thesis'}`",
    ),
    Case(
        "refused",
        "sites-weights-not-toml",
        lambda w: [
            "-q",
            "sites",
            "--inventory",
            str(w / "inv"),
            "--osm",
            demo(w),
            "--weights",
            str(w / "notes.txt"),
            "--out",
            str(w / "s"),
        ],
        2,
        lambda w: f"`{w / 'notes.txt'}` is not valid TOML",
    ),
    Case(
        "refused",
        "survey-out-a-shapefile",
        lambda w: ["-q", "survey", str(w / "inv" / "inventory.csv"), "--out", str(w / "x.shp")],
        2,
        lambda w: "x.shp",
    ),
    Case(
        "refused",
        "spots-import-missing-file",
        lambda w: ["-q", "spots", "import", "--compound", DEMO_ID, "--db", db(w), str(w / "none.csv")],
        2,
        lambda w: f"`{w / 'none.csv'}`",
    ),
    Case(
        "refused",
        "spots-import-no-header",
        lambda w: [
            "-q",
            "spots",
            "import",
            "--compound",
            DEMO_ID,
            "--db",
            db(w),
            str(made(w / "h.csv", b"116.33,40.01,parking,x,A\n")),
        ],
        2,
        lambda w: "`h.csv` lacks the columns",
    ),
    Case(
        "refused",
        "spots-import-binary",
        lambda w: [
            "-q",
            "spots",
            "import",
            "--compound",
            DEMO_ID,
            "--db",
            db(w),
            str(made(w / "b.csv", bytes(range(256)) * 4)),
        ],
        2,
        lambda w: "b.csv",
    ),
    Case(
        "refused",
        "spots-import-far-rows",
        lambda w: [
            "-q",
            "spots",
            "import",
            "--compound",
            DEMO_ID,
            "--db",
            db(w),
            str(
                spots_csv(
                    w,
                    "116.3301,40.0101,parking,ok,A\n116.3302,40.0102,parking,ok2,A\n0,0,parking,null island,B\n-74.006,40.7128,noise,New York,C\n",
                    "far.csv",
                )
            ),
        ],
        2,
        lambda w: "`far.csv` has 2 bad rows",
        True,
    ),
    Case(
        "refused",
        "spots-import-lon-lat-swapped",
        lambda w: [
            "-q",
            "spots",
            "import",
            "--compound",
            DEMO_ID,
            "--db",
            db(w),
            str(spots_csv(w, "40.0101,116.3301,parking,swapped,A\n", "swap.csv")),
        ],
        2,
        lambda w: "`swap.csv` has 1 bad row",
        True,
    ),
    Case(
        "refused",
        "spots-import-bad-db-url",
        lambda w: [
            "-q",
            "spots",
            "import",
            "--compound",
            DEMO_ID,
            "--db",
            "mysql://x/y",
            str(spots_csv(w, "116.33,40.01,parking,x,A\n")),
        ],
        2,
        lambda w: "mysql",
    ),
    # --- handled: the rest is done, the damage named
    Case(
        "warned",
        "compounds-with-a-tag-over-1024-bytes",
        lambda w: ["-q", "compounds", str(long_tag_osm(w))],
        0,
        lambda w: "long.osm has 1 tag values over 1,024 bytes",
    ),
]


def _fresh_db(work: Path) -> None:
    from store import Store

    Store(db(work)).close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, work: Path, capsys, caplog, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    _fresh_db(work)
    argv = case.argv(work)  # may create the case's own input
    before = tree_hash(work), tree_hash(ROOT / "data")
    with caplog.at_level(logging.WARNING):
        code, err = run(argv, capsys)
    assert code == case.status, err
    if case.outcome == "warned":
        assert "error" not in err
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        hits = [w for w in warnings if case.names(work) in w]
        assert hits, warnings
        assert_one_line(hits[0], case.names(work))
    else:
        assert err.startswith("error: ") or "usage:" in err, err
        if "usage:" in err:  # argparse: its usage line, then one error line
            assert_one_line(err.strip().splitlines()[-1], case.names(work))
        else:
            assert_one_line(err.removeprefix("error: "), case.names(work), listing=case.listing)
    assert (tree_hash(work), tree_hash(ROOT / "data")) == before


def test_the_catalogue_of_the_command_line_has_its_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 45


# ------------------------------------------------------------------------------- writes that count


def test_build_over_its_own_inventory_replaces_it(work, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    (work / "inv" / "inventory.csv").write_text("stale", encoding="utf-8")
    code, err = run([*BUILD, demo(work), "--compound", DEMO_ID, "--out", str(work / "inv")], capsys)
    assert code == 0, err
    assert (work / "inv" / "inventory.csv").read_text(encoding="utf-8-sig").startswith("seq,label")
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


def test_a_long_tag_value_is_read_and_the_build_goes_on(work, capsys, caplog, monkeypatch):
    monkeypatch.chdir(ROOT)
    with caplog.at_level(logging.WARNING):
        code, err = run(
            [*BUILD, str(long_tag_osm(work)), "--compound", DEMO_ID, "--out", str(work / "new")], capsys
        )
    assert code == 0, err
    assert "1,200 bytes" in caplog.text
    text = (work / "new" / "inventory.csv").read_text(encoding="utf-8-sig")
    assert "很长的名字" in text


def test_importing_a_spots_file_twice_skips_every_row(work, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = spots_csv(work, "116.3301,40.0101,parking,停满车,A\n116.3302,40.0102,lighting,灯坏了,B\n")
    argv = ["-q", "spots", "import", "--compound", DEMO_ID, "--db", db(work), str(path)]
    assert run(argv, capsys)[0] == 0
    stored = store_hash(work / "spots.sqlite3")
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0
    assert "Imported 0 spots" in out and "skipped 2 rows already in the store" in out and "spots.csv" in out
    assert store_hash(work / "spots.sqlite3") == stored


def test_an_unexpected_error_is_one_line_and_a_log(work, capsys, monkeypatch, tmp_path_factory):
    """A bug (here: the build raising TypeError) reaches the user as one line, exit 1."""
    runtime = tmp_path_factory.mktemp("runtime")
    logs = runtime / "logs"
    monkeypatch.setenv("MAPPER_RUNTIME_DIR", str(runtime))
    def bug(*args, **kwargs):
        raise TypeError("bug")

    monkeypatch.setattr("pipeline.inventory.build.build_inventory", bug)
    before = tree_hash(work)
    code, err = run([*BUILD, demo(work), "--compound", DEMO_ID, "--out", str(work / "inv")], capsys)
    assert code == 1
    assert_one_line(err, "unexpected error (TypeError: bug)")
    assert str(logs) in err and len(list(logs.glob("crash-*.log"))) == 1
    assert tree_hash(work) == before


# ---------------------------------------------------------------------------------- real faults


@pytest.fixture
def small_disk(tmp_path):
    folder = mount_tmpfs(tmp_path / "disk", "2m")
    yield folder
    unmount(folder)


def test_a_full_disk_keeps_the_previous_export_and_names_the_path(small_disk, work, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = small_disk / "assets.xlsx"
    assert run(["-q", "export", "--inventory", str(work / "inv"), "--out", str(target)], capsys)[0] == 0
    fill(small_disk, leave_bytes=2048)
    before = tree_hash(small_disk)
    code, err = run(["-q", "export", "--inventory", str(work / "inv"), "--out", str(target)], capsys)
    assert code == 2
    assert_one_line(err.removeprefix("error: "), f"Cannot write `{target}`: the disk is full")
    assert "previous one is kept" in err
    assert tree_hash(small_disk) == before


@pytest.mark.parametrize("fmt", ["csv", "gpkg"])
def test_a_full_disk_keeps_the_previous_number_output(small_disk, work, capsys, monkeypatch, fmt):
    monkeypatch.chdir(ROOT)
    gpkg = str(work / "inv" / "inventory.gpkg")
    target = small_disk / f"numbered.{fmt}"
    argv = ["-q", "number", "--assets", gpkg, "--boundary", gpkg, "--gate", gpkg, "--out", str(target)]
    # the inventory's GeoPackage has several layers: give number its layers as files
    import geopandas as gpd

    for layer in ("assets", "boundary", "gates"):
        frame = gpd.read_file(gpkg, layer=layer)
        if layer == "gates":
            frame = frame[frame["is_main"].astype(bool)]
        frame.to_file(work / f"{layer}.gpkg")
    argv = [
        "-q",
        "number",
        "--assets",
        str(work / "assets.gpkg"),
        "--boundary",
        str(work / "boundary.gpkg"),
        "--gate",
        str(work / "gates.gpkg"),
        "--out",
        str(target),
    ]
    assert run(argv, capsys)[0] == 0
    fill(small_disk, leave_bytes=1024)
    before = tree_hash(small_disk)
    code, err = run(argv, capsys)
    assert code == 2, err
    assert_one_line(err.removeprefix("error: "), f"Cannot write `{target}`")
    assert tree_hash(small_disk) == before


def test_a_full_disk_keeps_the_previous_inventory(small_disk, work, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = small_disk / "inv"
    shutil.copytree(work / "inv", out)
    fill(small_disk, leave_bytes=16 * 1024)
    before = tree_hash(small_disk)
    code, err = run([*BUILD, demo(work), "--compound", DEMO_ID, "--out", str(out)], capsys)
    assert code == 2, err
    assert_one_line(err.removeprefix("error: "), f"Cannot write `{out}`: the disk is full")
    assert tree_hash(small_disk) == before


def test_a_full_disk_keeps_the_previous_spots_export(small_disk, work, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = spots_csv(work, "116.3301,40.0101,parking,停满车,A\n")
    assert run(["-q", "spots", "import", "--compound", DEMO_ID, "--db", db(work), str(path)], capsys)[0] == 0
    target = small_disk / "spots-out.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    fill(small_disk, leave_bytes=0)
    before = tree_hash(small_disk)
    code, err = run(["-q", "spots", "export", "--compound", DEMO_ID, "--db", db(work), str(target)], capsys)
    assert code == 2
    assert_one_line(err.removeprefix("error: "), f"Cannot write `{target}`")
    assert tree_hash(small_disk) == before


@pytest.fixture
def read_only_disk(tmp_path):
    folder = mount_tmpfs(tmp_path / "ro", "1m")
    (folder / "previous.csv").write_text("the previous export\n", encoding="utf-8")
    (folder / "inv").mkdir()
    remount_read_only(folder)
    yield folder
    unmount(folder)


@pytest.mark.parametrize(
    ("what", "argv", "target"),
    [
        (
            "export",
            lambda w, ro: ["-q", "export", "--inventory", str(w / "inv"), "--out", str(ro / "previous.csv")],
            "previous.csv",
        ),
        ("build", lambda w, ro: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", str(ro / "new")], "new"),
        (
            "figure",
            lambda w, ro: [
                "-q",
                "figure",
                "--inventory",
                str(w / "inv"),
                "--out",
                str(ro / "f.pdf"),
                "--dpi",
                "50",
            ],
            "f.pdf",
        ),
        (
            "batch",
            lambda w, ro: ["-q", "batch", "--osm", demo(w), "--out", str(ro / "city"), "--workers", "1"],
            "city",
        ),
        (
            "spots-export",
            lambda w, ro: [
                "-q",
                "spots",
                "export",
                "--compound",
                DEMO_ID,
                "--db",
                db(w),
                str(ro / "previous.csv"),
            ],
            "previous.csv",
        ),
    ],
)
def test_a_read_only_disk_gives_one_line_and_changes_nothing(
    read_only_disk, work, capsys, monkeypatch, what, argv, target
):
    monkeypatch.chdir(ROOT)
    _fresh_db(work)
    before = tree_hash(read_only_disk)
    code, err = run(argv(work, read_only_disk), capsys)
    assert code == 2, err
    assert_one_line(
        err.removeprefix("error: "), f"Cannot write `{read_only_disk / target}`: the file system is read-only"
    )
    assert tree_hash(read_only_disk) == before


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".mapper-" in p.name)


def _kill_while_writing(argv: list[str], folder: Path, attempts: int = 5) -> None:
    """Run ``argv`` and ``kill -9`` it while its temporary output is in ``folder``.

    The writing phase is short; a run that finished before it was caught is run again.
    """
    for _ in range(attempts):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *argv],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while proc.poll() is None and not _temporaries(folder):
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.returncode == -signal.SIGKILL and _temporaries(folder):
            return
    pytest.fail(f"could not catch `{' '.join(argv)}` while it was writing in {attempts} attempts")


def test_kill_9_during_build_leaves_the_previous_inventory_and_the_next_run_cleans_up(work):
    argv = ["-q", "build", "--osm", demo(work), "--compound", DEMO_ID, "--out", str(work / "inv")]
    assert mapper(*argv).returncode == 0  # a previous inventory of this version
    before = tree_hash(work / "inv")
    _kill_while_writing(argv, work)
    assert tree_hash(work / "inv") == before
    done = mapper(*argv)
    assert done.returncode == 0, done.stderr
    assert _temporaries(work) == []
    assert (
        json.loads((work / "inv" / "report.json").read_text(encoding="utf-8"))["compound"]["source_id"]
        == DEMO_ID
    )


def test_kill_9_during_export_leaves_the_previous_file(work):
    target = work / "assets.gpkg"
    argv = ["-q", "export", "--inventory", str(work / "inv"), "--out", str(target)]
    assert mapper(*argv).returncode == 0
    before = target.read_bytes()
    _kill_while_writing(argv, work)
    assert target.read_bytes() == before
    assert mapper(*argv).returncode == 0
    assert _temporaries(work) == []


def test_kill_9_during_spots_import_stores_all_rows_or_none(work):
    _fresh_db(work)
    rows = "".join(f"116.33{i:04d},40.01{i:04d},parking,第{i}条,居民{i}\n" for i in range(3000))
    path = spots_csv(work, rows, "many.csv")
    argv = [
        sys.executable,
        "-m",
        "pipeline",
        "-q",
        "spots",
        "import",
        "--compound",
        DEMO_ID,
        "--db",
        db(work),
        str(path),
    ]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    from store import Store, count_spots

    with Store(db(work)) as store:
        assert count_spots(store, DEMO_ID) in (0, 3000)
        assert store.check_integrity() == []


@pytest.mark.parametrize(
    ("command", "argv", "names"),
    [
        ("build", lambda w: [*BUILD, demo(w), "--compound", DEMO_ID, "--out", str(w / "thesis")], "thesis"),
        ("sites", lambda w: ["-q", "sites", "--inventory", str(w / "inv"), "--out", str(w / "thesis")], "thesis"),
        ("batch", lambda w: ["-q", "batch", "--osm", demo(w), "--out", str(w / "c"), "--workers", "0"], "--workers 0"),
    ],
)
def test_a_refusal_comes_before_any_work(work, capsys, monkeypatch, command, argv, names):
    """The output folder and the options are checked before the extract or the inventory is read."""

    def no_work(*args, **kwargs):
        raise AssertionError("read before the refusal")

    monkeypatch.setattr("pipeline.osm.read.read_osm", no_work)
    monkeypatch.setattr("pipeline.inventory.build.read_inventory", no_work)
    code, err = run(argv(work), capsys)
    assert code == 2, err
    assert_one_line(err.removeprefix("error: "), names)
