"""Outbox priority: replies to the person who just wrote are claimed before bulk notices.

A `priority` column (0 reply, 1 notice; existing rows are notices) and the claim's partial index
on (priority, id) over open rows only, so the claim stays cheap however many sent rows are kept.

Revision ID: 0010_outbox_priority
Revises: 0009_monitoring
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_outbox_priority"
down_revision: str | Sequence[str] | None = "0009_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ROWS = "status IN ('pending', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.SmallInteger, nullable=False, server_default="1"))
    op.create_index(
        "ix_outbox_claim",
        "outbox",
        ["priority", "id"],
        postgresql_where=sa.text(OPEN_ROWS),
        sqlite_where=sa.text(OPEN_ROWS),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
