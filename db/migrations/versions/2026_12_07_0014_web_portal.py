"""The web side: each commission's publication choice, and passwordless web logins.

`publication_setting`: one row per commission that changed the default (published).
`web_token`: SHA-256 hashes of one-time login links and of browser sessions.
`indicator_snapshot`: each commission's indicators for a closed period, stored when it closed.

Revision ID: 0014_web_portal
Revises: 0013_directory
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_web_portal"
down_revision: str | Sequence[str] | None = "0013_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publication_setting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False, unique=True),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_publication_setting_updated_by_id", "publication_setting", ["updated_by_id"])
    op.create_table(
        "web_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_web_token_person_id", "web_token", ["person_id"])
    op.create_table(
        "indicator_snapshot",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.UniqueConstraint("period", "commission_id"),
    )
    op.create_index("ix_indicator_snapshot_commission_id", "indicator_snapshot", ["commission_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_snapshot_commission_id", "indicator_snapshot")
    op.drop_table("indicator_snapshot")
    op.drop_index("ix_web_token_person_id", "web_token")
    op.drop_table("web_token")
    op.drop_index("ix_publication_setting_updated_by_id", "publication_setting")
    op.drop_table("publication_setting")
