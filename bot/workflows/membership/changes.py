"""Changes to who sits for whom, by the secretariat (or the CLI): a role changed, a membership
ended with its reason and date, a successor designated. Each is audited and the person told.

A secretary cannot end their own secretariat without naming a successor: the commission would
be left with nobody to run it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import INVITABLE_ROLES, Action, Actor, access_commission
from bot.workflows.audit import audited
from bot.workflows.errors import NotFound, UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.ending import Ended, check_effective_date, close_membership
from bot.workflows.membership.invitations import (
    DEFAULT_INVITATION_DAYS,
    SEATED_ROLES,
    IssuedInvitation,
    issue_invitation,
)
from bot.workflows.notices import Notice
from db.models import Commission, EndReason, Membership, Person, Role, Succession


@dataclass(frozen=True)
class Held:
    """A membership as the secretary manages it."""

    membership: Membership
    person: Person


async def access_membership(
    db: AsyncSession, person: Person | None, commission_id: int | None, membership_id: int
) -> tuple[Actor, Held]:
    """The gate for one membership: the secretary's own commission only; a forged id is told
    the membership does not exist, wherever it is."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    membership = await db.get(Membership, membership_id)
    if membership is None or membership.commission_id != actor.commission.id:
        raise NotFound(msg("Esa membresía no existe o ya terminó."))
    held = await db.get(Person, membership.person_id)
    assert held is not None
    return actor, Held(membership, held)


@dataclass(frozen=True)
class RoleChange:
    person_id: int
    notices: list[Notice] = field(default_factory=list)


async def change_role(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    membership_id: int,
    new_role: Role,
    *,
    now: datetime,
) -> RoleChange:
    actor, held = await access_membership(db, person, commission_id, membership_id)
    if held.membership.role is Role.SECRETARY and held.person.id == actor.person.id:
        raise UserError(msg("No puede dejar su propia secretaría técnica sin designar a quien le sucede."))
    return await apply_role(db, actor.commission, held.membership, new_role, by=actor.person, now=now)


async def apply_role(
    db: AsyncSession,
    commission: Commission,
    m: Membership,
    new_role: Role,
    *,
    by: Person | None,
    now: datetime,
) -> RoleChange:
    """Change the role of `m` (checked: a role of this kind of commission, a seat for seated roles,
    not a role the person already holds there); audited, the person told."""
    if new_role not in INVITABLE_ROLES[commission.kind]:
        roles = ", ".join(r.value for r in INVITABLE_ROLES[commission.kind])
        raise UserError(
            msg("En esta comisión no se invita con ese rol. Roles posibles: {roles}.", roles=roles)
        )
    if new_role in SEATED_ROLES and m.seat_id is None:
        raise UserError(msg("Ese rol representa a una institución: invite a la persona con su institución."))
    taken = (
        await db.exec(
            select(Membership.id).where(
                Membership.person_id == m.person_id,
                Membership.commission_id == m.commission_id,
                Membership.role == new_role,
            )
        )
    ).first()
    if taken is not None:
        raise UserError(msg("La persona ya tiene ese rol."))
    before = m.role
    m.role = new_role
    db.add(m)
    await db.flush()
    await audited(
        db,
        by,
        m.commission_id,
        "membership.role_changed",
        "membership",
        m.id,
        now=now,
        before={"person_id": m.person_id, "role": before},
        after={"person_id": m.person_id, "role": new_role},
        actor_label=None if by else "cli",
    )
    told = msg(
        "Su rol en {commission} cambió: antes {before}, ahora {after}.",
        commission=commission.name,
        before=ROLE_LABELS[before],
        after=ROLE_LABELS[new_role],
    )
    return RoleChange(m.person_id, [Notice(m.person_id, told, m.commission_id)])


async def end_membership(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    membership_id: int,
    reason: EndReason,
    effective_on: date,
    *,
    now: datetime,
    note: str | None = None,
) -> Ended:
    actor, held = await access_membership(db, person, commission_id, membership_id)
    m = held.membership
    if m.role is Role.SECRETARY and held.person.id == actor.person.id:
        raise UserError(
            msg(
                "No puede terminar su propia secretaría técnica sin designar a quien le sucede. "
                "Use «Designar sucesor»."
            )
        )
    refusal = check_effective_date(effective_on, m, now)
    if refusal is not None:
        raise UserError(refusal)
    note = " ".join(note.split())[:300] if note else None
    return await close_membership(
        db, m, by=actor.person, reason=reason, effective_on=effective_on, now=now, note=note or None
    )


async def designate_successor(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    membership_id: int,
    *,
    now: datetime,
    reason: EndReason = EndReason.REPLACED,
    invitee_name: str | None = None,
    valid_days: int = DEFAULT_INVITATION_DAYS,
) -> IssuedInvitation:
    """An invitation for the same role and seat; when accepted, the predecessor's membership ends
    that day and the successor takes over their open round questions."""
    actor, held = await access_membership(db, person, commission_id, membership_id)
    m = held.membership
    issued = await issue_invitation(
        db,
        actor.commission,
        m.role,
        now=now,
        seat_id=m.seat_id,
        invitee_name=invitee_name,
        created_by=actor.person,
        valid_days=valid_days,
    )
    assert issued.invitation.id is not None and actor.commission.id is not None
    succession = Succession(
        commission_id=actor.commission.id,
        invitation_id=issued.invitation.id,
        predecessor_id=m.person_id,
        role=m.role,
        seat_id=m.seat_id,
        reason=reason,
        created_at=now,
    )
    db.add(succession)
    await db.flush()
    await audited(
        db,
        actor,
        actor.commission.id,
        "succession.designated",
        "succession",
        succession.id,
        now=now,
        after={
            "predecessor_id": m.person_id,
            "role": m.role,
            "seat_id": m.seat_id,
            "invitation_id": issued.invitation.id,
            "reason": reason,
        },
    )
    return issued


async def end_from_cli(
    db: AsyncSession,
    commission: Commission,
    membership_id: int,
    reason: EndReason,
    effective_on: date,
    *,
    now: datetime,
    note: str | None = None,
) -> Ended:
    """The administrator's recovery path (`cra-bot member end`): no gate, the same checks of date."""
    m = await db.get(Membership, membership_id)
    if m is None or m.commission_id != commission.id:
        raise NotFound(msg("Esa membresía no existe o ya terminó."))
    refusal = check_effective_date(effective_on, m, now)
    if refusal is not None:
        raise UserError(refusal)
    return await close_membership(
        db, m, by=None, reason=reason, effective_on=effective_on, now=now, note=note
    )


async def role_from_cli(
    db: AsyncSession, commission: Commission, membership_id: int, new_role: Role, *, now: datetime
) -> RoleChange:
    m = await db.get(Membership, membership_id)
    if m is None or m.commission_id != commission.id:
        raise NotFound(msg("Esa membresía no existe o ya terminó."))
    if new_role is m.role:
        raise UserError(msg("La persona ya tiene ese rol."))
    return await apply_role(db, commission, m, new_role, by=None, now=now)
