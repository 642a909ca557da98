"""The CAN's dashboard: who sees which regions, the indicators side by side (the reports' own
computation, bot/workflows/reports/indicators.py), and the agreements behind any cell.

A CAN analyst or the CAN's secretariat (`Action.VIEW_DASHBOARD` in the CAN) sees every region; a
CRA's secretary or president (the same action in their active commission) sees their region only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, access_commission
from bot.workflows.business_days import lima_date
from bot.workflows.errors import AccessDenied, NotFound
from bot.workflows.membership.commissions import can_commission
from bot.workflows.membership.people import access_active
from bot.workflows.periods import Period
from bot.workflows.portal.public import OPEN, owner_names
from bot.workflows.reports.indicators import compute_indicators, reference_day
from bot.workflows.reports.lights import RegionIndicators
from bot.workflows.reports.snapshots import monthly_series, stored_indicators
from db.models import (
    Agreement,
    AgreementSeat,
    AgreementStatus,
    Commission,
    CommissionKind,
    Institution,
    Person,
    Seat,
)


@dataclass(frozen=True)
class Viewer:
    person: Person
    national: bool
    commission_ids: tuple[int, ...] | None  # None: every regional commission
    scope: str  # "nacional" or the CRA's code


async def dashboard_viewer(db: AsyncSession, person: Person | None) -> Viewer:
    """What the person may see on the dashboard, through the permission gate."""
    can = await can_commission(db)
    if can is not None and person is not None:
        try:
            actor = await access_commission(db, person, can.id, Action.VIEW_DASHBOARD)
            return Viewer(actor.person, True, None, "nacional")
        except AccessDenied:
            pass
    actor = await access_active(db, person, Action.VIEW_DASHBOARD)
    if actor.commission.kind != CommissionKind.REGIONAL or actor.commission.id is None:
        raise AccessDenied(msg("Su función en esta comisión no permite esta acción."))
    return Viewer(actor.person, False, (actor.commission.id,), actor.commission.code)


@dataclass(frozen=True)
class Indicators:
    rows: list[RegionIndicators]
    stored_at: datetime | None  # when a closed period's figures were stored; None: computed now


async def dashboard_rows(db: AsyncSession, viewer: Viewer, period: Period, *, now: datetime) -> Indicators:
    """The indicators of every region the viewer may see: as stored when the period closed, or
    computed now as the reports do (a running period, or one closed before anything was stored)."""
    if period.end < lima_date(now):
        stored = await stored_indicators(db, period, viewer.commission_ids)
        if stored is not None:
            return Indicators(stored.rows, stored.stored_at)
    return Indicators(await compute_indicators(db, period, now, viewer.commission_ids), None)


async def dashboard_series(
    db: AsyncSession, viewer: Viewer, year: int, *, now: datetime
) -> dict[str, list[RegionIndicators | None]]:
    """Month by month in `year`, each region the viewer may see (stored figures; the running month
    computed now)."""
    return await monthly_series(db, year, viewer.commission_ids, now=now)


@dataclass(frozen=True)
class DrillFilter:
    region: str | None = None  # a CRA's code
    status: AgreementStatus | None = None
    institution: str | None = None  # an institution's exact name
    overdue: bool = False
    adopted_in_period: bool = False


@dataclass(frozen=True)
class DrillRow:
    commission: str
    code: str
    text: str
    institutions: tuple[str, ...]
    status: AgreementStatus
    progress: int
    original_deadline: date
    deadline: date
    days_overdue: int  # 0 when not overdue at the reference day


@dataclass(frozen=True)
class Drill:
    rows: list[DrillRow]
    total: int  # before the limit
    ref_day: date


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    return list((await db.exec(query)).all())


async def scope_ids(db: AsyncSession, viewer: Viewer, region: str | None) -> list[int]:
    query = select(col(Commission.id), col(Commission.code)).where(
        col(Commission.kind) == CommissionKind.REGIONAL
    )
    if viewer.commission_ids is not None:
        query = query.where(col(Commission.id).in_(viewer.commission_ids))
    found = {code: cid for cid, code in await _rows(db, query)}
    if region is None:
        return list(found.values())
    if region.upper() not in found:
        raise NotFound(msg("Esa región no está entre las que usted puede ver."))
    return [found[region.upper()]]


async def drill_agreements(
    db: AsyncSession, viewer: Viewer, wanted: DrillFilter, period: Period, *, now: datetime, limit: int
) -> Drill:
    """The agreements behind a dashboard cell: those adopted before the period ended (or in it),
    filtered; overdue is measured at the period's last day, or today while it runs."""
    ids = await scope_ids(db, viewer, wanted.region)
    ref_day = reference_day(period, now)
    start, end = period.bounds()
    query = (
        select(Agreement, col(Commission.code))
        .join(Commission, col(Commission.id) == col(Agreement.commission_id))
        .where(col(Agreement.commission_id).in_(ids), col(Agreement.created_at) < end)
        .order_by(col(Commission.code), col(Agreement.year), col(Agreement.seq))
    )
    if wanted.adopted_in_period:
        query = query.where(col(Agreement.created_at) >= start)
    if wanted.status is not None:
        query = query.where(col(Agreement.status) == wanted.status)
    if wanted.overdue:
        query = query.where(col(Agreement.status).in_(OPEN), col(Agreement.deadline) < ref_day)
    if wanted.institution:
        owned = (
            select(col(AgreementSeat.agreement_id))
            .join(Seat, col(Seat.id) == col(AgreementSeat.seat_id))
            .join(Institution, col(Institution.id) == col(Seat.institution_id))
            .where(col(Institution.name) == wanted.institution)
        )
        query = query.where(col(Agreement.id).in_(owned))
    counted = await _rows(db, select(func.count()).select_from(query.order_by(None).subquery()))
    total = counted[0][0]
    shown = await _rows(db, query.limit(limit))
    owners = await owner_names(db, [a.id for a, _ in shown if a.id is not None])
    rows = [
        DrillRow(
            code,
            a.code,
            a.text,
            tuple(owners.get(a.id or 0, ())),
            a.status,
            a.progress,
            a.original_deadline,
            a.deadline,
            (ref_day - a.deadline).days if a.status in OPEN and a.deadline < ref_day else 0,
        )
        for a, code in shown
    ]
    return Drill(rows, int(total), ref_day)


async def scope_institutions(db: AsyncSession, viewer: Viewer) -> list[str]:
    """The institutions seated in the regions the viewer sees (the drill-down's filter)."""
    ids = await scope_ids(db, viewer, None)
    query = (
        select(col(Institution.name))
        .join(Seat, col(Seat.institution_id) == col(Institution.id))
        .where(col(Seat.commission_id).in_(ids))
        .distinct()
        .order_by(col(Institution.name))
    )
    return [name for (name,) in await _rows(db, query)]
