"""Residents' problem spots, supports and the Open Space vote, on SQLite or PostgreSQL.

The pages call these functions and show what they return; nothing here imports streamlit.

Open a store once per process (``Store(url)``; the URL defaults to ``$MAPPER_DB_URL``, else
``runtime/mapper.sqlite3``), then:

- residents (a :class:`Resident`: a secret session key from :func:`new_resident_key` plus a
  pseudonym): :func:`add_spot`, :func:`suggest_support`, :func:`support_spot`,
  :func:`edit_spot`, :func:`remove_spot`, :func:`cast_ballot`;
- everyone: :func:`list_spots`, :func:`get_spot`, :func:`get_photo`, :func:`list_sessions`,
  :func:`list_topics`, :func:`get_results`, :func:`spots_from_store` (a compound's spots with their
  votes, for coverage and sites), and :mod:`store.geo` for map frames and blurring;
- planners (a :class:`Planner` from :func:`sign_in`, which throttles failures in the store): :func:`hide_spot`,
  :func:`restore_spot`, :func:`merge_spots`, :func:`open_session`, :func:`add_topic`,
  :func:`add_topics_from_spots`, :func:`merge_topics`, :func:`issue_codes` (participant codes, one
  ballot each), :func:`enter_paper_ballot`,
  :func:`close_session`, :func:`import_spots_csv`, :func:`export_spots_csv`,
  :func:`list_audit`.
"""

from __future__ import annotations

from pipeline.core.spots import SpotCategory, parse_spot_category
from store.audit import AuditRecord, list_audit
from store.auth import authenticate, hash_password, load_planners, sign_in, verify_password
from store.csvio import ImportReport, export_spots_csv, import_spots_csv, spots_to_csv
from store.db import Store, upgrade_schema
from store.errors import (
    AuthError,
    ConflictError,
    DataError,
    MapperError,
    NotFoundError,
    PermissionDeniedError,
    PhotoError,
    RateLimitError,
    StoreError,
)
from store.geo import spots_from_store
from store.identity import Planner, Resident, new_resident_key
from store.moderation import hide_spot, merge_spots, restore_spot
from store.photos import CleanPhoto, clean_photo
from store.records import (
    SessionRecord,
    SimilarSpot,
    SpotRecord,
    TopicRecord,
    TopicResult,
    VoteResults,
)
from store.settings import StoreSettings, default_db_url
from store.spots import (
    MODERATION,
    add_spot,
    count_spots,
    edit_spot,
    get_photo,
    get_spot,
    list_spots,
    remove_spot,
    suggest_support,
    support_spot,
)
from store.votes import (
    add_topic,
    add_topics_from_spots,
    cast_ballot,
    close_session,
    code_has_voted,
    codes_to_csv,
    count_codes,
    enter_paper_ballot,
    get_results,
    get_session,
    issue_codes,
    list_sessions,
    list_topics,
    merge_topics,
    open_session,
    results_to_csv,
    vote_numbers,
)

__all__ = [
    "MODERATION",
    "AuditRecord",
    "AuthError",
    "CleanPhoto",
    "ConflictError",
    "DataError",
    "ImportReport",
    "MapperError",
    "NotFoundError",
    "PermissionDeniedError",
    "PhotoError",
    "Planner",
    "RateLimitError",
    "Resident",
    "SessionRecord",
    "SimilarSpot",
    "SpotCategory",
    "SpotRecord",
    "Store",
    "StoreError",
    "StoreSettings",
    "TopicRecord",
    "TopicResult",
    "VoteResults",
    "add_spot",
    "add_topic",
    "add_topics_from_spots",
    "authenticate",
    "cast_ballot",
    "clean_photo",
    "close_session",
    "code_has_voted",
    "codes_to_csv",
    "count_codes",
    "count_spots",
    "default_db_url",
    "edit_spot",
    "enter_paper_ballot",
    "export_spots_csv",
    "get_photo",
    "get_results",
    "get_session",
    "get_spot",
    "hash_password",
    "hide_spot",
    "import_spots_csv",
    "issue_codes",
    "list_audit",
    "list_sessions",
    "list_spots",
    "list_topics",
    "load_planners",
    "merge_spots",
    "merge_topics",
    "new_resident_key",
    "open_session",
    "parse_spot_category",
    "remove_spot",
    "restore_spot",
    "results_to_csv",
    "sign_in",
    "spots_from_store",
    "spots_to_csv",
    "suggest_support",
    "support_spot",
    "upgrade_schema",
    "verify_password",
    "vote_numbers",
]
