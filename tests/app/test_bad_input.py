"""The bad-input catalogue of the app's helpers: links that point outside, uploads, and a page that fails.

Each case asserts the exception (or what the page shows), one line naming the input, and that the
runtime folder and the files around it did not change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.core.errors import InputFileError
from tests.helpers.app import APP, FakeMap
from tests.helpers.catalogue import assert_one_line, case_id, tree_hash
from ui import data
from ui.settings import Settings

HEX = "0123456789abcdef"
#: A file outside every folder of the app whose path has 16 characters before its first dot.
ABSOLUTE_16 = f"/tmp/m{uuid.uuid4().hex[:10]}.osm"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    """A server: shipped extracts, a runtime folder with one genuine upload, and a secret beside them."""
    data_dir = tmp_path / "osm"
    data_dir.mkdir()
    (data_dir / "shipped.osm").write_text("<osm/>", encoding="utf-8")
    settings = Settings(data_dir=data_dir, runtime_dir=tmp_path / "runtime", max_upload_mb=1)
    settings.uploads_dir.mkdir(parents=True)
    (settings.uploads_dir / f"{HEX}.osm").write_text("<osm/>", encoding="utf-8")
    (tmp_path / "secretsecretsecr.osm").write_text("<osm>a secret</osm>", encoding="utf-8")
    (tmp_path / "secretsecr.osm").write_text("<osm>a secret</osm>", encoding="utf-8")
    (tmp_path / "secret.osm").write_text("<osm>a secret</osm>", encoding="utf-8")
    (settings.uploads_dir / "fedcba9876543210.osm").symlink_to(tmp_path / "secret.osm")
    outside = Path(ABSOLUTE_16)
    outside.write_text("<osm>a secret</osm>", encoding="utf-8")
    yield settings, tmp_path
    outside.unlink()


OUTSIDE = [
    # the hole this closes: the text before the first dot is 16 characters, and it walks out
    ("upload-absolute-path-of-16", lambda root: f"upload:{ABSOLUTE_16}"),
    ("upload-absolute-path", lambda root: f"upload:{root}/secretsecretsecr.osm"),
    ("upload-dot-dot-plain", lambda root: "upload:../secret.osm"),
    ("upload-link-leading-outside", lambda root: "upload:fedcba9876543210.osm"),
    ("upload-upper-case-hash", lambda root: f"upload:{HEX.upper()}.osm"),
    ("upload-other-suffix", lambda root: f"upload:{HEX}.xml"),
    ("upload-nul-byte", lambda root: f"upload:{HEX}.osm\x00.png"),
    ("upload-missing", lambda root: "upload:aaaaaaaaaaaaaaaa.osm"),
    ("shipped-dot-dot", lambda root: "../secret.osm"),
    ("shipped-absolute", lambda root: f"{root}/secret.osm"),
    ("shipped-missing", lambda root: "nothing.osm"),
]


@pytest.mark.parametrize(("what", "extract"), OUTSIDE, ids=[case_id("refused", w) for w, _ in OUTSIDE])
def test_bad_input_extract_link(world, what, extract) -> None:
    settings, root = world
    link = extract(root)
    if what == "upload-absolute-path-of-16":
        assert len(link.removeprefix("upload:").split(".")[0]) == 16
        assert (settings.uploads_dir / link.removeprefix("upload:")).is_file()  # it exists, outside
    before = tree_hash(root)
    with pytest.raises(InputFileError) as info:
        data.extract_path(link, settings)
    assert_one_line(str(info.value), f"There is no extract `{link}` on this server")
    assert tree_hash(root) == before


def test_a_genuine_upload_and_a_shipped_extract_open(world) -> None:
    settings, _ = world
    assert data.extract_path(f"upload:{HEX}.osm", settings) == settings.uploads_dir / f"{HEX}.osm"
    assert data.extract_path("shipped.osm", settings) == settings.data_dir / "shipped.osm"


UPLOADS = [
    (
        "upload-too-large",
        "big.osm",
        b"<osm>" + b" " * (1024 * 1024 + 1),
        "`big.osm` has 1.0 MB, over the 1 MB limit",
    ),
    ("upload-not-an-extract", "photo.png", b"\x89PNG\r\n", "`photo.png` is not an .osm or .osm.pbf file"),
    ("upload-script", "x.osm.py", b"import os", "`x.osm.py` is not an .osm or .osm.pbf file"),
]


@pytest.mark.parametrize(
    ("what", "name", "payload", "names"), UPLOADS, ids=[case_id("refused", u[0]) for u in UPLOADS]
)
def test_bad_input_upload(world, what, name, payload, names) -> None:
    settings, root = world
    before = tree_hash(root)
    with pytest.raises(InputFileError) as info:
        data.save_upload(name, payload, settings)
    assert_one_line(str(info.value), names)
    assert tree_hash(root) == before


def test_bad_input_link_outside_the_uploads_falls_back_in_the_app(
    fake_map: FakeMap, runtime: Path, tmp_path
) -> None:
    """``?osm=upload:…`` naming a file outside the uploads folder: the app never opens it."""
    secret = Path(f"/tmp/a{uuid.uuid4().hex[:10]}.osm")  # 16 characters before the dot
    secret.write_text("<osm>a secret</osm>", encoding="utf-8")
    runtime.mkdir(parents=True, exist_ok=True)
    link = f"upload:{secret}"
    before = tree_hash(tmp_path), secret.read_bytes()
    try:
        with mock.patch("ui.data.read_osm", wraps=data.read_osm) as reader:
            at = AppTest.from_file(APP, default_timeout=60)
            at.query_params["osm"] = link
            at.run()
        assert not at.exception
        assert all(str(secret) not in str(c.args) for c in reader.call_args_list)
        shown = [e.value for e in at.error] + [t.value for t in at.text]
        assert "本服务器上没有这个 OSM 数据文件：请在侧栏另选一个，或重新上传。" in shown, shown
        assert all(str(secret) not in v for v in shown)  # the link's path is not repeated to the user
        assert (tree_hash(tmp_path), secret.read_bytes()) == before
    finally:
        secret.unlink()


def test_crash_a_page_that_fails_unexpectedly_shows_one_line(fake_map: FakeMap, runtime: Path) -> None:
    """A bug in a page: one error line naming the log file, the traceback in the log, no stack on the page."""
    logs = runtime / "logs"
    with mock.patch("ui.data.numbered", side_effect=RuntimeError("boom")):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert_one_line(shown, "unexpected error (RuntimeError: boom)")
    (log,) = logs.glob("crash-*.log")
    assert log.name in shown and str(logs) not in shown
    assert "Traceback" in log.read_text(encoding="utf-8")
