"""CSV import and export, and the `spots` command line."""

from __future__ import annotations

import argparse
import subprocess

import pytest

from pipeline.cli.spots import add_parser, main, run
from store import (
    MODERATION,
    DataError,
    Store,
    add_spot,
    export_spots_csv,
    hide_spot,
    import_spots_csv,
    list_audit,
    list_spots,
)
from store.csvio import read_spots_csv
from tests.helpers.db import PYTHON, ROOT, resident, writer_env

HEADER = "lon,lat,category,text,author,floor\n"
GOOD = (
    HEADER
    + '116.3301,40.0101,parking,"消防通道停满车, 晚上更多",王阿姨,3\n'
    + '116.3302,40.0102,照明,"楼道灯坏了\n已经一个月",3号楼李,\n'
    + "116.3303,40.0103,Seating,<img src=x onerror=alert(1)>,`${x}`\\,\n"
)


def test_reads_utf8_with_bom_and_keeps_text_exactly(tmp_path):
    path = tmp_path / "forms.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    rows, encoding = read_spots_csv(path)
    assert encoding == "UTF-8"
    assert [(r.line, r.category.value, r.text, r.author) for r in rows] == [
        (2, "parking", "消防通道停满车, 晚上更多", "王阿姨"),
        (3, "lighting", "楼道灯坏了\n已经一个月", "3号楼李"),
        (5, "seating", "<img src=x onerror=alert(1)>", "`${x}`\\"),
    ]


def test_reads_gb18030_as_excel_saves_it_in_china(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("经度,纬度,类别,内容,作者\n116.33,40.01,垃圾,垃圾桶满了,赵先生\n".encode("gb18030"))
    rows, encoding = read_spots_csv(path)
    assert encoding == "GB18030"
    assert [(r.category.value, r.text, r.author) for r in rows] == [("waste", "垃圾桶满了", "赵先生")]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(store, compound, planner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "116.33,40.01,parking,fine,A,\n"  # line 2
        + '116.33,40.01,parking,"two\nlines",B,\n'  # lines 3-4
        + "116.33,abc,parking,x,C,\n"  # line 5: not a number
        + "\n"  # line 6: blank, skipped
        + "40.01,116.33,parking,x,D,\n"  # line 7: swapped
        + "116.33,40.01,potholes,x,E,\n"  # line 8: category
        + "116.33,40.01,noise,,F,\n"  # line 9: empty text
        + "116.33,40.01,noise,x,,\n",  # line 10: no author
        encoding="utf-8",
    )
    with pytest.raises(
        DataError,
        match=r"`bad\.csv` has 5 bad rows, so nothing was imported \(the import is all-or-nothing\)",
    ) as err:
        import_spots_csv(store, compound, path, planner)
    lines = [ln.strip().split(":")[0] for ln in str(err.value).splitlines()[1:-1]]
    assert lines == ["line 5", "line 7", "line 8", "line 9", "line 10"]
    assert "line 7: Position lon=40.01, lat=116.33 is out of range" in str(err.value)
    assert "swap the two columns" in str(err.value)
    assert "Fix these lines and run the import again." in str(err.value)
    assert list_spots(store, compound, statuses=MODERATION) == []


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "`f.csv` is empty"),
        (b"lon,lat,category,text\n", "lacks the columns author in its header"),
        (b"lon,lat,category,text,author\n", "has a header but no rows"),
        (b"\xff\xfe\x00\x81\x30", "is neither UTF-8 nor GB18030"),
    ],
)
def test_unusable_files_are_refused(tmp_path, content, match):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=match):
        read_spots_csv(path)


