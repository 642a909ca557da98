"""Chasing a round, as scheduler ticks: reminders, escalation, closing with the summary.

- Half-way through the window (Lima day), and on its last day: the liaisons who have not finished
  are reminded.
- When the window has passed: each institution that did not finish is escalated to its titular
  member and to the secretary; the round closes and its summary goes to secretary and president.
- Recurring rounds open on their day of the month.

Every step is keyed in `round_reminder` (target, step, person): nobody is reminded twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import nmsg
from bot.workflows.agreements.create import secretaries
from bot.workflows.audit import audited
from bot.workflows.business_days import BusinessCalendar, lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from bot.workflows.once import claim_once
from bot.workflows.rounds.opening import _open, round_summary, seat_person, summary_text
from db.models import (
    Membership,
    ProgressRound,
    Role,
    RoundReminder,
    RoundSchedule,
    RoundStatus,
    RoundTarget,
)


def half_way(rnd: ProgressRound, calendar: BusinessCalendar | None = None) -> date:
    """The Lima day half-way through the window (rounded down, at least one business day in)."""
    cal = calendar or BusinessCalendar()
    return cal.add_business_days(lima_date(rnd.opened_at), max(1, rnd.window_days // 2))


async def _once(db: AsyncSession, target: RoundTarget, step: str, person_id: int, now: datetime) -> bool:
    """Claim a step for one person: False when it was already taken."""
    assert target.id is not None
    return await claim_once(
        db, RoundReminder(target_id=target.id, step=step, person_id=person_id, sent_at=now)
    )


async def _presidents(db: AsyncSession, commission_id: int) -> list[int]:
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.commission_id == commission_id, Membership.role == Role.PRESIDENT)
        .order_by(col(Membership.id))
    )
    return list(rows.all())


async def due_round_notices(db: AsyncSession, now: datetime) -> list[Notice]:
    """Everything due in every open round (reminders, escalations, closing summaries), once."""
    today = lima_date(now)
    rounds = list(
        (await db.exec(select(ProgressRound).where(ProgressRound.status == RoundStatus.OPEN))).all()
    )
    notices: list[Notice] = []
    for rnd in rounds:
        targets = list(
            (
                await db.exec(
                    select(RoundTarget)
                    .where(RoundTarget.round_id == rnd.id, col(RoundTarget.finished_at).is_(None))
                    .order_by(col(RoundTarget.id))
                )
            ).all()
        )
        names = await seat_names(db, [t.seat_id for t in targets])
        if today > rnd.window_end:
            notices += await _escalate(db, rnd, targets, names, now)
            notices += await _close(db, rnd, now)
            continue
        step = "last_day" if today == rnd.window_end else "half" if today >= half_way(rnd) else None
        if step is None:
            continue
        for target in targets:
            if target.person_id is None or not await _once(db, target, step, target.person_id, now):
                continue
            left = len(target.agreement_ids) - target.position
            text = (
                nmsg(
                    "Hoy vence la ronda de avances de {institution}. Falta {left} acuerdo por responder "
                    "(de {total}). Escriba /ronda para continuar donde lo dejó.",
                    "Hoy vence la ronda de avances de {institution}. Faltan {left} acuerdos por responder "
                    "(de {total}). Escriba /ronda para continuar donde lo dejó.",
                    left,
                    institution=names.get(target.seat_id, ""),
                    left=left,
                    total=len(target.agreement_ids),
                )
                if step == "last_day"
                else nmsg(
                    "Recordatorio: la ronda de avances de {institution} vence el {end}. Falta {left} "
                    "acuerdo por responder (de {total}). Escriba /ronda para responder.",
                    "Recordatorio: la ronda de avances de {institution} vence el {end}. Faltan {left} "
                    "acuerdos por responder (de {total}). Escriba /ronda para responder.",
                    left,
                    institution=names.get(target.seat_id, ""),
                    end=rnd.window_end,
                    left=left,
                    total=len(target.agreement_ids),
                )
            )
            notices.append(Notice(target.person_id, text, rnd.commission_id))
    return notices


async def _escalate(
    db: AsyncSession, rnd: ProgressRound, targets: list[RoundTarget], names: dict[int, str], now: datetime
) -> list[Notice]:
    notices: list[Notice] = []
    for target in targets:
        if target.person_id is None:
            continue  # the secretary was told at the start; the summary lists it again
        liaison = target.person_id
        text = nmsg(
            "La ronda de avances cerró el {end} y {institution} no terminó de responder "
            "({done} de {total} acuerdo). Le pedimos ayuda para que su coordinador de enlace informe.",
            "La ronda de avances cerró el {end} y {institution} no terminó de responder "
            "({done} de {total} acuerdos). Le pedimos ayuda para que su coordinador de enlace informe.",
            len(target.agreement_ids),
            end=rnd.window_end,
            institution=names.get(target.seat_id, ""),
            done=target.position,
            total=len(target.agreement_ids),
        )
        titular = await seat_person(db, target.seat_id, Role.MEMBER)
        for p in ([titular] if titular else []) + await secretaries(db, rnd.commission_id):
            if p != liaison and await _once(db, target, "escalation", p, now):
                notices.append(Notice(p, text, rnd.commission_id))
    return notices


async def _close(db: AsyncSession, rnd: ProgressRound, now: datetime) -> list[Notice]:
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, now
    db.add(rnd)
    await db.flush()
    summary = await round_summary(db, rnd)
    await audited(
        db,
        None,
        rnd.commission_id,
        "rounds.closed",
        "progress_round",
        rnd.id,
        now=now,
        after={"rate": summary.rate, "finished": len(summary.finished), "targets": summary.targets},
    )
    text = summary_text(summary)
    people = list(
        dict.fromkeys(await secretaries(db, rnd.commission_id) + await _presidents(db, rnd.commission_id))
    )
    return [Notice(p, text, rnd.commission_id) for p in people]


async def due_scheduled_rounds(db: AsyncSession, now: datetime) -> list[Notice]:
    """Open the recurring rounds whose day of the month has come (once a month)."""
    today = lima_date(now)
    notices: list[Notice] = []
    for schedule in (await db.exec(select(RoundSchedule))).all():
        if today.day < schedule.day_of_month or (
            schedule.last_opened_on is not None
            and (schedule.last_opened_on.year, schedule.last_opened_on.month) == (today.year, today.month)
        ):
            continue
        schedule.last_opened_on = today
        db.add(schedule)
        still_open = (
            await db.exec(
                select(ProgressRound.id).where(
                    ProgressRound.commission_id == schedule.commission_id,
                    ProgressRound.status == RoundStatus.OPEN,
                )
            )
        ).first()
        if still_open is not None:
            continue
        try:
            async with db.begin_nested():
                opened = await _open(db, None, schedule.commission_id, schedule.window_days, now)
        except UserError:
            continue  # no open agreements this month
        notices += opened.notices
    return notices


async def rounds_tick(db: AsyncSession, now: datetime) -> list[Notice]:
    """Tick: scheduled openings, reminders, escalations and closings, as notices."""
    return await due_scheduled_rounds(db, now) + await due_round_notices(db, now)
