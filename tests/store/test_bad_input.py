"""The bad-input catalogue of the store: what residents and planners give it by accident or on purpose.

Each case calls the store's API on a fresh SQLite store holding one spot, and asserts the exception
type, one line naming the input, and that no row of any table changed (hash of the dump before and
after).
"""

from __future__ import annotations

import io
import sqlite3
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from pipeline.core.fileio import OutputError
from store import (
    DataError,
    Planner,
    Store,
    StoreSettings,
    add_spot,
    export_spots_csv,
    import_spots_csv,
    support_spot,
)
from store.errors import ConflictError, PhotoError, StoreBusyError, StoreError
from tests.helpers.catalogue import assert_one_line, case_id, store_hash, tree_hash
from tests.helpers.db import resident

COMPOUND = "way/595108678"
HERE = (116.3301, 40.0101)
PLANNER = Planner("王规划")


def png_with_chunk(kind: bytes, payload: bytes, *, after_image: bool = False) -> bytes:
    """A small PNG with an extra chunk (before or after its pixels)."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 40)).save(buf, "PNG")
    png = buf.getvalue()
    chunk = struct.pack(">I", len(payload)) + kind + payload
    chunk += struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    at = png.rindex(b"IEND") - 4 if after_image else 33  # after IHDR, or before IEND
    return png[:at] + chunk + png[at:]


def bomb(kind: bytes, *, after_image: bool = False) -> bytes:
    """8 KB that expand to 8 MB, past Pillow's 1 MB limit on text and colour-profile chunks."""
    data = png_with_chunk(
        kind, b"k\0\0" + zlib.compress(b"\0" * (8 * 1024 * 1024), 9), after_image=after_image
    )
    assert len(data) < 9 * 1024
    return data


def huge_png_header() -> bytes:
    """A 60 KB PNG that says it is 20,000 × 20,000 pixels."""
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()


@dataclass(frozen=True)
class Case:
    outcome: str
    what: str
    act: Callable[[Store, Path], object]
    error: type[Exception]
    names: str
    listing: bool = False
    setup: Callable[[Store, Path], object] | None = None

    @property
    def id(self) -> str:
        return case_id(self.outcome, self.what)


def add(**kw):
    values = {"lon": HERE[0], "lat": HERE[1], "category": "parking", "text": "停满车", "who": resident("李")}
    values.update(kw)
    who = values.pop("who")
    return lambda store, _: add_spot(
        store, COMPOUND, who, values["lon"], values["lat"], values["category"], values["text"],
        photo=values.get("photo"), photo_name=values.get("photo_name", "photo.png"),
    )  # fmt: skip


def imported(name: str = "forms.csv", **kw):
    return lambda store, work: import_spots_csv(store, COMPOUND, work / name, PLANNER, **kw)


def written(body: bytes | str, name: str = "forms.csv"):
    """A setup writing the case's CSV (before the snapshot, so the test sees it unchanged after)."""

    def setup(store: Store, work: Path) -> None:
        data = body if isinstance(body, bytes) else ("lon,lat,category,text,author\n" + body).encode()
        (work / name).write_bytes(data)

    return setup


def csv_case(
    what: str, body: bytes | str, name: str, error: type[Exception], names: str, listing: bool = False
) -> Case:
    return Case("refused", what, imported(name), error, names, listing, setup=written(body, name))


def opened(url: str):
    return lambda store, work: Store(url.format(work=work))


NEIGHBOUR = resident("邻居")


def support_once(store: Store, work: Path) -> object:
    return support_spot(store, store_first_spot(store), NEIGHBOUR)


def support_again(store: Store, work: Path) -> object:
    return support_spot(store, store_first_spot(store), NEIGHBOUR)


def store_first_spot(store: Store) -> int:
    from store import list_spots

    return list_spots(store, COMPOUND)[0].id


QUICK = StoreSettings(busy_timeout_ms=20, write_attempts=2, write_backoff_s=0.01)


