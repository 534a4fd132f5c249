"""What the store's functions return: plain frozen records, safe to cache and show.

They hold no database session, so a page can keep them in ``st.session_state`` or pass them to
a cached function. Resident text is kept exactly as written: escape it where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.core.spots import parse_spot_category
from pipeline.core.words import word
from store.geo import near_text
from store.identity import Resident


@dataclass(frozen=True)
class SpotRecord:
    """A resident's problem spot."""

    id: int
    compound_id: str
    lon: float
    lat: float
    category: str
    text: str
    author: str
    status: str
    supports: int
    has_photo: bool
    origin: str
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None
    merged_into_id: int | None = None
    near_label: str | None = None
    near_name: str | None = None
    near_source_id: str | None = None
    near_dist_m: float | None = None
    author_key_digest: str | None = field(default=None, repr=False, compare=False)

    def near(self, lang: str = "zh") -> str:
        """Return ``"近 7 · 畅乐园"`` / ``"near 7 · 畅乐园"``, or ``""`` when no asset is near."""
        return near_text(self.near_label, self.near_name, lang)

    def category_label(self, lang: str = "zh") -> str:
        """Return the category's name in ``lang`` (the catalogue's ``spot.category.<key>``)."""
        return word(f"spot.category.{parse_spot_category(self.category)}", lang)

    def is_by(self, resident: Resident | None) -> bool:
        """Return whether ``resident`` wrote this spot (and so may edit or remove it)."""
        return resident is not None and self.author_key_digest == resident.key_digest


@dataclass(frozen=True)
class SimilarSpot:
    """An open spot of the same category near a new one, to support instead of adding."""

    spot: SpotRecord
    dist_m: float


@dataclass(frozen=True)
class SessionRecord:
    """A vote session."""

    id: int
    compound_id: str
    title: str
    dots_per_participant: int
    ballot_mode: str
    top_n: int
    status: str
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    ballots: int


@dataclass(frozen=True)
class TopicRecord:
    """A topic of a vote session; ``supports`` counts distinct residents behind its spots."""

    id: int
    session_id: int
    title: str
    category: str | None
    status: str
    spot_ids: tuple[int, ...]
    supports: int
    merged_into_id: int | None = None


@dataclass(frozen=True)
class TopicResult:
    """One line of a closed session's results."""

    rank: int
    topic_id: int
    title: str
    category: str | None
    dots: int
    voters: int
    supports: int
    spot_ids: tuple[int, ...]
    top: bool


@dataclass(frozen=True)
class VoteResults:
    """The published results of a closed session.

    ``ranked`` lists every topic, most dots first (ties: more supports, then the older topic);
    ties in dots share a rank (1, 2, 2, 4). ``top`` is the first ``top_n`` of them.
    ``named_ballots`` is filled only for named sessions: ``(voter, {topic_id: dots})``.
    """

    session: SessionRecord
    ranked: tuple[TopicResult, ...]
    ballots: int
    dots_cast: int
    paper_ballots: int
    named_ballots: tuple[tuple[str, dict[int, int]], ...] = ()

    @property
    def top(self) -> tuple[TopicResult, ...]:
        """The top ``top_n`` topics."""
        return tuple(r for r in self.ranked if r.top)
