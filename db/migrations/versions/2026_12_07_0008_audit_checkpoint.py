"""Audit checkpoints: each commission chain's head (length and digest), kept by the scheduler and
sent to the CAN analysts, so deleting the newest audit entries is detected.

Revision ID: 0008_audit_checkpoint
Revises: 0007_merge
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_checkpoint"
down_revision: str | None = "0007_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("commission_id", "seq"),
    )
    op.create_index("ix_audit_checkpoint_commission_id", "audit_checkpoint", ["commission_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_checkpoint_commission_id", "audit_checkpoint")
    op.drop_table("audit_checkpoint")
