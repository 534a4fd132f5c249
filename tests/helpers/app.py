"""Helpers of the app tests: a stand-in for the map component and readers of the drawn map."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import folium
import pytest
from branca.element import Element

from layers.web import DivMarkers

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PARK = "way/595098643"  # 畅乐园
#: 畅乐园's number walking the wall clockwise from 东南门 (tests/golden/shikeyuan.toml's order).
PARK_LABEL = "14"
#: ... and from 石科院工作区南门: the institute at that gate, two car parks, the fitness ground, 畅乐园.
PARK_LABEL_FROM_WORK_AREA_GATE = "5"
SOUTH_EAST_GATE = "node/5671590330"  # 东南门, the detected main gate
WORK_AREA_GATE = "node/5671677877"  # 石科院工作区南门, in the wall shared with the institute

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
#: Headless, no sandbox (root in CI), and none of Chromium's own calls home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """Run the real app (``streamlit run app.py``) on a free port until it answers; yield its URL.

    ``env`` is added to this process's environment; the server's output goes to ``folder/server.log``.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"Streamlit did not start: {(folder / 'server.log').read_text()}")
                time.sleep(0.3)
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


@dataclass
class FakeMap:
    """Stands in for ``streamlit_folium.st_folium``: keeps the maps drawn and returns set clicks."""

    maps: list[folium.Map] = field(default_factory=list)
    returns: dict[str, Any] = field(default_factory=dict)
    kwargs: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, fig: folium.Map, **kwargs: Any) -> dict[str, Any]:
        fig.get_bounds()  # what st_folium asks first: a layer folium cannot bound fails here as in a browser
        self.maps.append(fig)
        self.kwargs.append(kwargs)
        return {k: v for k, v in self.returns.items() if k in kwargs.get("returned_objects", [])}


def markers(m: folium.Map, role: str) -> list[list[Any]]:
    """The rows of the map's :class:`DivMarkers` of one role (``assets`` or ``gates``)."""

    def walk(element: Element) -> Iterator[Element]:
        yield element
        for child in element._children.values():
            yield from walk(child)

    return [row for e in walk(m) if isinstance(e, DivMarkers) and e.role == role for row in e.rows]


def marker_labels(m: folium.Map) -> dict[str, str]:
    """``source_id`` → the number on its marker."""
    labels = {}
    for row in markers(m, "assets"):
        sid = row[2].split('data-sid="')[1].split('"')[0]
        labels[sid] = row[2].rsplit("</div>", 1)[0].rsplit(">", 1)[1]
    return labels


def keep_local(context: Any, url: str) -> list[str]:
    """Abort every request of a Playwright browser context that leaves this machine.

    Returns the list the aborted URLs are appended to; a test asserts it stays empty.
    """
    outside: list[str] = []
    local = (url, url.replace("127.0.0.1", "localhost"), "data:", "blob:", "about:")

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(local):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    return outside


MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
ARTIFACTS = ROOT / "test-artifacts"


def serve(folder: Path, **env: str) -> Iterator[str]:
    """Run the app on a free port with the demo extract and its own runtime folder; yield its URL."""
    data = folder / "osm"
    data.mkdir(exist_ok=True)
    shutil.copy(ROOT / "data" / "osm" / "beijing_haidian_qinghua-east-rd.osm", data)
    environ = {"MAPPER_DATA_DIR": str(data), "MAPPER_RUNTIME_DIR": str(folder / "runtime"), **env}
    with app_server(folder, environ) as url:
        yield url


def open_page(url: str, path: str):
    """A headless Chromium page at ``url/path`` whose requests outside this machine are aborted and listed."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; `make sysdeps` installs Debian's chromium")
    p = playwright.sync_playwright().start()
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1750}, locale="zh-CN")
    outside = keep_local(context, url)
    page = context.new_page()
    page.goto(f"{url}/{path}")

    def close() -> None:
        context.close()
        browser.close()
        p.stop()

    return page, outside, close


def map_frame(page, selector: str, timeout_ms: int = 45_000):
    """The (first) map's frame once ``selector`` is drawn in it."""
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(selector).first.wait_for(timeout=timeout_ms)
    return frame


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to ``test-artifacts/``: the whole page, or what the screen shows."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1000)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def seeded_app(folder: Path, seed: Callable[[str], T]) -> Iterator[tuple[str, str, T]]:
    """The real app on the demo extract and a SQLite store of its own, seeded by ``seed(db_url)`` first.

    One planner, ``wang``, signs in with :data:`tests.helpers.spots_scene.PASSWORD`. Yields the app's URL,
    the store's URL and what ``seed`` returned.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; `make sysdeps` installs Debian's chromium")
    from store import hash_password
    from tests.helpers.spots_scene import DEMO_OSM, PASSWORD

    data = folder / "osm"
    data.mkdir()
    shutil.copy(DEMO_OSM, data / DEMO_OSM.name)
    db_url = f"sqlite:///{folder / 'mapper.sqlite3'}"
    seeded = seed(db_url)
    env = {
        "MAPPER_DATA_DIR": str(data),
        "MAPPER_RUNTIME_DIR": str(folder / "runtime"),
        "MAPPER_DB_URL": db_url,
        "MAPPER_PLANNERS": f"wang={hash_password(PASSWORD)}",
        "MAPPER_PLANNERS_FILE": "",  # the planners come from MAPPER_PLANNERS only
    }
    with app_server(folder, env) as url:
        yield url, db_url, seeded


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium for a module's tests."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
