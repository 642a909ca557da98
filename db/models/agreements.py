"""Agreements tables (see the agreements issue): the register, its history, drafts and reminders.

`origin_session_id` is a plain integer: the sessions tables belong to another feature.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk, utcnow
from db.types import StrEnumType, UTCDateTime

__all__ = [
    "Agreement",
    "AgreementEvent",
    "AgreementEventKind",
    "AgreementReminder",
    "AgreementRules",
    "AgreementSeat",
    "AgreementStatus",
    "EvidenceKind",
    "ProgressDraft",
]


class AgreementStatus(StrEnum):
    PENDING = "pendiente"
    IN_PROGRESS = "en_curso"
    DONE = "cumplido"
    CANCELLED = "cancelado"


class AgreementEventKind(StrEnum):
    CREATED = "created"
    IMPORTED = "imported"
    EDITED = "edited"
    RESCHEDULED = "rescheduled"
    PROGRESS = "progress"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"  # a step of the overdue ladder (note: liaison|secretary|member|can)
    DEADLINE_ASKED = "deadline_asked"  # a liaison asks for a new deadline (new_deadline, note)
    DEADLINE_REFUSED = "deadline_refused"  # the secretary refused such a request


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    LINK = "link"


class Agreement(SQLModel, table=True):
    """One acuerdo: code `CUS-2026-007` (commission, Lima year, sequence per commission and year)."""

    __table_args__ = (UniqueConstraint("commission_id", "year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    code: str = Field(max_length=20, unique=True)
    year: int
    seq: int
    text: str = Field(max_length=2000)
    indicator: str | None = Field(default=None, max_length=500)
    origin_session_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    origin_label: str | None = Field(default=None, max_length=200)
    # With origin_session_id: the agenda item's number, so the origin is shown in each reader's language.
    origin_item_position: int | None = None
    status: AgreementStatus = Field(default=AgreementStatus.PENDING, sa_type=StrEnumType(AgreementStatus, 16))
    progress: int = 0
    original_deadline: date
    deadline: date
    cancel_reason: str | None = Field(default=None, max_length=500)
    # Set when the escalation ladder's last step is reached; the CAN digest reads it.
    flagged_for_can_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgreementSeat(SQLModel, table=True):
    """A responsible institution (its seat in the commission) of an agreement."""

    __tablename__ = "agreement_seat"
    __table_args__ = (UniqueConstraint("agreement_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(sa_column=_fk("agreement.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))


class AgreementEvent(SQLModel, table=True):
    """The history: every change and progress update, who, when, what, with its evidence."""

    __tablename__ = "agreement_event"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(sa_column=_fk("agreement.id"))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    kind: AgreementEventKind = Field(sa_type=StrEnumType(AgreementEventKind, 16))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    status: AgreementStatus | None = Field(default=None, sa_type=StrEnumType(AgreementStatus, 16))
    progress: int | None = None
    note: str | None = Field(default=None, max_length=1000)
    old_deadline: date | None = None
    new_deadline: date | None = None
    agreed_by: str | None = Field(default=None, max_length=200)
    evidence_kind: EvidenceKind | None = Field(default=None, sa_type=StrEnumType(EvidenceKind, 16))
    evidence_file_id: str | None = Field(default=None, max_length=200)
    evidence_name: str | None = Field(default=None, max_length=200)
    evidence_mime: str | None = Field(default=None, max_length=100)
    evidence_size: int | None = None
    evidence_link: str | None = Field(default=None, max_length=500)
    # Set when the change came from a CSV import: its line (shown per reader; `note` keeps the Spanish).
    import_line: int | None = None


class ProgressDraft(SQLModel, table=True):
    """A `/avance` answered half-way: kept so the liaison continues where they left off."""

    __tablename__ = "progress_draft"
    __table_args__ = (UniqueConstraint("person_id", "commission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=_fk("person.id"))
    commission_id: int = Field(sa_column=_fk("commission.id"))
    agreement_id: int = Field(sa_column=_fk("agreement.id"))
    step: str = Field(max_length=16)  # status | percent | note | evidence
    status: AgreementStatus | None = Field(default=None, sa_type=StrEnumType(AgreementStatus, 16))
    progress: int | None = None
    note: str | None = Field(default=None, max_length=1000)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AgreementReminder(SQLModel, table=True):
    """A reminder or escalation step already taken: the key makes each happen once."""

    __tablename__ = "agreement_reminder"
    __table_args__ = (UniqueConstraint("agreement_id", "deadline", "step", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(sa_column=_fk("agreement.id"))
    deadline: date  # the deadline it was about: a reschedule starts the ladder again
    step: str = Field(max_length=24)  # before_7, before_1, overdue_liaison, …, can_flag
    # 0 for steps that address nobody (the CAN flag), so the unique key holds on every backend.
    person_id: int = 0
    sent_at: datetime = Field(sa_type=UTCDateTime)


class AgreementRules(SQLModel, table=True):
    """A commission's reminder and escalation delays (days); absent means the defaults."""

    __tablename__ = "agreement_rules"
    __table_args__ = (UniqueConstraint("commission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
