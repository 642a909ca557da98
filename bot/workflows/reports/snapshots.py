"""Indicators stored when a period closes, so a past period is reproducible.

The register keeps no status history: computed today, a 2026-T3 report would show today's statuses.
So at the first scheduler tick after a month, quarter or year ends, every regional commission's
indicators for it are computed (as of its last day) and stored (`IndicatorSnapshot`); readers of a
closed period use them when present (`stored_indicators`). A new installation backfills the last
`BACKFILL_MONTHS` months (computed from the register as it is then: the best there is).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.business_days import lima_date
from bot.workflows.periods import Period, month_period, quarter_of, year_period
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.lights import Light, RegionIndicators, SeatAttendance, rank
from db.models import IndicatorSnapshot

BACKFILL_MONTHS = 3


def closed_periods(today: date) -> list[Period]:
    """The periods that have ended by `today` and are worth storing: the last few months, the
    quarter and the year just ended."""
    months = []
    year, month = today.year, today.month
    for _ in range(BACKFILL_MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(month_period(year, month))
    return [*months, quarter_of(today).previous(), year_period(today.year - 1)]


def to_figures(row: RegionIndicators) -> dict[str, object]:
    figures = dataclasses.asdict(row)
    figures["light"] = row.light.value
    return figures


def from_figures(figures: dict[str, Any]) -> RegionIndicators:
    known = {f.name for f in dataclasses.fields(RegionIndicators)}
    values = {k: v for k, v in figures.items() if k in known}  # a field added later keeps its default
    seats = values.pop("seats_attendance", [])
    row = RegionIndicators(**values)
    row.light = Light(str(figures.get("light", "green")))
    row.seats_attendance = [SeatAttendance(**s) for s in seats]
    return row


async def store_closed_periods(db: AsyncSession, *, now: datetime) -> int:
    """Store each closed period not stored yet; how many periods were stored."""
    due = closed_periods(lima_date(now))
    stored = set(
        (
            await db.exec(
                select(IndicatorSnapshot.period).where(
                    col(IndicatorSnapshot.period).in_([p.key for p in due])
                )
            )
        ).all()
    )
    done = 0
    for period in due:
        if period.key in stored:
            continue
        for row in await compute_indicators(db, period, now):
            db.add(
                IndicatorSnapshot(
                    period=period.key, commission_id=row.commission_id, stored_at=now, figures=to_figures(row)
                )
            )
        done += 1
    await db.flush()
    return done


@dataclasses.dataclass(frozen=True)
class Stored:
    rows: list[RegionIndicators]
    stored_at: datetime


async def stored_indicators(
    db: AsyncSession, period: Period, commission_ids: Sequence[int] | None = None
) -> Stored | None:
    """The indicators stored when `period` closed (those commissions, or all), ranked; None if none."""
    query = select(IndicatorSnapshot).where(IndicatorSnapshot.period == period.key)
    if commission_ids is not None:
        query = query.where(col(IndicatorSnapshot.commission_id).in_(list(commission_ids)))
    snapshots = list((await db.exec(query)).all())
    if not snapshots:
        return None
    rows = [from_figures(s.figures) for s in snapshots]
    return Stored(rank(rows), min(s.stored_at for s in snapshots))


async def monthly_series(
    db: AsyncSession, year: int, commission_ids: Sequence[int] | None, *, now: datetime
) -> dict[str, list[RegionIndicators | None]]:
    """Each region's indicators month by month in `year` (by code): stored figures for closed months,
    computed ones for the running month, None for a month never stored or not begun."""
    today = lima_date(now)
    months = [month_period(year, m) for m in range(1, 13)]
    series: dict[str, list[RegionIndicators | None]] = {}
    query = select(IndicatorSnapshot).where(col(IndicatorSnapshot.period).in_([m.key for m in months]))
    if commission_ids is not None:
        query = query.where(col(IndicatorSnapshot.commission_id).in_(list(commission_ids)))
    index = {m.key: i for i, m in enumerate(months)}
    for snapshot in (await db.exec(query)).all():
        row = from_figures(snapshot.figures)
        series.setdefault(row.code, [None] * 12)[index[snapshot.period]] = row
    running = next((m for m in months if m.start <= today <= m.end), None)
    if running is not None:
        for row in await compute_indicators(db, running, now, commission_ids):
            series.setdefault(row.code, [None] * 12)[index[running.key]] = row
    return dict(sorted(series.items()))
