r"""The code page of a DXF's text, told from its bytes, never garbled silently.

A DXF before AutoCAD 2007 (``$ACADVER`` below ``AC1021``) stores text in the code page its header
declares (``$DWGCODEPAGE``; ``ANSI_936`` is GBK); a later one is always UTF-8. Drawings made in China
often declare the wrong page (``ANSI_1252``) or none, or a converter wrote UTF-8 or GB18030 into an
old version. Read as declared, 幼儿园 becomes ``Ó×¶ùÔ°`` and the Chinese layer rules stop matching.

:func:`fix_codepage` decodes the bytes as UTF-8, GBK or GB18030 (the first in which the non-ASCII
text is Chinese), and when that is not what the header makes a reader use, rewrites the text as
ASCII with DXF ``\U+XXXX`` escapes, which every DXF reader decodes whatever the declared page, and
says so in one line naming the file, the declared page and the detected one.
"""

from __future__ import annotations

import re

from ezdxf.tools.codepage import toencoding

from pipeline.core.errors import Words

_VERSION = re.compile(rb"\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*(AC\d{4})")
_CODEPAGE = re.compile(rb"\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*([^\r\n]*)")
_CHINESE = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NAMES = {"utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030", "cp936": "GBK"}
#: Share of the non-ASCII characters that must be Chinese for the text to count as Chinese.
CHINESE_SHARE = 0.8


def detect_encoding(data: bytes) -> str | None:
    """Return ``utf-8``, ``gbk`` or ``gb18030`` when the non-ASCII text reads as Chinese in it, else ``None``."""
    if data.isascii():
        return None
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if ord(ch) > 0x7F]
        if wide and sum(bool(_CHINESE.match(ch)) for ch in wide) >= CHINESE_SHARE * len(wide):
            return encoding
    return None


def declared_encoding(data: bytes) -> tuple[str, str | Words]:
    """Return the encoding a DXF reader uses for ``data``, and how the header says so (for messages)."""
    version = _VERSION.search(data[:65536])
    if version and version.group(1) >= b"AC1021":
        return "utf-8", Words("survey.codepage.utf8_version", version=version.group(1).decode())
    page = _CODEPAGE.search(data[:65536])
    if page is None or not page.group(1).strip():
        return "cp1252", Words("survey.codepage.none")
    name = page.group(1).strip().decode("ascii", errors="replace")
    return toencoding(name), name


def _escape(text: str) -> str:
    return "".join(
        ch if ord(ch) < 0x80 else f"\\U+{ord(ch):04X}" if ord(ch) <= 0xFFFF else "?" for ch in text
    )


def fix_codepage(data: bytes, name: str) -> tuple[bytes, Words | None]:
    """Return the DXF bytes as a reader decodes them correctly, and a warning when they were rewritten."""
    if data.startswith(b"AutoCAD Binary DXF"):
        return data, None
    detected = detect_encoding(data)
    if detected is None:
        return data, None
    used, declared = declared_encoding(data)
    same = used == detected or (used in ("gbk", "cp936") and detected == "gbk")
    if same:
        return data, None
    fixed = _escape(data.decode(detected)).encode("ascii")
    return fixed, Words("survey.warning.codepage", name=name, declared=declared, used=_NAMES[detected])
