"""The web side's tables: what each commission publishes, and passwordless web logins.

A login link from `/panel` and the browser session it opens are both a `WebToken`: only the
SHA-256 of the secret is stored (like invitations), with its expiry and, for a link, when it was used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk, utcnow
from db.types import UTCDateTime

__all__ = ["IndicatorSnapshot", "PublicationSetting", "WebToken"]


class PublicationSetting(SQLModel, table=True):
    """A commission's publication choice on the public pages; absent means published."""

    __tablename__ = "publication_setting"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(
        sa_column=Column(Integer, ForeignKey("commission.id"), unique=True, nullable=False)
    )
    published: bool = True
    updated_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebToken(SQLModel, table=True):
    """A one-time login link (`kind` "link") or a browser session (`kind` "session")."""

    __tablename__ = "web_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)
    person_id: int = Field(sa_column=_fk("person.id"))
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IndicatorSnapshot(SQLModel, table=True):
    """One commission's indicators for a closed period, stored when it closed: a past period shows
    what it showed then, not today's statuses (bot/workflows/reports/snapshots.py)."""

    __tablename__ = "indicator_snapshot"
    __table_args__ = (UniqueConstraint("period", "commission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16)  # 2026-11, 2026-T3, 2026
    commission_id: int = Field(sa_column=_fk("commission.id"))
    stored_at: datetime = Field(sa_type=UTCDateTime)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
