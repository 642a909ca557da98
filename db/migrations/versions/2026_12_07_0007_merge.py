"""Merge the four feature heads into one: from here on the history is linear and upgrades target "head".

Nothing changes in the schema; databases already at the four heads just record this revision.

Revision ID: 0007_merge
Revises: 0004_sessions, 0005_security, 0006_reports, 0006_rounds
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007_merge"
down_revision: str | Sequence[str] | None = ("0004_sessions", "0005_security", "0006_reports", "0006_rounds")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
