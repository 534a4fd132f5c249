"""The spots page on a phone: time from opening it to a submitted spot, and overlapping markers on the first view.

Run: .venv/bin/python bench/bench_spots_phone.py [--runs 3] [--root DIR --ways tap]

Starts the real app (``streamlit run app.py``) on the demo compound (石科院生活区) with the store the browser
tests seed (11 spots, one per 60 m cell), and drives headless Chromium (/usr/bin/chromium) as a 390x844
phone (a phone's user agent, touch). For each way of placing a spot it opens ``/spots`` in a fresh browser
context and times, until the page says the spot was added:

- ``tap``: a tap on the map, on the first view, at a place inside the compound away from every marker;
- ``map-button``: "+ 标出问题点", then "就在这里" with the cross at the map's centre;
- ``my-location``: "用我的位置", with the browser's position granted at that same place;
- ``list``: the asset picked from "不用地图" by typing part of its name.

``--root`` runs the app (and the store's seeding) of another copy of the project, an older commit for the
"before" figures (``git archive b332edd | tar -x -C /tmp/before``; only ``tap`` works there).

Each run types the same description and pseudonym; the time is the machine's (page load, reruns, the
store), not a person's reading and typing. It also counts pairs of markers (numbers, gates, spots) whose
drawn boxes overlap on the first view, measured in the browser. Each run seeds a fresh store and starts the
app anew. Prints medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from store import hash_password  # noqa: E402
from tests.app.test_spots_browser import DEMO_OSM, PASSWORD  # noqa: E402
from tests.app.test_spots_phone import BOXES_JS, PHONE, PHONE_AGENT, overlaps  # noqa: E402
from tests.helpers.app import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, free_port  # noqa: E402

#: Seeds the store with the seeding of the copy it runs in; prints the empty place (lon, lat) as JSON.
SEED = """
import json, sys
from pipeline.inventory.build import build_inventory
from pipeline.osm.read import read_osm
from tests.app.test_spots_browser import _seed
from tests.helpers.testdata import DEMO_ID, DEMO_OSM
print(json.dumps(_seed(sys.argv[1], build_inventory(read_osm(DEMO_OSM), compound=DEMO_ID))[1]))
"""


@contextmanager
def serve(root: Path, folder: Path, env: dict[str, str]) -> Iterator[str]:
    """Run ``root``'s app on a free port until it answers; yield its URL (as ``tests.helpers.app.app_server``)."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(command, cwd=root, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise SystemExit(f"the app did not start: {(folder / 'server.log').read_text()}") from None
                time.sleep(0.3)
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)

PARK = "畅乐园"


def _opened(page, url: str):
    """Open the spots page; return the map's frame once its numbered markers are drawn and laid out."""
    page.goto(f"{url}/spots")
    frame_locator = page.frame_locator(MAP_FRAME).first
    frame_locator.locator(".am-num:visible").first.wait_for(timeout=60_000)
    frame = frame_locator.locator("body").element_handle().owner_frame()
    frame.wait_for_function("() => document.querySelector('.leaflet-spots-pane path')", timeout=30_000)
    return frame


def _describe_and_submit(page, k: int) -> None:
    page.get_by_role("textbox", name="问题说明（不超过 500 字）").fill(f"晚上这里没有路灯 {k}")
    name = page.get_by_role("textbox", name="你的称呼（化名即可）")
    name.fill("李大爷")
    name.press("Enter")
    page.wait_for_timeout(300)  # the name reaches the server before the click
    page.get_by_role("button", name="提交问题点").tap()
    page.get_by_text("谢谢！").wait_for(timeout=60_000)


def _by_tap(page, frame, lonlat: tuple[float, float]) -> None:
    # the map as laid out in its frame's final size (it is fitted again when the frame grows)
    frame.wait_for_function("() => Math.abs(window.map.getSize().x - document.body.clientWidth) < 2")
    page.wait_for_timeout(100)
    x, y = frame.evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
        [lonlat[1], lonlat[0]],
    )
    box = page.locator(MAP_FRAME).first.bounding_box()
    below = box["y"] + y - PHONE["height"] / 2
    if below > 0:  # a taller map (before the phone layout): scroll the place to the middle of the screen
        page.evaluate("d => { document.querySelector('[data-testid=stMain]').scrollTop += d; }", below)
        page.wait_for_timeout(300)
        box = page.locator(MAP_FRAME).first.bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)


def _by_map_button(page, frame, lonlat: tuple[float, float]) -> None:
    frame.locator(".sp-add").tap()
    frame.locator(".sp-add-here").tap()


def _by_location(page, frame, lonlat: tuple[float, float]) -> None:
    frame.locator(".sp-locate").tap()


def _by_list(page, frame, lonlat: tuple[float, float]) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="不用地图")
    box.locator("input").click()
    page.keyboard.type("畅乐")
    page.get_by_role("option").filter(has_text=PARK).first.click()


WAYS = {"tap": _by_tap, "map-button": _by_map_button, "my-location": _by_location, "list": _by_list}


def one_run(root: Path, chromium, ways: list[str], times: dict[str, list[float]]) -> int:
    """Seed a fresh store, start the app, time each way once; return the overlapping pairs on the first view.

    Each run starts from the seeded store, so a tap never lands on a spot an earlier run added.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "osm").mkdir()
        shutil.copy(DEMO_OSM, folder / "osm" / DEMO_OSM.name)
        db_url = f"sqlite:///{folder / 'mapper.sqlite3'}"
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, db_url], cwd=root, capture_output=True, text=True, check=True
        )
        lon, lat = json.loads(seeded.stdout.strip().splitlines()[-1])
        env = {
            "MAPPER_DATA_DIR": str(folder / "osm"),
            "MAPPER_RUNTIME_DIR": str(folder / "runtime"),
            "MAPPER_DB_URL": db_url,
            "MAPPER_PLANNERS": f"wang={hash_password(PASSWORD)}",
            "MAPPER_PLANNERS_FILE": "",
        }
        with serve(root, folder, env) as url:
            context = chromium.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN"
            )
            # the first view once the frame has its final size and the map is fitted to it
            page = context.new_page()
            frame = _opened(page, url)
            page.wait_for_timeout(1000)  # the frame's last resize, and the fit after it
            pairs = len(overlaps(frame.evaluate(BOXES_JS)))
            context.close()
            for k, way in enumerate(ways):
                context = chromium.new_context(
                    viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN",
                    permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
                )  # fmt: skip
                page = context.new_page()
                start = time.perf_counter()
                WAYS[way](page, _opened(page, url), (lon, lat))
                page.get_by_role("button", name="提交问题点").wait_for(timeout=60_000)
                _describe_and_submit(page, k)
                times[way].append(time.perf_counter() - start)
                context.close()
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the copy of the project whose app runs")
    parser.add_argument("--ways", nargs="+", choices=list(WAYS), default=list(WAYS))
    args = parser.parse_args()
    root = args.root.resolve()
    times: dict[str, list[float]] = {way: [] for way in args.ways}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pairs = [one_run(root, chromium, args.ways, times) for _ in range(args.runs)]
        chromium.close()
    print(f"spots page on a 390x844 phone, demo compound, app of {root}, {args.runs} runs (median)")
    print(f"overlapping marker pairs on the first view: {statistics.median(pairs):.0f}")
    for way, values in times.items():
        print(f"opening the page to a submitted spot, {way:<12} {statistics.median(values):5.1f} s")


if __name__ == "__main__":
    main()
