"""Monitoring: incidents the platform administrator was told about, and daily checks already run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = ["MonitorEvent"]


class MonitorEvent(SQLModel, table=True):
    """One incident of a kind (its key numbers them: "1", "2", …; open until `closed_at`), or a
    run-once mark such as the daily audit verification (kind "audit-verify", key the date)."""

    __tablename__ = "monitor_event"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    key: str = Field(max_length=40)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
