"""Settings of the store: a frozen dataclass passed in explicitly, never module state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.core.settings import DB_URL_ENV, PROJECT_ROOT, Settings

__all__ = ["DB_URL_ENV", "PROJECT_ROOT", "StoreSettings", "default_db_url", "utcnow"]


def utcnow() -> datetime:
    """Return the current time in UTC as a naive datetime (how the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def default_db_url(env: Mapping[str, str] | None = None) -> str:
    """Return the database URL: ``$MAPPER_DB_URL``, else ``mapper.sqlite3`` in the runtime folder.

    The value of :attr:`pipeline.core.settings.Settings.db_url`.

    Parameters
    ----------
    env
        The environment to read; ``os.environ`` when omitted.

    Returns
    -------
    str
        A SQLAlchemy URL, e.g. ``sqlite:////abs/path/runtime/mapper.sqlite3``.
    """
    return Settings.from_env(env).db_url


@dataclass(frozen=True)
class StoreSettings:
    """Limits and defaults of the store.

    Attributes
    ----------
    spots_per_hour
        Spots one resident may add in any 60 minutes; ``0`` turns the limit off.
    max_text_chars, max_pseudonym_chars
        Longest spot text and pseudonym, in characters.
    max_photo_bytes, max_photo_pixels
        Largest upload accepted, in bytes and in decoded pixels (width × height).
    photo_max_side_px, thumb_side_px, jpeg_quality
        The stored photo and its thumbnail are re-encoded as JPEG no larger than these sides.
    busy_timeout_ms
        How long a SQLite writer waits for the write lock in one attempt.
    write_attempts, write_backoff_s
        Attempts to take the write lock before giving up with one line (nothing written), and the
        pause after the first failed attempt (doubled after each).
    near_asset_m
        A spot is linked to the nearest numbered asset within this distance.
    similar_spot_m
        A new spot within this distance of an open spot of the same category suggests
        supporting that one instead.
    blur_cell_m
        Grid size for the public map's blurred locations.
    default_dots, default_top_n
        Dots each participant gets, and how many topics the results call the top.
    clock
        Returns the current UTC time (naive); tests pass a fixed clock.
    """

    spots_per_hour: int = 10
    max_text_chars: int = 500
    max_pseudonym_chars: int = 40
    max_photo_bytes: int = 15 * 1024 * 1024
    max_photo_pixels: int = 50_000_000
    photo_max_side_px: int = 1600
    thumb_side_px: int = 320
    jpeg_quality: int = 85
    busy_timeout_ms: int = 30_000
    write_attempts: int = 4
    write_backoff_s: float = 1.0
    near_asset_m: float = 30.0
    similar_spot_m: float = 25.0
    blur_cell_m: float = 50.0
    default_dots: int = 3
    default_top_n: int = 5
    clock: Callable[[], datetime] = field(default=utcnow, compare=False)
