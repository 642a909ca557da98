"""Reports: the record of digests queued per period and person.

Revision ID: 0006_reports
Revises: 0004_agreements
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reports"
down_revision: str | None = "0004_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "period", "commission_id", "person_id"),
    )
    op.create_index("ix_report_delivery_commission_id", "report_delivery", ["commission_id"])
    op.create_index("ix_report_delivery_person_id", "report_delivery", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_report_delivery_person_id", "report_delivery")
    op.drop_index("ix_report_delivery_commission_id", "report_delivery")
    op.drop_table("report_delivery")
