"""Alerts for the platform administrator: messages waiting too long in the outbox, scheduled work
running late, and an audit chain that fails the daily verification.

Each alert is sent once per incident, not at every tick: an incident of a kind opens (a
`MonitorEvent` claimed with `claim_once`, so concurrent ticks cannot both open it) when its
condition is first seen and closes when a tick finds the condition gone; only opening tells anyone.
Who is told: the people whose Telegram ids are in ADMIN_TELEGRAM_IDS (in their language when they
use the bot; in Spanish otherwise), or, when unset, the CAN's technical secretariat (its secretaries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.audit import verify_chain
from bot.workflows.business_days import LIMA
from bot.workflows.membership.commissions import can_commission
from bot.workflows.notices import Notice
from bot.workflows.once import claim_once
from bot.workflows.outbox import OPEN
from db.models import Commission, Membership, OutboxMessage, Person, Role
from db.models.monitoring import MonitorEvent

# The daily audit verification runs at the first tick after this time (Lima), once a day.
VERIFY_AT = time(3, 0)


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox: every open row is due (nothing is queued for later), and `oldest`
    is when the longest-waiting one was queued (None when empty)."""

    count: int
    oldest: datetime | None

    def age(self, now: datetime) -> timedelta:
        return max(now - self.oldest, timedelta(0)) if self.oldest is not None else timedelta(0)


async def measure_backlog(db: AsyncSession) -> Backlog:
    query = select(func.count(), func.min(OutboxMessage.created_at))
    count, oldest = (await db.exec(query.where(col(OutboxMessage.status).in_(OPEN)))).one()
    return Backlog(int(count), oldest)


@dataclass(frozen=True)
class Thresholds:
    outbox_age: timedelta = timedelta(minutes=15)
    scheduler_late: timedelta = timedelta(minutes=10)


async def monitoring_tick(
    db: AsyncSession,
    now: datetime,
    *,
    admins: Iterable[int] = (),
    thresholds: Thresholds = Thresholds(),
    scheduler_late_by: timedelta = timedelta(0),
) -> list[Notice]:
    """The alerts due at `now` (one per newly opened incident), for the administrators.
    `scheduler_late_by`: how late the scheduler's work is, as the caller measured it."""
    alerts: list[Text] = []
    backlog = await measure_backlog(db)
    age = backlog.age(now)
    if await _incident(db, "outbox", age > thresholds.outbox_age, now):
        minutes = int(age.total_seconds() // 60)
        alerts.append(
            nmsg(
                "⚠️ Mensajes atrasados: el más antiguo espera hace {n} minuto ({count} en cola). "
                "Revise la conexión con Telegram y el registro del bot.",
                "⚠️ Mensajes atrasados: el más antiguo espera hace {n} minutos ({count} en cola). "
                "Revise la conexión con Telegram y el registro del bot.",
                minutes,
                count=backlog.count,
            )
        )
    late = scheduler_late_by > thresholds.scheduler_late
    if await _incident(db, "scheduler", late, now):
        alerts.append(
            nmsg(
                "⚠️ El trabajo programado (recordatorios, resúmenes, rondas) lleva {n} minuto de retraso. "
                "Revise el registro del bot.",
                "⚠️ El trabajo programado (recordatorios, resúmenes, rondas) lleva {n} minutos de retraso. "
                "Revise el registro del bot.",
                int(scheduler_late_by.total_seconds() // 60),
            )
        )
    alerts.extend(await _verify_daily(db, now))
    if not alerts:
        return []
    recipients = await _administrators(db, admins)
    return [_notice(recipient, text) for text in alerts for recipient in recipients]


async def _verify_daily(db: AsyncSession, now: datetime) -> list[Text]:
    """`audit verify`, once a day: an alert per commission whose chain newly fails."""
    local = now.astimezone(LIMA)
    if local.time() < VERIFY_AT:
        return []
    if not await claim_once(
        db, MonitorEvent(kind="audit-verify", key=local.date().isoformat(), opened_at=now)
    ):
        return []
    _checked, broken = await verify_chain(db)
    failing = {link.commission_id: link for link in broken}
    open_chains = (
        await db.exec(
            select(MonitorEvent.kind).where(
                col(MonitorEvent.kind).startswith("chain:"), col(MonitorEvent.closed_at).is_(None)
            )
        )
    ).all()
    commission_ids = set(failing) | {int(kind.split(":", 1)[1]) for kind in open_chains}
    alerts: list[Text] = []
    for commission_id in sorted(commission_ids):
        link = failing.get(commission_id)
        if await _incident(db, f"chain:{commission_id}", link is not None, now):
            assert link is not None
            commission = await db.get(Commission, commission_id)
            alerts.append(
                msg(
                    "🚨 El registro de auditoría de {commission} no pasa la verificación diaria: "
                    "está roto desde la entrada {seq} (modificado o borrado). "
                    "Ejecute «cra-bot audit verify» y restaure una copia de seguridad si hace falta.",
                    commission=commission.name if commission else str(commission_id),
                    seq=link.seq,
                )
            )
    return alerts


async def _incident(db: AsyncSession, kind: str, active: bool, now: datetime) -> bool:
    """Track an incident of `kind`: True only when it opens now (the one time to tell anyone)."""
    latest = (
        await db.exec(
            select(MonitorEvent).where(MonitorEvent.kind == kind).order_by(col(MonitorEvent.id).desc())
        )
    ).first()
    is_open = latest is not None and latest.closed_at is None
    if not active:
        if is_open:
            assert latest is not None
            latest.closed_at = now
            db.add(latest)
        return False
    if is_open:
        return False
    count = (await db.exec(select(func.count()).where(MonitorEvent.kind == kind))).one()
    return await claim_once(db, MonitorEvent(kind=kind, key=str(count + 1), opened_at=now))


@dataclass(frozen=True)
class _Recipient:
    person_id: int | None
    chat_id: int | None = None


async def _administrators(db: AsyncSession, admins: Iterable[int]) -> list[_Recipient]:
    telegram_ids = sorted(set(admins))
    if telegram_ids:
        people = (await db.exec(select(Person).where(col(Person.telegram_id).in_(telegram_ids)))).all()
        known = {p.telegram_id: p.id for p in people}
        return [_Recipient(known[t]) if t in known else _Recipient(None, t) for t in telegram_ids]
    can = await can_commission(db)
    if can is None:
        return []
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.commission_id == can.id, Membership.role == Role.SECRETARY)
        .order_by(col(Membership.id))
    )
    return [_Recipient(person_id) for person_id in rows.all()]


def _notice(recipient: _Recipient, text: Text) -> Notice:
    # An administrator who never wrote to the bot has no language yet: a direct chat, in Spanish.
    return Notice(person_id=recipient.person_id, text=text, group_chat_id=recipient.chat_id)
