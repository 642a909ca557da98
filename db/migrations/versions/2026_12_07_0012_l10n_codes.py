"""Spanish data shown to readers of other languages, stored as codes to render per reader.

`agreement.origin_item_position`: the agenda item an agreement was adopted in (with
`origin_session_id`), so «Sesión del …, punto N» is written in each reader's language.
`agreement_event.import_line`: the CSV line a change came from («importación CSV, línea N»).
Old rows are filled from their Spanish text; a non-working day added without a name stores an
empty label (shown as «día no laborable» per reader) instead of the Spanish default.

Revision ID: 0012_l10n_codes
Revises: 0011_fix14_attachment_kind
Create Date: 2026-12-07
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_l10n_codes"
down_revision: str | Sequence[str] | None = "0011_fix14_attachment_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORIGIN = re.compile(r"^Sesión del \d{4}-\d{2}-\d{2}, punto (\d+)$")
IMPORT = re.compile(r"^importación CSV, línea (\d+)$")


def upgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("origin_item_position", sa.Integer, nullable=True))
    with op.batch_alter_table("agreement_event") as batch:
        batch.add_column(sa.Column("import_line", sa.Integer, nullable=True))
    db = op.get_bind()
    agreements = db.execute(
        sa.text("SELECT id, origin_label FROM agreement WHERE origin_session_id IS NOT NULL")
    ).all()
    for row_id, label in agreements:
        if label and (found := ORIGIN.match(label)):
            db.execute(
                sa.text("UPDATE agreement SET origin_item_position = :n WHERE id = :id"),
                {"n": int(found.group(1)), "id": row_id},
            )
    events = db.execute(
        sa.text("SELECT id, note FROM agreement_event WHERE note LIKE 'importación CSV, línea %'")
    ).all()
    for row_id, note in events:
        if found := IMPORT.match(note):
            db.execute(
                sa.text("UPDATE agreement_event SET import_line = :n WHERE id = :id"),
                {"n": int(found.group(1)), "id": row_id},
            )
    db.execute(sa.text("UPDATE non_working_day SET label = '' WHERE label = 'día no laborable'"))


def downgrade() -> None:
    db = op.get_bind()
    db.execute(sa.text("UPDATE non_working_day SET label = 'día no laborable' WHERE label = ''"))
    with op.batch_alter_table("agreement_event") as batch:
        batch.drop_column("import_line")
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("origin_item_position")
