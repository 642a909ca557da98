"""Invitations after they are issued: guessing is slowed down, the secretariat can revoke them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import NotFound
from db.models import Institution, Invitation, Person, Role, Seat, TokenAttempt

MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)


async def too_many_attempts(db: AsyncSession, telegram_id: int, *, now: datetime) -> Text | None:
    """A refusal if this account failed too many tokens lately (they are 192-bit random, so
    anyone failing repeatedly is guessing or confused: either way, make them wait)."""
    recent = await db.exec(
        select(func.count())
        .select_from(TokenAttempt)
        .where(TokenAttempt.telegram_id == telegram_id, col(TokenAttempt.at) > now - ATTEMPT_WINDOW)
    )
    if int(recent.one()) < MAX_FAILED_ATTEMPTS:
        return None
    minutes = int(ATTEMPT_WINDOW.total_seconds() // 60)
    return msg(
        "Demasiados enlaces no válidos desde esta cuenta. Espere {minutes} minutos y pida a la "
        "secretaría técnica un enlace nuevo.",
        minutes=minutes,
    )


async def note_failed_attempt(db: AsyncSession, telegram_id: int, *, now: datetime) -> None:
    db.add(TokenAttempt(telegram_id=telegram_id, at=now))
    await db.flush()


async def forget_attempts(db: AsyncSession, *, before: datetime) -> int:
    result = await db.exec(delete(TokenAttempt).where(col(TokenAttempt.at) < before))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class PendingInvitation:
    invitation_id: int
    role: Role
    invitee_name: str | None
    institution: str | None
    expires_at: datetime


async def list_pending(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, now: datetime
) -> list[PendingInvitation]:
    """Invitations of the commission still usable (not used, revoked or expired)."""
    actor = await access_commission(db, person, commission_id, Action.REVOKE_INVITATION)
    rows = await db.exec(
        select(Invitation, Institution.name)
        .outerjoin(Seat, col(Seat.id) == Invitation.seat_id)
        .outerjoin(Institution, col(Institution.id) == Seat.institution_id)
        .where(
            Invitation.commission_id == actor.commission.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at))
    )
    return [
        PendingInvitation(i.id or 0, i.role, i.invitee_name, name, i.expires_at) for i, name in rows.all()
    ]


async def revoke_invitation(
    db: AsyncSession, person: Person | None, commission_id: int | None, invitation_id: int, *, now: datetime
) -> Invitation:
    """The link stops working at once; recorded in the commission's history."""
    actor = await access_commission(db, person, commission_id, Action.REVOKE_INVITATION)
    invitation = await db.get(Invitation, invitation_id)
    if invitation is None or invitation.commission_id != actor.commission.id:
        raise NotFound(msg("Esa invitación no existe en su comisión."))
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise NotFound(msg("Esa invitación ya fue usada o revocada."))
    invitation.revoked_at = now
    db.add(invitation)
    await db.flush()
    assert actor.commission.id is not None
    await audited(
        db,
        actor,
        actor.commission.id,
        "invitation.revoked",
        "invitation",
        invitation.id,
        now=now,
        before={"revoked_at": None},
        after=snapshot(invitation, "revoked_at"),
    )
    return invitation
