"""Read a batch result (``python -m pipeline batch --out DIR``) back: the compounds table and each inventory.

A batch folder holds ``city.gpkg`` (layers ``assets`` and ``compounds``), the same tables as GeoParquet,
and ``compounds/<folder_name(id)>/``, one inventory folder per compound that was built
(:mod:`pipeline.city.batch`). :func:`read_city` gives the compounds table in WGS-84, one row per compound,
with the batch's columns as they are: columns added later (coverage summaries) come along without
this module knowing them, and :func:`coverage_columns` picks them out by name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from pipeline.city.batch import COMPOUND_ID, REASON, STATUS, folder_name, said
from pipeline.core import schema as S
from pipeline.core.errors import CompoundNotFoundError, DataError, InputFileError, Words
from pipeline.inventory.build import Inventory, read_inventory

log = logging.getLogger(__name__)

CITY_FILE = "city.gpkg"
#: Columns every compounds table has; the others are optional.
REQUIRED = (COMPOUND_ID, S.NAME, STATUS)
#: Count columns of the compounds table, in the order people read them.
COUNT_COLUMNS = ("assets", "n_public_space", "n_facility", "n_institution", "gates", "review")
#: Columns of the batch's own bookkeeping, not shown.
INTERNAL_COLUMNS = (
    "peak_rss_mb",
    "cut_s",
    "build_s",
    "write_s",
    "coverage_s",
    "figure_s",
    "pack_s",
    "store_s",
)
#: Name fragments of coverage summary columns.
COVERAGE_MARKERS = ("coverage", "covered", "gap")

__all__ = [
    "CITY_FILE",
    "COMPOUND_ID",
    "COUNT_COLUMNS",
    "REASON",
    "STATUS",
    "City",
    "coverage_columns",
    "find_cities",
    "read_city",
    "share_columns",
]


@dataclass(frozen=True)
class City:
    """A batch result: its folder and the compounds table (WGS-84, one row per compound)."""

    folder: Path
    compounds: gpd.GeoDataFrame

    def compound_folder(self, compound_id: str) -> Path:
        """The inventory folder of a compound (it exists when the compound was built)."""
        return self.folder / "compounds" / folder_name(compound_id)

    def row(self, compound_id: str) -> pd.Series:
        """The compounds-table row of a compound.

        Raises
        ------
        CompoundNotFoundError
            When the batch did not plan that compound.
        """
        hit = self.compounds[self.compounds[COMPOUND_ID] == compound_id]
        if hit.empty:
            raise CompoundNotFoundError(
                "error.city.not_in_batch", compound=compound_id, path=self.folder, n=len(self.compounds)
            )
        return hit.iloc[0]

    def read_compound(self, compound_id: str) -> Inventory:
        """Read the inventory the batch built for a compound.

        Raises
        ------
        CompoundNotFoundError
            The batch did not plan the compound.
        DataError
            The compound failed in the batch (its reason is in the message).
        InputFileError
            Its inventory folder is missing (the batch folder was moved or pruned).
        """
        row = self.row(compound_id)
        if row[STATUS] != "done":
            raise DataError("error.city.not_built", compound=compound_id, reason=Recorded(row, REASON))
        folder = self.compound_folder(compound_id)
        if not folder.is_dir():
            raise InputFileError(
                "error.city.inventory_missing", compound=compound_id, path=folder, out=self.folder
            )
        return read_inventory(folder)


class Recorded(Words):
    """A text the batch wrote in both languages (``reason`` and ``reason_zh``), said in the reader's.

    A batch of an earlier version wrote English only, which is then said as it is; an empty text
    gives the compound's status instead. A Chinese text loses its closing 。, which the sentence
    around it gives.
    """

    def __init__(self, row: pd.Series, column: str) -> None:
        super().__init__(column)
        self.row = row

    def text(self, lang: str = "en", *, full_paths: bool = False) -> str:
        """The recorded text in ``lang``."""
        return str(said(self.row, self.key, lang) or self.row[STATUS]).removesuffix("。")


def find_cities(root: str | Path) -> list[Path]:
    """Folders directly under ``root`` (or ``root`` itself) that hold a batch result, by name."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [root] if (root / CITY_FILE).is_file() else []
    found += sorted(p for p in root.iterdir() if p.is_dir() and (p / CITY_FILE).is_file())
    return found


def coverage_columns(compounds: pd.DataFrame) -> list[str]:
    """The coverage summary columns of a compounds table, in the table's order (may be none)."""
    return [c for c in compounds.columns if any(m in str(c).lower() for m in COVERAGE_MARKERS)]


def share_columns(compounds: pd.DataFrame) -> list[str]:
    """The coverage columns that hold shares: named ``coverage_*`` or ``*share*``, numbers within 0..1.

    The rest of :func:`coverage_columns` (gap counts, gap lists, notes) are shown as they are.
    """
    out = []
    for column in coverage_columns(compounds):
        name = str(column).lower()
        values = pd.to_numeric(compounds[column], errors="coerce")
        numeric = pd.api.types.is_numeric_dtype(compounds[column])
        if (
            (name.startswith("coverage_") or "share" in name)
            and numeric
            and values.dropna().between(0, 1).all()
        ):
            out.append(column)
    return out


def read_city(folder: str | Path) -> City:
    """Read a batch result's compounds table.

    Parameters
    ----------
    folder
        The batch's ``--out`` folder (holding ``city.gpkg``), or the ``city.gpkg`` file itself.

    Raises
    ------
    InputFileError
        No ``city.gpkg`` there, or it is not a batch result.
    DataError
        The compounds table lacks a required column.
    """
    path = Path(folder)
    gpkg = path if path.suffix.lower() == ".gpkg" else path / CITY_FILE
    if not gpkg.is_file():
        raise InputFileError("error.city.no_city", name=CITY_FILE, path=path)
    try:
        layers = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    except pyogrio.errors.DataSourceError as exc:
        raise InputFileError("error.city.not_gpkg", file=gpkg, detail=exc) from exc
    if "compounds" not in layers:
        found = ", ".join(sorted(layers)) or Words("error.city.no_layers")
        raise InputFileError("error.city.no_layer", file=gpkg, layers=found)
    compounds = pyogrio.read_dataframe(gpkg, layer="compounds")
    missing = [c for c in REQUIRED if c not in compounds.columns]
    if missing:
        raise DataError("error.city.columns", file=gpkg, columns=", ".join(f"`{c}`" for c in missing))
    if compounds.crs is None:
        compounds = compounds.set_crs(S.WGS84)
    compounds = compounds.to_crs(S.WGS84)
    compounds[S.NAME] = compounds[S.NAME].fillna("").astype(str)
    if REASON in compounds:
        compounds[REASON] = compounds[REASON].fillna("").astype(str)
    geoms = compounds.geometry.to_numpy()
    broken = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if broken.any():
        compounds.loc[broken, "geometry"] = shapely.make_valid(geoms[broken])
    log.info("Read %d compounds of the batch in %s", len(compounds), gpkg.parent)
    return City(gpkg.parent, compounds.reset_index(drop=True))
