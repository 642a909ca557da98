"""Translation review in the chat: translator grants per language, copies of notices sent to readers
of other languages («Ver en español», «⚑»), readers' reports, and the reviewers' changes.

Revision ID: 0016_translations
Revises: 0015_live_screens
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_translations"
down_revision: str | Sequence[str] | None = "0015_live_screens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(name: str, *, nullable: bool, ondelete: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey("person.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "translator_grant",
        sa.Column("id", sa.Integer, primary_key=True),
        _person("person_id", nullable=False, ondelete="CASCADE"),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("person_id", "language"),
    )
    op.create_index("ix_translator_grant_person_id", "translator_grant", ["person_id"])
    op.create_table(
        "notice_copy",
        sa.Column("id", sa.Integer, primary_key=True),
        _person("person_id", nullable=False, ondelete="CASCADE"),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("msgid", sa.Text, nullable=False),
        sa.Column("spanish", sa.Text, nullable=False),
        sa.Column("legal", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notice_copy_person_id", "notice_copy", ["person_id"])
    op.create_index("ix_notice_copy_language_msgid", "notice_copy", ["language", "msgid"])
    op.create_table(
        "translation_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("msgid", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("suggestion", sa.Text, nullable=False),
        _person("reporter_id", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_translation_report_reporter_id", "translation_report", ["reporter_id"])
    op.create_index("ix_translation_report_open", "translation_report", ["language", "resolved_at"])
    op.create_table(
        "translation_change",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("msgid", sa.Text, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        _person("reviewer_id", nullable=True, ondelete="SET NULL"),
        sa.Column("reviewer_label", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_translation_change_reviewer_id", "translation_change", ["reviewer_id"])
    op.create_index("ix_translation_change_string", "translation_change", ["language", "msgid"])


def downgrade() -> None:
    for table in ("translation_change", "translation_report", "notice_copy", "translator_grant"):
        op.drop_table(table)
