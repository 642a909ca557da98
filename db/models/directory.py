"""Directory tables (issue 16): memberships that ended, successions to a seat, the documents of a
designation, and each institution's confirmation of its contact points.

A membership that ends leaves `membership` (so every current-members query stays as it is) and is
kept here with its reason and date. Votes, attendance and RSVPs refer to the seat and the person
directly, so they keep the person who held the seat then.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.core import Role, _fk
from db.types import StrEnumType, UTCDateTime

__all__ = [
    "ContactCheck",
    "ContactCheckStatus",
    "DirectorySettings",
    "EndReason",
    "MemberDocument",
    "MemberDocumentKind",
    "MembershipEnd",
    "Succession",
]


class EndReason(StrEnum):
    REPLACED = "replaced"
    TERM_ENDED = "term_ended"
    RESIGNED = "resigned"
    OTHER = "other"


class MembershipEnd(SQLModel, table=True):
    """A membership that ended: who held which role for which seat, from when to when, and why."""

    __tablename__ = "membership_end"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    person_id: int = Field(sa_column=_fk("person.id"))
    role: Role = Field(sa_type=StrEnumType(Role, 16))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    started_at: datetime = Field(sa_type=UTCDateTime)
    effective_on: date  # the Lima day the membership ended
    reason: EndReason = Field(sa_type=StrEnumType(EndReason, 16))
    note: str | None = Field(default=None, max_length=300)
    recorded_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    successor_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))


class Succession(SQLModel, table=True):
    """An invitation that, once accepted, ends the predecessor's membership and hands over their
    pending duties (open round questions; agreement follow-ups go to whoever holds the seat)."""

    __tablename__ = "succession"

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    invitation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("invitation.id"), unique=True, nullable=False)
    )
    predecessor_id: int = Field(sa_column=_fk("person.id"))
    role: Role = Field(sa_type=StrEnumType(Role, 16))
    seat_id: int | None = Field(default=None, sa_column=_fk("seat.id", nullable=True))
    reason: EndReason = Field(sa_type=StrEnumType(EndReason, 16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    successor_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))


class MemberDocumentKind(StrEnum):
    DESIGNATION = "designation"  # the oficio designating the person
    INTEGRITY = "integrity"  # the signed compromiso de integridad (art. 37.g, Anexo B)


class MemberDocument(SQLModel, table=True):
    """A file of a person's designation in a commission, as Telegram holds it (file id)."""

    __tablename__ = "member_document"
    __table_args__ = (UniqueConstraint("commission_id", "person_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    person_id: int = Field(sa_column=_fk("person.id"))
    kind: MemberDocumentKind = Field(sa_type=StrEnumType(MemberDocumentKind, 16))
    file_id: str = Field(max_length=200)
    file_name: str = Field(max_length=200)
    signed_on: date | None = None
    added_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    added_at: datetime = Field(sa_type=UTCDateTime)


class DirectorySettings(SQLModel, table=True):
    """How often each institution confirms its directory entry (months; 0: only in January), and
    the presidency's term."""

    __tablename__ = "directory_settings"

    commission_id: int = Field(sa_column=Column(Integer, ForeignKey("commission.id"), primary_key=True))
    confirm_every_months: int = 3
    # The presidency's one-year term (art. 40.1): reminders 30 and 7 days before it ends.
    presidency_starts_on: date | None = None
    presidency_ends_on: date | None = None
    presidency_reminded: str = Field(default="", max_length=40)  # "2027-12-31:30,2027-12-31:7"


class ContactCheckStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CHANGED = "changed"  # a new person was named (an invitation went out)


class ContactCheck(SQLModel, table=True):
    """One request to an institution to confirm its titular and liaison, and its answer."""

    __tablename__ = "contact_check"
    __table_args__ = (UniqueConstraint("seat_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(sa_column=_fk("commission.id"))
    seat_id: int = Field(sa_column=_fk("seat.id"))
    period: str = Field(max_length=16)  # e.g. "2027-01", the month the request went out
    asked_at: datetime = Field(sa_type=UTCDateTime)
    due_on: date  # the last Lima day to answer, as progress rounds count it
    status: ContactCheckStatus = Field(
        default=ContactCheckStatus.PENDING, sa_type=StrEnumType(ContactCheckStatus, 16)
    )
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text))
    reminded: str = Field(default="", max_length=40)  # steps already sent: "half,last_day,escalation"
