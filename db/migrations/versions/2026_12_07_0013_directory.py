"""Directory (issue 16): ended memberships, successions, designation documents, contact checks.

Revision ID: 0013_directory
Revises: 0012_l10n_codes
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_directory"
down_revision: str | Sequence[str] | None = "0012_l10n_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer,
        sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}"),
        nullable=nullable,
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "membership_end",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("membership_end", "commission_id", "commission"),
        _fk("membership_end", "person_id", "person"),
        sa.Column("role", sa.String(16), nullable=False),
        _fk("membership_end", "seat_id", "seat", nullable=True),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        _fk("membership_end", "recorded_by_id", "person", nullable=True),
        sa.Column("recorded_at", WHEN, nullable=False),
        _fk("membership_end", "successor_id", "person", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_membership_end"),
    )
    _indexes("membership_end", "commission_id", "person_id", "seat_id", "recorded_by_id", "successor_id")
    op.create_table(
        "succession",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("succession", "commission_id", "commission"),
        sa.Column(
            "invitation_id",
            sa.Integer,
            sa.ForeignKey("invitation.id", name="fk_succession_invitation_id_invitation"),
            nullable=False,
        ),
        _fk("succession", "predecessor_id", "person"),
        sa.Column("role", sa.String(16), nullable=False),
        _fk("succession", "seat_id", "seat", nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("completed_at", WHEN, nullable=True),
        _fk("succession", "successor_id", "person", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_succession"),
        sa.UniqueConstraint("invitation_id", name="uq_succession_invitation_id"),
    )
    _indexes("succession", "commission_id", "predecessor_id", "seat_id", "successor_id")
    op.create_table(
        "member_document",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("member_document", "commission_id", "commission"),
        _fk("member_document", "person_id", "person"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=True),
        _fk("member_document", "added_by_id", "person", nullable=True),
        sa.Column("added_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_member_document"),
        sa.UniqueConstraint(
            "commission_id", "person_id", "kind", name="uq_member_document_commission_id_person_id_kind"
        ),
    )
    _indexes("member_document", "commission_id", "person_id", "added_by_id")
    op.create_table(
        "directory_settings",
        sa.Column(
            "commission_id",
            sa.Integer,
            sa.ForeignKey("commission.id", name="fk_directory_settings_commission_id_commission"),
            nullable=False,
        ),
        sa.Column("confirm_every_months", sa.Integer, nullable=False),
        sa.Column("presidency_starts_on", sa.Date, nullable=True),
        sa.Column("presidency_ends_on", sa.Date, nullable=True),
        sa.Column("presidency_reminded", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("commission_id", name="pk_directory_settings"),
    )
    op.create_table(
        "contact_check",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("contact_check", "commission_id", "commission"),
        _fk("contact_check", "seat_id", "seat"),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("asked_at", WHEN, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered_at", WHEN, nullable=True),
        _fk("contact_check", "answered_by_id", "person", nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("reminded", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contact_check"),
        sa.UniqueConstraint("seat_id", "period", name="uq_contact_check_seat_id_period"),
    )
    _indexes("contact_check", "commission_id", "seat_id", "answered_by_id")


def downgrade() -> None:
    for table in ("contact_check", "directory_settings", "member_document", "succession", "membership_end"):
        op.drop_table(table)
