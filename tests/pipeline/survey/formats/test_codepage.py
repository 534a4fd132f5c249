"""A DXF's Chinese code page is told from its bytes: a wrong or missing declaration is read right and named."""

from __future__ import annotations

import re

import pytest

from pipeline.survey.formats.codepage import declared_encoding, detect_encoding, fix_codepage
from pipeline.survey.read import read_survey
from tests.helpers.survey_files import DXF_EXPECTED, feature_table, write_dxf


@pytest.fixture(scope="module")
def escaped(tmp_path_factory):
    """An R2000 drawing as ezdxf writes it: ANSI_1252 declared, Chinese as \\U+XXXX escapes."""
    return write_dxf(tmp_path_factory.mktemp("dxf") / "escaped.dxf", version="R2000").read_bytes()


def encoded(raw: bytes, encoding: str) -> bytes:
    return re.sub(rb"\\U\+([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)).encode(encoding), raw)


def without_codepage(raw: bytes) -> bytes:
    return re.sub(rb"\$DWGCODEPAGE\r?\n\s*3\r?\n[^\r\n]*\r?\n\s*9\r?\n", b"", raw)


@pytest.mark.parametrize(
    ("case", "encoding", "declared"),
    [
        ("gbk-declared-1252", "gbk", "ANSI_1252"),
        ("gbk-undeclared", "gbk", None),
        ("gb18030-declared-936", "gb18030", "ANSI_936"),
        ("utf8-declared-1252", "utf-8", "ANSI_1252"),
    ],
)
def test_wrongly_declared_chinese_is_read_right_with_a_warning(escaped, tmp_path, case, encoding, declared):
    raw = encoded(escaped, encoding)
    raw = raw.replace(b"ANSI_1252", declared.encode()) if declared else without_codepage(raw)
    if encoding == "gb18030":  # a character GBK lacks: GB18030 writes it in four bytes
        raw = raw.replace("食堂".encode("gb18030"), "食堂".encode("gb18030") + "\u3400".encode("gb18030"), 1)
    path = tmp_path / f"{case}.dxf"
    path.write_bytes(raw)
    result = read_survey(path, crs="EPSG:4548")
    table = feature_table(result)
    if encoding == "gb18030":
        table = [tuple(str(v).replace("\u3400", "") for v in row) for row in table]
    assert table == DXF_EXPECTED
    (warning,) = [str(w) for w in result.warnings if "declares" in str(w)]
    assert (
        f"`{case}.dxf`" in warning
        and {"gbk": "GBK", "gb18030": "GB18030", "utf-8": "UTF-8"}[encoding] in warning
    )
    assert (declared or "no code page") in warning
    assert "\n" not in warning


def test_rightly_declared_gbk_is_read_without_a_word(escaped, tmp_path):
    path = tmp_path / "right.dxf"
    path.write_bytes(encoded(escaped, "gbk").replace(b"ANSI_1252", b"ANSI_936"))
    result = read_survey(path, crs="EPSG:4548")
    assert feature_table(result) == DXF_EXPECTED
    assert not [w for w in result.warnings if "declares" in str(w)]


def test_detection_leaves_western_text_and_ascii_alone():
    assert detect_encoding(b"plain ascii") is None
    assert detect_encoding("25°C Café".encode("cp1252")) is None
    assert detect_encoding("幼儿园".encode("gbk")) == "gbk"
    assert detect_encoding("幼儿园".encode()) == "utf-8"
    data = b"  9\n$ACADVER\n  1\nAC1015\n  9\n$DWGCODEPAGE\n  3\nANSI_1252\n" + "°".encode("cp1252")
    assert fix_codepage(data, "w.dxf") == (data, None)


def test_a_2007_drawing_is_utf8_whatever_its_code_page_says():
    data = b"  9\n$ACADVER\n  1\nAC1027\n  9\n$DWGCODEPAGE\n  3\nANSI_1252\n"
    assert declared_encoding(data)[0] == "utf-8"
    fixed, warning = fix_codepage(data + "幼儿园".encode("gbk"), "new.dxf")
    assert warning is not None and "GBK" in str(warning) and b"\\U+5E7C" in fixed
    assert warning.text("zh") == (
        "文件 `new.dxf` 声明的编码是 UTF-8（AC1027，AutoCAD 2007 及以后的版本），但其中的文字实际是 GBK，已按 GBK 读取。"
        "请在 CAD 中用正确的代码页（GBK 为 ANSI_936）另存一次，其他软件才能正确读取。"
    )


def test_western_symbols_that_happen_to_be_gbk_are_not_taken_for_chinese():
    """``¦¡¦¢`` in cp1252 is GBK for Greek ΑΒ: valid GBK, but not Chinese text, so the header is believed."""
    data = "¦¡¦¢".encode("cp1252")
    assert data.decode("gbk") == "ΑΒ"
    assert detect_encoding(data) is None
