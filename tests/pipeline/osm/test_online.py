"""The online path (Overpass through osmnx), tested against a local HTTP server: no internet."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import shapely

from pipeline.core.errors import DataError
from pipeline.core.words import gate_rule_text
from pipeline.inventory.build import build_inventory
from pipeline.osm.read import OnlineSettings, fetch_osm

# A 100 m × 100 m compound near the demo, its gate, a playground inside, a road outside.
LON0, LAT0, D = 116.3470, 39.9970, 0.0009
ELEMENTS = [
    *({"type": "node", "id": i, "lat": LAT0 + dy, "lon": LON0 + dx}
      for i, (dx, dy) in enumerate([(0, 0), (D, 0), (D, D), (0, D)], start=1)),
    {"type": "way", "id": 100, "nodes": [1, 2, 3, 4, 1], "tags": {"landuse": "residential", "name": "测试小区"}},
    {"type": "node", "id": 10, "lat": LAT0, "lon": LON0 + D / 2, "tags": {"barrier": "gate", "name": "正门"}},
    {"type": "node", "id": 11, "lat": LAT0 + D / 2, "lon": LON0 + D / 2, "tags": {"leisure": "playground", "name": "儿童乐园"}},
    {"type": "node", "id": 12, "lat": LAT0 + D * 0.8, "lon": LON0 + D * 0.3, "tags": {"amenity": "waste_disposal"}},
]
STATUS = "Connected as: 1\nCurrent time: 2026-11-28T00:00:00Z\nAnnounced endpoint: none\nRate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, time limit, start time):\n"
NOMINATIM = [{
    "place_id": 1, "osm_type": "way", "osm_id": 100, "display_name": "测试小区, 海淀区, 北京市",
    "class": "landuse", "type": "residential", "importance": 0.5,
    "boundingbox": [str(LAT0), str(LAT0 + D), str(LON0), str(LON0 + D)], "lat": str(LAT0 + D / 2), "lon": str(LON0 + D / 2),
    "geojson": shapely.geometry.mapping(shapely.box(LON0, LAT0, LON0 + D, LAT0 + D)),
}]


class FakeOSM(BaseHTTPRequestHandler):
    """Answers like Overpass (/status, /interpreter) and Nominatim (/search)."""

    requests: list[str] = []

    def _send(self, body: str, content_type: str = "application/json") -> None:
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.requests.append(self.path)
        path = urlparse(self.path).path
        if path.endswith("/status"):
            self._send(STATUS, "text/plain")
        elif path.endswith("/search"):
            assert "q" in parse_qs(urlparse(self.path).query)
            self._send(json.dumps(NOMINATIM))
        else:
            self.send_error(404)

    def do_POST(self):
        self.requests.append(self.path)
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(json.dumps({"version": 0.6, "elements": ELEMENTS}))

    def log_message(self, *args):
        pass


@pytest.fixture
def local_osm(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOSM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOSM.requests = []
    base = f"http://127.0.0.1:{server.server_port}"
    yield OnlineSettings(overpass_url=f"{base}/api", nominatim_url=f"{base}/", timeout_s=10,
                         cache_folder=str(tmp_path / "cache"))
    server.shutdown()


def test_fetch_by_polygon_and_build(local_osm):
    area = shapely.box(LON0 - 0.002, LAT0 - 0.002, LON0 + 0.003, LAT0 + 0.003)
    features = fetch_osm(polygon=area, settings=local_osm)
    assert {"way/100", "node/10", "node/11", "node/12"} <= set(features["source_id"])
    assert any(p.endswith("/interpreter") for p in FakeOSM.requests)
    inventory = build_inventory(features, compound="测试小区")
    assert inventory.main_gate.name == "正门"
    assert gate_rule_text(inventory.main_gate.rule, "en").startswith("named as the main gate")
    # From the south gate clockwise: the waste point (north-west) comes before the playground (centre, due north).
    assert list(inventory.assets["kind"]) == ["waste_point", "playground"]


def test_fetch_by_place_name_asks_nominatim(local_osm):
    features = fetch_osm(place="测试小区, 海淀区, 北京市", settings=local_osm)
    assert "way/100" in set(features["source_id"])
    assert any(p.startswith("/search") for p in FakeOSM.requests)


def test_unreachable_server_gets_a_clear_error(tmp_path):
    settings = OnlineSettings(overpass_url="http://127.0.0.1:9/api", nominatim_url="http://127.0.0.1:9/",
                              timeout_s=2, cache_folder=str(tmp_path), rate_limit=False)
    with pytest.raises(DataError, match="Cannot reach http://127.0.0.1:9/api.*--osm FILE"):
        fetch_osm(polygon=shapely.box(LON0, LAT0, LON0 + D, LAT0 + D), settings=settings)


def test_exactly_one_of_place_or_polygon():
    with pytest.raises(DataError, match="exactly one of `place` or `polygon`"):
        fetch_osm()


def test_exactly_one_of_place_or_polygon_is_asked_in_chinese():
    with pytest.raises(DataError) as info:
        fetch_osm()
    assert info.value.text("zh") == "在线获取 OSM 数据需要地名或范围多边形，二者只能给一个。"


def test_an_unreachable_server_is_said_in_chinese(tmp_path):
    settings = OnlineSettings(overpass_url="http://127.0.0.1:9/api", nominatim_url="http://127.0.0.1:9/",
                              timeout_s=2, cache_folder=str(tmp_path), rate_limit=False)
    with pytest.raises(DataError) as info:
        fetch_osm(polygon=shapely.box(LON0, LAT0, LON0 + D, LAT0 + D), settings=settings)
    assert info.value.text("zh") == (
        "无法连接 http://127.0.0.1:9/api：请检查网络连接（或把 MAPPER_OVERPASS_URL 设为镜像站），或改用离线的 OSM 数据文件。"
    )
