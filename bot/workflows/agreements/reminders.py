"""Deadline reminders and the overdue escalation ladder, as scheduler ticks.

Before a deadline (default 7 and 1 days) the responsible liaisons are reminded. Once overdue
(the Lima day after the deadline), the ladder climbs with configurable delays counted in days
since the agreement fell overdue: liaison → secretary → the institution's titular member →
flagged for the CAN digest. Each step is an `AgreementReminder` row keyed by agreement, deadline,
step and person, so nobody gets the same reminder twice, restarts included; rescheduling gives a
new deadline and so a fresh ladder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.create import (
    OPEN_STATUSES,
    agreement_seat_ids,
    seat_people,
    secretaries,
)
from bot.workflows.audit import audited
from bot.workflows.business_days import LIMA, lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import AskNewDeadline, Notice
from bot.workflows.once import claim_once
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementReminder,
    AgreementRules,
    Commission,
    Person,
    Role,
)

LADDER = ("liaison", "secretary", "member", "can")
NOBODY = 0  # person_id of a step that addresses nobody (the CAN flag, or no one to tell)


@dataclass(frozen=True)
class ReminderRules:
    """Days before the deadline to remind, days after falling overdue for each ladder step."""

    before_days: tuple[int, ...] = (7, 1)
    ladder_days: tuple[int, int, int, int] = (0, 7, 14, 30)  # liaison, secretary, member, CAN
    send_hour: int = 8  # Lima hour from which the day's reminders go out

    def __post_init__(self) -> None:
        if any(d < 1 or d > 365 for d in self.before_days):
            raise ValueError("before_days must be between 1 and 365")
        if len(self.ladder_days) != 4 or any(d < 0 or d > 365 for d in self.ladder_days):
            raise ValueError("ladder_days needs four delays between 0 and 365")
        if list(self.ladder_days) != sorted(self.ladder_days):
            raise ValueError("ladder_days must not go down")
        if not 0 <= self.send_hour <= 23:
            raise ValueError("send_hour must be an hour 0-23")

    def to_dict(self) -> dict[str, Any]:
        return {
            "before_days": list(self.before_days),
            "ladder_days": list(self.ladder_days),
            "send_hour": self.send_hour,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReminderRules:
        unknown = set(data) - {"before_days", "ladder_days", "send_hour"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        default = cls()
        ladder = tuple(int(d) for d in data.get("ladder_days", default.ladder_days))
        if len(ladder) != 4:
            raise ValueError("ladder_days needs four delays between 0 and 365")
        return cls(
            before_days=tuple(
                sorted({int(d) for d in data.get("before_days", default.before_days)}, reverse=True)
            ),
            ladder_days=(ladder[0], ladder[1], ladder[2], ladder[3]),
            send_hour=int(data.get("send_hour", default.send_hour)),
        )


async def load_rules(db: AsyncSession, commission_id: int) -> ReminderRules:
    row = (await db.exec(select(AgreementRules).where(AgreementRules.commission_id == commission_id))).first()
    return ReminderRules.from_dict(row.settings) if row else ReminderRules()


async def set_rules(
    db: AsyncSession, person: Person | None, commission_id: int, rules: ReminderRules, *, now: datetime
) -> ReminderRules:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    row = (await db.exec(select(AgreementRules).where(AgreementRules.commission_id == commission_id))).first()
    before = row.settings if row else ReminderRules().to_dict()
    if row is None:
        row = AgreementRules(commission_id=commission_id, settings={})
    row.settings = rules.to_dict()
    db.add(row)
    await audited(
        db,
        actor,
        commission_id,
        "agreement.rules_changed",
        "agreement_rules",
        commission_id,
        now=now,
        before=before,
        after=rules.to_dict(),
    )
    return rules


def parse_rules(before: str, ladder: str) -> ReminderRules:
    """Rules typed as "7,1" and "0,7,14,30"."""
    try:
        return ReminderRules.from_dict(
            {
                "before_days": [int(x) for x in before.replace(" ", "").split(",") if x],
                "ladder_days": [int(x) for x in ladder.replace(" ", "").split(",") if x],
            }
        )
    except ValueError as exc:
        raise UserError(msg("Esos plazos no son válidos: {problem}.", problem=str(exc))) from exc


async def _open_agreements(db: AsyncSession) -> list[Agreement]:
    rows = await db.exec(
        select(Agreement).where(col(Agreement.status).in_(OPEN_STATUSES)).order_by(col(Agreement.id))
    )
    return list(rows.all())


async def _once(db: AsyncSession, agreement: Agreement, step: str, person_id: int, now: datetime) -> bool:
    """Record the step for that person; False if it was already taken."""
    assert agreement.id is not None
    reminder = AgreementReminder(
        agreement_id=agreement.id, deadline=agreement.deadline, step=step, person_id=person_id, sent_at=now
    )
    return await claim_once(db, reminder)


def _sending_hours(now: datetime, rules: ReminderRules) -> bool:
    return now.astimezone(LIMA).hour >= rules.send_hour


async def due_reminders(db: AsyncSession, now: datetime) -> list[Notice]:
    """Remind the liaisons N days before each open agreement's deadline (once per offset)."""
    notices: list[Notice] = []
    today = lima_date(now)
    rules_cache: dict[int, ReminderRules] = {}
    for agreement in await _open_agreements(db):
        rules = rules_cache.get(agreement.commission_id) or await load_rules(db, agreement.commission_id)
        rules_cache[agreement.commission_id] = rules
        left = (agreement.deadline - today).days
        if left < 0 or not _sending_hours(now, rules):
            continue
        due = [d for d in rules.before_days if left <= d]
        if not due:
            continue
        offset = min(due)  # the tightest reminder that applies; larger ones are past
        if lima_date(agreement.created_at) > agreement.deadline - _days(offset):
            continue  # adopted inside that window: the creation notice already said it
        assert agreement.id is not None
        seats = await agreement_seat_ids(db, agreement.id)
        names = await seat_names(db, seats)
        for person_id, seat_id in await seat_people(db, seats, Role.LIAISON):
            if await _once(db, agreement, f"before_{offset}", person_id, now):
                notices.append(
                    Notice(
                        person_id,
                        nmsg(
                            "Recordatorio: el acuerdo <b>{code}</b> ({institution}) "
                            "vence en {n} día, el {deadline}. "
                            "Avance registrado: {progress} %. Informe con /avance.",
                            "Recordatorio: el acuerdo <b>{code}</b> ({institution}) "
                            "vence en {n} días, el {deadline}. "
                            "Avance registrado: {progress} %. Informe con /avance.",
                            left,
                            code=agreement.code,
                            institution=names.get(seat_id, ""),
                            deadline=agreement.deadline,
                            progress=agreement.progress,
                        ),
                        agreement.commission_id,
                    )
                )
    await db.flush()
    return notices


