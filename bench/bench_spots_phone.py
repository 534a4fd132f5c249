"""The spots page on a phone: time from opening it to a submitted spot, and overlapping markers on the first view.

Run: .venv/bin/python bench/bench_spots_phone.py [--runs 3]

Starts the real app (``streamlit run app.py``) on the demo compound (石科院生活区) with the store the browser
tests seed (11 spots, one per 60 m cell), and drives headless Chromium (/usr/bin/chromium) as a 390x844
phone (a phone's user agent, touch). For each way of placing a spot it opens ``/spots`` in a fresh browser
context and times, until the page says the spot was added:

- ``map button``: "+ 标出问题点", then "就在这里" with the cross at the map's centre;
- ``my location``: "用我的位置", with the browser's position granted at a place inside the compound;
- ``list``: the asset picked from "不用地图" by typing part of its name.

Each run types the same description and pseudonym; the time is the machine's (page load, reruns, the
store), not a person's reading and typing. It also counts pairs of markers (numbers, gates, spots) whose
drawn boxes overlap on the first view, measured in the browser. Prints medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from pipeline.inventory.build import build_inventory  # noqa: E402
from pipeline.osm.read import read_osm  # noqa: E402
from store import hash_password  # noqa: E402
from tests.app.test_spots_browser import DEMO_OSM, PASSWORD, _seed  # noqa: E402
from tests.app.test_spots_phone import BOXES_JS, PHONE, PHONE_AGENT, open_spots, overlaps  # noqa: E402
from tests.helpers.app import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, app_server  # noqa: E402
from tests.helpers.testdata import DEMO_ID  # noqa: E402

PARK = "畅乐园"


def _opened(page, url: str):
    """Open the spots page; return the map's frame once its numbered markers are drawn and laid out."""
    page.goto(f"{url}/spots")
    frame_locator = page.frame_locator(MAP_FRAME).first
    frame_locator.locator(".am-num:visible").first.wait_for(timeout=60_000)
    frame = frame_locator.locator("body").element_handle().owner_frame()
    frame.wait_for_function("() => window.map._amShown > 0", timeout=30_000)
    return frame


def _describe_and_submit(page, k: int) -> None:
    page.get_by_role("textbox", name="问题说明（不超过 500 字）").fill(f"晚上这里没有路灯 {k}")
    name = page.get_by_role("textbox", name="你的称呼（化名即可）")
    name.fill("李大爷")
    name.press("Enter")
    page.wait_for_timeout(300)  # the name reaches the server before the click
    page.get_by_role("button", name="提交问题点").tap()
    page.get_by_text("谢谢！").wait_for(timeout=60_000)


def _by_map_button(page, frame) -> None:
    frame.locator(".sp-add").tap()
    frame.locator(".sp-add-here").tap()


def _by_location(page, frame) -> None:
    frame.locator(".sp-locate").tap()


def _by_list(page, frame) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="不用地图")
    box.locator("input").click()
    page.keyboard.type("畅乐")
    page.get_by_role("option").filter(has_text=PARK).first.click()


WAYS = {"map button": _by_map_button, "my location": _by_location, "list": _by_list}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    inventory = build_inventory(read_osm(DEMO_OSM), compound=DEMO_ID)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "osm").mkdir()
        shutil.copy(DEMO_OSM, folder / "osm" / DEMO_OSM.name)
        db_url = f"sqlite:///{folder / 'mapper.sqlite3'}"
        _, (lon, lat) = _seed(db_url, inventory)
        env = {
            "MAPPER_DATA_DIR": str(folder / "osm"),
            "MAPPER_RUNTIME_DIR": str(folder / "runtime"),
            "MAPPER_DB_URL": db_url,
            "MAPPER_PLANNERS": f"wang={hash_password(PASSWORD)}",
            "MAPPER_PLANNERS_FILE": "",
        }
        with app_server(folder, env) as url, sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            times: dict[str, list[float]] = {way: [] for way in WAYS}
            pairs: list[int] = []
            k = 0
            for _ in range(runs):
                context = chromium.new_context(
                    viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN"
                )
                # the first view once the frame has its final size and the map is fitted to it
                pairs.append(len(overlaps(open_spots(context.new_page(), url).evaluate(BOXES_JS))))
                context.close()
                for way, place in WAYS.items():
                    context = chromium.new_context(
                        viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_AGENT, locale="zh-CN",
                        permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
                    )  # fmt: skip
                    page = context.new_page()
                    start = time.perf_counter()
                    place(page, _opened(page, url))
                    page.get_by_role("button", name="提交问题点").wait_for(timeout=60_000)
                    k += 1
                    _describe_and_submit(page, k)
                    times[way].append(time.perf_counter() - start)
                    context.close()
            chromium.close()
    print(f"spots page on a 390x844 phone, demo compound, {runs} runs (median)")
    print(f"overlapping marker pairs on the first view: {statistics.median(pairs):.0f}")
    for way, values in times.items():
        print(f"opening the page to a submitted spot, {way:<12} {statistics.median(values):5.1f} s")


if __name__ == "__main__":
    main()
