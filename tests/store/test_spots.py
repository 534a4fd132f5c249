"""Spots: text kept exactly, hourly limit, supports, own-spot rules, moderation, merging, audit."""

from __future__ import annotations

import pytest

from store import (
    MODERATION,
    ConflictError,
    DataError,
    NotFoundError,
    PermissionDeniedError,
    Planner,
    RateLimitError,
    Resident,
    add_spot,
    edit_spot,
    get_spot,
    hide_spot,
    list_audit,
    list_spots,
    merge_spots,
    remove_spot,
    restore_spot,
    suggest_support,
    support_spot,
)
from tests.helpers.db import FakeClock, resident, store_with

LON, LAT = 116.3300, 40.0100
#: One metre north, in degrees of latitude (WGS-84, near 40° N).
M_LAT = 1 / 111_035

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "\\`${document.cookie}`",
    "</script><script>alert(1)</script>",
    "ends with a backslash \\",
    "quotes ' and \" and &amp; and &lt;",
    "line one\nline two\r\nline three",
    "  leading and trailing spaces  ",
    "车停在消防通道上，晚上没有路灯 🚗",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_reads_back_byte_exact(store, compound, payload):
    spot = add_spot(store, compound, resident(), LON, LAT, "safety", payload)
    assert get_spot(store, spot.id).text == payload
    assert [s.text for s in list_spots(store, compound)] == [payload]
    assert get_spot(store, spot.id).text.encode("utf-8") == payload.encode("utf-8")


def test_add_spot_records_what_was_given(store, compound):
    me = resident("李师傅")
    spot = add_spot(store, compound, me, LON, LAT, "照明", "楼道灯坏了")
    assert (spot.compound_id, spot.category, spot.author, spot.status, spot.supports) == (
        compound, "lighting", "李师傅", "open", 0,
    )  # fmt: skip
    assert (spot.lon, spot.lat) == (LON, LAT)
    assert spot.is_by(me) and not spot.is_by(resident("李师傅"))
    assert spot.category_label("zh") == "照明" and spot.category_label("en") == "Lighting"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"text": ""}, "Spot text is empty"),
        ({"text": "   \n"}, "Spot text is empty"),
        ({"text": "字" * 501}, "501 characters: the limit is 500"),
        ({"text": "a\x00b"}, "NUL character"),
        ({"category": "potholes"}, "'potholes' is not known: use one of parking"),
        ({"lon": 40.01, "lat": 116.33}, "looks like `lon` and `lat` are swapped"),
        ({"lon": float("nan")}, "is not finite"),
        ({"lon": "east"}, "is not a pair of numbers"),
    ],
)
def test_bad_spots_are_refused_and_nothing_is_stored(store, compound, kwargs, match):
    args = {"lon": LON, "lat": LAT, "category": "parking", "text": "ok"} | kwargs
    with pytest.raises(DataError, match=match):
        add_spot(store, compound, resident(), **args)
    assert list_spots(store, compound, statuses=MODERATION) == []


def test_text_of_500_characters_is_accepted(store, compound):
    assert len(add_spot(store, compound, resident(), LON, LAT, "other", "字" * 500).text) == 500


def test_pseudonym_alone_is_not_an_identity():
    with pytest.raises(DataError, match="resident key is missing or too short") as key:
        Resident("guessable", "张阿姨")
    assert key.value.text("zh") == "居民的身份密钥缺失或过短：请刷新页面后重试。"
    with pytest.raises(DataError, match="pseudonym is empty") as name:
        resident("   ")
    assert name.value.text("zh") == "昵称是空的：请填写一个显示在问题点旁边的名字。"
    with pytest.raises(DataError, match="planner's name is empty") as planner:
        Planner("  ")
    assert planner.value.text("zh") == "规划师姓名是空的：请用已配置的姓名登录。"


def test_hourly_limit_per_resident(db_url, compound):
    clock = FakeClock()
    with store_with(db_url, spots_per_hour=3, clock=clock) as store:
        me, neighbour = resident("张阿姨"), resident("张阿姨")
        for minute in (0, 10, 20):
            add_spot(store, compound, me, LON, LAT, "waste", f"at {minute}")
            clock.advance(minutes=10)
        with pytest.raises(
            RateLimitError,
            match=r"'张阿姨' added 3 spots in the last hour: the limit is 3 an hour\. Try again in 30 minutes",
        ):
            add_spot(store, compound, me, LON, LAT, "waste", "fourth")
        # Another session with the same pseudonym is another resident.
        add_spot(store, compound, neighbour, LON, LAT, "waste", "neighbour's")
        # Removing a spot does not give the hour back.
        remove_spot(store, list_spots(store, compound, author=me)[0].id, me)
        with pytest.raises(RateLimitError, match="the limit is 3 an hour"):
            add_spot(store, compound, me, LON, LAT, "waste", "fourth")
        clock.advance(minutes=30, seconds=1)  # the spot of minute 0 leaves the window
        add_spot(store, compound, me, LON, LAT, "waste", "fourth, an hour later")
        assert len(list_spots(store, compound, author=me)) == 3  # one removed


