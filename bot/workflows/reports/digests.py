"""Scheduled digests: weekly to each CRA's secretary and president, monthly to the CAN analysts.

The tick (`reports_tick`, or `due_weekly_digests` and `due_monthly_digests` alone) looks at `now`,
finds the periods whose digest is due (`SCHEDULE`, Lima time) and returns, per person still owed
one, the figures to render (`DueDigest`), oldest period first. After downtime across several periods
every missed one is sent once, each saying it comes late: the periods from the newest one any digest
of that kind was recorded for up to the latest due, at most `catch_up_weeks`/`catch_up_months` of
them (older ones are logged and skipped, so a bot off for a year does not flood its readers). A
reader gets no digest of a period that ended before their membership began.

The one exit for messages (bot/notify.py) renders each in its reader's language (texts, chart,
spreadsheet: `WeeklyContent.render`), queues it and calls `record_digest`: a `ReportDelivery` row
written in the same transaction as the outbox rows, so a restart never repeats it and a tick after
downtime catches up. A digest that cannot be built is logged and left unrecorded, so the next tick
tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, Translator, msg
from bot.workflows.business_days import LIMA, lima_date
from bot.workflows.membership.commissions import CAN_CODE
from bot.workflows.periods import Period, month_period, week_period
from bot.workflows.reports.formats import (
    chart_png,
    indicator_sheets,
    national_message,
    region_message,
    xlsx_bytes,
)
from bot.workflows.reports.indicators import OPEN, compute_indicators
from bot.workflows.reports.lights import RegionIndicators
from db.models import Agreement, Commission, CommissionKind, Membership, Person, ReportDelivery, Role

log = logging.getLogger(__name__)

WEEKLY, MONTHLY = "weekly", "monthly"


@dataclass(frozen=True)
class DigestSchedule:
    """When digests go out, Lima time: the one place to change it."""

    weekly_weekday: int = 0  # Monday (0) … Sunday (6): the previous Monday-to-Sunday week
    weekly_hour: int = 8
    monthly_day: int = 1  # day of the month: the previous calendar month
    monthly_hour: int = 8
    weekly_roles: tuple[Role, ...] = (Role.SECRETARY, Role.PRESIDENT)
    catch_up_weeks: int = 8  # at most this many weekly digests per reader after downtime
    catch_up_months: int = 6


SCHEDULE = DigestSchedule()


def due_week(now: datetime, schedule: DigestSchedule = SCHEDULE) -> Period:
    """The week whose weekly digest is due at `now` (the latest one whose send time has passed)."""
    local = now.astimezone(LIMA)
    send_day = local.date() - timedelta(days=(local.weekday() - schedule.weekly_weekday) % 7)
    if datetime.combine(send_day, time(schedule.weekly_hour), tzinfo=LIMA) > local:
        send_day -= timedelta(days=7)
    return week_period(send_day - timedelta(days=7))


def due_month(now: datetime, schedule: DigestSchedule = SCHEDULE) -> Period:
    local = now.astimezone(LIMA)
    send_day = date(local.year, local.month, schedule.monthly_day)
    if datetime.combine(send_day, time(schedule.monthly_hour), tzinfo=LIMA) > local:
        send_day = (send_day.replace(day=1) - timedelta(days=1)).replace(day=schedule.monthly_day)
    before = send_day.replace(day=1) - timedelta(days=1)
    return month_period(before.year, before.month)


def periods_to_send(latest: Period, last_sent: str | None, limit: int) -> list[Period]:
    """The periods from the newest one already sent (`last_sent`, a period key; retried for anyone
    still owed it) up to `latest`, oldest first, at most `limit`. Nothing sent yet: `latest` only."""
    periods = [latest]
    while last_sent is not None and periods[0].key > last_sent and len(periods) < limit:
        periods.insert(0, periods[0].previous())
    if last_sent is not None and periods[0].key > last_sent:
        log.warning(
            "digests from %s to %s skipped: more than %s periods behind", last_sent, periods[0].key, limit
        )
    return periods


async def _last_sent(db: AsyncSession, kind: str) -> str | None:
    """The newest period any digest of this kind was recorded for: the bot ran then."""
    return (
        await db.exec(select(func.max(col(ReportDelivery.period))).where(ReportDelivery.kind == kind))
    ).one()


@dataclass(frozen=True)
class Pending:
    """A person still owed the digest of one kind and period about one commission."""

    commission_id: int
    person: Person


async def _pending(
    db: AsyncSession, kind: str, period: Period, roles: Sequence[Role], national: bool
) -> list[Pending]:
    sent = exists().where(
        col(ReportDelivery.kind) == kind,
        col(ReportDelivery.period) == period.key,
        col(ReportDelivery.commission_id) == col(Membership.commission_id),
        col(ReportDelivery.person_id) == col(Membership.person_id),
    )
    where_commission = Commission.code == CAN_CODE if national else Commission.kind == CommissionKind.REGIONAL
    rows = await db.exec(
        select(col(Membership.commission_id), Person)
        .join(Person, col(Person.id) == Membership.person_id)
        .join(Commission, col(Commission.id) == Membership.commission_id)
        .where(
            where_commission,
            col(Membership.role).in_(list(roles)),
            col(Membership.created_at) < period.bounds()[1],  # a member at some time in the period
            ~sent,
        )
        .distinct()
        .order_by(col(Membership.commission_id), col(Person.id))
    )
    return [Pending(commission_id, person) for commission_id, person in rows.all()]


async def _due_this_week(db: AsyncSession, commission_ids: Sequence[int], today: date) -> dict[int, int]:
    """Open agreements whose deadline falls in the coming seven days, per commission."""
    rows = await db.exec(
        select(col(Agreement.commission_id), func.count())
        .where(
            col(Agreement.commission_id).in_(list(commission_ids)),
            col(Agreement.status).in_(OPEN),
            and_(col(Agreement.deadline) >= today, col(Agreement.deadline) <= today + timedelta(days=7)),
        )
        .group_by(col(Agreement.commission_id))
    )
    return {commission_id: int(n) for commission_id, n in rows.all()}


@dataclass(frozen=True)
class Digest:
    """A digest rendered for one language."""

    texts: list[str]
    files: list[tuple[str, bytes, str]]  # file name, content, caption


@dataclass(frozen=True)
class WeeklyContent:
    """The figures of one CRA's weekly digest, rendered per language by `render`."""

    row: RegionIndicators
    previous: RegionIndicators | None
    period: Period
    due_soon: int | None  # None for a late digest: the coming week is the latest digest's news
    late: bool = False

    def render(self, tr: Translator) -> Digest:
        digest = weekly_digest(tr, self.row, self.previous, self.period, self.due_soon)
        return late_digest(tr, digest) if self.late else digest


