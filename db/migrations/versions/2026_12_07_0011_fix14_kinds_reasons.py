"""Attachment kind: a technical-assistance request's file is sent back with the method of its
kind (a photo with sendPhoto: Telegram refuses a photo's file id in sendDocument). Existing rows
are documents (until now a photo was stored but could not be opened).

Planned session reason: an ordinary session of the annual calendar on a non-working day, allowed
by the commission's rules (ordinaria_dia_inhabil), records why.

Revision ID: 0011_fix14_attachment_kind
Revises: 0010_outbox_priority
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_fix14_attachment_kind"
down_revision: str | Sequence[str] | None = "0010_outbox_priority"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_session") as batch:
        batch.add_column(sa.Column("reason", sa.String(1000), nullable=True))
    with op.batch_alter_table("assistance_request") as batch:
        batch.add_column(
            sa.Column("attachment_kind", sa.String(16), nullable=False, server_default="document")
        )
    # A stored photo had no name (documents always have one): give it its true kind.
    op.execute(
        "UPDATE assistance_request SET attachment_kind = 'photo' "
        "WHERE attachment_file_id IS NOT NULL AND attachment_name IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("assistance_request") as batch:
        batch.drop_column("attachment_kind")
    with op.batch_alter_table("planned_session") as batch:
        batch.drop_column("reason")
