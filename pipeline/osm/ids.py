"""Negative ids and deleted objects: OSM files as JOSM saves them and ogr2osm writes them.

JOSM gives objects not yet uploaded negative ids (``id='-101'``, ``action='modify'``, no
``version``) and keeps deleted ones with ``action='delete'``; ogr2osm numbers everything it
converts from a Shapefile ``-1, -2, …``. pyosmium's node-location handler keeps no location for
a negative node id, whatever index it is given (``flex_mem``, ``sparse_mem_array``,
``dense_mem_array``, …: libosmium stores negative ids in a second index that pyosmium leaves
empty), so every way built on new nodes came out as "nodes outside the extract".

:func:`readable_source` hands the reader the file itself when it has neither, and otherwise an
in-memory copy (an :class:`osmium.io.FileBuffer`) with each negative id moved past the largest
positive id of its type, deleted objects left out, and objects sorted as pyosmium needs them; :func:`restore_ids` gives the read features
their own ids back (``way/-201``).
"""

from __future__ import annotations

import bz2
import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import osmium

from pipeline.core import schema as S

_TYPES = ("node", "way", "relation")
_NEGATIVE_OR_DELETED = re.compile(rb"""\b(?:id|ref)\s*=\s*["']-\d|\baction\s*=\s*["']delete""")
#: The parts of that pattern re finds fast (they start with a literal): a quoted minus and a digit, and
#: ``action``. A city's XML has no deleted objects and only a few quoted negative values (``layer``),
#: so :func:`has_negative_or_deleted` looks at those few places instead of scanning every byte.
_QUOTED_MINUS = (re.compile(rb'"-\d'), re.compile(rb"'-\d"))
_DELETED = re.compile(rb"""action\s*=\s*["']delete""")
_SPACE = b" \t\n\r\f\v"  # re's \s for bytes
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def has_negative_or_deleted(data: bytes) -> bool:
    r"""Whether ``_NEGATIVE_OR_DELETED`` matches ``data``, found about ten times faster.

    Each quoted minus and digit is checked backwards for ``\b(?:id|ref)\s*=\s*``; each
    ``action`` found with its value, for the word boundary before it.
    """
    for match in _DELETED.finditer(data):
        if match.start() == 0 or data[match.start() - 1] not in _WORD:
            return True
    for pattern in _QUOTED_MINUS:
        for match in pattern.finditer(data):
            j = match.start() - 1
            while j >= 0 and data[j] in _SPACE:
                j -= 1
            if j < 0 or data[j] != ord("="):
                continue
            j -= 1
            while j >= 0 and data[j] in _SPACE:
                j -= 1
            for name in (b"id", b"ref"):
                start = j - len(name) + 1
                if start >= 0 and data[start : j + 1] == name and (start == 0 or data[start - 1] not in _WORD):
                    return True
    return False


def _xml_bytes(path: Path) -> bytes | None:
    """The file's XML text, or ``None`` when it is not XML (a PBF)."""
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.decompress(path.read_bytes())
    if name.endswith(".gz"):
        return gzip.decompress(path.read_bytes())
    if name.endswith(".pbf"):
        return None
    return path.read_bytes()


def readable_source(path: Path) -> tuple[str | osmium.io.FileBuffer, dict[str, str]]:
    """Return what pyosmium should read for ``path``, and the ids to give back after reading.

    The second item maps a source id as read (``node/5672737860``) to the file's own
    (``node/-101``); it is empty when the file is read as it is.
    """
    data = _xml_bytes(path)
    if data is None:
        return _from_pbf(path)
    if not has_negative_or_deleted(data):
        return str(path), {}
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return str(path), {}  # pyosmium reads it and says what is wrong
    deleted = {
        (el.tag, el.get("id")) for el in root if el.tag in _TYPES and el.get("action") == "delete"
    }
    for el in [el for el in root if (el.tag, el.get("id")) in deleted]:
        root.remove(el)
    largest = dict.fromkeys(_TYPES, 0)
    for el in root:
        if el.tag in _TYPES:
            largest[el.tag] = max(largest[el.tag], int(el.get("id", "0")))
    back: dict[str, str] = {}

    def positive(kind: str, value: str) -> str:
        number = int(value)
        if number >= 0:
            return value
        new = str(largest[kind] - number)
        back[f"{kind}/{new}"] = f"{kind}/{number}"
        return new

    for el in root:
        if el.tag not in _TYPES:
            continue
        el.set("id", positive(el.tag, el.get("id", "0")))
        el.attrib.pop("action", None)
        for child in list(el):
            if child.tag == "nd":
                if ("node", child.get("ref")) in deleted:
                    el.remove(child)
                else:
                    child.set("ref", positive("node", child.get("ref", "0")))
            elif child.tag == "member":
                kind = child.get("type", "")
                if (kind, child.get("ref")) in deleted:
                    el.remove(child)
                elif kind in _TYPES:
                    child.set("ref", positive(kind, child.get("ref", "0")))
    return _sorted_buffer(root), back


