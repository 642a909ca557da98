"""The public pages' data (art. 30.3 of the regulation: attendance and absences are published).

Only what a commission's publication choice allows (`publication.py`), and never a person: the
tables name institutions (their seats), never members, their accounts or contact data. Read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.business_days import lima_date
from bot.workflows.errors import NotFound
from bot.workflows.membership.commissions import normalise
from bot.workflows.periods import year_period
from bot.workflows.portal.publication import published_ids
from db.models import (
    Agreement,
    AgreementSeat,
    AgreementStatus,
    Commission,
    Institution,
    MeetingAttendance,
    MeetingSession,
    PlannedSession,
    Region,
    Seat,
    SessionKind,
    SessionStatus,
)

# Sessions that reached the roll call: held or under way (quorum reached), or failed for lack of it.
CALLED = (SessionStatus.HELD, SessionStatus.INSTALLED, SessionStatus.FAILED_QUORUM)
QUORUM = (SessionStatus.HELD, SessionStatus.INSTALLED)
OPEN = (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS)


@dataclass(frozen=True)
class RegionEntry:
    code: str
    name: str
    seat: str  # the region's capital
    commission: str | None  # the CRA's code, when it uses the bot
    published: bool


@dataclass(frozen=True)
class PublicSession:
    id: int
    day: date
    kind: SessionKind
    quorum: bool


@dataclass(frozen=True)
class AttendanceLine:
    session_id: int
    day: date
    kind: SessionKind
    institution: str
    present: bool
    justified: bool  # an absence with a written justification


@dataclass(frozen=True)
class PublicAgreement:
    code: str
    text: str
    institutions: tuple[str, ...]
    status: AgreementStatus
    progress: int
    original_deadline: date
    deadline: date
    overdue: bool


@dataclass(frozen=True)
class Plan:
    """The year's annual plan as far as the register shows it."""

    planned_sessions: int
    ordinary_held: int
    agreements: int
    done: int
    overdue: int
    average_progress: float | None


@dataclass(frozen=True)
class PublicPage:
    code: str
    name: str
    region: str
    year: int
    sessions: list[PublicSession]
    attendance: list[AttendanceLine]
    agreements: list[PublicAgreement]
    plan: Plan


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    return list((await db.exec(query)).all())


async def list_regions(db: AsyncSession) -> list[RegionEntry]:
    """The 26 regional jurisdictions, each with its CRA's code when it uses the bot."""
    query = (
        select(col(Region.code), col(Region.name), col(Region.seat), col(Commission.code), col(Commission.id))
        .outerjoin(Commission, col(Commission.region_id) == col(Region.id))
        .order_by(col(Region.name))
    )
    rows = await _rows(db, query)
    shown = await published_ids(db, [r[4] for r in rows if r[4] is not None])
    entries = [RegionEntry(code, name, seat, cra, cid in shown) for code, name, seat, cra, cid in rows]
    return sorted(entries, key=lambda e: normalise(e.name))  # Áncash among the A's, on every backend


async def published_commission(db: AsyncSession, code: str) -> tuple[Commission, str]:
    """The commission with that code and its region's name, if its pages are published."""
    found = await _rows(
        db,
        select(Commission, col(Region.name))
        .join(Region, col(Region.id) == col(Commission.region_id))
        .where(col(Commission.code) == code.upper()),
    )
    if not found or found[0][0].id not in await published_ids(db, [found[0][0].id]):
        raise NotFound(msg("Esa comisión no existe o no publica sus datos."))
    commission, region = found[0]
    return commission, region


