"""What an OSM extract can hold that the reader cannot use, and how it is named to the user.

* Ways whose nodes are missing from the file (an extract cut by a box, a deleted node): skipped, and
  each is named with its missing nodes.
* Tagged nodes without coordinates (``<node id="3">`` with no ``lat``/``lon``): skipped and named.
* Tag keys or values over 1,024 bytes, which libosmium (pyosmium) refuses with ``ValueError: OSM tag
  value is too long``. OpenStreetMap itself allows 255 characters, so only an edited or hostile file
  has them. In ``.osm`` XML (also ``.bz2``/``.gz``) a value is cut to 1,024 bytes, a key that long is
  dropped, and each is named; the file itself is never changed. A PBF cannot be rewritten without
  reading it, so it is refused with one line saying what to do.
"""

from __future__ import annotations

import bz2
import gzip
import html
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from pipeline.core.errors import DataError

#: The longest tag key or value libosmium reads, in UTF-8 bytes (``osmium::max_osm_string_length``).
MAX_TAG_BYTES = 1024
_SHOWN = 8

_ATTRS = rb"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
_ELEMENT = re.compile(rb"<(node|way|relation)\b" + _ATTRS + rb"\s*/?>|<tag\b" + _ATTRS + rb"\s*/?>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


@dataclass
class Missing:
    """Features a read skipped: ways missing nodes, nodes missing coordinates."""

    ways: list[tuple[str, str, list[int]]] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)

    def warnings(self, name: str) -> list[str]:
        """One line per kind of damage, naming the features (the first few) and the fix."""
        lines = []
        if self.ways:
            shown = ", ".join(_way(sid, label, refs) for sid, label, refs in self.ways[:_SHOWN])
            more = f" and {len(self.ways) - _SHOWN} more" if len(self.ways) > _SHOWN else ""
            lines.append(
                f"Skipped {len(self.ways)} ways of {name} whose nodes are missing from the file (outside "
                f"the cut extract, or deleted): {shown}{more}; cut a larger extract to keep them."
            )
        if self.nodes:
            shown = ", ".join(_named(sid, label) for sid, label in self.nodes[:_SHOWN])
            more = f" and {len(self.nodes) - _SHOWN} more" if len(self.nodes) > _SHOWN else ""
            lines.append(
                f"Skipped {len(self.nodes)} tagged nodes of {name} that have no coordinates: {shown}{more}; "
                "give them a position in the source data and export again."
            )
        return lines


def _named(sid: str, label: str) -> str:
    return f"{sid} {label}" if label else sid


def _way(sid: str, label: str, refs: list[int]) -> str:
    if not refs:
        return _named(sid, label)
    nodes = ", ".join(str(r) for r in refs[:5]) + (", …" if len(refs) > 5 else "")
    return f"{_named(sid, label)} (missing node{'s' if len(refs) > 1 else ''} {nodes})"


def cut_warnings(cut: list[str], name: str) -> list[str]:
    """The warning for tag values cut to be read, naming the features and keys."""
    if not cut:
        return []
    more = f" and {len(cut) - _SHOWN} more" if len(cut) > _SHOWN else ""
    return [
        f"{name} has {len(cut)} tag values over {MAX_TAG_BYTES:,} bytes, more than the OSM reader takes; "
        f"they were cut to {MAX_TAG_BYTES:,} bytes (a key that long was left out): "
        f"{', '.join(cut[:_SHOWN])}{more}."
    ]


def _open_bytes(path: Path) -> bytes:
    name = path.name.lower()
    data = path.read_bytes()
    if name.endswith(".bz2"):
        return bz2.decompress(data)
    if name.endswith(".gz"):
        return gzip.decompress(data)
    return data


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace"))


def cut_long_tags(data: bytes) -> tuple[bytes, list[str]]:
    """Return OSM XML with tag values cut to :data:`MAX_TAG_BYTES` (over-long keys dropped), and what was cut."""
    out: list[bytes] = []
    cut: list[str] = []
    owner = "?"
    last = 0
    for match in _ELEMENT.finditer(data):
        if match.group(1) is not None:
            attrs = {
                m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                for m in _ATTR.finditer(match.group(2))
            }
            owner = f"{match.group(1).decode()}/{(attrs.get(b'id') or b'?').decode()}"
            continue
        attrs = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(match.group(3))
        }
        key, value = _text(attrs.get(b"k", b"")), _text(attrs.get(b"v", b""))
        key_bytes, value_bytes = len(key.encode()), len(value.encode())
        if key_bytes <= MAX_TAG_BYTES and value_bytes <= MAX_TAG_BYTES:
            continue
        out.append(data[last : match.start()])
        last = match.end()
        if key_bytes > MAX_TAG_BYTES:
            cut.append(f"{owner} key `{key[:20]}…` ({key_bytes:,} bytes, left out)")
            continue
        short = value.encode()[:MAX_TAG_BYTES].decode("utf-8", errors="ignore")
        cut.append(f"{owner} `{key}` ({value_bytes:,} bytes)")
        out.append(f"<tag k={quoteattr(key)} v={quoteattr(short)}/>".encode())
    out.append(data[last:])
    return b"".join(out), cut


@contextmanager
def long_tags_cut(path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Yield a temporary copy of an OSM XML file with over-long tags cut, and what was cut.

    Raises
    ------
    DataError
        For a PBF file, or when nothing over-long is found (so the reader's refusal has another cause).
    """
    if path.name.lower().endswith(".pbf"):
        raise DataError("error.osm.long_tag_pbf", path=path, max=MAX_TAG_BYTES)
    fixed, cut = cut_long_tags(_open_bytes(path))
    if not cut:
        raise DataError("error.osm.long_tag_none", path=path, max=MAX_TAG_BYTES)
    with tempfile.TemporaryDirectory(prefix="mapper-osm-") as folder:
        copy = Path(folder) / "extract.osm"
        copy.write_bytes(fixed)
        yield copy, cut