def _days(n: int) -> timedelta:
    return timedelta(days=n)


async def due_escalations(db: AsyncSession, now: datetime) -> list[Notice]:
    """Climb the ladder for overdue agreements; each step once per deadline and person."""
    notices: list[Notice] = []
    today = lima_date(now)
    for agreement in await _open_agreements(db):
        if today <= agreement.deadline:
            continue
        rules = await load_rules(db, agreement.commission_id)
        if not _sending_hours(now, rules):
            continue
        since = (today - agreement.deadline).days - 1  # 0 on the first overdue day
        assert agreement.id is not None
        seats = await agreement_seat_ids(db, agreement.id)
        names = await seat_names(db, seats)
        institutions = ", ".join(sorted(names.values()))
        commission = await db.get(Commission, agreement.commission_id)
        overdue_days = since + 1
        for step, delay in zip(LADDER, rules.ladder_days, strict=True):
            if since < delay:
                break
            told, took = await _step(db, agreement, step, now, names, institutions, commission, overdue_days)
            notices += told
            if took:
                await _record_step(db, agreement, step, now)
    await db.flush()
    return notices


async def _record_step(db: AsyncSession, agreement: Agreement, step: str, now: datetime) -> None:
    """The step shows in the agreement's history, dated, once per deadline (a liaison who joins
    later and is reminded then does not add a second line)."""
    assert agreement.id is not None
    seen = await db.exec(
        select(AgreementEvent.id).where(
            AgreementEvent.agreement_id == agreement.id,
            AgreementEvent.kind == AgreementEventKind.ESCALATED,
            AgreementEvent.note == step,
            AgreementEvent.old_deadline == agreement.deadline,
        )
    )
    if seen.first() is None:
        db.add(
            AgreementEvent(
                agreement_id=agreement.id,
                at=now,
                kind=AgreementEventKind.ESCALATED,
                note=step,
                old_deadline=agreement.deadline,
            )
        )


