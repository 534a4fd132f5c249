"""AppTest of the spots (问题点) and vote (投票) pages, on a real SQLite store of each test's own.

``streamlit_folium.st_folium`` is replaced by :class:`SpotsMap`, which keeps the maps and the keyword
arguments the page passed and returns the clicks a test sets. Planners sign in through the sidebar form with
a password whose scrypt hash is in ``$MAPPER_PLANNERS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from unittest import mock

import folium
import geopandas as gpd
import pytest
from branca.element import Element
from PIL import Image
from streamlit.testing.v1 import AppTest

from layers.web.spots import MINE, PLAIN, SpotMarkers
from pipeline.core import schema as S
from pipeline.inventory.build import Inventory
from store import (
    Planner,
    Resident,
    Store,
    add_spot,
    add_topics_from_spots,
    cast_ballot,
    close_session,
    count_codes,
    get_photo,
    get_results,
    hash_password,
    hide_spot,
    list_audit,
    list_sessions,
    list_spots,
    list_topics,
    new_resident_key,
    open_session,
)
from store.geo import blur_lonlat
from tests.helpers.app import APP, PARK, PARK_LABEL, SOUTH_EAST_GATE, FakeMap, marker_labels
from tests.helpers.db import code
from ui.roles import K_PLANNER, K_RESIDENT_KEY

COMPOUND = "way/595108678"
PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "</script><script>alert(4)</script>",
    "\"quoted\" & 'single'",
    "trailing\\",
    "line\nbreak",
    "![x](http://example.com/leak.png) **bold**",
    "{{ 7*7 }} {% if true %}IF{% endif %}",
]
TIMEOUT = 60


@dataclass
class SpotsMap(FakeMap):
    """A :class:`FakeMap` that also keeps the keyword arguments of each call."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, fig: folium.Map, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return super().__call__(fig, **kwargs)


@pytest.fixture
def spots_map() -> Iterator[SpotsMap]:
    fake = SpotsMap()
    with mock.patch("streamlit_folium.st_folium", fake):
        yield fake


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A SQLite store of this test alone, which the app opens too; one planner, `wang`."""
    url = f"sqlite:///{tmp_path / 'mapper.sqlite3'}"
    monkeypatch.setenv("MAPPER_DB_URL", url)
    monkeypatch.setenv("MAPPER_PLANNERS", f"wang={HASH}")
    monkeypatch.delenv("MAPPER_PLANNERS_FILE", raising=False)
    with Store(url) as opened:
        yield opened


@pytest.fixture(scope="module")
def park(demo_inventory: Inventory) -> tuple[float, float]:
    """WGS-84 lon/lat of 畅乐园's marker (number 9 from the detected gate)."""
    row = demo_inventory.assets[demo_inventory.assets[S.SOURCE_ID] == PARK]
    point = gpd.GeoSeries(row.geometry.representative_point(), crs=demo_inventory.crs).to_crs(S.WGS84).iloc[0]
    return point.x, point.y


def _app(page: str = "views/spots.py", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page(page)


def _resident(name: str = "邻居") -> Resident:
    return Resident(new_resident_key(), name)


def _spot_rows(m: folium.Map) -> list[list[Any]]:
    def walk(element: Element) -> Iterator[Element]:
        yield element
        for child in element._children.values():
            yield from walk(child)

    return [row for e in walk(m) if isinstance(e, SpotMarkers) for row in e.rows]


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _sign_in(at: AppTest, password: str = PASSWORD, name: str = "wang") -> AppTest:
    at.text_input(key="_signin_name").input(name)
    at.text_input(key="_signin_password").input(password)
    return _button(at, "规划师登录").click().run()


def _rendered_markup(at: AppTest) -> list[str]:
    """Everything the page rendered as Markdown or HTML."""
    found = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "success",
        "info",
        "warning",
        "error",
    ):
        found += [str(e.value) for e in getattr(at, kind)]
    found += [str(w.label) for w in (*at.button, *at.text_input, *at.number_input, *at.selectbox, *at.toggle)]
    return found


