"""Participant codes of vote sessions (hashed with a per-session salt) and failed planner sign-ins.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vote_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_salt", sa.String(length=32), nullable=True))
    op.create_table(
        "participant_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["vote_sessions.id"], name=op.f("fk_participant_codes_session_id_vote_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_codes")),
        sa.UniqueConstraint("session_id", "code_hash", name="uq_participant_codes_once"),
    )
    with op.batch_alter_table("participant_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_codes_session_id"), ["session_id"], unique=False)
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    with op.batch_alter_table("signin_failures", schema=None) as batch_op:
        batch_op.create_index("ix_signin_failures_account_at", ["account", "at"], unique=False)
        batch_op.create_index("ix_signin_failures_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("signin_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_signin_failures_client_at")
        batch_op.drop_index("ix_signin_failures_account_at")
    op.drop_table("signin_failures")
    with op.batch_alter_table("participant_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_codes_session_id"))
    op.drop_table("participant_codes")
    with op.batch_alter_table("vote_sessions", schema=None) as batch_op:
        batch_op.drop_column("code_salt")