def test_import_then_export_keeps_text_and_leaves_hidden_spots_out(store, compound, planner, tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(GOOD.encode("utf-8-sig"))
    report = import_spots_csv(store, compound, src, planner)
    assert len(report.spot_ids) == 3
    assert report.message == (
        f"Imported 3 spots into {compound} from `in.csv` (UTF-8); all rows were valid "
        "(the import is all-or-nothing)."
    )
    imported = list_spots(store, compound)
    assert {s.origin for s in imported} == {"import"}
    assert [e.detail["line"] for e in reversed(list_audit(store, compound_id=compound))] == [2, 3, 5]
    hide_spot(store, report.spot_ids[0], planner, "test")
    add_spot(store, compound, resident(), 116.33, 40.01, "other", "trailing backslash \\")
    out = tmp_path / "out.csv"
    assert export_spots_csv(store, compound, out) == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows, _ = read_spots_csv(out)
    assert [r.text for r in rows] == [
        "楼道灯坏了\n已经一个月", "<img src=x onerror=alert(1)>", "trailing backslash \\",
    ]  # fmt: skip
    # The export imports again as it is.
    again = import_spots_csv(store, compound + "b", out, planner)
    assert [s.text for s in list_spots(store, compound + "b")] == [r.text for r in rows]
    assert len(again.spot_ids) == 3


def test_cli_import_and_export(db_url, compound, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_bytes(GOOD.encode("utf-8-sig"))
    assert main(["spots", "import", "--compound", compound, "--db", db_url, str(src)]) == 0
    assert "Imported 3 spots" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "116.33,north,parking,x,A,\n", encoding="utf-8")
    assert main(["spots", "import", "--compound", compound, "--db", db_url, str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: `bad.csv` has 1 bad row, so nothing was imported")
    assert "line 2: Position" in err
    out = tmp_path / "out.csv"
    assert main(["spots", "export", "--compound", compound, "--db", db_url, str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"Exported 3 open spots of {compound}")
    with Store(db_url) as store:
        assert len(list_spots(store, compound)) == 3


def test_add_parser_plugs_into_a_main_cli(tmp_path, monkeypatch):
    """The way pipeline/cli/main.py wires it: its own parser, `spots` added, `func` dispatch."""
    parser = argparse.ArgumentParser(prog="python -m pipeline")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["spots", "export", "--compound", "way/1", str(tmp_path / "o.csv")])
    assert args.run is run
    assert (args.spots_command, args.compound, args.db) == ("export", "way/1", None)
    with pytest.raises(SystemExit):
        parser.parse_args(["spots", "import", str(tmp_path / "o.csv")])  # --compound missing


def test_cli_uses_mapper_db_url_and_runs_as_a_program(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(GOOD.encode("utf-8-sig"))
    env = writer_env() | {"MAPPER_DB_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}"}
    done = subprocess.run(
        [PYTHON, "-m", "pipeline.cli.spots", "spots", "import", "--compound", "way/7", str(src)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "env.sqlite3").exists()
    with Store(env["MAPPER_DB_URL"]) as store:
        assert len(list_spots(store, "way/7")) == 3


def test_cli_hash_password_reads_stdin(tmp_path):
    done = subprocess.run(
        [PYTHON, "-m", "pipeline.cli.spots", "spots", "hash-password"],
        input="correct horse battery\n", capture_output=True, text=True,
        env=writer_env(), cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    from store import verify_password

    assert verify_password("correct horse battery", done.stdout.strip())


@pytest.mark.parametrize(
    ("content", "zh"),
    [
        (
            b"lon,lat,category,text\n",
            "文件 `f.csv` 的表头缺少列 author（第 1 行：lon, lat, category, text）："
            "第一行须列出 lon、lat、category、text、author（可以有更多列）。",
        ),
        (
            b"\n",
            "文件 `f.csv` 的表头缺少列 lon、lat、category、text、author（第 1 行：空）："
            "第一行须列出 lon、lat、category、text、author（可以有更多列）。",
        ),
        (b"", "文件 `f.csv` 是空的：需要一行表头，每个问题点再占一行。"),
        (
            b"\xff\xfe\x00\x81\x30",  # 0xff starts no UTF-8 character; 0x81 0x30 is half a GB18030 one
            "文件 `f.csv` 既不是 UTF-8 也不是 GB18030 编码（字节位置 0：ff fe 00 81）：请在表格软件中另存为“CSV UTF-8”。",
        ),
    ],
)
def test_a_refused_file_reads_in_chinese(tmp_path, content, zh):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read_spots_csv(path)
    assert info.value.text("zh") == zh


def test_more_bad_rows_than_are_shown_are_counted_in_chinese(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "116.33,40.01,parking,,A,\n" * 27, encoding="utf-8")  # lines 2-28, no text
    with pytest.raises(DataError) as info:
        read_spots_csv(path)
    lines = info.value.text("zh").splitlines()
    assert lines[0] == "文件 `many.csv` 有 27 行有误，全部未导入（导入要么整份成功，要么一行也不导入）："
    assert lines[1] == "  第 2 行：“text”列是空的：请写上内容。"
    assert lines[25] == "  第 26 行：“text”列是空的：请写上内容。"
    assert lines[26:] == ["  ……另有 2 行", "请修正这些行后重新导入。"]
    assert str(info.value).splitlines()[26] == "  … and 2 more"


def test_an_unclosed_quote_is_refused_in_chinese(tmp_path):
    """The quote opened on line 2 swallows the rest of the file, past the csv module's field limit."""
    path = tmp_path / "q.csv"
    path.write_text(HEADER + '116.33,40.01,parking,"unclosed,A,\n' + "x\n" * 70_000, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_spots_csv(path)
    assert info.value.text("zh") == (
        "文件 `q.csv` 有 1 行有误，全部未导入（导入要么整份成功，要么一行也不导入）：\n"
        "  第 2 行：CSV 格式有误：请检查引号\n"
        "请修正这些行后重新导入。"
    )
