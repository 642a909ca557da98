"""Good practices: the secretary marks a progress update; the CAN analysts see it, the digest lists it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, Actor, access_object
from bot.workflows.audit import audited
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import can_analysts, seat_names
from bot.workflows.notices import Notice
from db.models import Agreement, AgreementEvent, AgreementEventKind, Commission, GoodPractice, Person


@dataclass(frozen=True)
class Practice:
    commission_code: str
    agreement_code: str
    institution: str
    progress: int | None
    note: str | None
    event_id: int
    marked_at: datetime


async def access_progress(
    db: AsyncSession, person: Person | None, event_id: int, action: Action
) -> tuple[Actor, AgreementEvent, Agreement]:
    """The only way to fetch a progress update by id for a person: the gate runs on its agreement's
    commission."""
    event = await db.get(AgreementEvent, event_id)
    progress = event is not None and event.kind == AgreementEventKind.PROGRESS
    agreement = await db.get(Agreement, event.agreement_id) if event and progress else None
    unknown = msg("Ese avance no existe.")
    actor = await access_object(db, person, agreement.commission_id if agreement else None, action, unknown)
    assert event is not None and agreement is not None
    return actor, event, agreement


async def mark_good_practice(
    db: AsyncSession, person: Person | None, event_id: int, *, now: datetime
) -> list[Notice]:
    """Mark a progress update as a good practice (secretary only); the CAN analysts hear."""
    actor, event, agreement = await access_progress(db, person, event_id, Action.MANAGE_AGREEMENTS)
    taken = (await db.exec(select(GoodPractice.id).where(GoodPractice.event_id == event_id))).first()
    if taken is not None:
        raise UserError(msg("Ese avance ya está marcado como buena práctica."))
    db.add(
        GoodPractice(
            event_id=event_id,
            commission_id=agreement.commission_id,
            marked_by_id=actor.person.id,
            marked_at=now,
        )
    )
    await audited(
        db,
        actor,
        agreement.commission_id,
        "rounds.good_practice",
        "agreement_event",
        event_id,
        now=now,
        after={"agreement": agreement.code},
    )
    names = await seat_names(db, [event.seat_id] if event.seat_id else [])
    text = msg(
        "Buena práctica de {commission}: acuerdo <b>{code}</b> ({institution}), {progress} %. {note}",
        commission=actor.commission.name,
        code=agreement.code,
        institution=names.get(event.seat_id or 0, ""),
        progress=event.progress or 0,
        note=event.note or "",
    )
    return [Notice(p, text, agreement.commission_id) for p in await can_analysts(db)]


async def good_practices(db: AsyncSession, since: datetime, until: datetime) -> list[Practice]:
    """Good practices marked in [since, until), for the digest."""
    rows = await db.exec(
        select(GoodPractice, AgreementEvent, Agreement, Commission)
        .join(AgreementEvent, col(AgreementEvent.id) == GoodPractice.event_id)
        .join(Agreement, col(Agreement.id) == AgreementEvent.agreement_id)
        .join(Commission, col(Commission.id) == GoodPractice.commission_id)
        .where(GoodPractice.marked_at >= since, GoodPractice.marked_at < until)
        .order_by(col(GoodPractice.marked_at), col(GoodPractice.id))
    )
    found = list(rows.all())
    names = await seat_names(db, [e.seat_id for _, e, _, _ in found if e.seat_id])
    return [
        Practice(c.code, a.code, names.get(e.seat_id or 0, ""), e.progress, e.note, g.event_id, g.marked_at)
        for g, e, a, c in found
    ]