def _overdue_text(agreement: Agreement, institutions: str, days: int, commission: Commission | None) -> Text:
    return nmsg(
        "El acuerdo <b>{code}</b> de {commission} ({institution}) está vencido desde el {deadline} "
        "({n} día de atraso). Avance registrado: {progress} %.",
        "El acuerdo <b>{code}</b> de {commission} ({institution}) está vencido desde el {deadline} "
        "({n} días de atraso). Avance registrado: {progress} %.",
        days,
        code=agreement.code,
        commission=commission.name if commission else "",
        institution=institutions,
        deadline=agreement.deadline,
        progress=agreement.progress,
    )


async def _step(
    db: AsyncSession,
    agreement: Agreement,
    step: str,
    now: datetime,
    names: dict[int, str],
    institutions: str,
    commission: Commission | None,
    days: int,
) -> tuple[list[Notice], bool]:
    """The step's notices, and whether the step was taken now (for anybody) rather than before."""
    assert agreement.id is not None
    seats = list(names)
    text = _overdue_text(agreement, institutions, days, commission)
    if step == "liaison":
        people = [(p, s) for p, s in await seat_people(db, seats, Role.LIAISON)]
        out = []
        took = False
        for person_id, seat_id in people:
            if await _once(db, agreement, "overdue_liaison", person_id, now):
                took = True
                out.append(
                    Notice(
                        person_id,
                        msg(
                            "El acuerdo <b>{code}</b> a cargo de {institution} venció el {deadline}. "
                            "Registre su avance con /avance "
                            "o pida a la secretaría técnica una reprogramación.",
                            code=agreement.code,
                            institution=names.get(seat_id, ""),
                            deadline=agreement.deadline,
                        ),
                        agreement.commission_id,
                        buttons=AskNewDeadline(agreement.id),
                    )
                )
        if not people:
            took = await _once(db, agreement, "overdue_liaison", NOBODY, now)
        return out, took
    if step == "secretary":
        targets = await secretaries(db, agreement.commission_id)
        return await _tell(db, agreement, "overdue_secretary", targets, text, now)
    if step == "member":
        targets = [p for p, _ in await seat_people(db, seats, Role.MEMBER)]
        return await _tell(db, agreement, "overdue_member", targets, text, now)
    # Last step: flag for the CAN digest (which reads `flagged_for_can_at`).
    if await _once(db, agreement, "can_flag", NOBODY, now):
        agreement.flagged_for_can_at = now
        db.add(agreement)
        await audited(
            db,
            None,
            agreement.commission_id,
            "agreement.flagged_for_can",
            "agreement",
            agreement.id,
            now=now,
            after={"code": agreement.code, "deadline": agreement.deadline, "days_overdue": days},
            actor_label="system",
        )
        secretaries_ = await secretaries(db, agreement.commission_id)
        told = [
            Notice(
                p,
                msg(
                    "El acuerdo <b>{code}</b> sigue vencido desde el {deadline}: "
                    "se incluirá en el reporte a la CAN.",
                    code=agreement.code,
                    deadline=agreement.deadline,
                ),
                agreement.commission_id,
            )
            for p in secretaries_
        ]
        return told, True
    return [], False


async def _tell(
    db: AsyncSession, agreement: Agreement, step: str, targets: list[int], text: Text, now: datetime
) -> tuple[list[Notice], bool]:
    out = []
    for person_id in dict.fromkeys(targets):
        if await _once(db, agreement, step, person_id, now):
            out.append(Notice(person_id, text, agreement.commission_id))
    took = bool(out)
    if not targets:
        took = await _once(db, agreement, step, NOBODY, now)
    return out, took


async def flagged_for_can(db: AsyncSession, commission_id: int | None = None) -> list[Agreement]:
    """Open agreements the ladder flagged for the CAN digest (for the digest feature)."""
    query = select(Agreement).where(
        col(Agreement.flagged_for_can_at).is_not(None), col(Agreement.status).in_(OPEN_STATUSES)
    )
    if commission_id is not None:
        query = query.where(Agreement.commission_id == commission_id)
    return list((await db.exec(query.order_by(col(Agreement.id)))).all())


async def agreements_tick(db: AsyncSession, now: datetime) -> list[Notice]:
    """The tick: reminders before deadlines, then the overdue ladder's due steps."""
    return await due_reminders(db, now) + await due_escalations(db, now)
