"""The result of reading a survey, its report, and writing it to a GeoPackage."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from pipeline.core import schema as S
from pipeline.core.errors import InputFileError
from pipeline.core.fileio import output_file
from pipeline.core.words import LANGS, word
from pipeline.survey.base import ReadItem, StrayLabel
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
    warnings: tuple[str, ...]
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
        """Describe the import as the CLI prints it; texts that name no shape in ``lang``, else both."""
        lines = [f"测绘图 Survey: {self.path.name}", f"  坐标系 Coordinates: {self.crs}"]
        if self.units:
            lines.append(f"  图形单位 Drawing units: {self.units}")
        if self.registration is not None:
            lines.append("  控制点配准 Registration: " + self.registration.describe())
        lines.append("  已读取 Read:")
        lines += [f"    {item}" for item in self.read] or ["    —"]
        lines.append("  未读取 Not read:")
        lines += [f"    {item}" for item in self.not_read] or ["    —"]
        for code in (lang,) if lang else LANGS:
            strays = self.stray_lines(code)
            lines += [f"  {strays[0]}"] + [f"    {s}" for s in strays[1:]] if strays else []
        if self.warnings:
            lines.append("  警告 Warnings:")
            lines += [f"    {w}" for w in self.warnings]
        kinds = Counter(self.features.loc[self.features[ROLE] == "asset", S.KIND])
        roles = ", ".join(f"{n} {r}" for r, n in sorted(self.counts().items()))
        lines.append(f"  结果 Result: {len(self.features)} features ({roles})")
        if kinds:
            lines.append("    assets: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        return "\n".join(lines)

    def report_frame(self) -> pd.DataFrame:
        """Return the report as a table: ``section``, ``what``, ``count``, ``note``."""
        rows = [("read", i.what, i.count, i.note) for i in self.read]
        rows += [("not_read", i.what, i.count, i.note) for i in self.not_read]
        rows += [("warning", w, 1, "") for w in self.warnings]
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
        raise InputFileError(f"Write the survey to a GeoPackage (`.gpkg`), not `{out.name}`.")
    with output_file(out) as tmp:
        pyogrio.write_dataframe(result.features, tmp, layer="survey", driver="GPKG")
        pyogrio.write_dataframe(result.report_frame(), tmp, layer="survey_report", driver="GPKG", append=True)
    log.info("Wrote %d survey features to %s", len(result.features), out)
    return out
