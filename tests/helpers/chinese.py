"""The Chinese sweep's rules: the Latin words allowed on a zh page, what looks like a path or id, and the checks.

A zh page may show Latin letters only for the words in :data:`ALLOWED`, names from the data, numbers and
units; never a path or an internal id (:data:`PATH_LIKE`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from pipeline.core import schema as S
from pipeline.inventory.build import Inventory
from tests.helpers.app import ROOT

ALLOWED = {
    # file formats and the services and standards named by their own names
    "OSM", "CSV", "PDF", "PNG", "SVG", "GeoJSON", "DXF", "GPKG", "GeoPackage", "XLSX", "Excel", "JSON", "KML",
    "KMZ", "Shapefile", "ZIP", "CAD", "SHP", "SHX", "DBF", "PRJ", "CPG", "QIX", "SBN", "SBX", "TXT", "TOML",
    "JPEG", "HEIC", "GB", "WGS", "CGCS", "EPSG", "UTM", "CRS", "OpenStreetMap", "Tianditu", "Gaode", "GCJ", "Cookie",
    "shp", "shx", "dbf", "prj", "x", "y", "X", "Y", "UTF", "GBK",
    # units and number forms
    "m", "km", "MB", "KB", "dpi", "px", "mm", "N", "S", "osm", "pbf",
    # category letters of the category numbering (A01, B01, C01)
    "A", "B", "C",
    # the language switch names English in English on purpose
    "Language", "English",
}  # fmt: skip
#: Where a page would show a server's folder, a file of its own, or an internal OSM id.
PATH_LIKE = ("/runtime/", "/tmp/", "/work/", "/home/", ".json", "way/", "node/", "relation/", "user-point")
#: A half-width colon right after a Chinese character: the catalogue's zh punctuation is the full-width "："
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff]:")
#: Proto fields that hold words a person reads (ids, keys, formats and URLs are not read).
TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "value", "caption", "text", "title"}


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _table_words(frame: pd.DataFrame) -> list[str]:
    words = [str(c) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype == object:
            words += [str(v) for v in frame[column] if v is not None and not isinstance(v, bytes)]
    return words


def page_words(at: Any) -> list[str]:
    """Every word the page shows, as the strings the browser gets."""
    found: list[str] = []
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            if type(node).__name__ == "Dataframe":
                found += _table_words(node.value)
            proto = getattr(node, "proto", None)
            if proto is None or not hasattr(proto, "ListFields"):
                continue
            for field, value in proto.ListFields():
                if field.name not in TEXT_FIELDS:
                    continue
                if isinstance(value, str):
                    found.append(value)
                elif isinstance(
                    value, Sequence
                ):  # options: protobuf's repeated field is a Sequence, not iterable by hasattr
                    found += [v for v in value if isinstance(v, str)]
    return found


def data_names(inventory: Inventory) -> set[str]:
    """Latin words the demo data itself holds: names of assets, gates and the extract."""
    names = " ".join(
        [
            *(p.name for p in (ROOT / "data" / "osm").iterdir() if ".osm" in p.name),  # the extracts offered
            *inventory.assets[S.NAME].dropna().astype(str),
            *inventory.gates[S.NAME].dropna().astype(str),
        ]
    )
    return set(re.findall(r"[A-Za-z]+", names))


def leaks(at: Any, allowed: set[str]) -> list[str]:
    """The words of the page that are English or internal, each with the text it was found in."""
    problems = []
    for text in page_words(at):
        for bit in PATH_LIKE:
            if bit in text:
                problems.append(f"{bit!r} in {text[:120]!r}")
        problems += [f"half-width colon {c!r} in {text[:120]!r}" for c in HALF_WIDTH_COLON.findall(text)]
        for latin in re.findall(r"[A-Za-z]+", text):
            if latin not in allowed:
                problems.append(f"{latin!r} in {text[:120]!r}")
    return problems
