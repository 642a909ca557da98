"""The audit trail: append-only, hash-chained per commission (see bot/workflows/audit.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk
from db.types import UTCDateTime

__all__ = ["AuditCheckpoint", "AuditEntry"]


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


class AuditCheckpoint(SQLModel, table=True):
    """A commission chain's head (length and newest digest) at a moment, written only by the
    scheduler (no commission action writes or deletes it) and sent to the CAN analysts: deleting
    the newest entries no longer goes unnoticed (`verify_chain` compares with the latest one)."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (UniqueConstraint("commission_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    seq: int  # the chain's length then: its newest entry's seq
    digest: str = Field(max_length=64)  # that entry's digest
    at: datetime = Field(sa_type=UTCDateTime)
