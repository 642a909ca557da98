"""Sessions tables: per-commission rules and calendar, sessions, agenda, RSVPs, attendance, votes, actas.

Rules live in bot/workflows/sessions*.py; these classes only say what is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import _fk, utcnow
from db.types import StrEnumType, UTCDateTime

__all__ = [
    "AgendaDocument",
    "AgendaItem",
    "Answer",
    "CommissionSessionSettings",
    "MeetingAttendance",
    "MeetingSession",
    "MeetingVote",
    "NonWorkingDay",
    "PlannedSession",
    "SessionActa",
    "SessionInvitee",
    "SessionKind",
    "SessionReminder",
    "SessionStatus",
]


class SessionKind(StrEnum):
    ORDINARY = "ordinaria"
    EXTRAORDINARY = "extraordinaria"


class SessionStatus(StrEnum):
    PLANNED = "planned"  # scheduled, not yet convened
    CONVENED = "convened"
    INSTALLED = "installed"  # quorum reached at roll call, session under way
    FAILED_QUORUM = "failed_quorum"
    HELD = "held"  # closed after being installed
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    PENDING = "pending"
    ATTENDING = "attending"
    ABSENT = "absent"  # not attending, with a written justification
    ALTERNATE = "alternate"  # an accredited alternate goes instead (named)


class CommissionSessionSettings(SQLModel, table=True):
    """A commission's session rules (CommissionRules.to_dict(); law's defaults when absent) and group."""

    __tablename__ = "session_settings"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(
        sa_column=Column(Integer, ForeignKey("commission.id"), unique=True, nullable=False)
    )
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    group_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NonWorkingDay(SQLModel, table=True):
    """A regional holiday or public-sector día no laborable of one commission."""

    __tablename__ = "non_working_day"
    __table_args__ = (UniqueConstraint("commission_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    day: date
    label: str = Field(max_length=120)


class PlannedSession(SQLModel, table=True):
    """The annual calendar: an ordinary session the plan foresees on a date."""

    __tablename__ = "planned_session"
    __table_args__ = (UniqueConstraint("commission_id", "planned_on"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    planned_on: date
    session_id: int | None = Field(default=None, sa_column=_fk("meeting_session.id", nullable=True))
    # Why on a non-working day, when the commission's rules allow it (ordinaria_dia_inhabil).
    reason: str | None = Field(default=None, max_length=1000)


class MeetingSession(SQLModel, table=True):
    """One session of a commission, from its scheduling to its acta."""

    __tablename__ = "meeting_session"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    kind: SessionKind = Field(sa_type=StrEnumType(SessionKind, 16))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    place: str | None = Field(default=None, max_length=300)
    link: str | None = Field(default=None, max_length=500)
    status: SessionStatus = Field(default=SessionStatus.PLANNED, sa_type=StrEnumType(SessionStatus, 16))
    # An extraordinary session convened with less notice than the rule: why (recorded, audited).
    notice_override_reason: str | None = Field(default=None, sa_column=Column(Text))
    status_reason: str | None = Field(default=None, sa_column=Column(Text))  # postponed / cancelled
    previous_session_id: int | None = Field(default=None, sa_column=_fk("meeting_session.id", nullable=True))
    ics_sequence: int = 0
    convened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_call_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    second_call_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    installed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgendaItem(SQLModel, table=True):
    """A point of the orden del día, in order; the first approves the previous acta when there is one."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("meeting_session.id"))
    position: int
    title: str = Field(max_length=300)
    needs_decision: bool = False
    owner_seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    approves_acta_of_id: int | None = Field(default=None, sa_column=_fk("meeting_session.id", nullable=True))
    opinions: str | None = Field(default=None, sa_column=Column(Text))  # entered by the secretary
    vote_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    adopted: bool | None = None
    casting_vote: str | None = Field(default=None, max_length=16)


class AgendaDocument(SQLModel, table=True):
    """A file attached to an agenda item (Telegram keeps the bytes; we keep its file id)."""

    __tablename__ = "agenda_document"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(sa_column=_fk("agenda_item.id"))
    file_id: str = Field(max_length=200)
    file_name: str = Field(max_length=200)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionInvitee(SQLModel, table=True):
    """A person convened to a session and their answer (RSVP)."""

    __tablename__ = "session_invitee"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("meeting_session.id"))
    person_id: int = Field(sa_column=_fk("person.id"))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    answer: Answer = Field(default=Answer.PENDING, sa_type=StrEnumType(Answer, 16))
    justification: str | None = Field(default=None, sa_column=Column(Text))
    alternate_name: str | None = Field(default=None, max_length=120)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionReminder(SQLModel, table=True):
    """Something the scheduler sent once (reminder, alert, warning): its key is never sent again."""

    __tablename__ = "session_reminder"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    key: str = Field(max_length=120, unique=True)
    sent_at: datetime = Field(sa_type=UTCDateTime)


class MeetingAttendance(SQLModel, table=True):
    """A seat present or absent at a session's roll call."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("session_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_fk("meeting_session.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))
    present: bool
    justified: bool = False
    recorded_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class MeetingVote(SQLModel, table=True):
    """A seat's vote on an agenda item."""

    __tablename__ = "meeting_vote"
    __table_args__ = (UniqueConstraint("item_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(sa_column=_fk("agenda_item.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))
    vote: str = Field(max_length=16)  # bot.workflows.sessions.votes.Vote
    recorded_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class SessionActa(SQLModel, table=True):
    """The acta draft of a session (DOCX), and the session that approved it."""

    __tablename__ = "session_acta"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("meeting_session.id"), unique=True, nullable=False)
    )
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    generated_at: datetime = Field(sa_type=UTCDateTime)
    approved_in_id: int | None = Field(default=None, sa_column=_fk("meeting_session.id", nullable=True))
