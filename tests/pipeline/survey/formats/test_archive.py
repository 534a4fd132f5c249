"""Zip archives are checked before a byte is extracted; GBK member names are decoded."""

from __future__ import annotations

import zipfile

import pytest

from pipeline.core.errors import InputFileError
from pipeline.survey.formats.archive import ZipLimits, check_zip
from pipeline.survey.read import SurveyLimits, read_survey


def test_zip_member_names_in_gbk_are_decoded(tmp_path):
    """Zips made on Chinese Windows store GBK names without the UTF-8 flag."""

    class GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):
            return self.filename.encode("gbk"), self.flag_bits

    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(GbkInfo("小区/设施点.shp"), b"x")
    assert [name for _, name in check_zip(path)] == ["小区/设施点.shp"]


@pytest.mark.parametrize(
    ("members", "limits", "match"),
    [
        ({f"f{i}.txt": b"x" for i in range(6)}, ZipLimits(max_members=5), "holds 6 members"),
        ({"../../etc/passwd.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"/abs.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"C:/a.shp": b"x"}, ZipLimits(), "points outside the archive"),
        ({"inner.zip": b"PK"}, ZipLimits(), "holds another archive"),
        ({"bomb.shp": b"\0" * 5_000_000}, ZipLimits(), "compressed .*:1"),
        ({"big.shp": b"\0" * 2000}, ZipLimits(max_member_bytes=1000), "more than the 1,000"),
        ({"a.shp": b"1" * 800, "b.shp": b"2" * 800}, ZipLimits(max_total_bytes=1000), "unpacks to 1,600"),
    ],
)
def test_unsafe_zips_are_refused_before_extracting(tmp_path, members, limits, match):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(InputFileError, match=match):
        read_survey(path, limits=SurveyLimits(zip=limits))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip"]


def test_zip_member_that_lies_about_its_size(tmp_path):
    """Patch the declared size below the real one: the copy stops at the declared size."""
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.shp", b"A" * 1000)
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"`liar\.zip` member `a\.shp` cannot be unpacked"):
        read_survey(path)


def test_a_member_over_the_budget_is_refused_in_chinese(tmp_path, monkeypatch):
    """Past the checks (skipped here), a member that unpacks beyond the byte budget is named with its archive."""
    import pipeline.survey.formats.archive as A

    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.shp", b"A" * 1000)
    monkeypatch.setattr(A, "check_zip", lambda p, limits: [(i, i.filename) for i in zipfile.ZipFile(p).infolist()])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputFileError) as info:
        A.extract_zip(path, out, limits=ZipLimits(max_total_bytes=100))
    assert info.value.text("zh") == (
        "压缩包 `big.zip`：压缩包中的 `a.shp` 解压后比声明的大：压缩包已损坏或不可信，请重新压缩。"
    )