def locked_open(store: Store, work: Path) -> object:
    """Opening (and migrating) a store another process keeps locked."""
    fresh = work / "fresh.sqlite3"
    sqlite3.connect(fresh).close()
    holder = sqlite3.connect(fresh, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        return Store(f"sqlite:///{fresh}", settings=QUICK)
    finally:
        holder.rollback()
        holder.close()


def locked_import(store: Store, work: Path) -> object:
    holder = sqlite3.connect(store.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        quick = Store(store.url, settings=QUICK, migrate=False)
        return imported()(quick, work)
    finally:
        holder.rollback()
        holder.close()


CASES = [
    # photos
    Case(
        "refused",
        "photo-colour-profile-bomb",
        add(photo=bomb(b"iCCP"), photo_name="bomb.png"),
        PhotoError,
        "Photo `bomb.png` is refused: a compressed",
    ),
    Case(
        "refused",
        "photo-text-bomb-before-pixels",
        add(photo=bomb(b"zTXt"), photo_name="z.png"),
        PhotoError,
        "Photo `z.png` is refused: a compressed",
    ),
    Case(
        "refused",
        "photo-text-bomb-after-pixels",
        add(photo=bomb(b"zTXt", after_image=True), photo_name="late.png"),
        PhotoError,
        "Photo `late.png` is refused: a compressed",
    ),
    Case(
        "refused",
        "photo-itxt-bomb",
        add(
            photo=png_with_chunk(b"iTXt", b"k\0\1\0\0\0" + zlib.compress(b"a" * (8 * 1024 * 1024), 9)),
            photo_name="i.png",
        ),
        PhotoError,
        "Photo `i.png`",
    ),
    Case(
        "refused",
        "photo-pixel-bomb",
        add(photo=huge_png_header(), photo_name="huge.png"),
        PhotoError,
        "huge.png",
    ),
    Case(
        "refused",
        "photo-not-an-image",
        add(photo=b"MZ\x90\0 a program, not a photo", photo_name="virus.jpg"),
        PhotoError,
        "File `virus.jpg` is not a JPEG, PNG or HEIC image",
    ),
    Case(
        "refused",
        "photo-empty",
        add(photo=b"", photo_name="empty.jpg"),
        PhotoError,
        "Photo `empty.jpg` is empty",
    ),
    Case(
        "refused",
        "photo-cut-short",
        add(photo=png_with_chunk(b"tEXt", b"a\0b")[:60], photo_name="cut.png"),
        PhotoError,
        "cut.png",
    ),
    Case(
        "refused",
        "photo-svg-with-script",
        add(
            photo=b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            photo_name="x.svg",
        ),
        PhotoError,
        "File `x.svg` is not a JPEG",
    ),
    # what residents type
    Case("refused", "spot-text-empty", add(text="   "), DataError, "Spot text is empty"),
    Case("refused", "spot-text-nul", add(text="a\x00b"), DataError, "NUL character"),
    Case("refused", "spot-text-too-long", add(text="长" * 501), DataError, "Spot text has 501 characters"),
    Case(
        "refused",
        "spot-lon-lat-swapped",
        add(lon=40.0101, lat=116.3301),
        DataError,
        "lon=40.0101, lat=116.3301",
    ),
    Case("refused", "spot-position-nan", add(lon=float("nan")), DataError, "(nan, 40.0101)"),
    Case("refused", "spot-position-text", add(lon="一百一十六"), DataError, "('一百一十六', 40.0101)"),
    Case("refused", "spot-category-unknown", add(category="ufo"), DataError, "ufo"),
    Case(
        "refused",
        "spot-pseudonym-too-long",
        add(who=resident("名" * 41)),
        DataError,
        "Pseudonym has 41 characters",
    ),
    Case(
        "refused",
        "spot-compound-id-too-long",
        lambda s, w: add_spot(s, "way/" + "9" * 80, resident(), *HERE, "parking", "x"),
        DataError,
        "way/999",
    ),
    Case(
        "refused", "support-the-same-spot-twice", support_again, ConflictError, "already", setup=support_once
    ),
    # spots CSV from paper forms
    csv_case(
        "import-far-rows",
        "116.3301,40.0101,parking,ok,A\n116.3302,40.0102,parking,ok2,A\n0,0,parking,null island,B\n",
        "far.csv",
        DataError,
        "`far.csv` has 1 bad row",
        True,
    ),
    csv_case(
        "import-not-a-number",
        "116.33,abc,parking,x,A\n",
        "abc.csv",
        DataError,
        "`abc.csv` has 1 bad row",
        True,
    ),
    csv_case("import-empty-file", b"", "empty.csv", DataError, "`empty.csv` is empty"),
    csv_case("import-header-only", "", "header.csv", DataError, "`header.csv` has a header but no rows"),
    csv_case(
        "import-missing-columns", b"name,x\nA,1\n", "cols.csv", DataError, "`cols.csv` lacks the columns"
    ),
    csv_case(
        "import-unclosed-quote",
        '116.33,40.01,parking,"never closed,A\n',
        "quote.csv",
        DataError,
        "`quote.csv` has 1 bad row",
        True,
    ),
    csv_case(
        "import-formula-as-author-too-long",
        "116.33,40.01,parking,x," + "=A1" * 30 + "\n",
        "long.csv",
        DataError,
        "`long.csv` has 1 bad row",
        True,
    ),
    Case(
        "refused",
        "import-missing-file",
        lambda s, w: import_spots_csv(s, COMPOUND, w / "none.csv", PLANNER),
        DataError,
        "none.csv",
    ),
    Case(
        "refused",
        "import-while-the-store-is-locked",
        locked_import,
        StoreBusyError,
        "is busy",
        setup=written("116.3302,40.0102,lighting,灯坏了,B\n"),
    ),
    Case("refused", "open-while-the-store-is-locked", locked_open, StoreBusyError, "is busy"),
    # opening the store
    Case("refused", "store-url-garbage", opened("not a url"), StoreError, "'not a url'"),
    Case(
        "refused", "store-url-mysql", opened("mysql://u@h/db"), StoreError, "'mysql://u@h/db' is for 'mysql'"
    ),
    Case(
        "refused",
        "store-url-memory",
        opened("sqlite:///:memory:"),
        StoreError,
        "'sqlite:///:memory:' is not a SQLite file",
    ),
    Case(
        "refused",
        "store-file-not-a-database",
        lambda s, w: Store(f"sqlite:///{w / 'x.db'}"),
        StoreError,
        "x.db",
        setup=lambda s, w: (w / "x.db").write_bytes(b"not sqlite" * 100),
    ),
    # writing out
    Case(
        "refused",
        "export-spots-to-a-folder",
        lambda s, w: export_spots_csv(s, COMPOUND, w),
        OutputError,
        "is a folder",
    ),
]


def inputs_hash(work: Path) -> str:
    """Every file of the test's folder but the store's own (its rows are hashed apart)."""
    return tree_hash(work, skip=".sqlite3")


@pytest.fixture
def work(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def fresh(work) -> Store:
    """A SQLite store of this test alone, holding one spot."""
    store = Store(f"sqlite:///{work / 'store.sqlite3'}")
    add_spot(store, COMPOUND, resident("张"), 116.3305, 40.0105, "lighting", "灯坏了")
    yield store
    store.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, fresh: Store, work: Path) -> None:
    db_file = work / "store.sqlite3"
    if case.setup is not None:
        case.setup(fresh, work)
    before = store_hash(db_file), inputs_hash(work)
    with pytest.raises(case.error) as info:
        case.act(fresh, work)
    assert_one_line(str(info.value), case.names, listing=case.listing)
    assert (store_hash(db_file), inputs_hash(work)) == before


def test_importing_the_same_forms_twice_skips_them_and_changes_nothing(fresh, work):
    written("116.3301,40.0101,parking,停满车,A\n116.3302,40.0102,lighting,灯坏了,B\n")(fresh, work)
    act = imported()
    assert len(act(fresh, work).spot_ids) == 2
    before = store_hash(work / "store.sqlite3")
    report = act(fresh, work)
    assert (report.spot_ids, report.skipped) == ((), 2)
    assert_one_line(report.message, "skipped 2 rows already in the store")
    assert store_hash(work / "store.sqlite3") == before


def test_the_catalogue_of_the_store_has_its_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 30


def test_a_lock_lost_inside_a_write_is_reported_in_one_line_and_rolled_back(fresh, work):
    """SQLite can still answer "database is locked" inside a transaction (at COMMIT): one line, nothing kept."""
    from sqlalchemy.exc import OperationalError

    from store.models import Spot

    before = store_hash(work / "store.sqlite3")
    with pytest.raises(StoreBusyError) as info, fresh.write() as session:
        session.query(Spot).filter(Spot.compound_id == COMPOUND).update({"text": "changed"})
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))
    assert_one_line(str(info.value), "is busy")
    assert store_hash(work / "store.sqlite3") == before
