"""Tests of pipeline.workspace.edits: corrections kept per compound, applied on a rebuild, numbers updated."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from pipeline.core import schema as S
from pipeline.core.errors import DataError
from pipeline.inventory.build import Inventory, build_inventory, renumber
from pipeline.inventory.gates import MainGate
from pipeline.osm.read import read_osm
from pipeline.workspace import edits as E
from tests.helpers.testdata import DEMO_ASSETS, DEMO_OSM

UTM = "EPSG:32650"
X0, Y0 = 443_000.0, 4_427_000.0
DEMO = DEMO_OSM


def _asset(sid: str, x: float, y: float, category: str = "public_space", kind: str = "seating") -> dict:
    return {
        S.SOURCE: "osm",
        S.SOURCE_ID: sid,
        S.NAME: sid.split("/")[1],
        S.TAGS: {},
        S.CATEGORY: category,
        S.KIND: kind,
        S.RULE: "tag",
        S.INSIDE: True,
        S.DIST_M: 0.0,
        "geometry": shapely.Point(X0 + x, Y0 + y),
    }


@pytest.fixture
def square() -> Inventory:
    """A 100 m square compound, the main gate in the middle of its south side, four assets.

    ::

        +---------- N (0, 30) ----------+
        |                               |
        W (-30, 0)       o       E (30, 0)
        |                  SE (10, -30) |
        +------------ gate -------------+

    Clockwise from the south gate, seen from the centre: W, N, E, SE → 1, 2, 3, 4.
    """
    assets = gpd.GeoDataFrame(
        [
            _asset("node/e", 30, 0),
            _asset("node/se", 10, -30),
            _asset("node/n", 0, 30, "facility", "parking"),
            _asset("node/w", -30, 0),
        ],
        crs=UTM,
    )
    poly = shapely.box(X0 - 50, Y0 - 50, X0 + 50, Y0 + 50)
    boundary = gpd.GeoDataFrame({S.SOURCE_ID: ["way/1"], S.NAME: ["方院"]}, geometry=[poly], crs=UTM)
    gates = gpd.GeoDataFrame(
        {
            S.SOURCE_ID: ["node/gate-s", "node/gate-e"],
            S.NAME: ["南门", "东门"],
            "gate_type": ["barrier=gate", "barrier=gate"],
            "is_main": [True, False],
            "main_rule": ["tagged_main", ""],
        },
        geometry=[shapely.Point(X0, Y0 - 50), shapely.Point(X0 + 50, Y0)],
        crs=UTM,
    )
    built = Inventory(assets=assets, boundary=boundary, gates=gates, context={}, report={})
    return renumber(built, method="polar", scheme="global")


def _labels(inventory: Inventory) -> dict[str, str]:
    return dict(zip(inventory.assets[S.SOURCE_ID], inventory.assets[S.LABEL], strict=True))


def _lonlat(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([shapely.Point(X0 + x, Y0 + y)], crs=UTM).to_crs(S.WGS84).iloc[0]
    return point.x, point.y


def test_no_edits_keep_the_clockwise_numbers(square: Inventory) -> None:
    out = E.apply_edits(square, E.Edits("way/1"))
    assert out.assets[S.SOURCE_ID].tolist() == ["node/w", "node/n", "node/e", "node/se"]
    assert out.assets[S.LABEL].tolist() == ["1", "2", "3", "4"]
    assert out.report["edits"] == {"changed": 0, "hidden": 0, "added": 0, "stale": [], "published": False}


def test_hiding_an_asset_renumbers_the_rest(square: Inventory) -> None:
    out = E.apply_edits(square, E.hide(E.Edits("way/1"), "node/n"))
    assert _labels(out) == {"node/w": "1", "node/e": "2", "node/se": "3"}
    assert out.report["edits"]["hidden"] == 1


def test_showing_again_removes_the_entry() -> None:
    edits = E.hide(E.hide(E.Edits("way/1"), "node/n"), "node/n", hidden=False)
    assert edits.changes == {}


def test_set_kind_takes_the_kinds_category(square: Inventory) -> None:
    edits = E.set_kind(E.Edits("way/1"), "node/e", "kindergarten")
    row = E.apply_edits(square, edits).assets.set_index(S.SOURCE_ID).loc["node/e"]
    assert (row[S.KIND], row[S.CATEGORY], row[S.RULE]) == ("kindergarten", "institution", E.RULE_EDITED)


def test_category_scheme_follows_a_recategorised_asset(square: Inventory) -> None:
    edits = E.set_category(E.Edits("way/1"), "node/n", "public_space")
    out = E.apply_edits(square, edits, scheme="category")
    assert _labels(out) == {"node/w": "A01", "node/n": "A02", "node/e": "A03", "node/se": "A04"}
    assert out.assets.set_index(S.SOURCE_ID).loc["node/n", S.KIND] == "parking"


def test_rename_and_clear_a_name(square: Inventory) -> None:
    edits = E.rename(E.Edits("way/1"), "node/w", "  西侧花园  ")
    edits = E.rename(edits, "node/e", "")
    names = E.apply_edits(square, edits).assets.set_index(S.SOURCE_ID)[S.NAME]
    assert (names["node/w"], names["node/e"]) == ("西侧花园", "")


def test_an_added_asset_is_numbered_in_its_clockwise_place(square: Inventory) -> None:
    lon, lat = _lonlat(-30, 30)  # north-west: after W, before N
    edits, sid = E.add_asset(E.Edits("way/1"), kind="toilets", name="公厕", lon=lon, lat=lat)
    out = E.apply_edits(square, edits)
    assert out.assets[S.SOURCE_ID].tolist() == ["node/w", sid, "node/n", "node/e", "node/se"]
    row = out.assets.set_index(S.SOURCE_ID).loc[sid]
    assert uuid.UUID(sid).version == 4
    assert (row[S.SOURCE], row[S.CATEGORY], row[S.RULE], bool(row[S.INSIDE])) == (
        "manual",
        "facility",
        E.RULE_MANUAL,
        True,
    )
    assert row.geometry.distance(shapely.Point(X0 - 30, Y0 + 30)) < 0.01


def test_an_added_asset_can_be_edited_and_removed(square: Inventory) -> None:
    lon, lat = _lonlat(0, 60)  # 10 m outside the north side
    edits, sid = E.add_asset(E.Edits("way/1"), kind="toilets", lon=lon, lat=lat)
    edits = E.rename(edits, sid, "北门外公厕")
    row = E.apply_edits(square, edits).assets.set_index(S.SOURCE_ID).loc[sid]
    assert (row[S.NAME], bool(row[S.INSIDE]), row[S.DIST_M]) == (
        "北门外公厕",
        False,
        pytest.approx(10, abs=0.01),
    )
    removed = E.remove_asset(edits, sid)
    assert removed.added == () and removed.changes == {}


def test_edits_of_assets_gone_from_the_data_are_reported_and_kept(square: Inventory) -> None:
    edits = E.rename(E.hide(E.Edits("way/1"), "way/404"), "node/w", "西")
    out = E.apply_edits(square, edits)
    assert out.report["edits"] == {
        "changed": 1,
        "hidden": 0,
        "added": 0,
        "stale": ["way/404"],
        "published": False,
    }
    assert len(out.assets) == 4


def test_gate_and_method_are_passed_to_the_numbering(square: Inventory) -> None:
    """From the east gate, walking clockwise (south first): E at 0 m, SE 90 m, W 200 m, N 300 m."""
    east = MainGate(shapely.Point(X0 + 50, Y0), "node/gate-e", "东门", "user")
    out = E.apply_edits(square, E.Edits("way/1"), gate=east, method="perimeter")
    assert out.assets[S.SOURCE_ID].tolist() == ["node/e", "node/se", "node/w", "node/n"]
    assert out.report["method"] == "perimeter"
    assert out.main_gate.source_id == "node/gate-e"


def test_apply_does_not_change_its_arguments(square: Inventory) -> None:
    before = square.assets.copy()
    E.apply_edits(square, E.set_kind(E.hide(E.Edits("way/1"), "node/n"), "node/e", "kindergarten"))
    assert square.assets.equals(before)


def test_hiding_every_asset_is_refused(square: Inventory) -> None:
    edits = E.Edits("way/1")
    for sid in square.assets[S.SOURCE_ID]:
        edits = E.hide(edits, sid)
    with pytest.raises(DataError, match="Every asset of the compound is hidden"):
        E.apply_edits(square, edits)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: E.set_category(e, "node/n", "shop"), "Unknown category `shop`"),
        (lambda e: E.set_kind(e, "node/n", "spaceport"), "Unknown kind `spaceport`"),
        (lambda e: E.rename(e, "node/n", "长" * 201), "has 201 characters"),
        (lambda e: E.add_asset(e, kind="toilets", lon=200.0, lat=40.0), "not a WGS-84 longitude"),
        (lambda e: E.add_asset(e, kind="toilets", lon=float("nan"), lat=40.0), "not a WGS-84 longitude"),
        (lambda e: E.remove_asset(e, "node/n"), "not an asset added by hand"),
    ],
)
def test_bad_edits_are_refused_with_the_fix(call, message: str) -> None:
    with pytest.raises(DataError, match=message):
        call(E.Edits("way/1"))


def test_the_file_round_trips_and_stays_readable(tmp_path: Path, square: Inventory) -> None:
    lon, lat = _lonlat(-30, 30)
    edits, _ = E.add_asset(E.Edits("way/1"), kind="toilets", name="公厕 `$x`", lon=lon, lat=lat)
    edits = E.set_kind(E.hide(edits, "node/n"), "node/e", "kindergarten")
    path = E.write_edits(edits, E.edits_path(tmp_path, "way/1"))
    assert path == tmp_path / "compounds" / "way-1" / "edits.json"
    text = path.read_text(encoding="utf-8")
    assert "公厕" in text  # Chinese is written as itself, not \u escapes
    assert json.loads(text)["changes"] == {
        "node/e": {"category": "institution", "kind": "kindergarten"},
        "node/n": {"hidden": True},
    }
    assert E.read_edits(path, "way/1") == edits
    assert [p.name for p in path.parent.iterdir()] == ["edits.json"]  # no temporary file left


def test_a_missing_file_means_no_edits(tmp_path: Path) -> None:
    assert E.read_edits(tmp_path / "none.json", "way/1") == E.Edits("way/1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"compound": "way/2"}', "belongs to another compound \\(`way/2`, not `way/1`\\)"),
        ('{"compound": "way/1", "version": 9}', "has version 9"),
        (
            '{"compound": "way/1", "changes": {"node/n": {"kind": "spaceport"}}}',
            "change to `node/n`.*spaceport",
        ),
        (
            '{"compound": "way/1", "changes": {"node/n": {"colour": "red"}}}',
            "must be an object with category",
        ),
        ('{"compound": "way/1", "added": [{"kind": "toilets"}]}', "added asset 1"),
    ],
)
def test_a_broken_file_names_itself_and_the_fix(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "edits.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        E.read_edits(path, "way/1")


@pytest.mark.parametrize(
    ("compound", "folder"),
    [
        ("way/595108678", "way-595108678"),
        ("relation/7", "relation-7"),
        ("../../etc/passwd", "etc-passwd"),
        ("/", "compound"),
    ],
)
def test_compound_folders_stay_inside_the_runtime_folder(tmp_path: Path, compound: str, folder: str) -> None:
    path = E.compound_dir(tmp_path, compound)
    assert path == tmp_path / "compounds" / folder


def test_edits_survive_a_rebuild_from_osm() -> None:
    """Hide a car park and rekind another on the demo; a second build from the extract keeps both."""
    features = read_osm(DEMO)
    edits = E.set_kind(E.hide(E.Edits("way/595108678"), "way/595098625"), "way/595098618", "square")
    first = E.apply_edits(build_inventory(features, compound="way/595108678"), edits)
    second = E.apply_edits(build_inventory(read_osm(DEMO), compound="way/595108678"), edits)
    assert len(first.assets) == DEMO_ASSETS - 1
    assert "way/595098625" not in set(first.assets[S.SOURCE_ID])
    assert first.assets.set_index(S.SOURCE_ID).loc["way/595098618", S.CATEGORY] == "public_space"
    assert first.assets[[S.SOURCE_ID, S.LABEL]].equals(second.assets[[S.SOURCE_ID, S.LABEL]])
    assert first.assets[S.LABEL].tolist() == [str(i) for i in range(1, DEMO_ASSETS)]


def test_a_published_numbering_keeps_every_label_through_hiding_and_adding(
    square: Inventory, tmp_path: Path
) -> None:
    published = E.publish(E.Edits("way/1"), E.apply_edits(square, E.Edits("way/1")), "2026-11-30")
    # N (2) hidden; a new asset between W and N (NW, at (-20, 20)), clockwise after W (1)
    edits, new = E.add_asset(
        E.hide(published, "node/n"), kind="seating", lon=_lonlat(-20, 20)[0], lat=_lonlat(-20, 20)[1]
    )
    path = E.write_edits(edits, tmp_path / "edits.json")
    out = E.apply_edits(square, E.read_edits(path, "way/1"))
    # W, N, E, SE were 1, 2, 3, 4: N's 2 stays unused, the new asset takes 1.1 (after W), nobody moves
    assert _labels(out) == {"node/w": "1", new: "1.1", "node/e": "3", "node/se": "4"}
    assert out.assets[S.SOURCE_ID].tolist() == ["node/w", new, "node/e", "node/se"]  # still clockwise
    assert out.report["edits"]["published"] is True
    assert out.report["labels_retired"] == ["2"]
    # shown again, N gets its 2 back; published again, a new asset at (20, -30), seen from the centre
    # 146° (E is 90°, SE 162°), comes after E: 3.1
    again = E.publish(E.hide(edits, "node/n", hidden=False), out, "2026-12-01")
    out2 = E.apply_edits(square, again)
    assert _labels(out2) == {"node/w": "1", new: "1.1", "node/n": "2", "node/e": "3", "node/se": "4"}
    third, newer = E.add_asset(again, kind="seating", lon=_lonlat(20, -30)[0], lat=_lonlat(20, -30)[1])
    assert _labels(E.apply_edits(square, third))[newer] == "3.1"
    # from the east gate every published label stays where it was printed
    east = MainGate(shapely.Point(X0 + 50, Y0), "node/gate-e", "东门", "user")
    assert _labels(E.apply_edits(square, again, gate=east)) == _labels(out2)
    # withdrawn: numbered afresh, clockwise from 1
    fresh = E.apply_edits(square, E.withdraw(third))
    assert fresh.assets[S.LABEL].tolist() == ["1", "2", "3", "4", "5", "6"]


def test_a_published_category_numbering_gives_a_sub_number_in_the_category(square: Inventory) -> None:
    numbered = E.apply_edits(square, E.Edits("way/1"), scheme="category")
    # public spaces W, E, SE are A01, A02, A03 clockwise; the car park N is B01
    assert _labels(numbered) == {"node/w": "A01", "node/n": "B01", "node/e": "A02", "node/se": "A03"}
    edits = E.hide(E.publish(E.Edits("way/1"), numbered, "2026-11-30"), "node/e")
    edits, new = E.add_asset(edits, kind="seating", lon=_lonlat(-20, 20)[0], lat=_lonlat(-20, 20)[1])
    out = E.apply_edits(square, edits, scheme="category")
    # the new public space comes after W (A01) among public spaces; E's A02 stays unused
    assert _labels(out) == {"node/w": "A01", new: "A01.1", "node/n": "B01", "node/se": "A03"}
    # the global scheme was not published: it numbers afresh
    assert E.apply_edits(square, edits, scheme="global").report["edits"]["published"] is False


def test_a_broken_published_entry_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "edits.json"
    path.write_text(json.dumps({"compound": "way/1", "published": {"scheme": "roman", "labels": {}}}))
    with pytest.raises(DataError, match="edits.json`: the published numbering") as caught:
        E.read_edits(path, "way/1")
    assert caught.value.text("zh").startswith("修正记录文件中的已发布编号有误")
    assert str(tmp_path) in str(caught.value)  # the command line names the file in full
    assert str(tmp_path) not in caught.value.text("en")  # the app by its name alone
