"""Rounds tables (see the rounds issue): progress rounds, their targets, chasing, technical
assistance requests and good practices.

A round's answers are progress updates of the agreements register (`agreement_event`); a
`RoundAnswer` only links the round to that event (or says "no change" / "skipped") and keeps the
blocker the liaison named.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk
from db.models.delivery import FileKind
from db.types import StrEnumType, UTCDateTime

__all__ = [
    "AssistanceEvent",
    "AssistanceRequest",
    "AssistanceStatus",
    "AssistanceTopic",
    "GoodPractice",
    "ProgressRound",
    "RoundAnswer",
    "RoundOutcome",
    "RoundReminder",
    "RoundSchedule",
    "RoundStatus",
    "RoundTarget",
]


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RoundOutcome(StrEnum):
    UPDATED = "updated"
    NO_CHANGE = "no_change"
    SKIPPED = "skipped"


class AssistanceStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class AssistanceTopic(StrEnum):
    AGREEMENTS = "agreements"
    SESSIONS = "sessions"
    RULES = "rules"
    TRAINING = "training"
    OTHER = "other"


class ProgressRound(SQLModel, table=True):
    """One round of a commission: opened, answered within a window of business days, closed."""

    __tablename__ = "progress_round"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    opened_at: datetime = Field(sa_type=UTCDateTime)
    opened_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    window_days: int = 5
    window_end: date  # the last Lima day to answer (a business day)
    status: RoundStatus = Field(default=RoundStatus.OPEN, sa_type=StrEnumType(RoundStatus, 16))
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoundSchedule(SQLModel, table=True):
    """A commission's recurring round: monthly, on a day of the month, with its window."""

    __tablename__ = "round_schedule"
    __table_args__ = (UniqueConstraint("commission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    day_of_month: int
    window_days: int = 5
    last_opened_on: date | None = None


class RoundTarget(SQLModel, table=True):
    """One institution (seat) asked in a round, its liaison, and where the liaison is."""

    __tablename__ = "round_target"
    __table_args__ = (UniqueConstraint("round_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=_fk("progress_round.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))
    person_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    agreement_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0  # index in agreement_ids of the agreement being answered
    step: str = Field(default="status", max_length=16)  # status | percent | note | blocker | evidence
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoundAnswer(SQLModel, table=True):
    """What a liaison answered on one agreement in a round (the update itself is the event)."""

    __tablename__ = "round_answer"
    __table_args__ = (UniqueConstraint("target_id", "agreement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(sa_column=_fk("round_target.id"))
    agreement_id: int = Field(sa_column=_fk("agreement.id"))
    outcome: RoundOutcome = Field(sa_type=StrEnumType(RoundOutcome, 16))
    event_id: int | None = Field(default=None, sa_column=_fk("agreement_event.id", nullable=True))
    progress_before: int | None = None
    progress_after: int | None = None
    blocker: str | None = Field(default=None, max_length=500)
    at: datetime = Field(sa_type=UTCDateTime)


class RoundReminder(SQLModel, table=True):
    """A reminder or escalation already sent about a target: the key makes each happen once."""

    __tablename__ = "round_reminder"
    __table_args__ = (UniqueConstraint("target_id", "step", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(sa_column=_fk("round_target.id"))
    step: str = Field(max_length=16)  # half | last_day | escalation
    person_id: int
    sent_at: datetime = Field(sa_type=UTCDateTime)


class AssistanceRequest(SQLModel, table=True):
    """A technical assistance request to the CAN: `AT-CUS-2026-003`."""

    __tablename__ = "assistance_request"
    __table_args__ = (UniqueConstraint("commission_id", "year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    year: int
    seq: int
    requester_id: int = Field(sa_column=_fk("person.id"))
    topic: AssistanceTopic = Field(sa_type=StrEnumType(AssistanceTopic, 16))
    text: str = Field(max_length=2000)
    attachment_file_id: str | None = Field(default=None, max_length=200)
    attachment_name: str | None = Field(default=None, max_length=200)
    # How the file is sent back (a photo cannot go as a document).
    attachment_kind: FileKind = Field(
        default=FileKind.DOCUMENT,
        sa_type=StrEnumType(FileKind, 16),
        sa_column_kwargs={"server_default": FileKind.DOCUMENT.value},
    )
    status: AssistanceStatus = Field(
        default=AssistanceStatus.RECEIVED, sa_type=StrEnumType(AssistanceStatus, 16)
    )
    answer: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AssistanceEvent(SQLModel, table=True):
    """The history of a request: each status change, who, when, with the answer given."""

    __tablename__ = "assistance_event"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(sa_column=_fk("assistance_request.id"))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    status: AssistanceStatus = Field(sa_type=StrEnumType(AssistanceStatus, 16))
    note: str | None = Field(default=None, max_length=2000)


class GoodPractice(SQLModel, table=True):
    """A progress update the secretary marked as a good practice, shared with the CAN."""

    __tablename__ = "good_practice"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=_fk("agreement_event.id"))
    commission_id: int = Field(sa_column=_fk("commission.id"))
    marked_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    marked_at: datetime = Field(sa_type=UTCDateTime)