@dataclass(frozen=True)
class NationalContent:
    """The figures of the monthly national digest, rendered per language by `render`."""

    rows: Sequence[RegionIndicators]
    period: Period
    late: bool = False

    def render(self, tr: Translator) -> Digest:
        digest = national_digest(tr, self.rows, self.period)
        return late_digest(tr, digest) if self.late else digest


@dataclass(frozen=True)
class DueDigest:
    """A digest one person is owed: what to render, and what to record once it is queued."""

    kind: str
    period: Period
    commission_id: int
    person: Person
    content: WeeklyContent | NationalContent


async def record_digest(db: AsyncSession, due: DueDigest, *, now: datetime) -> None:
    """Remember that the person had this digest: no tick sends it again."""
    assert due.person.id is not None
    db.add(
        ReportDelivery(
            kind=due.kind,
            period=due.period.key,
            commission_id=due.commission_id,
            person_id=due.person.id,
            sent_at=now,
        )
    )
    await db.flush()


def build_files(
    tr: Translator, rows: Sequence[RegionIndicators], title: Text, stem: str
) -> list[tuple[str, bytes, str]]:
    caption = tr.render(title)
    return [
        (f"{stem}.png", chart_png(tr, rows, title), caption),
        (f"{stem}.xlsx", xlsx_bytes(tr, indicator_sheets(tr, rows)), caption),
    ]