def test_one_support_per_resident_per_spot(store, compound):
    author, fan = resident("A"), resident("B")
    spot = add_spot(store, compound, author, LON, LAT, "seating", "no bench")
    assert support_spot(store, spot.id, fan).supports == 1
    with pytest.raises(ConflictError, match=f"You already support spot {spot.id}: one support per resident"):
        support_spot(store, spot.id, fan)
    with pytest.raises(ConflictError, match="is your own"):
        support_spot(store, spot.id, author)
    assert support_spot(store, spot.id, resident("C")).supports == 2
    assert get_spot(store, spot.id).supports == 2


def test_a_resident_cannot_edit_or_remove_another_residents_spot(store, compound):
    owner, other = resident("A"), resident("A")  # same pseudonym, other session
    spot = add_spot(store, compound, owner, LON, LAT, "paving", "broken tiles")
    with pytest.raises(PermissionDeniedError, match=f"Spot {spot.id} was added by someone else"):
        edit_spot(store, spot.id, other, text="hijacked")
    with pytest.raises(PermissionDeniedError, match="only their own spots"):
        remove_spot(store, spot.id, other)
    assert get_spot(store, spot.id).text == "broken tiles"
    edited = edit_spot(store, spot.id, owner, text="broken tiles near gate", category="accessibility")
    assert (edited.text, edited.category) == ("broken tiles near gate", "accessibility")
    remove_spot(store, spot.id, owner)
    with pytest.raises(NotFoundError, match=f"No spot has id {spot.id}"):
        get_spot(store, spot.id)
    assert get_spot(store, spot.id, include_hidden=True).status == "removed"


def test_hide_and_restore_need_a_reason_and_are_audited(store, compound, planner):
    author = resident()
    spot = add_spot(store, compound, author, LON, LAT, "noise", "广场舞太吵")
    with pytest.raises(DataError, match="A reason is required"):
        hide_spot(store, spot.id, planner, "  ")
    hidden = hide_spot(store, spot.id, planner, "personal attack")
    assert (hidden.status, hidden.status_reason) == ("hidden", "personal attack")
    assert list_spots(store, compound) == []
    assert [s.id for s in list_spots(store, compound, statuses=MODERATION)] == [spot.id]
    with pytest.raises(ConflictError, match="only a spot that is open can be made hidden"):
        hide_spot(store, spot.id, planner, "again")
    with pytest.raises(ConflictError, match="is hidden, not open"):
        edit_spot(store, spot.id, author, text="x")
    restored = restore_spot(store, spot.id, planner, "reviewed: fine")
    assert restored.status == "open" and restored.text == "广场舞太吵"
    actions = [(e.action, e.actor, e.detail.get("reason")) for e in list_audit(store, compound_id=compound)]
    assert actions == [
        ("spot.restore", "planner:王规划", "reviewed: fine"),
        ("spot.hide", "planner:王规划", "personal attack"),
        ("spot.add", "resident:张阿姨", None),
    ]


def test_audit_keeps_the_original_text_of_an_edit(store, compound):
    me = resident()
    spot = add_spot(store, compound, me, LON, LAT, "drainage", "water after rain")
    edit_spot(store, spot.id, me, text="deep water after rain")
    support_spot(store, spot.id, resident("B"))
    log = list_audit(store, compound_id=compound)
    assert [e.action for e in log] == ["spot.support", "spot.edit", "spot.add"]
    assert log[1].detail["before"]["text"] == "water after rain"
    assert log[1].detail["after"]["text"] == "deep water after rain"
    assert log[2].detail["text"] == "water after rain"
    assert {e.object_id for e in log} == {spot.id}


