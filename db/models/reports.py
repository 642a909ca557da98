"""Reports tables (see the reports issue): which digest went to whom, so none is sent twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk
from db.types import UTCDateTime

__all__ = ["ReportDelivery"]


class ReportDelivery(SQLModel, table=True):
    """A digest of one kind and period about one commission, queued for one person (once)."""

    __tablename__ = "report_delivery"
    __table_args__ = (UniqueConstraint("kind", "period", "commission_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # weekly | monthly
    period: str = Field(max_length=16)  # 2026-W47, 2026-11
    # The commission the digest is about (the CAN for the national digest).
    commission_id: int = Field(sa_column=_fk("commission.id"))
    person_id: int = Field(sa_column=_fk("person.id"))
    sent_at: datetime = Field(sa_type=UTCDateTime)
