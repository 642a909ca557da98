"""Sessions: rules and calendar per commission, sessions, agenda, RSVPs, attendance, votes, actas.

Revision ID: 0004_sessions
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sessions"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False, unique=True),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("group_chat_id", sa.BigInteger, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "non_working_day",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.UniqueConstraint("commission_id", "day"),
    )
    op.create_index("ix_non_working_day_commission_id", "non_working_day", ["commission_id"])
    op.create_table(
        "meeting_session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("notice_override_reason", sa.Text, nullable=True),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("previous_session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=True),
        sa.Column("ics_sequence", sa.Integer, nullable=False),
        sa.Column("convened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_call_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_call_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_meeting_session_commission_id", "meeting_session", ["commission_id"])
    op.create_index("ix_meeting_session_created_by_id", "meeting_session", ["created_by_id"])
    op.create_index("ix_meeting_session_previous_session_id", "meeting_session", ["previous_session_id"])
    op.create_table(
        "planned_session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("planned_on", sa.Date, nullable=False),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=True),
        sa.UniqueConstraint("commission_id", "planned_on"),
    )
    op.create_index("ix_planned_session_commission_id", "planned_session", ["commission_id"])
    op.create_index("ix_planned_session_session_id", "planned_session", ["session_id"])
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("needs_decision", sa.Boolean, nullable=False),
        sa.Column("owner_seat_id", sa.Integer, sa.ForeignKey("seat.id"), nullable=True),
        sa.Column("approves_acta_of_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=True),
        sa.Column("opinions", sa.Text, nullable=True),
        sa.Column("vote_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("adopted", sa.Boolean, nullable=True),
        sa.Column("casting_vote", sa.String(16), nullable=True),
        sa.UniqueConstraint("session_id", "position"),
    )
    op.create_index("ix_agenda_item_approves_acta_of_id", "agenda_item", ["approves_acta_of_id"])
    op.create_index("ix_agenda_item_owner_seat_id", "agenda_item", ["owner_seat_id"])
    op.create_index("ix_agenda_item_session_id", "agenda_item", ["session_id"])
    op.create_table(
        "agenda_document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("agenda_item.id"), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agenda_document_item_id", "agenda_document", ["item_id"])
    op.create_table(
        "session_invitee",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seat.id"), nullable=True),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("justification", sa.Text, nullable=True),
        sa.Column("alternate_name", sa.String(120), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("session_id", "person_id"),
    )
    op.create_index("ix_session_invitee_person_id", "session_invitee", ["person_id"])
    op.create_index("ix_session_invitee_seat_id", "session_invitee", ["seat_id"])
    op.create_index("ix_session_invitee_session_id", "session_invitee", ["session_id"])
    op.create_table(
        "session_reminder",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commission_id", sa.Integer, sa.ForeignKey("commission.id"), nullable=False),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_session_reminder_commission_id", "session_reminder", ["commission_id"])
    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=False),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seat.id"), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("justified", sa.Boolean, nullable=False),
        sa.Column("recorded_by_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "seat_id"),
    )
    op.create_index("ix_meeting_attendance_recorded_by_id", "meeting_attendance", ["recorded_by_id"])
    op.create_index("ix_meeting_attendance_seat_id", "meeting_attendance", ["seat_id"])
    op.create_index("ix_meeting_attendance_session_id", "meeting_attendance", ["session_id"])
    op.create_table(
        "meeting_vote",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("agenda_item.id"), nullable=False),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seat.id"), nullable=False),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "seat_id"),
    )
    op.create_index("ix_meeting_vote_item_id", "meeting_vote", ["item_id"])
    op.create_index("ix_meeting_vote_recorded_by_id", "meeting_vote", ["recorded_by_id"])
    op.create_index("ix_meeting_vote_seat_id", "meeting_vote", ["seat_id"])
    op.create_table(
        "session_acta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=False, unique=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_in_id", sa.Integer, sa.ForeignKey("meeting_session.id"), nullable=True),
    )
    op.create_index("ix_session_acta_approved_in_id", "session_acta", ["approved_in_id"])


def downgrade() -> None:
    op.drop_table("session_acta")
    op.drop_table("meeting_vote")
    op.drop_table("meeting_attendance")
    op.drop_table("session_reminder")
    op.drop_table("session_invitee")
    op.drop_table("agenda_document")
    op.drop_table("agenda_item")
    op.drop_table("planned_session")
    op.drop_table("meeting_session")
    op.drop_table("non_working_day")
    op.drop_table("session_settings")
