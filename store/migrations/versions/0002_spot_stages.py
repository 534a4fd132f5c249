"""A spot's life: one row per change of its stage (open -> confirmed -> planned -> in progress -> done, or closed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "spot_stages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('open', 'confirmed', 'planned', 'in_progress', 'done', 'closed')",
            name=op.f("ck_spot_stages_stage"),
        ),
        sa.ForeignKeyConstraint(["spot_id"], ["spots.id"], name=op.f("fk_spot_stages_spot_id_spots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_stages")),
    )
    with op.batch_alter_table("spot_stages", schema=None) as batch_op:
        batch_op.create_index("ix_spot_stages_spot_at", ["spot_id", "at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("spot_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_spot_stages_spot_at")
    op.drop_table("spot_stages")