def late_digest(tr: Translator, digest: Digest) -> Digest:
    """A digest sent after its time (the bot was down): a first message says so."""
    note = tr.gettext(
        "⏳ Este resumen llega con retraso: el bot estuvo fuera de servicio cuando correspondía "
        "enviarlo. Le enviamos cada periodo pendiente, del más antiguo al más reciente."
    )
    return Digest([note, *digest.texts], digest.files)


def weekly_digest(
    tr: Translator,
    row: RegionIndicators,
    previous: RegionIndicators | None,
    period: Period,
    due_soon: int | None,
) -> Digest:
    title = msg("📊 Resumen semanal de {commission}", commission=row.code)
    texts = region_message(tr, row, period, previous, title=title)
    if due_soon is not None:
        texts[-1] += "\n\n" + tr.ngettext(
            "📌 Esta semana vence {n} acuerdo: revise su avance con /acuerdos.",
            "📌 Esta semana vencen {n} acuerdos: revise su avance con /acuerdos.",
            due_soon,
        )
    return Digest(texts, build_files(tr, [row], title, f"informe_{row.code}_{period.key}"))


def national_digest(tr: Translator, rows: Sequence[RegionIndicators], period: Period) -> Digest:
    title = msg("📊 Informe nacional {period}", period=period.key)
    return Digest(
        national_message(tr, rows, period), build_files(tr, rows, title, f"informe_nacional_{period.key}")
    )


async def due_weekly_digests(db: AsyncSession, now: datetime) -> list[DueDigest]:
    """Each week's digest (the last one, and any missed while the bot was down, oldest first) for
    each CRA's secretary and president who has not had it yet."""
    periods = periods_to_send(due_week(now), await _last_sent(db, WEEKLY), SCHEDULE.catch_up_weeks)
    due: list[DueDigest] = []
    for period in periods:
        due += await _weekly_of(db, period, now, late=period != periods[-1])
    return due


async def _weekly_of(db: AsyncSession, period: Period, now: datetime, *, late: bool) -> list[DueDigest]:
    pending = await _pending(db, WEEKLY, period, SCHEDULE.weekly_roles, national=False)
    if not pending:
        return []
    ids = sorted({p.commission_id for p in pending})
    current = {r.commission_id: r for r in await compute_indicators(db, period, now, ids)}
    previous = {r.commission_id: r for r in await compute_indicators(db, period.previous(), now, ids)}
    due_soon = {} if late else await _due_this_week(db, ids, lima_date(now))
    contents = {
        cid: WeeklyContent(
            current[cid], previous.get(cid), period, None if late else due_soon.get(cid, 0), late
        )
        for cid in ids
        if cid in current
    }
    due = []
    for item in pending:
        if item.commission_id not in contents:
            log.error("weekly digest %s: no figures for commission %s", period.key, item.commission_id)
            continue
        due.append(DueDigest(WEEKLY, period, item.commission_id, item.person, contents[item.commission_id]))
    return due


async def due_monthly_digests(db: AsyncSession, now: datetime) -> list[DueDigest]:
    """Each month's national digest (the last one, and any missed, oldest first) for every CAN
    analyst who has not had it yet."""
    periods = periods_to_send(due_month(now), await _last_sent(db, MONTHLY), SCHEDULE.catch_up_months)
    due: list[DueDigest] = []
    for period in periods:
        pending = await _pending(db, MONTHLY, period, (Role.CAN_ANALYST,), national=True)
        if not pending:
            continue
        content = NationalContent(await compute_indicators(db, period, now), period, period != periods[-1])
        due += [DueDigest(MONTHLY, period, item.commission_id, item.person, content) for item in pending]
    return due


async def reports_tick(db: AsyncSession, now: datetime) -> list[DueDigest]:
    """The scheduler's entry point: both digests, each only when due and not yet sent."""
    return await due_weekly_digests(db, now) + await due_monthly_digests(db, now)