# --- spots ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "title", "grid"), [("zh", "问题点", "50 米网格"), ("en", "Spots", "50 m grid")]
)
def test_spots_page_runs_in_both_languages(
    spots_map: SpotsMap,
    store: Store,
    park: tuple[float, float],
    demo_inventory: Inventory,
    code: str,
    title: str,
    grid: str,
) -> None:
    add_spot(store, COMPOUND, _resident(), *park, "seating", "缺座椅", assets=demo_inventory.assets)
    at = _app(lang=code).run()
    assert not at.exception
    assert at.title[0].value == title
    assert any(grid in c.value for c in at.caption)
    [row] = _spot_rows(spots_map.maps[-1])
    assert row[7] == [1]
    assert spots_map.calls[-1]["returned_objects"] == ["last_clicked", "last_object_clicked"]
    assert spots_map.calls[-1]["feature_group_to_add"] is None
    assert at.dataframe[0].value.iloc[0].tolist()[:7] == [
        1,
        "座椅" if code == "zh" else "Seating",
        "缺座椅",
        f"近 {PARK_LABEL} · 畅乐园" if code == "zh" else f"near {PARK_LABEL} · 畅乐园",
        0,
        "待处理" if code == "zh" else "open",
        "邻居",
    ]


def test_a_spot_reads_its_assets_label_from_the_current_numbering(
    spots_map: SpotsMap, store: Store, park: tuple[float, float], demo_inventory: Inventory
) -> None:
    add_spot(store, COMPOUND, _resident(), *park, "seating", "缺座椅", assets=demo_inventory.assets)
    at = _app(gate=SOUTH_EAST_GATE).run()  # numbered from another gate: the park is no longer 9
    assert not at.exception
    park_now = next(
        label for sid, label in marker_labels(spots_map.maps[-1]).items() if sid == PARK
    )
    assert park_now != "9"
    assert at.dataframe[0].value.iloc[0].tolist()[3] == f"近 {park_now} · 畅乐园"
    [row] = _spot_rows(spots_map.maps[-1])
    assert f"近 {park_now} · 畅乐园" in row[5]  # the popup too
    at = _app(gate=SOUTH_EAST_GATE, lang="en").switch_page("views/vote.py").run()
    assert not at.exception


def test_the_public_map_blurs_and_a_signed_in_planner_sees_exact_places(
    spots_map: SpotsMap, store: Store, park: tuple[float, float], demo_inventory: Inventory
) -> None:
    lon, lat = park[0] + 0.0001, park[1] + 0.0001
    add_spot(store, COMPOUND, _resident(), lon, lat, "paving", "路面坑洼")
    hidden = add_spot(store, COMPOUND, _resident(), park[0], park[1] - 0.0002, "waste", "广告")
    hide_spot(store, hidden.id, Planner("wang"), "advertising")
    at = _app().run()
    [row] = _spot_rows(spots_map.maps[-1])
    x, y = blur_lonlat([lon], [lat], cell_m=50, crs=demo_inventory.crs)
    assert (row[0], row[1]) == pytest.approx((y[0], x[0]), abs=1e-7)
    assert (row[0], row[1]) != pytest.approx((lat, lon), abs=1e-6)
    assert "lon" not in at.dataframe[0].value.columns
    at = _sign_in(at)
    assert not at.exception
    assert "已登录：wang" in _texts(at)
    rows = _spot_rows(spots_map.maps[-1])
    assert [r[7] for r in rows] == [[1], [2]]
    assert (rows[0][0], rows[0][1]) == pytest.approx((round(lat, 7), round(lon, 7)), abs=1e-7)
    assert at.dataframe[0].value["状态"].tolist() == ["公开", "已隐藏"]


def test_signing_in_needs_the_right_password(spots_map: SpotsMap, store: Store) -> None:
    at = _app("views/vote.py").run()
    at = _sign_in(at, password="wrong password")
    assert K_PLANNER not in at.session_state
    assert "规划师姓名或密码不正确：请检查后重试。" in _texts(at)
    at = _sign_in(at, password="")
    assert not any(t.startswith("已登录") for t in _texts(at))
    at = _sign_in(at, name="nobody")
    assert not any(t.startswith("已登录") for t in _texts(at))
    at = _sign_in(at)
    assert "已登录：wang" in _texts(at)
    _button(at, "退出登录").click().run()
    assert not any(t.startswith("已登录") for t in _texts(at))


