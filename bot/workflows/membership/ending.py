"""Ending a membership (no permission check here: `changes.py` and `succession.py` decide who may).

The row leaves `membership`, so from that moment every query of current members — the gate, the
quorum, convocations, rounds, digests — no longer sees it; it is kept in `membership_end` with its
reason and date. Votes, attendance and RSVPs name the seat and the person directly, so history
keeps who held the seat then. Open round questions go to the successor, or to another liaison of
the same institution, or wait unassigned for the secretariat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.audit import audited
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.notices import Notice
from db.models import (
    Commission,
    EndReason,
    Membership,
    MembershipEnd,
    Person,
    ProgressRound,
    Role,
    RoundStatus,
    RoundTarget,
)

END_REASON_LABELS: dict[EndReason, Text] = {
    EndReason.REPLACED: msg("reemplazo"),
    EndReason.TERM_ENDED: msg("fin del periodo"),
    EndReason.RESIGNED: msg("renuncia"),
    EndReason.OTHER: msg("otro motivo"),
}


@dataclass(frozen=True)
class Ended:
    """A membership that ended: whose, and what to tell whom."""

    person_id: int
    role: Role
    notices: list[Notice] = field(default_factory=list)


async def hand_over_rounds(
    db: AsyncSession, commission_id: int, person_id: int, seat_id: int | None, to: int | None
) -> int:
    """Give the person's unfinished answers of open rounds (for that seat) to `to`, or to another
    liaison of the seat, or to nobody (the secretariat sees them unassigned). Returns how many."""
    targets = (
        await db.exec(
            select(RoundTarget)
            .join(ProgressRound, col(ProgressRound.id) == RoundTarget.round_id)
            .where(
                ProgressRound.commission_id == commission_id,
                ProgressRound.status == RoundStatus.OPEN,
                RoundTarget.person_id == person_id,
                col(RoundTarget.finished_at).is_(None),
            )
        )
    ).all()
    for target in targets:
        if seat_id is not None and target.seat_id != seat_id:
            continue
        heir = to
        if heir is None:
            heir = (
                await db.exec(
                    select(Membership.person_id)
                    .where(
                        Membership.seat_id == target.seat_id,
                        Membership.role == Role.LIAISON,
                        Membership.person_id != person_id,
                    )
                    .order_by(col(Membership.id))
                )
            ).first()
        target.person_id = heir
        db.add(target)
    await db.flush()
    return len(targets)


async def close_membership(
    db: AsyncSession,
    membership: Membership,
    *,
    by: Person | None,
    reason: EndReason,
    effective_on: date,
    now: datetime,
    note: str | None = None,
    successor_id: int | None = None,
) -> Ended:
    """End `membership` on `effective_on`: recorded, audited, the person told once."""
    commission = await db.get(Commission, membership.commission_id)
    person = await db.get(Person, membership.person_id)
    assert commission is not None and commission.id is not None and person is not None
    ended = MembershipEnd(
        commission_id=commission.id,
        person_id=membership.person_id,
        role=membership.role,
        seat_id=membership.seat_id,
        started_at=membership.created_at,
        effective_on=effective_on,
        reason=reason,
        note=note,
        recorded_by_id=by.id if by else None,
        recorded_at=now,
        successor_id=successor_id,
    )
    db.add(ended)
    await db.delete(membership)
    await db.flush()
    still_there = (
        await db.exec(
            select(Membership.id).where(
                Membership.person_id == person.id, Membership.commission_id == commission.id
            )
        )
    ).first()
    if still_there is None and person.active_commission_id == commission.id:
        person.active_commission_id = None  # falls back to their next commission, if any
        db.add(person)
    await hand_over_rounds(db, commission.id, membership.person_id, membership.seat_id, successor_id)
    await audited(
        db,
        by,
        commission.id,
        "membership.ended",
        "membership",
        f"{membership.person_id}:{membership.role.value}",
        now=now,
        before={"person_id": membership.person_id, "role": membership.role, "seat_id": membership.seat_id},
        after={
            "reason": reason,
            "effective_on": effective_on.isoformat(),
            "note": note,
            "successor_id": successor_id,
        },
        actor_label=None if by else "cli",
    )
    told = msg(
        "Su participación en {commission} como {role} terminó el {date} (motivo: {reason}). "
        "Ya no puede actuar en esta comisión con ese rol. Gracias por su servicio.",
        commission=commission.name,
        role=ROLE_LABELS[membership.role],
        date=effective_on,
        reason=END_REASON_LABELS[reason],
    )
    return Ended(person.id or 0, membership.role, [Notice(person.id, told, commission.id)])


def check_effective_date(effective_on: date, membership: Membership, now: datetime) -> Text | None:
    """A refusal when the date cannot be the end of this membership, else None."""
    if effective_on > lima_date(now):
        return msg("La fecha de término no puede ser futura. Registre el término ese día.")
    if effective_on < lima_date(membership.created_at):
        return msg(
            "La fecha de término no puede ser anterior al inicio de la membresía ({date}).",
            date=lima_date(membership.created_at),
        )
    return None


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_day(text: str) -> date:
    """A day typed as `31/12/2026`, or a UserError saying how to type it."""
    match = _DMY.match(text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            pass
    raise UserError(msg("No entiendo la fecha «{text}». Escríbala como 31/12/2026.", text=text.strip()[:40]))
