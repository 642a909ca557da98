"""Rounds: progress rounds, targets, answers, reminders, schedules, technical assistance, good practices.

Revision ID: 0006_rounds
Revises: 0004_agreements
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_rounds"
down_revision: str | None = "0004_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "progress_round",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("commission_id", "commission.id"),
        _ts("opened_at"),
        _fk("opened_by_id", "person.id", nullable=True),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("window_end", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("closed_at", nullable=True),
    )
    op.create_table(
        "round_schedule",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("commission_id", "commission.id"),
        sa.Column("day_of_month", sa.Integer, nullable=False),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("last_opened_on", sa.Date, nullable=True),
        sa.UniqueConstraint("commission_id"),
    )
    op.create_table(
        "round_target",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("round_id", "progress_round.id"),
        _fk("seat_id", "seat.id"),
        _fk("person_id", "person.id", nullable=True),
        sa.Column("agreement_ids", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("pending", sa.JSON, nullable=False),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.UniqueConstraint("round_id", "seat_id"),
    )
    op.create_table(
        "round_answer",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("target_id", "round_target.id"),
        _fk("agreement_id", "agreement.id"),
        sa.Column("outcome", sa.String(16), nullable=False),
        _fk("event_id", "agreement_event.id", nullable=True),
        sa.Column("progress_before", sa.Integer, nullable=True),
        sa.Column("progress_after", sa.Integer, nullable=True),
        sa.Column("blocker", sa.String(500), nullable=True),
        _ts("at"),
        sa.UniqueConstraint("target_id", "agreement_id"),
    )
    op.create_table(
        "round_reminder",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("target_id", "round_target.id"),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        _ts("sent_at"),
        sa.UniqueConstraint("target_id", "step", "person_id"),
    )
    op.create_table(
        "assistance_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(24), nullable=False, unique=True),
        _fk("commission_id", "commission.id"),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        _fk("requester_id", "person.id"),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("attachment_file_id", sa.String(200), nullable=True),
        sa.Column("attachment_name", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.String(2000), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("commission_id", "year", "seq"),
    )
    op.create_table(
        "assistance_event",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("request_id", "assistance_request.id"),
        _ts("at"),
        _fk("actor_id", "person.id", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
    )
    op.create_table(
        "good_practice",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("event_id", "agreement_event.id"),
        _fk("commission_id", "commission.id"),
        _fk("marked_by_id", "person.id", nullable=True),
        _ts("marked_at"),
        sa.UniqueConstraint("event_id"),
    )
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])


INDEXES = [
    ("progress_round", "commission_id"),
    ("progress_round", "opened_by_id"),
    ("round_schedule", "commission_id"),
    ("round_target", "round_id"),
    ("round_target", "seat_id"),
    ("round_target", "person_id"),
    ("round_answer", "target_id"),
    ("round_answer", "agreement_id"),
    ("round_answer", "event_id"),
    ("round_reminder", "target_id"),
    ("assistance_request", "commission_id"),
    ("assistance_request", "requester_id"),
    ("assistance_event", "request_id"),
    ("assistance_event", "actor_id"),
    ("good_practice", "event_id"),
    ("good_practice", "commission_id"),
    ("good_practice", "marked_by_id"),
]


def downgrade() -> None:
    for table in [
        "good_practice",
        "assistance_event",
        "assistance_request",
        "round_reminder",
        "round_answer",
        "round_target",
        "round_schedule",
        "progress_round",
    ]:
        op.drop_table(table)