def test_sign_in_pauses_after_five_failures(spots_map: SpotsMap, store: Store) -> None:
    for _ in range(5):  # each attempt in a new tab: the failures are counted in the store
        _sign_in(_app("views/vote.py").run(), password="wrong password")
    at = _sign_in(_app("views/vote.py").run())
    # The pause is 30 s from the last failure; the seconds left depend on how long the tabs took.
    waits = [re.fullmatch(r"登录失败次数过多，请 (\d+) 秒后再试。", x) for x in _texts(at)]
    assert [int(m.group(1)) for m in waits if m] and all(0 < int(m.group(1)) <= 30 for m in waits if m)
    assert not any(t.startswith("已登录") for t in _texts(at))
    fails = [e for e in list_audit(store, object_type="signin") if e.action == "signin.fail"]
    assert len(fails) == 5 and {e.detail["account"] for e in fails} == {"wang"}


def test_a_code_link_fills_the_code_and_a_used_code_gets_no_ballot(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    ids = _seed_spots(store, park, ["活动室", "路灯"])
    session = open_session(store, COMPOUND, Planner("wang"), "议事会", ballot_mode="anonymous")
    other = open_session(store, COMPOUND, Planner("wang"), "另一场")  # the page would show this one first
    first, _ = add_topics_from_spots(store, session.id, Planner("wang"), ids)
    slip = code(store, session.id)
    at = _app("views/vote.py", vote="1", code=slip).run()  # the compound's first vote, by its number
    assert at.selectbox[0].value == session.id  # the session picker
    assert at.selectbox[0].format_func(session.id).startswith("#1 · 议事会")
    assert at.text_input(key="vote_code").value == slip
    at.number_input(key=f"vote_dot_{first.id}").set_value(3).run()
    _button(at, "投票").click().run()
    assert at.success[0].value == "你已投票，谢谢参与！"
    # The same link in a new browser: no ballot form, one line says why.
    again = _app("views/vote.py", session=str(session.id), code=slip).run()  # a slip printed with ?session=ID
    assert "这个参与码已经投过票了：每个参与码只能投一张票，第一张票有效。" in [i.value for i in again.info]
    assert [b.label for b in again.button].count("投票") == 0
    # A code of another session is refused in one line.
    stranger = _app("views/vote.py", vote="1", code=code(store, other.id)).run()
    refused = "不属于这场投票：请核对纸条，或向规划师索取这场投票的参与码。"
    assert any(x.startswith("参与码 ") and x.endswith(refused) for x in _texts(stranger))
    close_session(store, session.id, Planner("wang"))
    assert get_results(store, session.id).ballots == 1


def test_a_planner_makes_codes_and_downloads_them(spots_map: SpotsMap, store: Store) -> None:
    session = open_session(store, COMPOUND, Planner("wang"), "议事会")
    at = _sign_in(_app("views/vote.py").run())
    at.number_input(key="vote_codes_n").set_value(4)
    _button(at, "生成参与码").click().run()
    assert not at.exception
    assert "已发 4 个参与码，其中 0 个已投票" in _texts(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载参与码 CSV", "下载 A4 打印页"]
    assert count_codes(store, session.id) == (4, 0)


def test_without_configured_planners_nobody_signs_in(
    spots_map: SpotsMap, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAPPER_PLANNERS")
    at = _sign_in(_app("views/vote.py").run())
    assert any(t.startswith("本服务器尚未配置规划师账号") for t in _texts(at))


def test_a_click_places_a_pin_and_the_form_adds_the_spot(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    lon, lat = park[0] + 0.00005, park[1]
    spots_map.returns = {"last_clicked": {"lat": lat, "lng": lon}}
    at = _app().run()
    assert not at.exception
    assert at.session_state["spots_pending"] == (round(lon, 7), round(lat, 7))
    pin = spots_map.calls[-1]["feature_group_to_add"]
    assert isinstance(pin, folium.FeatureGroup)
    assert f"近 {PARK_LABEL} · 畅乐园" in _texts(at)
    _button(at, "提交问题点").click().run()  # no pseudonym yet
    assert "请先在上方填写你的称呼。" in _texts(at) and list_spots(store, COMPOUND) == []
    at.text_input(key="_pseudonym_spots").input("李大爷")
    at.selectbox(key="spots_category").set_value("lighting")
    at.text_area(key="spots_text").input(PAYLOADS[0] + "\n" + PAYLOADS[1])
    _button(at, "提交问题点").click().run()
    assert not at.exception
    [spot] = list_spots(store, COMPOUND)
    assert (spot.text, spot.author, spot.category, spot.near_label, spot.near_name) == (
        PAYLOADS[0] + "\n" + PAYLOADS[1],
        "李大爷",
        "lighting",
        PARK_LABEL,
        "畅乐园",
    )
    assert (spot.lon, spot.lat) == pytest.approx((lon, lat), abs=1e-7)
    assert at.success[0].value == "已添加问题点 #1，谢谢！"
    assert "spots_pending" not in at.session_state
    assert spots_map.calls[-1]["feature_group_to_add"] is None
    [row] = _spot_rows(spots_map.maps[-1])
    assert row[6] == MINE and (row[0], row[1]) == pytest.approx((lat, lon), abs=1e-7)  # one's own: exact
    assert at.session_state["spots_selected"] == 1
    assert spot.text in _texts(at)
    assert at.session_state["spots_text"] == ""


def test_clicking_a_numbered_asset_places_the_pin_on_it(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    spots_map.returns = {"last_object_clicked": {"lat": park[1], "lng": park[0]}}
    at = _app().run()
    assert at.session_state["spots_pending"] == (round(park[0], 7), round(park[1], 7))
    assert f"近 {PARK_LABEL} · 畅乐园" in _texts(at)


def test_a_click_far_outside_the_compound_is_refused(spots_map: SpotsMap, store: Store) -> None:
    spots_map.returns = {"last_clicked": {"lat": 39.99, "lng": 116.34}}
    at = _app().run()
    assert not at.exception
    assert "spots_pending" not in at.session_state
    assert at.warning[0].value == "请注意："
    assert any(t.startswith("点击处在小区外约") for t in _texts(at))


def test_a_photo_is_cleaned_and_a_file_that_is_not_an_image_is_refused(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    spots_map.returns = {"last_clicked": {"lat": park[1], "lng": park[0]}}
    at = _app().run()
    at.text_input(key="_pseudonym_spots").input("李大爷")
    at.text_area(key="spots_text").input("台阶没有坡道")
    at.file_uploader(key="spots_photo_0").set_value(("photo.jpg", b"this is not a photo", "image/jpeg"))
    _button(at, "提交问题点").click().run()
    assert not at.exception
    assert at.error[0].value == "无法完成："
    assert "文件 `photo.jpg` 不是 JPEG、PNG 或 HEIC 图片：请发送用手机或相机拍摄的照片。" in _texts(at)
    assert list_spots(store, COMPOUND) == []

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {2: (39.0, 59.0, 50.0)}  # GPS latitude
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    at.file_uploader(key="spots_photo_0").set_value(("IMG_0001.HEIC", buffer.getvalue(), "image/heic"))
    _button(at, "提交问题点").click().run()
    assert not at.exception
    [spot] = list_spots(store, COMPOUND)
    assert spot.has_photo
    stored = Image.open(BytesIO(get_photo(store, spot.id)))
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}
    assert len(at.image) == 1  # the thumbnail beside the chosen spot
    assert at.session_state["_spots_photo_n"] == 1  # the next form gets an empty upload box


def test_a_near_spot_of_the_same_category_is_offered_and_supported_once(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    other = add_spot(store, COMPOUND, _resident("王阿姨"), *park, "lighting", PAYLOADS[3])
    add_spot(store, COMPOUND, _resident(), park[0], park[1] + 0.0001, "parking", "停车乱")
    spots_map.returns = {"last_clicked": {"lat": park[1] + 0.00005, "lng": park[0] + 0.00005}}
    at = _app().run()
    at.text_input(key="_pseudonym_spots").input("李大爷")
    at.selectbox(key="spots_category").set_value("lighting").run()
    assert at.warning[0].value.startswith("25 米内已有 1 个同类问题点")
    assert PAYLOADS[3] in _texts(at)
    assert f"#{other.id} · 照明 · 0 人支持" in _texts(at)  # no distance: it would locate the blurred spot
    _button(at, "支持这一条").click().run()
    assert not at.exception
    assert at.success[0].value == f"已支持问题点 #{other.id}。"
    assert list_spots(store, COMPOUND)[0].supports == 1
    assert at.session_state["spots_selected"] == other.id
    assert _button(at, "已支持").disabled
    at.session_state["_spots_supported"] = set()  # as if the page forgot: the store still says no
    at.run()
    _button(at, "我也遇到这个问题").click().run()
    assert f"你已经支持过问题点 #{other.id}：每位居民对每个问题点只能支持一次。" in _texts(at)
    assert list_spots(store, COMPOUND)[0].supports == 1


def test_clicking_a_spot_marker_shows_it_as_text(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    for i, payload in enumerate(PAYLOADS):
        add_spot(store, COMPOUND, _resident(), park[0] + i * 0.0008, park[1], "other", payload)
    at = _app().run()
    rows = _spot_rows(spots_map.maps[-1])
    target = next(r for r in rows if r[7] == [8])
    spots_map.returns = {"last_object_clicked": {"lat": target[0], "lng": target[1]}}
    at.run()
    assert at.session_state["spots_selected"] == 8
    assert PAYLOADS[7] in _texts(at)
    for spot_id, payload in enumerate(PAYLOADS, start=1):
        at.selectbox(key="spots_selected").set_value(spot_id).run()
        assert payload in _texts(at)
        assert not any(payload in shown for shown in _rendered_markup(at)), payload
    assert at.dataframe[0].value["说明"].tolist() == PAYLOADS


def test_the_hourly_limit_comes_from_the_store(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    key = new_resident_key()
    for i in range(store.settings.spots_per_hour):
        add_spot(store, COMPOUND, Resident(key, "张三"), park[0] + i * 0.001, park[1], "noise", f"吵 {i}")
    spots_map.returns = {"last_clicked": {"lat": park[1], "lng": park[0]}}
    at = _app()
    at.session_state[K_RESIDENT_KEY] = key
    at.run()
    at.text_input(key="_pseudonym_spots").input("张三")
    at.text_area(key="spots_text").input("又吵了")
    _button(at, "提交问题点").click().run()
    assert any("上限为每小时 10 个" in t for t in _texts(at))
    assert len(list_spots(store, COMPOUND)) == 10
    at.toggle(key="spots_only_mine").set_value(True).run()
    assert len(at.dataframe[0].value) == 10


def test_a_resident_removes_only_their_own_spot(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    key = new_resident_key()
    mine = add_spot(store, COMPOUND, Resident(key, "张三"), *park, "noise", "我的")
    theirs = add_spot(store, COMPOUND, _resident(), park[0] + 0.001, park[1], "noise", "别人的")
    at = _app()
    at.session_state[K_RESIDENT_KEY] = key
    at.run()
    at.selectbox(key="spots_selected").set_value(theirs.id).run()
    assert "删除我的问题点" not in [b.label for b in at.button]
    at.selectbox(key="spots_selected").set_value(mine.id).run()
    _button(at, "删除我的问题点").click().run()
    assert not at.exception
    assert [s.id for s in list_spots(store, COMPOUND)] == [theirs.id]
    assert [r[6] for r in _spot_rows(spots_map.maps[-1])] == [PLAIN]


def test_the_heat_map_switch(spots_map: SpotsMap, store: Store, park: tuple[float, float]) -> None:
    add_spot(store, COMPOUND, _resident(), *park, "greenery", "绿地被占")
    at = _app().run()
    at.toggle(key="spots_heat").set_value(True).run()
    m = spots_map.maps[-1]
    [heat] = [e for e in m._children.values() if isinstance(e, folium.plugins.HeatMap)]
    assert heat.show and len(heat.data) == 1
    group = next(
        e
        for e in m._children.values()
        if isinstance(e, folium.FeatureGroup)
        and any(isinstance(c, SpotMarkers) for c in e._children.values())
    )
    assert not group.show


# --- the vote ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "title", "note"), [("zh", "投票", "本小区还没有投票场次"), ("en", "Vote", "No vote session")]
)
def test_vote_page_without_sessions(
    spots_map: SpotsMap, store: Store, code: str, title: str, note: str
) -> None:
    at = _app("views/vote.py", lang=code).run()
    assert not at.exception
    assert at.title[0].value == title
    assert at.info[0].value.startswith(note)
    assert not at.tabs  # planners' tools only after signing in


def _seed_spots(store: Store, park: tuple[float, float], texts: list[str]) -> list[int]:
    return [
        add_spot(store, COMPOUND, _resident(f"居民{i}"), park[0] + i * 0.0005, park[1], "parking", text).id
        for i, text in enumerate(texts)
    ]


def test_a_planner_runs_a_session_from_spots_to_published_results(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    ids = _seed_spots(store, park, ["自行车乱停", "电动车充电难", PAYLOADS[1]])
    at = _sign_in(_app("views/vote.py").run())
    assert len(at.tabs) == 5
    at.text_input(key="vote_new_title").input("2025 年第一次居民议事会")
    _button(at, "开启投票").click().run()
    assert not at.exception
    [session] = list_sessions(store, COMPOUND)
    assert (session.dots_per_participant, session.top_n, session.ballot_mode) == (3, 5, "named")
    at.multiselect(key="vote_from_spots").set_value(ids)
    _button(at, "生成议题").click().run()
    topics = list_topics(store, session.id)
    assert [t.title for t in topics] == ["自行车乱停", "电动车充电难", PAYLOADS[1]]
    at.selectbox(key="vote_merge_keep").set_value(topics[0].id)
    at.multiselect(key="vote_merge_dups").set_value([topics[1].id])
    _button(at, "合并").click().run()
    [kept, other] = list_topics(store, session.id)
    assert kept.spot_ids == (ids[0], ids[1]) and kept.supports == 2
    at.text_input(key="vote_paper_voter").input("赵大妈")
    at.text_input(key="vote_paper_code").input(code(store, session.id))
    at.number_input(key=f"vote_paper_dot_{kept.id}").set_value(2)
    at.number_input(key=f"vote_paper_dot_{other.id}").set_value(1)
    _button(at, "录入这张选票").click().run()
    assert at.success[0].value == "已录入一张纸质选票。"
    cast_ballot(store, session.id, _resident("钱叔"), {other.id: 3}, code=code(store, session.id))
    at.checkbox(key="vote_close_sure").check().run()
    _button(at, "结束投票并公布结果").click().run()
    assert not at.exception
    results = get_results(store, session.id)
    assert [(r.topic_id, r.dots, r.rank) for r in results.ranked] == [(other.id, 4, 1), (kept.id, 2, 2)]
    table = at.dataframe[0].value
    assert table["议题"].tolist() == [PAYLOADS[1], "自行车乱停"]
    assert table["圆点"].tolist() == [4, 2]
    assert f"1. {PAYLOADS[1]} — 4 个圆点" in _texts(at)
    assert len(at.image) == 1
    assert [b.label for b in at.get("download_button")] == ["下载结果 CSV", "下载结果图 PNG"]
    assert at.dataframe[1].value["投票人"].tolist() == ["赵大妈", "钱叔"]
    actions = [e.action for e in list_audit(store, compound_id=COMPOUND)]
    assert {"session.open", "topic.add", "topic.merge", "ballot.paper", "session.close"} <= set(actions)


def test_residents_put_their_dots_once(spots_map: SpotsMap, store: Store, park: tuple[float, float]) -> None:
    ids = _seed_spots(store, park, ["活动室", PAYLOADS[0]])
    session = open_session(store, COMPOUND, Planner("wang"), "议事会", ballot_mode="anonymous")
    first, second = add_topics_from_spots(store, session.id, Planner("wang"), ids)
    at = _app("views/vote.py").run()
    assert not at.exception
    assert PAYLOADS[0] in _texts(at)
    assert "请先填写参与码。" in [c.value for c in at.caption]
    at.text_input(key="vote_code").input(code(store, session.id).lower())
    at.number_input(key=f"vote_dot_{first.id}").set_value(3).run()
    at.number_input(key=f"vote_dot_{second.id}").set_value(1).run()
    assert "还剩 -1 / 3 个圆点" in _texts(at)
    assert _button(at, "投票").disabled
    at.number_input(key=f"vote_dot_{second.id}").set_value(0).run()
    _button(at, "投票").click().run()
    assert not at.exception
    assert at.success[0].value == "你已投票，谢谢参与！"
    assert [b.label for b in at.button].count("投票") == 0
    close_session(store, session.id, Planner("wang"))
    results = get_results(store, session.id)
    assert (results.ballots, results.ranked[0].topic_id, results.ranked[0].dots) == (1, first.id, 3)
    assert results.named_ballots == ()


def test_a_named_ballot_needs_a_name(spots_map: SpotsMap, store: Store, park: tuple[float, float]) -> None:
    ids = _seed_spots(store, park, ["活动室"])
    session = open_session(store, COMPOUND, Planner("wang"), "议事会")
    [topic] = add_topics_from_spots(store, session.id, Planner("wang"), ids)
    at = _app("views/vote.py").run()
    at.text_input(key="vote_code").input(code(store, session.id))
    at.number_input(key=f"vote_dot_{topic.id}").set_value(2).run()
    _button(at, "投票").click().run()
    assert "请先在上方填写你的称呼。" in _texts(at)
    at.text_input(key="_pseudonym_vote").input("老李")
    _button(at, "投票").click().run()
    assert at.success[0].value == "你已投票，谢谢参与！"
    close_session(store, session.id, Planner("wang"))
    assert get_results(store, session.id).named_ballots == (("老李", {topic.id: 2}),)


def test_moderation_hides_and_restores_with_a_reason(
    spots_map: SpotsMap, store: Store, park: tuple[float, float]
) -> None:
    [spot_id] = _seed_spots(store, park, ["卖房广告 138…"])
    at = _sign_in(_app("views/vote.py").run())
    at.selectbox(key="vote_mod_spot").set_value(spot_id)
    _button(at, "隐藏").click().run()
    assert "处理需要写明理由（记入操作日志）。" in _texts(at)
    at.text_input(key="vote_mod_reason").input("广告")
    _button(at, "隐藏").click().run()
    assert list_spots(store, COMPOUND) == []
    assert at.success[0].value == f"已隐藏问题点 {spot_id}。"
    at.text_input(key="vote_mod_reason").input("误判")
    _button(at, "恢复显示").click().run()
    assert [s.status for s in list_spots(store, COMPOUND)] == ["open"]
    audit = at.dataframe[-1].value
    assert audit["操作"].tolist()[:2] == ["spot.restore", "spot.hide"]
    assert '"reason": "广告"' in audit["详情"].tolist()[1]


def test_a_planner_moves_a_spot_on_and_residents_read_its_history_and_filter_by_it(
    spots_map: SpotsMap, store: Store, park: tuple[float, float], demo_inventory: Inventory
) -> None:
    lamp = add_spot(store, COMPOUND, _resident(), *park, "lighting", "路灯坏了", assets=demo_inventory.assets)
    add_spot(store, COMPOUND, _resident(), park[0] + 0.001, park[1], "parking", "乱停车")
    at = _sign_in(_app().run())
    at.selectbox(key="spots_selected").set_value(lamp.id).run()
    assert at.selectbox(key=f"spots_stage_to_{lamp.id}").options == ["已确认", "已列入计划", "已关闭"]
    at.selectbox(key=f"spots_stage_to_{lamp.id}").set_value("closed").run()
    _button(at, "更新进展").click().run()  # closing without a reason is refused
    assert "关闭问题点需要写明理由" in " ".join(_texts(at))
    at.selectbox(key=f"spots_stage_to_{lamp.id}").set_value("planned").run()
    at.text_input(key=f"spots_stage_note_{lamp.id}").input("列入第一批微更新")
    at.text_input(key=f"spots_stage_link_{lamp.id}").input("site:S03")
    _button(at, "更新进展").click().run()
    assert not at.exception
    assert any("已更新为“已列入计划”" in s.value for s in at.success)

    resident = _app().run()  # a resident: the stage, the history, the map's flag, the filter
    resident.selectbox(key="spots_selected").set_value(lamp.id).run()
    texts = _texts(resident)
    assert "进展：已列入计划" in texts and "列入第一批微更新" in texts
    assert any(t.endswith("已列入计划 · wang · site:S03") for t in texts)
    rows = {row[7][0]: row for row in _spot_rows(spots_map.maps[-1])}
    assert "已列入计划" in rows[lamp.id][5] and "已列入计划" not in rows[lamp.id + 1][5]
    resident.multiselect(key="spots_stage_filter").set_value(["planned"]).run()
    assert not resident.exception
    assert [row[7] for row in _spot_rows(spots_map.maps[-1])] == [[lamp.id]]
    assert resident.dataframe[0].value.iloc[:, 0].tolist() == [lamp.id]
