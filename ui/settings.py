"""The app's settings: where shipped extracts and runtime files live, and the upload limit.

Read from the environment once per script run, so tests can point the app at their own folders:
``MAPPER_DATA_DIR`` (the shipped ``.osm``/``.osm.pbf`` extracts, default ``data/osm``),
``MAPPER_RUNTIME_DIR`` (edits, profiles and uploads, git-ignored, default ``runtime``) and
``MAPPER_MAX_UPLOAD_MB`` (default 50, never above ``server.maxUploadSize``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_EXTRACT = "beijing_haidian_qinghua-east-rd.osm"
DEMO_COMPOUND = "way/595108678"
DEFAULT_MAX_UPLOAD_MB = 50


@dataclass(frozen=True)
class Settings:
    """Folders and limits of one running app."""

    data_dir: Path
    runtime_dir: Path
    max_upload_mb: int

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
    limit = int(os.environ.get("MAPPER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    return Settings(
        data_dir=Path(os.environ.get("MAPPER_DATA_DIR", ROOT / "data" / "osm")),
        runtime_dir=Path(os.environ.get("MAPPER_RUNTIME_DIR", ROOT / "runtime")),
        max_upload_mb=max(1, min(limit, server_limit_mb)),
    )
