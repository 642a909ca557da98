"""Screens that update in place: outbox rows that edit or delete a message may supersede each other
while pending (`coalesce_key`), and `live_screen` says which screen each message shows now. And
`chat_pace`: when each chat may get its next message, so that a row queued just after a send waits.

Revision ID: 0015_live_screens
Revises: 0014_web_portal
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_live_screens"
down_revision: str | Sequence[str] | None = "0014_web_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("coalesce_key", sa.String(64), nullable=True))
    op.create_table(
        "live_screen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("screen_key", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_live_screen_message", "live_screen", ["chat_id", "message_id"], unique=True)
    op.create_index("ix_live_screen_key", "live_screen", ["screen_key"])
    op.create_table(
        "chat_pace",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )


def downgrade() -> None:
    op.drop_table("chat_pace")
    op.drop_index("ix_live_screen_key", table_name="live_screen")
    op.drop_index("ux_live_screen_message", table_name="live_screen")
    op.drop_table("live_screen")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("coalesce_key")