def test_suggest_supporting_an_open_spot_of_the_same_category_within_25_m(store, compound, planner):
    """Existing spots north of the new one at 10 m and 20 m (parking), 24 m (lighting),
    30 m (parking) and 5 m (parking, hidden): only 10 m and 20 m are suggested, nearest first."""

    def at(north_m: float, category: str) -> int:
        return add_spot(store, compound, resident(), LON, LAT + north_m * M_LAT, category, f"{north_m} m").id

    ten, twenty = at(10, "parking"), at(20, "parking")
    at(24, "lighting")
    at(30, "parking")
    hide_spot(store, at(5, "parking"), planner, "duplicate photo")
    found = suggest_support(store, compound, LON, LAT, "停车")
    assert [(s.spot.id, s.dist_m) for s in found] == [
        (ten, pytest.approx(10, abs=0.2)),
        (twenty, pytest.approx(20, abs=0.2)),
    ]
    assert suggest_support(store, compound, LON, LAT, "noise") == []


def test_merging_duplicates_carries_supports_over(store, compound, planner):
    a, b, c, d = (resident(n) for n in "ABCD")
    keep = add_spot(store, compound, a, LON, LAT, "parking", "cars on the fire lane")
    dup1 = add_spot(store, compound, b, LON, LAT, "parking", "fire lane blocked")
    dup2 = add_spot(store, compound, c, LON, LAT, "parking", "消防通道停车")
    support_spot(store, keep.id, d)
    support_spot(store, dup1.id, d)  # D supports both: counted once
    support_spot(store, dup1.id, c)  # C wrote dup2 and supports dup1: counted once
    support_spot(store, dup2.id, a)  # A wrote the kept spot: not a support of it
    merged = merge_spots(store, keep.id, [dup1.id, dup2.id], planner)
    assert merged.supports == 3  # D, B (author of dup1), C (author of dup2)
    assert [s.id for s in list_spots(store, compound)] == [keep.id]
    assert get_spot(store, dup1.id, include_hidden=True).merged_into_id == keep.id
    with pytest.raises(ConflictError, match="You already support"):
        support_spot(store, keep.id, b)
    with pytest.raises(DataError, match="Merge needs other spots than the one kept"):
        merge_spots(store, keep.id, [keep.id], planner)
    with pytest.raises(ConflictError, match=f"Spot #{dup1.id} is merged"):
        merge_spots(store, keep.id, [dup1.id], planner)


def test_unknown_spot_ids_are_reported(store, planner):
    with pytest.raises(NotFoundError, match="No spot has id 987654321"):
        support_spot(store, 987654321, resident())
    with pytest.raises(NotFoundError, match="No spot has id 987654321"):
        hide_spot(store, 987654321, planner, "spam")


def test_a_spot_lives_from_open_to_done_with_notes_and_its_history(store, compound, planner):
    from store.spots import current_stages, set_stage, spot_history

    spot = add_spot(store, compound, resident(), LON, LAT, "lighting", "路灯坏了")
    other = add_spot(store, compound, resident("李大爷"), LON + 0.001, LAT, "parking", "乱停车")
    assert current_stages(store, compound) == {}  # everything is open
    set_stage(store, spot.id, planner, "confirmed", "看过了，确实不亮")
    with pytest.raises(DataError, match="links to topic:<id> or site:S<number>"):
        set_stage(store, spot.id, planner, "planned", link="../etc")
    with pytest.raises(DataError, match="not a stage"):
        set_stage(store, spot.id, planner, "fixed")
    set_stage(store, spot.id, planner, "planned", "列入第一批", link="site:S03")
    with pytest.raises(ConflictError, match="is planned; it can go to in_progress, closed, not done"):
        set_stage(store, spot.id, planner, "done")
    set_stage(store, spot.id, planner, "in_progress", "施工中")
    set_stage(store, spot.id, planner, "done", "已换新灯")
    with pytest.raises(ConflictError, match="none: it is final"):
        set_stage(store, spot.id, planner, "closed", "x")
    with pytest.raises(DataError, match="Closing a spot needs a reason"):
        set_stage(store, other.id, planner, "closed", "  ")
    set_stage(store, other.id, planner, "closed", "物业已处理")
    assert current_stages(store, compound) == {spot.id: "done", other.id: "closed"}
    history = spot_history(store, spot.id)
    assert [(h.stage, h.note, h.link) for h in history] == [
        ("open", "", None),
        ("confirmed", "看过了，确实不亮", None),
        ("planned", "列入第一批", "site:S03"),
        ("in_progress", "施工中", None),
        ("done", "已换新灯", None),
    ]
    assert history[0].actor == "张阿姨" and history[-1].actor == "planner:王规划"
    stages = [e.detail for e in list_audit(store, compound_id=compound) if e.action == "spot.stage"]
    assert [(d["from"], d["to"]) for d in stages][:2] == [("open", "closed"), ("in_progress", "done")]
    with pytest.raises(NotFoundError):
        spot_history(store, 999_999)
