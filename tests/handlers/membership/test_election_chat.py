"""`/miembros presidencia` through the real dispatcher: the secretary records the election of a
session; too few votes are refused; the new president and every member are told in their language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import nmsg
from bot.workflows.membership.commissions import find_commission
from db.models import MeetingSession, Membership, Person, Role, SessionKind, SessionStatus
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.handlers.membership.test_directory_chat import CORTE, GORE, join
from tests.harness import Harness, replies

CONTROL = "Contraloría Gerencia Regional de Control del Cusco"


async def held_session(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as db, db.begin():
        cus = await find_commission(db, "CUS")
        assert cus is not None and cus.id is not None
        starts = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
        db.add(
            MeetingSession(
                commission_id=cus.id, kind=SessionKind.ORDINARY, starts_at=starts, status=SessionStatus.HELD
            )
        )


async def role_of(sessionmaker: async_sessionmaker[AsyncSession], name: str) -> Role:
    async with sessionmaker() as db:
        rows = await db.exec(select(Membership.role).join(Person).where(Person.name == name))
        return rows.one()


@time_machine.travel(NOW, tick=False)
async def test_the_secretary_records_the_election_and_members_are_told_in_their_language(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    rosa = await join(harness, invite, 401, Role.SECRETARY, None, "Rosa Quispe", "es")
    await join(harness, invite, 402, Role.MEMBER, GORE, "Juan Pérez", "es")
    await join(harness, invite, 403, Role.MEMBER, CORTE, "Wayta Huamán", "qu")
    await join(harness, invite, 404, Role.PRESIDENT, CONTROL, "Juana Mamani", "ay")
    await held_session(sessionmaker)
    catalogs = harness.dp["catalogs"]

    await rosa.send("/miembros presidencia")
    assert rosa.last == "¿En qué sesión se eligió la presidencia?"
    await rosa.click("ordinaria")
    await rosa.click("Wayta Huamán")
    assert "se necesitan al menos 2 (la mitad más uno de los 3 miembros con voto" in rosa.last
    assert "Escriba solo el número" in replies(await rosa.send("dos"))[0]
    [refused] = replies(await rosa.send("1"))
    assert "necesita al menos 2 votos a favor" in refused and "tuvo 1" in refused
    assert await role_of(sessionmaker, "Wayta Huamán") is Role.MEMBER

    done = replies(await rosa.send("2"))[0]
    assert done.startswith(
        "Elección registrada: Wayta Huamán preside hasta el viernes 19 de noviembre de 2027"
    )
    assert await role_of(sessionmaker, "Wayta Huamán") is Role.PRESIDENT
    assert await role_of(sessionmaker, "Juana Mamani") is Role.MEMBER
    announcement = nmsg(
        "🗳 {name} ({institution}) asume la presidencia, elegida en la sesión del {date} con {n} voto "
        "a favor de {seats} miembros con voto (art. 40.1). Periodo: hasta el {end}.",
        "🗳 {name} ({institution}) asume la presidencia, elegida en la sesión del {date} con {n} votos "
        "a favor de {seats} miembros con voto (art. 40.1). Periodo: hasta el {end}.",
        2,
        name="Wayta Huamán", institution=CORTE, date=date(2026, 11, 20), seats=3, end=date(2027, 11, 19),
    )  # fmt: skip
    for tg, lang in ((402, "es"), (403, "qu"), (404, "ay")):
        told = [m.text for m in harness.messages_to(tg)]
        assert catalogs.translator(lang).render(announcement) in told
    assert "umalliq" in harness.messages_to(403)[-1].text
    assert "jilïr irpiri" in harness.messages_to(404)[-1].text
