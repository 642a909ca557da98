"""Agreements: the register, responsible seats, history, progress drafts, reminders, rules.

Revision ID: 0004_agreements
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_agreements"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("commission_id", "commission.id"),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("indicator", sa.String(500), nullable=True),
        sa.Column("origin_session_id", sa.Integer, nullable=True),
        sa.Column("origin_label", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("original_deadline", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        _ts("flagged_for_can_at", nullable=True),
        _fk("created_by_id", "person.id", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("closed_at", nullable=True),
        sa.UniqueConstraint("commission_id", "year", "seq"),
    )
    op.create_table(
        "agreement_seat",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("agreement_id", "agreement.id"),
        _fk("seat_id", "seat.id"),
        sa.UniqueConstraint("agreement_id", "seat_id"),
    )
    op.create_table(
        "agreement_event",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("agreement_id", "agreement.id"),
        _ts("at"),
        _fk("actor_id", "person.id", nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        _fk("seat_id", "seat.id", nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("progress", sa.Integer, nullable=True),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("old_deadline", sa.Date, nullable=True),
        sa.Column("new_deadline", sa.Date, nullable=True),
        sa.Column("agreed_by", sa.String(200), nullable=True),
        sa.Column("evidence_kind", sa.String(16), nullable=True),
        sa.Column("evidence_file_id", sa.String(200), nullable=True),
        sa.Column("evidence_name", sa.String(200), nullable=True),
        sa.Column("evidence_mime", sa.String(100), nullable=True),
        sa.Column("evidence_size", sa.Integer, nullable=True),
        sa.Column("evidence_link", sa.String(500), nullable=True),
    )
    op.create_table(
        "progress_draft",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("person_id", "person.id"),
        _fk("commission_id", "commission.id"),
        _fk("agreement_id", "agreement.id"),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("progress", sa.Integer, nullable=True),
        sa.Column("note", sa.String(1000), nullable=True),
        _ts("updated_at"),
        sa.UniqueConstraint("person_id", "commission_id"),
    )
    op.create_table(
        "agreement_reminder",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("agreement_id", "agreement.id"),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        _ts("sent_at"),
        sa.UniqueConstraint("agreement_id", "deadline", "step", "person_id"),
    )
    op.create_table(
        "agreement_rules",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("commission_id", "commission.id"),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.UniqueConstraint("commission_id"),
    )
    for table, column in [
        ("agreement", "commission_id"),
        ("agreement", "created_by_id"),
        ("agreement_seat", "agreement_id"),
        ("agreement_seat", "seat_id"),
        ("agreement_event", "agreement_id"),
        ("agreement_event", "actor_id"),
        ("agreement_event", "seat_id"),
        ("progress_draft", "person_id"),
        ("progress_draft", "commission_id"),
        ("progress_draft", "agreement_id"),
        ("agreement_reminder", "agreement_id"),
        ("agreement_rules", "commission_id"),
    ]:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in [
        "agreement_rules",
        "agreement_reminder",
        "progress_draft",
        "agreement_event",
        "agreement_seat",
        "agreement",
    ]:
        op.drop_table(table)
