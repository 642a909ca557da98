"""A person's own settings: who they are in which commission, their language, their active commission."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, Actor, access_commission, require
from bot.workflows.errors import UserError
from bot.workflows.standing import serving
from db.models import Commission, Institution, Membership, Person, Role, Seat


@dataclass(frozen=True)
class MembershipView:
    commission_id: int
    commission_code: str
    commission_name: str
    role: Role
    institution: str | None


async def list_memberships(db: AsyncSession, person: Person) -> list[MembershipView]:
    rows = await db.exec(
        select(Membership, Commission, Institution)
        .join(Commission, col(Commission.id) == Membership.commission_id)
        .outerjoin(Seat, col(Seat.id) == Membership.seat_id)
        .outerjoin(Institution, col(Institution.id) == Seat.institution_id)
        .where(Membership.person_id == person.id)
        .order_by(col(Commission.code), col(Membership.id))
    )
    return [
        MembershipView(c.id or 0, c.code, c.name, m.role, i.name if i else None) for m, c, i in rows.all()
    ]


async def active_actor(db: AsyncSession, person: Person) -> Actor | None:
    """The person acting in their active commission (falling back to their first one)."""
    actor, _ = await active_actor_and_count(db, person)
    return actor


async def active_actor_and_count(db: AsyncSession, person: Person) -> tuple[Actor | None, int]:
    """The active actor, and in how many commissions the person serves (one query, or none when
    `find_person` has just read them)."""
    assert person.id is not None
    rows = await serving(db, person.id)
    if not rows:
        return None, 0
    commissions = {c.id: c for c, _ in rows}
    active = person.active_commission_id
    commission = commissions[active] if active in commissions else rows[0][0]
    roles = frozenset(role for c, role in rows if c.id == commission.id)
    return Actor(person, commission, roles), len(commissions)


async def switch_commission(db: AsyncSession, person: Person | None, commission_id: int) -> Actor:
    """Make `commission_id` the person's active commission (they must belong to it)."""
    actor = await access_commission(db, person, commission_id, Action.SWITCH_COMMISSION)
    actor.person.active_commission_id = commission_id
    db.add(actor.person)
    await db.flush()
    return actor


async def choose_language(db: AsyncSession, person: Person, language: str, available: set[str]) -> None:
    if language not in available:
        raise UserError(msg("Ese idioma no está disponible. Elija uno de la lista."))
    person.language = language
    person.language_chosen = True
    db.add(person)
    await db.flush()


async def active_commission_id(db: AsyncSession, person: Person | None) -> int | None:
    """The commission the person acts in now (None for strangers)."""
    actor = await active_actor(db, person) if person is not None else None
    return actor.commission.id if actor is not None else None


async def access_active(db: AsyncSession, person: Person | None, action: Action) -> Actor:
    """The permission gate for the person's active commission: what most commands act on."""
    actor = await active_actor(db, person) if person is not None else None
    if actor is None:
        return await access_commission(db, person, None, action)  # refused: not a member
    return require(actor, action)
