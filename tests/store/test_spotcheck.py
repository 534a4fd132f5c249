"""Spots CSV: far rows refused and listed, a second import of one file adds nothing, export → import → export is lossless."""

from __future__ import annotations

import csv
import io

import pytest
from pyproj import Geod

from store import DataError, export_spots_csv, import_spots_csv, list_spots
from store.csvio import EXPORT_COLUMNS
from tests.helpers.db import resident

HEADER = "lon,lat,category,text,author\n"
HERE = "116.3301,40.0101"
TEXTS = [
    '=HYPERLINK("http://x"&A1,"幼儿园")',
    "+1 同意",
    "-3.5 米的坑",
    "@所有人",
    "\t前面有制表符",
    "'=已经带引号",
    "  两边空格  ",
    "多行\n第二行",
]
GEOD = Geod(ellps="WGS84")


def write(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_rows_far_from_the_compound_are_refused_and_listed(store, compound, planner, tmp_path):
    path = write(
        tmp_path,
        "far.csv",
        f"{HERE},parking,ok,A\n116.3305,40.0104,lighting,ok,B\n0,0,waste,null island,C\n-74.0060,40.7128,noise,纽约,D\n",
    )
    with pytest.raises(DataError) as info:
        import_spots_csv(store, compound, path, planner)
    message = str(info.value)
    assert (
        message.splitlines()[0]
        == "`far.csv` has 2 bad rows, so nothing was imported (the import is all-or-nothing):"
    )
    assert "line 4: (0.0, 0.0) is" in message and "line 5: (-74.006, 40.7128) is" in message
    assert "over the 5 km limit" in message and "line 2" not in message
    assert list_spots(store, compound) == []


def test_the_stored_spots_place_the_compound_for_a_file_of_one_row(store, compound, planner, tmp_path):
    import_spots_csv(store, compound, write(tmp_path, "a.csv", f"{HERE},parking,first,A\n"), planner)
    with pytest.raises(
        DataError,
        match=r"line 2: \(121\.47, 31\.23\) is 1,0\d\d\.\d km from the compound \(placed by its 1 spots",
    ):
        import_spots_csv(store, compound, write(tmp_path, "b.csv", "121.47,31.23,parking,上海,B\n"), planner)


def test_a_far_row_is_refused_in_chinese(store, compound, planner, tmp_path):
    import_spots_csv(store, compound, write(tmp_path, "a.csv", "116.33,40.0,parking,first,A\n"), planner)
    with pytest.raises(DataError) as info:
        import_spots_csv(store, compound, write(tmp_path, "b.csv", "116.33,40.1,parking,second,B\n"), planner)
    # along the meridian 0.1° is 6371.0088 km × 0.1 × π / 180 = 11.12 km
    assert info.value.text("zh") == (
        "文件 `b.csv` 有 1 行有误，全部未导入（导入要么整份成功，要么一行也不导入）：\n"
        "  第 2 行：（116.33，40.1）距小区 11.1 公里（小区位置按已存的 1 个问题点定在 116.3300，40.0000 附近），"
        "超过 5 公里的上限：请检查经纬度\n"
        "请修正这些行后重新导入。"
    )


def test_where_most_rows_are_places_a_new_compound_in_chinese(store, compound, planner, tmp_path):
    body = "116.33,40.0,parking,a,A\n116.33,40.0,lighting,b,B\n116.33,40.1,waste,c,C\n"
    with pytest.raises(DataError) as info:
        import_spots_csv(store, compound, write(tmp_path, "new.csv", body), planner)
    assert info.value.text("zh").splitlines()[1] == (
        "  第 4 行：（116.33，40.1）距小区 11.1 公里（小区位置按文件 3 行中多数所在的位置定在 116.3300，40.0000 附近），"
        "超过 5 公里的上限：请检查经纬度"
    )


def test_the_inventory_places_the_compound(store, compound, planner, tmp_path, demo_inventory):
    path = write(tmp_path, "c.csv", "116.40,39.90,parking,天安门,A\n")  # about 13 km from 石科院
    with pytest.raises(DataError, match=r"placed by the inventory's assets"):
        import_spots_csv(store, compound, path, planner, assets=demo_inventory.assets)


def test_importing_the_same_file_again_skips_every_row_and_says_how_many(store, compound, planner, tmp_path):
    path = write(
        tmp_path,
        "forms.csv",
        f"{HERE},parking,停满车,A\n{HERE},parking,停满车,A\n116.3302,40.0102,lighting,灯坏了,B\n",
    )
    first = import_spots_csv(store, compound, path, planner)
    assert len(first.spot_ids) == 3 and first.skipped == 0
    again = import_spots_csv(store, compound, path, planner)
    assert again.spot_ids == () and again.skipped == 3
    assert "skipped 3 rows already in the store" in again.message
    assert len(list_spots(store, compound)) == 3
    more = write(tmp_path, "more.csv", f"{HERE},parking,停满车,A\n116.3303,40.0103,waste,新的,C\n")
    report = import_spots_csv(store, compound, more, planner)
    assert len(report.spot_ids) == 1 and report.skipped == 1


def test_a_spot_a_resident_added_is_not_imported_twice(store, compound, planner, tmp_path):
    from store import add_spot

    add_spot(store, compound, resident("A"), 116.3301, 40.0101, "parking", "停满车")
    report = import_spots_csv(
        store, compound, write(tmp_path, "d.csv", f"{HERE},parking,停满车,A\n"), planner
    )
    assert report.skipped == 1 and report.spot_ids == ()


def rows_of(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_export_import_export_keeps_text_byte_for_byte_and_places_to_the_metre(
    store, compound, planner, tmp_path
):
    from store import add_spot

    for i, text in enumerate(TEXTS):
        add_spot(
            store,
            compound,
            resident(f"-作者{i}"),
            116.3301 + i * 1.234567e-4,
            40.0101 - i * 7.654321e-5,
            "parking",
            text,
        )
    first = tmp_path / "first.csv"
    assert export_spots_csv(store, compound, first) == len(TEXTS)
    raw = first.read_text(encoding="utf-8-sig")
    assert ",=HYPERLINK" not in raw and ',"=HYPERLINK' not in raw and "'=HYPERLINK" in raw
    other = compound + "9"
    import_spots_csv(store, other, first, planner)
    second = tmp_path / "second.csv"
    export_spots_csv(store, other, second)
    a, b = rows_of(first), rows_of(second)
    assert list(a[0]) == list(b[0]) == list(EXPORT_COLUMNS)
    key = lambda r: (r["text"], r["author"])  # noqa: E731
    a, b = sorted(a, key=key), sorted(b, key=key)
    for before, after in zip(a, b, strict=True):
        for column in ("category", "text", "author"):
            assert after[column].encode() == before[column].encode()
        metres = GEOD.inv(
            float(before["lon"]), float(before["lat"]), float(after["lon"]), float(after["lat"])
        )[2]
        assert metres < 1.0
    stored = sorted((s.text, s.author) for s in list_spots(store, other))
    assert stored == sorted((t, f"-作者{i}") for i, t in enumerate(TEXTS))


def test_a_row_the_file_has_more_often_than_the_store_is_imported_again(store, compound, planner, tmp_path):
    import_spots_csv(store, compound, write(tmp_path, "once.csv", f"{HERE},parking,停满车,A\n"), planner)
    twice = write(tmp_path, "twice.csv", f"{HERE},parking,停满车,A\n{HERE},parking,停满车,A\n")
    report = import_spots_csv(store, compound, twice, planner)
    assert (len(report.spot_ids), report.skipped) == (1, 1)


def test_the_same_place_with_other_words_is_another_spot(store, compound, planner, tmp_path):
    import_spots_csv(store, compound, write(tmp_path, "a.csv", f"{HERE},parking,停满车,A\n"), planner)
    for body in (f"{HERE},parking,晚上停满车,A\n", f"{HERE},parking,停满车,B\n", f"{HERE},lighting,停满车,A\n"):
        report = import_spots_csv(store, compound, write(tmp_path, "b.csv", body), planner)
        assert (len(report.spot_ids), report.skipped) == (1, 0), body


def test_the_middle_of_the_stored_spots_places_the_compound(store, compound, planner, tmp_path):
    from store import add_spot

    east = (116.50, 40.0101)  # 14 km east of HERE
    for lon, lat, who in ((*east, "A"), (*east, "B"), (116.3301, 40.0101, "C")):
        add_spot(store, compound, resident(who), lon, lat, "parking", f"{who} 停满车")
    report = import_spots_csv(store, compound, write(tmp_path, "e.csv", "116.5001,40.0102,waste,满了,D\n"), planner)
    assert len(report.spot_ids) == 1