def _sorted_buffer(root: ET.Element) -> osmium.io.FileBuffer:
    """Return the objects as pyosmium wants them: nodes, ways, relations, each by ascending id."""
    objects = [el for el in root if el.tag in _TYPES]
    for el in objects:
        root.remove(el)
    root.extend(sorted(objects, key=lambda el: (_TYPES.index(el.tag), int(el.get("id", "0")))))
    return osmium.io.FileBuffer(ET.tostring(root, encoding="utf-8"), "osm")


def _from_pbf(path: Path) -> tuple[str | osmium.io.FileBuffer, dict[str, str]]:
    """A PBF is read as it is unless its first node has a negative id (ogr2osm's ``--pbf``).

    Only the first object is looked at, so a city extract costs nothing more; ogr2osm numbers
    every object it writes below zero.
    """
    if _leads_with_a_positive_node(path):
        return str(path), {}
    try:
        first = next((node.id for node in osmium.FileProcessor(str(path), osmium.osm.NODE)), 0)
    except RuntimeError:  # a broken file: the reader says what is wrong with it, in one line
        return str(path), {}
    if first >= 0:
        return str(path), {}
    nodes: list[tuple[int, dict[str, str], float, float]] = []
    ways: list[tuple[int, dict[str, str], list[int]]] = []
    relations: list[tuple[int, dict[str, str], list[tuple[str, int, str]]]] = []
    largest = dict.fromkeys(_TYPES, 0)
    for obj in osmium.FileProcessor(str(path)):
        if isinstance(obj, osmium.osm.Node):
            largest["node"] = max(largest["node"], obj.id)
            nodes.append((obj.id, dict(obj.tags), obj.location.lon, obj.location.lat))
        elif isinstance(obj, osmium.osm.Way):
            largest["way"] = max(largest["way"], obj.id)
            ways.append((obj.id, dict(obj.tags), [n.ref for n in obj.nodes]))
        elif isinstance(obj, osmium.osm.Relation):
            largest["relation"] = max(largest["relation"], obj.id)
            members = [(_TYPES["nwr".index(m.type)], m.ref, m.role) for m in obj.members]
            relations.append((obj.id, dict(obj.tags), members))
    back: dict[str, str] = {}

    def positive(kind: str, number: int) -> str:
        if number >= 0:
            return str(number)
        new = str(largest[kind] - number)
        back[f"{kind}/{new}"] = f"{kind}/{number}"
        return new

    root = ET.Element("osm", version="0.6", generator="mapper")
    for number, tags, lon, lat in nodes:
        el = ET.SubElement(root, "node", id=positive("node", number), lat=f"{lat:.7f}", lon=f"{lon:.7f}")
        _tags(el, tags)
    for number, tags, refs in ways:
        el = ET.SubElement(root, "way", id=positive("way", number))
        for ref in refs:
            ET.SubElement(el, "nd", ref=positive("node", ref))
        _tags(el, tags)
    for number, tags, members in relations:
        el = ET.SubElement(root, "relation", id=positive("relation", number))
        for kind, ref, role in members:
            ET.SubElement(el, "member", type=kind, ref=positive(kind, ref), role=role)
        _tags(el, tags)
    return _sorted_buffer(root), back


def _leads_with_a_positive_node(path: Path) -> bool:
    """Whether the PBF's header and first data block give a first node, with an id of zero or more.

    libosmium's reader, even when left after one node, goes through the whole file (a twentieth of
    a city's read); the first two blobs hold the first node of any file that starts with its nodes.
    False when they do not, or cannot be read: then the whole file is looked at.
    """
    try:
        lead = osmium.io.FileBuffer(_leading_blobs(path, 2), "pbf")
        first = next((node.id for node in osmium.FileProcessor(lead, osmium.osm.NODE)), None)
    except (RuntimeError, IndexError):  # a cut or broken file
        return False
    return first is not None and first >= 0


def _leading_blobs(path: Path, count: int) -> bytes:
    """The first ``count`` blobs of a PBF as they are in the file.

    Each is a 4-byte big-endian length, a BlobHeader message of that length and the blob's data,
    whose size is the header's field 3 (``datasize``).
    """
    out = b""
    with path.open("rb") as pbf:
        for _ in range(count):
            length = pbf.read(4)
            header = pbf.read(int.from_bytes(length, "big"))
            out += length + header + pbf.read(_data_size(header))
    return out


def _data_size(header: bytes) -> int:
    """The ``datasize`` of a PBF BlobHeader (protobuf: varint keys, varints and length-prefixed fields)."""
    i = 0
    while i < len(header):
        key, i = _varint(header, i)
        if key & 7 == 0:
            value, i = _varint(header, i)
            if key >> 3 == 3:
                return value
        elif key & 7 == 2:
            size, i = _varint(header, i)
            i += size
        else:
            break
    return 0


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """The protobuf varint at ``data[i]`` and the index after it."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _tags(el: ET.Element, tags: dict[str, str]) -> None:
    for k, v in tags.items():
        ET.SubElement(el, "tag", k=k, v=v)


def restore_ids(frame: gpd.GeoDataFrame, back: dict[str, str]) -> gpd.GeoDataFrame:
    """Give features read from a renumbered copy the ids their file gave them."""
    if not back:
        return frame
    out = frame.copy()
    out[S.SOURCE_ID] = out[S.SOURCE_ID].map(lambda sid: back.get(sid, sid))
    return out
