"""An institution names its new titular or liaison when asked to confirm its directory entry.

The answer becomes an invitation for the same seat and role, to forward to the new person: if
someone holds that role now, it is a succession (accepting it ends their membership that day and
hands over their open round questions). The secretariat is told, with the oficio if one was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import tidy
from bot.workflows.membership.contacts import access_check, record_change
from bot.workflows.membership.invitations import DEFAULT_INVITATION_DAYS, IssuedInvitation, issue_invitation
from bot.workflows.notices import Attachment, Notice
from db.models import EndReason, Membership, Person, Role, Succession

CHANGEABLE = (Role.MEMBER, Role.LIAISON)  # what an institution designates itself


@dataclass(frozen=True)
class Handover:
    issued: IssuedInvitation
    predecessor: str | None
    notices: list[Notice]


async def name_new_person(
    db: AsyncSession,
    person: Person | None,
    check_id: int,
    role: Role,
    name: str,
    *,
    now: datetime,
    oficio: Attachment | None = None,
    valid_days: int = DEFAULT_INVITATION_DAYS,
) -> Handover:
    found = await access_check(db, person, check_id)
    assert person is not None
    name = tidy(name)
    if role not in CHANGEABLE:
        raise UserError(msg("Elija una respuesta con los botones."))
    if not 2 <= len(name) <= 120:
        raise UserError(msg("El nombre debe tener entre 2 y 120 caracteres. Escríbalo de nuevo."))
    roles = [Role.PRESIDENT, Role.MEMBER] if role is Role.MEMBER else [role]
    current = (
        await db.exec(
            select(Membership, Person)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(Membership.seat_id == found.check.seat_id, col(Membership.role).in_(roles))
            .order_by(col(Membership.id))
        )
    ).first()
    # A president's successor at the seat joins as titular member: the presidency is elected.
    issued = await issue_invitation(
        db,
        found.commission,
        role,
        now=now,
        seat_id=found.check.seat_id,
        invitee_name=name,
        created_by=person,
        valid_days=valid_days,
    )
    predecessor = None
    if current is not None:
        held, predecessor_person = current
        predecessor = predecessor_person.name
        assert issued.invitation.id is not None and found.commission.id is not None
        db.add(
            Succession(
                commission_id=found.commission.id,
                invitation_id=issued.invitation.id,
                predecessor_id=held.person_id,
                role=held.role,
                seat_id=held.seat_id,
                reason=EndReason.REPLACED,
                created_at=now,
            )
        )
        await db.flush()
    answered = await record_change(db, person, check_id, role, name, now=now)
    attachments = (oficio,) if oficio is not None else ()
    notices = [
        Notice(n.person_id, n.text, n.commission_id, attachments=attachments) for n in answered.notices
    ]
    return Handover(issued, predecessor, notices)
