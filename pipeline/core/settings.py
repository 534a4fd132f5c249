"""The mapper's settings: every ``MAPPER_*`` environment variable, read in one place.

:meth:`Settings.from_env` reads them once; the app, the store and the command line take the values from
the :class:`Settings` it returns (``ui.settings``, ``store.settings`` and ``store.auth`` keep their own
smaller objects, filled from it). Folders default to places under the project folder, and everything the
running mapper writes (edits, profiles, uploads, the SQLite store, the osmnx cache) goes under one
``runtime_dir``. The README's table lists the variables. (``MAPPER_TEST_PG_URL`` and the ``MAPPER_PG_*``
of ``scripts/start_postgres.sh`` are the tests' own and are read there.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import DataError

#: The project folder (the one holding ``pipeline/``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DATA_DIR_ENV = "MAPPER_DATA_DIR"
RUNTIME_DIR_ENV = "MAPPER_RUNTIME_DIR"
BUILD_DIR_ENV = "MAPPER_BUILD_DIR"
MAX_UPLOAD_MB_ENV = "MAPPER_MAX_UPLOAD_MB"
DB_URL_ENV = "MAPPER_DB_URL"
PLANNERS_ENV = "MAPPER_PLANNERS"
PLANNERS_FILE_ENV = "MAPPER_PLANNERS_FILE"
PLANNER_EMAILS_ENV = "MAPPER_PLANNER_EMAILS"
OVERPASS_URL_ENV = "MAPPER_OVERPASS_URL"
NOMINATIM_URL_ENV = "MAPPER_NOMINATIM_URL"
ONLINE_TIMEOUT_S_ENV = "MAPPER_ONLINE_TIMEOUT_S"
OSMNX_CACHE_ENV = "MAPPER_OSMNX_CACHE"

#: Every variable :meth:`Settings.from_env` reads.
VARIABLES = (
    DATA_DIR_ENV,
    RUNTIME_DIR_ENV,
    BUILD_DIR_ENV,
    MAX_UPLOAD_MB_ENV,
    DB_URL_ENV,
    PLANNERS_ENV,
    PLANNERS_FILE_ENV,
    PLANNER_EMAILS_ENV,
    OVERPASS_URL_ENV,
    NOMINATIM_URL_ENV,
    ONLINE_TIMEOUT_S_ENV,
    OSMNX_CACHE_ENV,
)

DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
DEFAULT_NOMINATIM_URL = "https://nominatim.openstreetmap.org/"
DEFAULT_ONLINE_TIMEOUT_S = 180
#: The SQLite store's file name under ``runtime_dir``.
DB_FILE = "mapper.sqlite3"


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    """Where the mapper reads and writes, the store it opens, who plans, and the online services.

    Attributes
    ----------
    root
        The project folder; the folders below default to places in it.
    data_dir
        The shipped ``.osm``/``.osm.pbf`` extracts the app offers (``$MAPPER_DATA_DIR``, ``data/osm``).
    runtime_dir
        What the running mapper keeps: edits, profiles, uploads, the SQLite store, the osmnx cache
        (``$MAPPER_RUNTIME_DIR``, ``runtime``).
    build_dir
        Where the app's city page looks for batch results (``$MAPPER_BUILD_DIR``, ``build``).
    max_upload_mb
        The app's upload limit in MB (``$MAPPER_MAX_UPLOAD_MB``, 50; the app caps it at Streamlit's).
    db_url
        The store's SQLAlchemy URL (``$MAPPER_DB_URL``, else ``runtime_dir/mapper.sqlite3``).
    planners
        ``name=hash`` entries separated by ``;`` or newlines (``$MAPPER_PLANNERS``, none).
    planners_file
        A TOML file with a ``[planners]`` table (``$MAPPER_PLANNERS_FILE``, none).
    planner_emails
        With OIDC sign-in, the lower-case e-mails that are planners (``$MAPPER_PLANNER_EMAILS``, comma-separated).
    overpass_url, nominatim_url
        The online services ``build --online`` asks (``$MAPPER_OVERPASS_URL``, ``$MAPPER_NOMINATIM_URL``).
    online_timeout_s
        How long an online request may take, in seconds (``$MAPPER_ONLINE_TIMEOUT_S``, 180).
    osmnx_cache
        osmnx's response cache (``$MAPPER_OSMNX_CACHE``, ``runtime_dir/osmnx-cache``).
    """

    root: Path
    data_dir: Path
    runtime_dir: Path
    build_dir: Path
    max_upload_mb: int
    db_url: str
    planners: str
    planners_file: Path | None
    planner_emails: frozenset[str]
    overpass_url: str
    nominatim_url: str
    online_timeout_s: int
    osmnx_cache: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, root: Path = PROJECT_ROOT) -> Settings:
        """Read the settings from ``environ`` (``os.environ`` when omitted); a variable set to blanks is unset.

        Parameters
        ----------
        environ
            The environment to read.
        root
            The project folder the defaults are rooted at.

        Raises
        ------
        DataError
            When a number (``MAPPER_MAX_UPLOAD_MB``, ``MAPPER_ONLINE_TIMEOUT_S``) is not a whole number.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: int) -> int:
            value = get(name)
            if value is None:
                return default
            try:
                return int(value)
            except ValueError:
                raise DataError("error.settings.integer", name=name, value=value, usual=default) from None

        def folder(name: str, default: Path) -> Path:
            value = get(name)
            return default if value is None else Path(value)

        runtime_dir = folder(RUNTIME_DIR_ENV, root / "runtime")
        planners_file = get(PLANNERS_FILE_ENV)
        return cls(
            root=root,
            data_dir=folder(DATA_DIR_ENV, root / "data" / "osm"),
            runtime_dir=runtime_dir,
            build_dir=folder(BUILD_DIR_ENV, root / "build"),
            max_upload_mb=number(MAX_UPLOAD_MB_ENV, DEFAULT_MAX_UPLOAD_MB),
            db_url=get(DB_URL_ENV) or sqlite_url(runtime_dir / DB_FILE),
            planners=env.get(PLANNERS_ENV, ""),
            planners_file=Path(planners_file) if planners_file else None,
            planner_emails=frozenset(
                e.strip().lower() for e in env.get(PLANNER_EMAILS_ENV, "").split(",") if e.strip()
            ),
            overpass_url=get(OVERPASS_URL_ENV) or DEFAULT_OVERPASS_URL,
            nominatim_url=get(NOMINATIM_URL_ENV) or DEFAULT_NOMINATIM_URL,
            online_timeout_s=number(ONLINE_TIMEOUT_S_ENV, DEFAULT_ONLINE_TIMEOUT_S),
            osmnx_cache=folder(OSMNX_CACHE_ENV, runtime_dir / "osmnx-cache"),
        )
