"""Indicators per commission and period, computed in SQL for every commission at once.

`compute_indicators` runs a fixed list of steps (`STEPS`); each step is one query grouped by
commission (never a query per commission) that fills some fields of every `RegionIndicators`.
Adding an indicator (e.g. the rounds' liaison response rate, or open technical-assistance
requests) is: a field on `RegionIndicators` (lights.py, with the thresholds that judge it), one
step function appended to `STEPS`, and one `Column` in bot/workflows/reports/formats.py.

Agreement counts are the register as it stands today for agreements adopted before the period
ended (the register keeps no status snapshots); "overdue" is measured at the period's last day, or
today when the period is still running. Lima calendar days throughout.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlmodel import col
from sqlmodel import select as select_models
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.business_days import lima_date
from bot.workflows.periods import Period, lima_midnight, quarter_of, year_period
from bot.workflows.reports.lights import RegionIndicators, SeatAttendance, judge, rank
from bot.workflows.sessions.rules import CommissionRules
from db.models import (
    Agreement,
    AgreementStatus,
    AssistanceRequest,
    AssistanceStatus,
    Commission,
    CommissionKind,
    CommissionSessionSettings,
    Institution,
    MeetingAttendance,
    MeetingSession,
    Membership,
    PlannedSession,
    ProgressRound,
    Region,
    Role,
    RoundTarget,
    Seat,
    SessionKind,
    SessionStatus,
)

OPEN = (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS)
HELD = (SessionStatus.HELD, SessionStatus.INSTALLED)


@dataclass(frozen=True)
class Scope:
    """What the steps compute over: the period, its reference day and the commissions."""

    period: Period
    ref_day: date  # the period's last day, or today if earlier
    commission_ids: tuple[int, ...]

    @property
    def start(self) -> datetime:
        return self.period.bounds()[0]

    @property
    def end(self) -> datetime:
        return self.period.bounds()[1]

    @property
    def ref_end(self) -> datetime:
        return lima_midnight(self.ref_day + timedelta(days=1))


Rows = dict[int, RegionIndicators]
Step = Callable[[AsyncSession, Scope, Rows], Awaitable[None]]


async def _all(db: AsyncSession, query: Any) -> list[Any]:
    """The rows of a multi-column SQLAlchemy select (sqlmodel's typing stops at four columns)."""
    return list((await db.exec(query)).all())


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _sessions(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    year_start = year_period(scope.ref_day.year).bounds()[0]
    quarter_start = quarter_of(scope.ref_day).bounds()[0]
    starts = col(MeetingSession.starts_at)
    ordinary_held = and_(
        col(MeetingSession.kind) == SessionKind.ORDINARY, col(MeetingSession.status).in_(HELD)
    )
    in_period = and_(starts >= scope.start, starts < scope.end)
    query = (
        select(
            col(MeetingSession.commission_id),
            _count(and_(ordinary_held, in_period)),
            _count(and_(col(MeetingSession.status) == SessionStatus.FAILED_QUORUM, in_period)),
            _count(and_(ordinary_held, starts >= quarter_start, starts < scope.ref_end)),
            _count(and_(ordinary_held, starts >= year_start, starts < scope.ref_end)),
        )
        .where(
            col(MeetingSession.commission_id).in_(scope.commission_ids),
            starts >= min(scope.start, year_start),
            starts < max(scope.end, scope.ref_end),
        )
        .group_by(col(MeetingSession.commission_id))
    )
    for commission_id, held, failed, quarter, year in await _all(db, query):
        row = rows[commission_id]
        row.ordinary_held, row.failed_quorum = int(held), int(failed)
        row.quarter_held, row.year_held = int(quarter), int(year)


async def _rules(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    quarter = quarter_of(scope.ref_day)
    quarters_over = (quarter.end.month // 3) - (scope.ref_day < quarter.end)
    for row in rows.values():
        row.quarters_over = quarters_over
    query = select(col(CommissionSessionSettings.commission_id), col(CommissionSessionSettings.rules)).where(
        col(CommissionSessionSettings.commission_id).in_(scope.commission_ids)
    )
    for commission_id, stored in await _all(db, query):
        rules = CommissionRules.from_dict(stored or {})
        rows[commission_id].quarter_minimum = rules.min_sessions_per_quarter
        rows[commission_id].year_minimum = rules.min_sessions_per_year


async def _calendar(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    year = scope.ref_day.year
    query = (
        select(col(PlannedSession.commission_id), func.count())
        .where(
            col(PlannedSession.commission_id).in_(scope.commission_ids),
            col(PlannedSession.planned_on) >= date(year, 1, 1),
            col(PlannedSession.planned_on) <= date(year, 12, 31),
        )
        .group_by(col(PlannedSession.commission_id))
    )
    for commission_id, n in await _all(db, query):
        rows[commission_id].planned_sessions = int(n)


async def _attendance(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    absent = col(MeetingAttendance.present).is_(False)
    query = (
        select(
            col(MeetingSession.commission_id),
            col(MeetingAttendance.seat_id),
            col(Institution.name),
            _count(col(MeetingAttendance.present).is_(True)),
            func.count(),
            _count(and_(absent, col(MeetingAttendance.justified).is_(False))),
        )
        .join(MeetingSession, col(MeetingSession.id) == col(MeetingAttendance.session_id))
        .join(Seat, col(Seat.id) == col(MeetingAttendance.seat_id))
        .join(Institution, col(Institution.id) == col(Seat.institution_id))
        .where(
            col(MeetingSession.commission_id).in_(scope.commission_ids),
            col(MeetingSession.starts_at) >= scope.start,
            col(MeetingSession.starts_at) < scope.end,
        )
        .group_by(col(MeetingSession.commission_id), col(MeetingAttendance.seat_id), col(Institution.name))
        .order_by(col(MeetingSession.commission_id), col(Institution.name))
    )
    for commission_id, seat_id, name, present, total, unjustified in await _all(db, query):
        seat = SeatAttendance(commission_id, seat_id, name, int(present), int(total), int(unjustified))
        row = rows[commission_id]
        row.seats_attendance.append(seat)
        row.attendance_present += seat.present
        row.attendance_total += seat.total
        row.unjustified_absences += seat.unjustified


async def _agreements(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    created = col(Agreement.created_at)
    is_open = col(Agreement.status).in_(OPEN)
    late = col(Agreement.deadline) < scope.ref_day
    query = (
        select(
            col(Agreement.commission_id),
            _count(created >= scope.start),
            _count(and_(is_open, ~late)),
            _count(col(Agreement.status) == AgreementStatus.DONE),
            _count(and_(is_open, late)),
            _count(col(Agreement.status) == AgreementStatus.CANCELLED),
            _count(and_(is_open, col(Agreement.flagged_for_can_at).is_not(None))),
        )
        .where(col(Agreement.commission_id).in_(scope.commission_ids), created < scope.end)
        .group_by(col(Agreement.commission_id))
    )
    for commission_id, adopted, in_progress, done, overdue, cancelled, flagged in await _all(db, query):
        row = rows[commission_id]
        row.adopted, row.in_progress, row.done = int(adopted), int(in_progress), int(done)
        row.overdue, row.cancelled, row.flagged = int(overdue), int(cancelled), int(flagged)


async def _deadlines(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    """Completion on time and median days overdue: one query each over every commission; the
    Lima-day comparison and the median are taken in Python (portable across backends)."""
    closed = col(Agreement.closed_at)
    # `+ 0`: scanning beats walking the commission index for a short date range (SQLite).
    query = select(col(Agreement.commission_id), col(Agreement.closed_at), col(Agreement.deadline)).where(
        (col(Agreement.commission_id) + 0).in_(scope.commission_ids),
        col(Agreement.status) == AgreementStatus.DONE,
        closed >= scope.start,
        closed < scope.end,
    )
    for commission_id, closed_at, deadline in await _all(db, query):
        rows[commission_id].closed_in_period += 1
        rows[commission_id].closed_on_time += lima_date(closed_at) <= deadline
    # One row per commission and deadline day (at most a few hundred a year), not per agreement.
    late = (
        select(col(Agreement.commission_id), col(Agreement.deadline), func.count())
        .where(
            col(Agreement.commission_id).in_(scope.commission_ids),
            col(Agreement.status).in_(OPEN),
            col(Agreement.deadline) < scope.ref_day,
            col(Agreement.created_at) < scope.end,
        )
        .group_by(col(Agreement.commission_id), col(Agreement.deadline))
    )
    days: dict[int, list[tuple[int, int]]] = {}
    for commission_id, deadline, n in await _all(db, late):
        days.setdefault(commission_id, []).append(((scope.ref_day - deadline).days, int(n)))
    for commission_id, counted in days.items():
        rows[commission_id].median_days_overdue = weighted_median(counted)


def weighted_median(counted: Sequence[tuple[int, int]]) -> float:
    """The median of values given with their counts (as `statistics.median` of the expansion)."""
    ordered = sorted(counted)
    total = sum(n for _, n in ordered)
    wanted = (total - 1) // 2, total // 2  # the middle position(s), 0-based
    found: list[int] = []
    seen = 0
    for value, n in ordered:
        while len(found) < 2 and seen <= wanted[len(found)] < seen + n:
            found.append(value)
        seen += n
    return (found[0] + found[1]) / 2


async def _liaisons(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    has_liaison = exists().where(
        col(Membership.seat_id) == col(Seat.id), col(Membership.role) == Role.LIAISON
    )
    query = (
        select(col(Seat.commission_id), func.count(), _count(~has_liaison))
        .where(col(Seat.commission_id).in_(scope.commission_ids))
        .group_by(col(Seat.commission_id))
    )
    for commission_id, seats, without in await _all(db, query):
        rows[commission_id].seats, rows[commission_id].seats_without_liaison = int(seats), int(without)


async def _rounds(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    """Liaison response in the rounds opened in the period: institutions asked, those that
    finished, and the median hours from the round's opening to their last answer."""
    query = (
        select(col(ProgressRound.commission_id), col(ProgressRound.opened_at), col(RoundTarget.finished_at))
        .join(RoundTarget, col(RoundTarget.round_id) == col(ProgressRound.id))
        .where(
            col(ProgressRound.commission_id).in_(scope.commission_ids),
            col(ProgressRound.opened_at) >= scope.start,
            col(ProgressRound.opened_at) < scope.end,
        )
    )
    hours: dict[int, list[float]] = {}
    for commission_id, opened_at, finished_at in await _all(db, query):
        row = rows[commission_id]
        row.round_targets += 1
        if finished_at is not None:
            row.round_answered += 1
            hours.setdefault(commission_id, []).append((finished_at - opened_at).total_seconds() / 3600)
    for commission_id, values in hours.items():
        rows[commission_id].median_response_hours = round(statistics.median(values), 1)


async def _assistance(db: AsyncSession, scope: Scope, rows: Rows) -> None:
    """Technical-assistance requests filed by the reference day and not closed."""
    query = (
        select(col(AssistanceRequest.commission_id), func.count())
        .where(
            col(AssistanceRequest.commission_id).in_(scope.commission_ids),
            col(AssistanceRequest.status) != AssistanceStatus.CLOSED,
            col(AssistanceRequest.created_at) < scope.ref_end,
        )
        .group_by(col(AssistanceRequest.commission_id))
    )
    for commission_id, count in await _all(db, query):
        rows[commission_id].open_assistance = int(count)


# The data step, in order. Append a step here to add an indicator (see the module docstring).
STEPS: tuple[Step, ...] = (
    _sessions,
    _rules,
    _calendar,
    _attendance,
    _agreements,
    _deadlines,
    _liaisons,
    _rounds,
    _assistance,
)


def reference_day(period: Period, now: datetime) -> date:
    return min(period.end, lima_date(now))


async def compute_indicators(
    db: AsyncSession, period: Period, now: datetime, commission_ids: Sequence[int] | None = None
) -> list[RegionIndicators]:
    """Every regional commission's indicators (or those asked for), ranked worst first."""
    query = select_models(Commission).order_by(col(Commission.code))
    if commission_ids is None:
        query = query.where(col(Commission.kind) == CommissionKind.REGIONAL)
    else:
        query = query.where(col(Commission.id).in_(list(commission_ids)))
    commissions = await _all(db, query)
    rows: Rows = {c.id: RegionIndicators(c.id, c.code, c.name) for c in commissions if c.id is not None}
    if not rows:
        return []
    regions = {r.id: r.name for r in await _all(db, select_models(Region))}
    for c in commissions:
        if c.id is not None:
            rows[c.id].region = regions.get(c.region_id, "")
    scope = Scope(period, reference_day(period, now), tuple(rows))
    for step in STEPS:
        await step(db, scope, rows)
    for row in rows.values():
        row.light, row.attention = judge(row)
    return rank(list(rows.values()))
