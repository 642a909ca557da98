"""The dashboard's other views: the sessions behind a cell, the technical-assistance queue with
days waiting, and the directory's coverage (seats with a liaison officer, with a member).

Each is scoped by the `Viewer` the gate gave (dashboard.py): every region, or the viewer's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.business_days import lima_date
from bot.workflows.periods import Period
from bot.workflows.portal.dashboard import Viewer, scope_ids
from db.models import (
    AssistanceRequest,
    AssistanceStatus,
    AssistanceTopic,
    Commission,
    MeetingAttendance,
    MeetingSession,
    Membership,
    Role,
    Seat,
    SessionKind,
    SessionStatus,
)

SEATED = (Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE)


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    return list((await db.exec(query)).all())


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class SessionLine:
    commission: str
    day: date
    kind: SessionKind
    status: SessionStatus
    present: int
    called: int  # seats on the roll call


async def drill_sessions(
    db: AsyncSession, viewer: Viewer, period: Period, *, region: str | None, kind: SessionKind | None
) -> list[SessionLine]:
    """The sessions of the period behind a dashboard cell, with their roll call's attendance."""
    ids = await scope_ids(db, viewer, region)
    start, end = period.bounds()
    roll = (
        select(
            col(MeetingAttendance.session_id).label("sid"),
            _count(col(MeetingAttendance.present).is_(True)).label("present"),
            func.count().label("called"),
        )
        .group_by(col(MeetingAttendance.session_id))
        .subquery()
    )
    query = (
        select(
            col(Commission.code),
            col(MeetingSession.starts_at),
            col(MeetingSession.kind),
            col(MeetingSession.status),
            func.coalesce(roll.c.present, 0),
            func.coalesce(roll.c.called, 0),
        )
        .join(Commission, col(Commission.id) == col(MeetingSession.commission_id))
        .outerjoin(roll, roll.c.sid == col(MeetingSession.id))
        .where(
            col(MeetingSession.commission_id).in_(ids),
            col(MeetingSession.starts_at) >= start,
            col(MeetingSession.starts_at) < end,
        )
        .order_by(col(Commission.code), col(MeetingSession.starts_at))
    )
    if kind is not None:
        query = query.where(col(MeetingSession.kind) == kind)
    return [
        SessionLine(code, lima_date(at), SessionKind(k), SessionStatus(s), int(p), int(c))
        for code, at, k, s, p, c in await _rows(db, query)
    ]


@dataclass(frozen=True)
class QueueItem:
    commission: str
    code: str
    topic: AssistanceTopic
    status: AssistanceStatus
    filed: date
    days_waiting: int


async def assistance_queue(db: AsyncSession, viewer: Viewer, *, now: datetime) -> list[QueueItem]:
    """Open technical-assistance requests, oldest first, with the days each has waited."""
    ids = await scope_ids(db, viewer, None)
    query = (
        select(
            col(Commission.code),
            col(AssistanceRequest.code),
            col(AssistanceRequest.topic),
            col(AssistanceRequest.status),
            col(AssistanceRequest.created_at),
        )
        .join(Commission, col(Commission.id) == col(AssistanceRequest.commission_id))
        .where(
            col(AssistanceRequest.commission_id).in_(ids),
            col(AssistanceRequest.status) != AssistanceStatus.CLOSED,
        )
        .order_by(col(AssistanceRequest.created_at))
    )
    today = lima_date(now)
    return [
        QueueItem(
            c, code, AssistanceTopic(t), AssistanceStatus(s), lima_date(at), (today - lima_date(at)).days
        )
        for c, code, t, s, at in await _rows(db, query)
    ]


@dataclass(frozen=True)
class Coverage:
    commission: str
    seats: int
    with_liaison: int
    with_member: int

    @property
    def liaison_rate(self) -> float | None:
        return self.with_liaison / self.seats if self.seats else None


async def directory_coverage(db: AsyncSession, viewer: Viewer) -> list[Coverage]:
    """Per commission: its institutions' seats, how many have a liaison officer and a member."""
    ids = await scope_ids(db, viewer, None)

    def has(roles: tuple[Role, ...]) -> Any:
        return exists().where(and_(col(Membership.seat_id) == col(Seat.id), col(Membership.role).in_(roles)))

    query = (
        select(
            col(Commission.code),
            func.count(col(Seat.id)),
            _count(has((Role.LIAISON,))),
            _count(has(SEATED)),
        )
        .join(Seat, col(Seat.commission_id) == col(Commission.id))
        .where(col(Commission.id).in_(ids))
        .group_by(col(Commission.code))
        .order_by(col(Commission.code))
    )
    return [
        Coverage(code, int(n), int(liaison), int(member))
        for code, n, liaison, member in await _rows(db, query)
    ]
