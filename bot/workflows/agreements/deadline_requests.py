"""A liaison asks for a new deadline; the secretary accepts or refuses.

The overdue notice offers the request (button `AskNewDeadline`). A request is an `AgreementEvent`
(kind deadline_asked: the proposed date, the reason, the liaison's institution), audited, and
reaches the commission's secretaries with accept/refuse buttons. Accepting reschedules through
`reschedule_agreement` (the same checks, history line and audit entry as a reschedule from the
detail); refusing is an event and an audit entry of its own. The liaison hears either way. A
request is pending while no reschedule or refusal came after it, so a second press on an old
button changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.agreements.change import Changed, add_event, clean_reason, reschedule_agreement
from bot.workflows.agreements.create import OPEN_STATUSES, access_agreement, check_deadline, secretaries
from bot.workflows.agreements.progress import reporting_seat
from bot.workflows.audit import audited
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import DeadlineDecision, Notice
from db.models import Agreement, AgreementEvent, AgreementEventKind, Person

ANSWERS = (AgreementEventKind.RESCHEDULED, AgreementEventKind.DEADLINE_REFUSED)


@dataclass(frozen=True)
class Asked:
    agreement: Agreement
    request: AgreementEvent
    notices: list[Notice]


async def check_may_ask(db: AsyncSession, person: Person | None, agreement_id: int) -> Agreement:
    """The agreement, if the person is a liaison responsible for it and it is still open."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.REQUEST_DEADLINE)
    await reporting_seat(db, actor, agreement)
    if agreement.status not in OPEN_STATUSES:
        raise UserError(msg("Ese acuerdo ya no está abierto: no admite un nuevo plazo."))
    return agreement


def check_asked_deadline(agreement: Agreement, new_deadline: date, now: datetime) -> None:
    """A date from today on and later than the current deadline."""
    check_deadline(new_deadline, now)
    if new_deadline <= agreement.deadline:
        raise UserError(
            msg("Proponga una fecha posterior al plazo actual, el {deadline}.", deadline=agreement.deadline)
        )


async def request_new_deadline(
    db: AsyncSession,
    person: Person | None,
    agreement_id: int,
    *,
    new_deadline: date,
    reason: str,
    now: datetime,
) -> Asked:
    """Record the request and tell the secretaries, with the buttons to decide."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.REQUEST_DEADLINE)
    seat_id = await reporting_seat(db, actor, agreement)
    await check_may_ask(db, person, agreement_id)
    check_asked_deadline(agreement, new_deadline, now)
    cleaned = clean_reason(reason)
    request = await add_event(
        db,
        agreement,
        actor.person,
        AgreementEventKind.DEADLINE_ASKED,
        now,
        seat_id=seat_id,
        old_deadline=agreement.deadline,
        new_deadline=new_deadline,
        note=cleaned,
    )
    await db.flush()
    assert request.id is not None
    await audited(
        db,
        actor,
        agreement.commission_id,
        "agreement.deadline_requested",
        "agreement",
        agreement.id,
        now=now,
        after={"deadline": agreement.deadline, "asked": new_deadline, "reason": cleaned},
    )
    institution = (await seat_names(db, [seat_id] if seat_id else [])).get(seat_id or 0, "")
    text = msg(
        "{who} ({institution}) pide un nuevo plazo para el acuerdo <b>{code}</b>: "
        "del {old} al {new}. Motivo: {reason}.",
        who=actor.person.name,
        institution=institution,
        code=agreement.code,
        old=agreement.deadline,
        new=new_deadline,
        reason=cleaned,
    )
    notices = [
        Notice(p, text, agreement.commission_id, buttons=DeadlineDecision(request.id))
        for p in await secretaries(db, agreement.commission_id)
    ]
    return Asked(agreement, request, notices)


async def _pending(
    db: AsyncSession, person: Person | None, request_id: int
) -> tuple[AgreementEvent, Agreement]:
    """The request, after the secretary's gate on its agreement, if nobody answered it yet."""
    request = await db.get(AgreementEvent, request_id)
    unknown = msg("Ese pedido no existe.")
    if request is None or request.kind != AgreementEventKind.DEADLINE_ASKED:
        raise UserError(unknown)
    _, agreement = await access_agreement(db, person, request.agreement_id, Action.MANAGE_AGREEMENTS)
    answered = (
        await db.exec(
            select(AgreementEvent.id).where(
                AgreementEvent.agreement_id == request.agreement_id,
                col(AgreementEvent.kind).in_(ANSWERS),
                col(AgreementEvent.id) > request_id,
            )
        )
    ).first()
    if answered is not None or agreement.status not in OPEN_STATUSES:
        raise UserError(msg("Ese pedido ya fue atendido."))
    return request, agreement


async def accept_new_deadline(
    db: AsyncSession, person: Person | None, request_id: int, *, now: datetime
) -> Changed:
    """Reschedule to the asked date, with the liaison's reason, agreed by the liaison's request."""
    request, agreement = await _pending(db, person, request_id)
    asker = await db.get(Person, request.actor_id) if request.actor_id else None
    assert request.new_deadline is not None
    changed = await reschedule_agreement(
        db,
        person,
        agreement.id or 0,
        new_deadline=request.new_deadline,
        reason=request.note or "",
        agreed_by=f"{asker.name if asker else '—'}, {request.at:%Y-%m-%d}",
        now=now,
    )
    told = [n for n in changed.notices if n.person_id != request.actor_id]
    if asker is not None and asker.id is not None:
        told.append(
            Notice(
                asker.id,
                msg(
                    "La secretaría técnica aceptó su pedido: el nuevo plazo del acuerdo <b>{code}</b> "
                    "es el {new}.",
                    code=agreement.code,
                    new=request.new_deadline,
                ),
                agreement.commission_id,
            )
        )
    return Changed(changed.agreement, told)


async def refuse_new_deadline(
    db: AsyncSession, person: Person | None, request_id: int, *, now: datetime
) -> Changed:
    """Keep the deadline; the refusal is in the history and the audit log, and the liaison hears."""
    request, agreement = await _pending(db, person, request_id)
    actor, _ = await access_agreement(db, person, agreement.id or 0, Action.MANAGE_AGREEMENTS)
    await add_event(
        db,
        agreement,
        actor.person,
        AgreementEventKind.DEADLINE_REFUSED,
        now,
        old_deadline=agreement.deadline,
        new_deadline=request.new_deadline,
    )
    await audited(
        db,
        actor,
        agreement.commission_id,
        "agreement.deadline_refused",
        "agreement",
        agreement.id,
        now=now,
        after={"deadline": agreement.deadline, "asked": request.new_deadline},
    )
    notices = []
    if request.actor_id is not None:
        notices.append(
            Notice(
                request.actor_id,
                msg(
                    "La secretaría técnica no aceptó su pedido de un nuevo plazo para el acuerdo "
                    "<b>{code}</b>: el plazo sigue siendo el {deadline}.",
                    code=agreement.code,
                    deadline=agreement.deadline,
                ),
                agreement.commission_id,
            )
        )
    return Changed(agreement, notices)
