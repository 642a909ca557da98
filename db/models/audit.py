"""The audit trail: append-only, hash-chained per commission (see bot/workflows/audit.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk
from db.types import UTCDateTime

__all__ = ["AuditEntry"]


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, from what to what. `digest` chains each entry to the previous one
    of its commission, so an edited or deleted row breaks the chain where it happened."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("commission_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    seq: int  # 1, 2, 3… within the commission
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    actor_label: str = Field(max_length=120)  # the name at the time, or "cli" / "system"
    action: str = Field(max_length=64)  # e.g. "invitation.issued", "agreement.rescheduled"
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    previous_digest: str = Field(max_length=64)
    digest: str = Field(max_length=64)
