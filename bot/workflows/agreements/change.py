"""Changing an agreement: edit, reschedule, close, cancel, reopen (the secretariat's changes).

Progress from the liaisons is in progress.py.

Every change appends an `AgreementEvent` (the history people read) and an audit entry, in the
same transaction. Allowed status transitions are in `TRANSITIONS`; "vencido" is never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, pmsg
from bot.workflows.access import Action, Actor
from bot.workflows.agreements.create import (
    AUDITED_FIELDS,
    INDICATOR_MAX,
    access_agreement,
    agreement_seat_ids,
    check_deadline,
    check_seats,
    clean_optional,
    clean_text,
    new_responsibility_notices,
    seat_people,
)
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    Person,
    ProgressDraft,
    Role,
)

REASON_MIN, REASON_MAX = 3, 500
NOTE_MAX = 1000

# Which stored status may follow which. A closed agreement may be reopened by the secretary;
# a cancelled one stays cancelled (adopt a new agreement instead).
TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    AgreementStatus.PENDING: frozenset(
        {AgreementStatus.IN_PROGRESS, AgreementStatus.DONE, AgreementStatus.CANCELLED}
    ),
    AgreementStatus.IN_PROGRESS: frozenset(
        {AgreementStatus.IN_PROGRESS, AgreementStatus.DONE, AgreementStatus.CANCELLED}
    ),
    AgreementStatus.DONE: frozenset({AgreementStatus.IN_PROGRESS}),
    AgreementStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Changed:
    agreement: Agreement
    notices: list[Notice] = field(default_factory=list)


def check_transition(current: AgreementStatus, new: AgreementStatus) -> None:
    if new != current and new not in TRANSITIONS[current]:
        raise UserError(
            msg(
                "Un acuerdo «{current}» no puede pasar a «{new}».",
                current=STATUS_TEXT[current],
                new=STATUS_TEXT[new],
            )
        )
    if current == AgreementStatus.CANCELLED:
        raise UserError(msg("Este acuerdo está cancelado: ya no admite cambios."))


STATUS_TEXT = {
    AgreementStatus.PENDING: msg("pendiente"),
    AgreementStatus.IN_PROGRESS: msg("en curso"),
    AgreementStatus.DONE: msg("cumplido"),
    # TRANSLATORS: an agreement the secretariat annulled (with a reason); not the «Cancelar» button.
    AgreementStatus.CANCELLED: pmsg("status", "cancelado"),
}


def clean_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not REASON_MIN <= len(cleaned) <= REASON_MAX:
        raise UserError(
            msg("Indique el motivo, entre {min} y {max} caracteres.", min=REASON_MIN, max=REASON_MAX)
        )
    return cleaned


# The percentages offered as buttons wherever progress is asked (/avance, /ronda), the same
# everywhere; any whole number from 0 to 100 may be typed instead. An agreement in progress is
# neither at 0 % nor at 100 % («Cumplido» is its own answer).
PERCENT_CHOICES = (10, 25, 50, 75, 90)


def check_percent(value: int) -> int:
    if not 0 <= value <= 100:
        raise UserError(
            msg("El avance es un porcentaje entre 0 y 100. Escriba solo el número, por ejemplo 40.")
        )
    return value


async def add_event(
    db: AsyncSession,
    agreement: Agreement,
    actor: Person,
    kind: AgreementEventKind,
    now: datetime,
    **fields: object,
) -> AgreementEvent:
    assert agreement.id is not None
    event = AgreementEvent(agreement_id=agreement.id, at=now, actor_id=actor.id, kind=kind, **fields)  # type: ignore[arg-type]
    db.add(event)
    return event


async def audit_change(
    db: AsyncSession, actor: Actor, agreement: Agreement, verb: str, before: dict[str, object], now: datetime
) -> None:
    await audited(
        db,
        actor,
        agreement.commission_id,
        f"agreement.{verb}",
        "agreement",
        agreement.id,
        now=now,
        before=before,
        after=snapshot(agreement, *AUDITED_FIELDS),
    )


async def edit_agreement(
    db: AsyncSession,
    person: Person | None,
    agreement_id: int,
    *,
    now: datetime,
    text: str | None = None,
    indicator: str | None = None,
    seat_ids: Sequence[int] | None = None,
) -> Changed:
    """Change the text, the indicator or the responsible institutions (newly responsible ones hear)."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.MANAGE_AGREEMENTS)
    if agreement.status == AgreementStatus.CANCELLED:
        raise UserError(msg("Este acuerdo está cancelado: ya no admite cambios."))
    before = snapshot(agreement, *AUDITED_FIELDS)
    old_seats = await agreement_seat_ids(db, agreement_id)
    notes: list[str] = []
    if text is not None:
        agreement.text = clean_text(text)
        notes.append("texto")
    if indicator is not None:
        agreement.indicator = clean_optional(indicator, INDICATOR_MAX)
        notes.append("indicador")
    added: list[int] = []
    if seat_ids is not None:
        wanted = await check_seats(db, agreement.commission_id, seat_ids)
        added = [s for s in wanted if s not in old_seats]
        await db.exec(
            delete(AgreementSeat).where(
                col(AgreementSeat.agreement_id) == agreement_id, col(AgreementSeat.seat_id).not_in(wanted)
            )
        )
        for seat_id in added:
            db.add(AgreementSeat(agreement_id=agreement_id, seat_id=seat_id))
        notes.append("instituciones")
    agreement.updated_at = now
    db.add(agreement)
    await add_event(
        db, agreement, actor.person, AgreementEventKind.EDITED, now, note=", ".join(notes) or None
    )
    await audited(
        db,
        actor,
        agreement.commission_id,
        "agreement.edited",
        "agreement",
        agreement.id,
        now=now,
        before=before | {"seat_ids": old_seats},
        after=snapshot(agreement, *AUDITED_FIELDS) | {"seat_ids": await agreement_seat_ids(db, agreement_id)},
    )
    names = await seat_names(db, added)
    return Changed(
        agreement, new_responsibility_notices(agreement, await seat_people(db, added, Role.LIAISON), names)
    )


