"""A small Cusco commission for the agreements tests (no tests of its own here)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.membership.commissions import create_commission, ensure_seat
from db.models import Commission, Membership, Person, Role, Seat
from tests.conftest import NOW

GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"
CONTRALORIA = "Contraloría Gerencia Regional de Control del Cusco"


@dataclass
class World:
    cus: Commission
    gore: Seat
    corte: Seat
    control: Seat
    secretary: Person
    gore_liaison: Person  # writes in Quechua
    corte_liaison: Person  # writes in Aymara
    gore_member: Person
    observer: Person
    other_secretary: Person  # secretary of another commission (Puno)
    pun: Commission
    pun_seat: Seat


async def person(
    db: AsyncSession, name: str, language: str, commission: Commission, role: Role, seat: Seat | None, tg: int
) -> Person:
    p = Person(
        name=name, language=language, telegram_id=tg, created_at=NOW, active_commission_id=commission.id
    )
    db.add(p)
    await db.flush()
    assert p.id is not None and commission.id is not None
    db.add(
        Membership(
            person_id=p.id,
            commission_id=commission.id,
            role=role,
            seat_id=seat.id if seat else None,
            created_at=NOW,
        )
    )
    await db.flush()
    return p


async def make_world(db: AsyncSession) -> World:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    gore = await ensure_seat(db, cus, GORE, now=NOW)
    corte = await ensure_seat(db, cus, CORTE, now=NOW)
    control = await ensure_seat(db, cus, CONTRALORIA, now=NOW)
    pun_seat = await ensure_seat(db, pun, "Gobierno Regional de Puno", now=NOW)
    world = World(
        cus=cus,
        gore=gore,
        corte=corte,
        control=control,
        secretary=await person(db, "Rosa Quispe", "es", cus, Role.SECRETARY, None, 1001),
        gore_liaison=await person(db, "Wayta Huamán", "qu", cus, Role.LIAISON, gore, 1002),
        corte_liaison=await person(db, "Juana Mamani", "ay", cus, Role.LIAISON, corte, 1003),
        gore_member=await person(db, "Jean Paul Benavente", "es", cus, Role.MEMBER, gore, 1004),
        observer=await person(db, "Ana Defensoría", "es", cus, Role.OBSERVER, None, 1005),
        other_secretary=await person(db, "Luis Puno", "es", pun, Role.SECRETARY, None, 1006),
        pun=pun,
        pun_seat=pun_seat,
    )
    await db.commit()
    return world
