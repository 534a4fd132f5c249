"""What every survey reader returns, and the text and column helpers they share."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pyproj

from pipeline.core import schema as S
from pipeline.core.errors import Words
from pipeline.core.words import word
from pipeline.survey.layers import HINT, LAYER

#: Columns of a reader's feature frame (in the file's own coordinates).
RAW_COLUMNS = [LAYER, S.SOURCE_ID, S.NAME, HINT]
#: Columns of a reader's label frame (DXF texts), in the file's coordinates: the text, its character
#: height, its anchor (the point of its box its alignment fixes); the geometry is the text's box.
TEXT = "text"
HEIGHT = "height"
ANCHOR_X, ANCHOR_Y = "anchor_x", "anchor_y"
LABEL_COLUMNS = [LAYER, S.SOURCE_ID, TEXT, HEIGHT, ANCHOR_X, ANCHOR_Y]


@dataclass(frozen=True)
class ReadItem:
    """One line of a read report: what (a layer, a row, an entity type), how many, and a note.

    ``what`` and ``note`` are catalogue sentences (:class:`~pipeline.core.errors.Words`) said in the
    reader's language, or a text of the file's own (a layer name) kept as it is.
    """

    what: str | Words
    count: int
    note: str | Words | tuple[Words, ...]

    def text(self, lang: str = "en") -> str:
        """``what: count (note)`` in ``lang``, with the catalogue's punctuation."""
        what, note = say(self.what, lang), say(self.note, lang)
        line = word("survey.item.line", lang, what=what, n=self.count)
        return word("survey.item.noted", lang, line=line, note=note) if note else line

    def __str__(self) -> str:
        return self.text("en")


def say(text: str | Words | tuple[Words, ...], lang: str) -> str:
    """A report's text in ``lang``: a sentence of the catalogue, a list of them, or the file's own text."""
    if isinstance(text, Words):
        return text.text(lang)
    if isinstance(text, tuple):
        return word("app.enum_sep", lang).join(t.text(lang) for t in text)
    return text


def geometry_counts(geoms: Iterable[object]) -> tuple[Words, ...]:
    """How many shapes of each type (``3 个面、2 个点``), for a layer's line in the report."""
    counts = Counter(g.geom_type for g in geoms if g is not None and not g.is_empty)  # type: ignore[attr-defined]
    return tuple(
        Words("survey.item.geoms", n=n, type=Words(f"survey.geom.{kind}", default=kind))
        for kind, n in sorted(counts.items())
    ) or (Words("survey.item.no_geometry_note"),)


@dataclass(frozen=True)
class StrayLabel:
    """A CAD text that names no shape: its layer, text, anchor in drawing coordinates, and why.

    ``alone``: no shape lies within ``reach`` text heights of its box; else the shapes within reach
    took nearer texts or have names of their own.
    """

    layer: str
    text: str
    x: float
    y: float
    alone: bool
    reach: float


@dataclass
class RawSurvey:
    """A reader's result before georeferencing and classification.

    Attributes
    ----------
    features
        Columns :data:`RAW_COLUMNS` and geometry, in the file's coordinates; ``crs`` set when the
        file states one.
    labels
        Texts to attach as names (DXF), or ``None``.
    crs
        The CRS the file states, or ``None``.
    degrees
        The coordinate columns are named as longitude/latitude (a CSV's ``经度``/``纬度``), so
        the choice is between WGS-84, GCJ-02 and BD-09.
    units
        The drawing units a DXF declares (``$INSUNITS``), for the report.
    unit_m
        Metres per drawing unit by ``$INSUNITS``, when it declares a length unit.
    """

    features: gpd.GeoDataFrame
    labels: gpd.GeoDataFrame | None = None
    crs: pyproj.CRS | None = None
    degrees: bool = False
    units: str | None = None
    unit_m: float | None = None
    read: list[ReadItem] = field(default_factory=list)
    not_read: list[ReadItem] = field(default_factory=list)
    warnings: list[Words] = field(default_factory=list)


def empty_features(crs: pyproj.CRS | None = None) -> gpd.GeoDataFrame:
    """Return a feature frame with :data:`RAW_COLUMNS` and no rows."""
    return gpd.GeoDataFrame({c: [] for c in RAW_COLUMNS}, geometry=[], crs=crs)


_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
_SPACE = re.compile(r"\s+")


def clean_text(value: object, *, html_markup: bool = False) -> str:
    r"""Normalise a name read from a file.

    Decodes DXF ``\\U+XXXX`` escapes, optionally strips HTML tags and unescapes entities (KML
    names often carry ``<b>``, ``&amp;``), applies NFC and collapses whitespace. Text is kept
    as text: escaping for display happens where it is displayed.
    """
    if value is None:
        return ""
    text = str(value)
    if text.lower() in ("nan", "none", "<na>"):
        return ""
    if "\\U+" in text or "\\u+" in text:
        from ezdxf.lldxf.encoding import decode_dxf_unicode  # only old CAD texts need ezdxf

        text = decode_dxf_unicode(text)
    if html_markup:
        text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


_HIGH_LATIN = re.compile("[\u00c0-\u00ff]")
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def looks_mojibake(texts: Iterable[str]) -> bool:
    """Tell whether strings look like GBK or UTF-8 bytes decoded as Latin-1 (``Ó×¶ùÔ°``).

    A string counts when it has Latin-1 letters, no Chinese, and its Latin-1 bytes decode as
    GB18030 or UTF-8 into Chinese.
    """
    for text in texts:
        if not text or _CJK.search(text) or not _HIGH_LATIN.search(text):
            continue
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            continue
        for encoding in ("utf-8", "gb18030"):
            try:
                if _CJK.search(raw.decode(encoding)):
                    return True
            except UnicodeDecodeError:
                continue
    return False


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFKC", str(name)).strip().lower()
    name = re.sub(r"[(\[（【].*?[)\]）】]", "", name)  # drop units such as 经度(°)
    return name.replace(" ", "").replace("_", "").replace("-", "")


#: Column names by meaning; compared after :func:`_norm` (lower case, no spaces or brackets).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "经度", "东经"),
    "lat": ("lat", "latitude", "纬度", "北纬"),
    "x": ("x", "xcoord", "easting", "东坐标", "横坐标", "x坐标"),
    "y": ("y", "ycoord", "northing", "北坐标", "纵坐标", "y坐标"),
    "name": ("name", "名称", "名字", "地名", "设施名称", "title", "标题", "poi", "label", "标注"),
    "hint": ("kind", "type", "类型", "类别", "分类", "用途", "category", "设施类型", "fclass"),
    "layer": ("layer", "图层", "层"),
    "id": ("id", "编号", "fid", "objectid", "序号"),
}


def pick_column(columns: Sequence[str], meaning: str) -> str | None:
    """Return the first column whose name means ``meaning`` (see :data:`COLUMN_ALIASES`)."""
    normed = {_norm(c): c for c in columns}
    return next((normed[a] for a in COLUMN_ALIASES[meaning] if a in normed), None)