async def reschedule_agreement(
    db: AsyncSession,
    person: Person | None,
    agreement_id: int,
    *,
    new_deadline: date,
    reason: str,
    agreed_by: str,
    now: datetime,
) -> Changed:
    """A new deadline, with the reason and who agreed it; the original one is kept."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.MANAGE_AGREEMENTS)
    if agreement.status not in (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS):
        raise UserError(msg("Solo se reprograma un acuerdo pendiente o en curso."))
    check_deadline(new_deadline, now)
    if new_deadline == agreement.deadline:
        raise UserError(msg("Esa ya es la fecha del plazo. Indique una fecha distinta."))
    cleaned = clean_reason(reason)
    who = " ".join(agreed_by.split())
    if not 2 <= len(who) <= 200:
        raise UserError(
            msg("Indique quién acordó la reprogramación (por ejemplo «Sesión ordinaria del 5/12»).")
        )
    before = snapshot(agreement, *AUDITED_FIELDS)
    old = agreement.deadline
    agreement.deadline = new_deadline
    agreement.updated_at = now
    agreement.flagged_for_can_at = None  # a new deadline starts the ladder again
    db.add(agreement)
    await add_event(
        db,
        agreement,
        actor.person,
        AgreementEventKind.RESCHEDULED,
        now,
        old_deadline=old,
        new_deadline=new_deadline,
        note=cleaned,
        agreed_by=who,
    )
    await audit_change(
        db, actor, agreement, "rescheduled", before | {"reason": cleaned, "agreed_by": who}, now
    )
    seats = await agreement_seat_ids(db, agreement_id)
    notices = [
        Notice(
            person_id,
            msg(
                "El plazo del acuerdo <b>{code}</b> cambió del {old} al {new}. Motivo: {reason}.",
                code=agreement.code,
                old=old,
                new=new_deadline,
                reason=cleaned,
            ),
            agreement.commission_id,
        )
        for person_id, _ in await seat_people(db, seats, Role.LIAISON)
    ]
    return Changed(agreement, notices)


async def close_agreement(
    db: AsyncSession, person: Person | None, agreement_id: int, *, now: datetime, note: str | None = None
) -> Changed:
    """The secretary declares the agreement fulfilled (100 %)."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.MANAGE_AGREEMENTS)
    check_transition(agreement.status, AgreementStatus.DONE)
    if agreement.status == AgreementStatus.DONE:
        raise UserError(msg("Este acuerdo ya figura como cumplido."))
    before = snapshot(agreement, *AUDITED_FIELDS)
    agreement.status, agreement.progress = AgreementStatus.DONE, 100
    agreement.closed_at = agreement.updated_at = now
    db.add(agreement)
    await add_event(
        db,
        agreement,
        actor.person,
        AgreementEventKind.CLOSED,
        now,
        status=agreement.status,
        progress=100,
        note=clean_optional(note, NOTE_MAX),
    )
    await audit_change(db, actor, agreement, "closed", before, now)
    await _drop_drafts(db, agreement_id)
    return Changed(agreement, await _tell_liaisons(db, agreement, "closed"))


