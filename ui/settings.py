"""The app's settings: where shipped extracts, runtime files and batch results live, and the upload limit.

Read from the environment once per script run (:meth:`pipeline.core.settings.Settings.from_env`), so tests
can point the app at their own folders: ``MAPPER_DATA_DIR`` (the shipped ``.osm``/``.osm.pbf`` extracts,
default ``data/osm``), ``MAPPER_RUNTIME_DIR`` (edits, profiles and uploads, git-ignored, default
``runtime``), ``MAPPER_BUILD_DIR`` (batch results, default ``build``) and ``MAPPER_MAX_UPLOAD_MB``
(default 50, never above ``server.maxUploadSize``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.settings import DEFAULT_MAX_UPLOAD_MB, PROJECT_ROOT
from pipeline.core.settings import Settings as MapperSettings

ROOT = PROJECT_ROOT
DEMO_EXTRACT = "beijing_haidian_qinghua-east-rd.osm"
DEMO_COMPOUND = "way/595108678"


@dataclass(frozen=True)
class Settings:
    """Folders and limits of one running app."""

    data_dir: Path
    runtime_dir: Path
    max_upload_mb: int
    build_dir: Path = PROJECT_ROOT / "build"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded extracts are kept, named by their content's hash."""
        return self.runtime_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024


def load_settings(server_limit_mb: int = DEFAULT_MAX_UPLOAD_MB) -> Settings:
    """Return the settings from the environment; the upload limit is capped at the server's."""
    env = MapperSettings.from_env()
    return Settings(
        data_dir=env.data_dir,
        runtime_dir=env.runtime_dir,
        max_upload_mb=max(1, min(env.max_upload_mb, server_limit_mb)),
        build_dir=env.build_dir,
    )