async def public_page(db: AsyncSession, code: str, year: int, *, now: datetime) -> PublicPage:
    """One commission's public page for a calendar year (Lima)."""
    commission, region = await published_commission(db, code)
    assert commission.id is not None
    start, end = year_period(year).bounds()
    sessions = await _sessions(db, commission.id, start, end)
    attendance = await _attendance(db, commission.id, start, end)
    agreements = await _agreements(db, commission.id, year, lima_date(now))
    planned = await _rows(
        db,
        select(col(PlannedSession.id)).where(
            col(PlannedSession.commission_id) == commission.id,
            col(PlannedSession.planned_on) >= date(year, 1, 1),
            col(PlannedSession.planned_on) <= date(year, 12, 31),
        ),
    )
    live = [a for a in agreements if a.status != AgreementStatus.CANCELLED]
    plan = Plan(
        planned_sessions=len(planned),
        ordinary_held=sum(s.quorum and s.kind == SessionKind.ORDINARY for s in sessions),
        agreements=len(live),
        done=sum(a.status == AgreementStatus.DONE for a in live),
        overdue=sum(a.overdue for a in live),
        average_progress=round(sum(a.progress for a in live) / len(live), 1) if live else None,
    )
    return PublicPage(commission.code, commission.name, region, year, sessions, attendance, agreements, plan)


async def _sessions(
    db: AsyncSession, commission_id: int, start: datetime, end: datetime
) -> list[PublicSession]:
    query = (
        select(
            col(MeetingSession.id),
            col(MeetingSession.starts_at),
            col(MeetingSession.kind),
            col(MeetingSession.status),
        )
        .where(
            col(MeetingSession.commission_id) == commission_id,
            col(MeetingSession.status).in_(CALLED),
            col(MeetingSession.starts_at) >= start,
            col(MeetingSession.starts_at) < end,
        )
        .order_by(col(MeetingSession.starts_at))
    )
    return [
        PublicSession(sid, lima_date(starts), SessionKind(kind), status in QUORUM)
        for sid, starts, kind, status in await _rows(db, query)
    ]


async def _attendance(
    db: AsyncSession, commission_id: int, start: datetime, end: datetime
) -> list[AttendanceLine]:
    query = (
        select(
            col(MeetingSession.id),
            col(MeetingSession.starts_at),
            col(MeetingSession.kind),
            col(Institution.name),
            col(MeetingAttendance.present),
            col(MeetingAttendance.justified),
        )
        .join(MeetingSession, col(MeetingSession.id) == col(MeetingAttendance.session_id))
        .join(Seat, col(Seat.id) == col(MeetingAttendance.seat_id))
        .join(Institution, col(Institution.id) == col(Seat.institution_id))
        .where(
            col(MeetingSession.commission_id) == commission_id,
            col(MeetingSession.starts_at) >= start,
            col(MeetingSession.starts_at) < end,
        )
        .order_by(col(MeetingSession.starts_at), col(Institution.name))
    )
    return [
        AttendanceLine(sid, lima_date(starts), SessionKind(kind), name, bool(present), bool(justified))
        for sid, starts, kind, name, present, justified in await _rows(db, query)
    ]


async def _agreements(db: AsyncSession, commission_id: int, year: int, today: date) -> list[PublicAgreement]:
    query = (
        select(Agreement)
        .where(col(Agreement.commission_id) == commission_id, col(Agreement.year) == year)
        .order_by(col(Agreement.seq))
    )
    agreements = [row[0] for row in await _rows(db, query)]
    owners = await owner_names(db, [a.id for a in agreements if a.id is not None])
    return [
        PublicAgreement(
            a.code,
            a.text,
            tuple(owners.get(a.id or 0, ())),
            a.status,
            a.progress,
            a.original_deadline,
            a.deadline,
            a.status in OPEN and a.deadline < today,
        )
        for a in agreements
    ]


async def owner_names(db: AsyncSession, agreement_ids: Sequence[int]) -> dict[int, list[str]]:
    """The responsible institutions of each agreement, by name (one query, in chunks)."""
    names: dict[int, list[str]] = {}
    ids = list(agreement_ids)
    for i in range(0, len(ids), 500):
        query = (
            select(col(AgreementSeat.agreement_id), col(Institution.name))
            .join(Seat, and_(col(Seat.id) == col(AgreementSeat.seat_id)))
            .join(Institution, col(Institution.id) == col(Seat.institution_id))
            .where(col(AgreementSeat.agreement_id).in_(ids[i : i + 500]))
            .order_by(col(Institution.name))
        )
        for agreement_id, name in await _rows(db, query):
            names.setdefault(agreement_id, []).append(name)
    return names