async def cancel_agreement(
    db: AsyncSession, person: Person | None, agreement_id: int, *, reason: str, now: datetime
) -> Changed:
    """Cancel with a reason (required); the agreement stays in the register, marked cancelled."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.MANAGE_AGREEMENTS)
    check_transition(agreement.status, AgreementStatus.CANCELLED)
    cleaned = clean_reason(reason)
    before = snapshot(agreement, *AUDITED_FIELDS)
    agreement.status, agreement.cancel_reason = AgreementStatus.CANCELLED, cleaned
    agreement.closed_at = agreement.updated_at = now
    db.add(agreement)
    await add_event(
        db, agreement, actor.person, AgreementEventKind.CANCELLED, now, status=agreement.status, note=cleaned
    )
    await audit_change(db, actor, agreement, "cancelled", before, now)
    await _drop_drafts(db, agreement_id)
    return Changed(agreement, await _tell_liaisons(db, agreement, "cancelled"))


async def reopen_agreement(
    db: AsyncSession, person: Person | None, agreement_id: int, *, now: datetime
) -> Changed:
    """A fulfilled agreement turns out not to be: back to "en curso"."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.MANAGE_AGREEMENTS)
    if agreement.status != AgreementStatus.DONE:
        raise UserError(msg("Solo se reabre un acuerdo cumplido."))
    before = snapshot(agreement, *AUDITED_FIELDS)
    agreement.status, agreement.closed_at, agreement.updated_at = AgreementStatus.IN_PROGRESS, None, now
    db.add(agreement)
    await add_event(
        db, agreement, actor.person, AgreementEventKind.EDITED, now, status=agreement.status, note="reabierto"
    )
    await audit_change(db, actor, agreement, "reopened", before, now)
    return Changed(agreement)


async def _tell_liaisons(db: AsyncSession, agreement: Agreement, what: str) -> list[Notice]:
    assert agreement.id is not None
    seats = await agreement_seat_ids(db, agreement.id)
    if what == "closed":
        text = msg("El acuerdo <b>{code}</b> fue declarado cumplido. Gracias.", code=agreement.code)
    else:
        text = msg(
            "El acuerdo <b>{code}</b> fue cancelado. Motivo: {reason}.",
            code=agreement.code,
            reason=agreement.cancel_reason or "",
        )
    return [Notice(p, text, agreement.commission_id) for p, _ in await seat_people(db, seats, Role.LIAISON)]


async def _drop_drafts(db: AsyncSession, agreement_id: int) -> None:
    await db.exec(delete(ProgressDraft).where(col(ProgressDraft.agreement_id) == agreement_id))
