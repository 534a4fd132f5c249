"""The result of reading a survey, its report, and writing it to a GeoPackage."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from pipeline.core import schema as S
from pipeline.core.errors import InputFileError, Words
from pipeline.core.fileio import output_file
from pipeline.core.words import LANGS, crs_name_text, word
from pipeline.survey.base import ReadItem, StrayLabel, say
from pipeline.survey.formats.archive import ZipLimits
from pipeline.survey.layers import LAYER, ROLE
from pipeline.survey.register import Registration

log = logging.getLogger(__name__)

#: Columns of :attr:`SurveyResult.features`, before geometry.
SURVEY_COLUMNS = [S.CATEGORY, S.KIND, S.NAME, S.SOURCE, S.SOURCE_ID, ROLE, LAYER, S.RULE]


@dataclass(frozen=True)
class SurveyLimits:
    """Size limits on survey files; the app's upload limit should not exceed ``max_file_bytes``."""

    max_file_bytes: int = 50 * 1024 * 1024
    zip: ZipLimits = field(default_factory=ZipLimits)


@dataclass(frozen=True)
class SurveyResult:
    """A survey read into WGS-84, with the account of what was and was not read.

    Attributes
    ----------
    path
        The file read.
    features
        Columns :data:`SURVEY_COLUMNS` and geometry, EPSG:4326, index ``0..n-1``.
    crs
        How the coordinates were read, e.g. ``EPSG:4548 (CGCS2000 / …)`` or the registration.
    read, not_read
        Report lines: what was read; what was not and why.
    warnings
        Repairs, encoding guesses, CRS overrides, features far from the compound.
    units
        ``$INSUNITS`` of a DXF.
    registration
        The control-point fit, for a drawing in local coordinates.
    strays
        CAD texts that name no shape (:func:`pipeline.survey.geom.attach_labels`).
    """

    path: Path
    features: gpd.GeoDataFrame
    crs: str
    read: tuple[ReadItem, ...]
    not_read: tuple[ReadItem, ...]
    warnings: tuple[Words, ...]
    units: str | None = None
    registration: Registration | None = None
    strays: tuple[StrayLabel, ...] = ()

    def counts(self) -> dict[str, int]:
        """Count features by role."""
        return dict(Counter(self.features[ROLE]))

    def stray_lines(self, lang: str) -> list[str]:
        """Say in ``lang`` which texts name no shape: a title, then one line per text."""
        if not self.strays:
            return []
        lines = [word("survey.stray.title", lang, n=len(self.strays))]
        for s in self.strays:
            key = "survey.stray.alone" if s.alone else "survey.stray.taken"
            lines.append(word(key, lang, layer=s.layer, text=s.text, x=s.x, y=s.y, reach=s.reach))
        return lines

    def report(self, lang: str | None = None) -> str:
        """Describe the import in ``lang`` (the page's), or in both languages as the command line prints it."""
        if lang is None:
            return "\n\n".join(self.report(code) for code in LANGS)
        head = lambda key, **values: word(f"survey.report.{key}", lang, **values)  # noqa: E731
        stated = re.fullmatch(r"(EPSG:\d+) \((.+)\)", self.crs)  # how read_survey labels a known system
        crs = f"{stated[1]} · {crs_name_text(stated[2], lang)}" if stated else self.crs
        lines = [head("survey", name=self.path.name), "  " + head("crs", crs=crs)]
        if self.units:
            lines.append("  " + head("units", units=self.units))
        if self.registration is not None:
            lines.append("  " + head("registration", fit=self.registration.describe()))
        lines.append("  " + head("read"))
        lines += [f"    {item.text(lang)}" for item in self.read] or ["    —"]
        lines.append("  " + head("not_read"))
        lines += [f"    {item.text(lang)}" for item in self.not_read] or ["    —"]
        strays = self.stray_lines(lang)
        lines += [f"  {strays[0]}"] + [f"    {s}" for s in strays[1:]] if strays else []
        if self.warnings:
            lines.append("  " + head("warnings"))
            lines += [f"    {say(w, lang)}" for w in self.warnings]
        counts = self.counts()
        roles = word("app.enum_sep", lang).join(
            head("role", n=n, role=word(f"survey.role.{r}", lang, default=r))
            for r, n in sorted(counts.items())
        )
        lines.append("  " + head("result", n=len(self.features), roles=roles))
        kinds = Counter(self.features.loc[self.features[ROLE] == "asset", S.KIND])
        if kinds:
            lines.append(
                "    "
                + head(
                    "assets",
                    kinds=word("app.enum_sep", lang).join(
                        head("kind", kind=word(f"kind.{k}", lang, default=k), n=n)
                        for k, n in sorted(kinds.items())
                    ),
                )
            )
        return "\n".join(lines)

    def report_frame(self) -> pd.DataFrame:
        """Return the report as a table: ``section``, ``what``, ``count``, ``note``."""
        rows = [("read", say(i.what, "en"), i.count, say(i.note, "en")) for i in self.read]
        rows += [("not_read", say(i.what, "en"), i.count, say(i.note, "en")) for i in self.not_read]
        rows += [("warning", say(w, "en"), 1, "") for w in self.warnings]
        rows += [
            ("stray_label", s.text, 1, f"layer {s.layer} at ({s.x:.3f}, {s.y:.3f})") for s in self.strays
        ]
        rows += [("crs", self.crs, 1, self.units or "")]
        return pd.DataFrame(rows, columns=["section", "what", "count", "note"])


def write_survey(result: SurveyResult, out: str | Path) -> Path:
    """Write the features (layer ``survey``) and the report (layer ``survey_report``) to a GPKG.

    The file is written beside ``out`` under a temporary name and moved into place, so a
    failure leaves any earlier file untouched and no partial file behind.
    """
    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InputFileError("error.survey.out_gpkg", name=out.name)
    with output_file(out) as tmp:
        pyogrio.write_dataframe(result.features, tmp, layer="survey", driver="GPKG")
        pyogrio.write_dataframe(result.report_frame(), tmp, layer="survey_report", driver="GPKG", append=True)
    log.info("Wrote %d survey features to %s", len(result.features), out)
    return out
