"""The secretary keeps the commission's session rules, non-working days and annual calendar."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.sessions.settings import business_calendar, commission_rules
from db.models import Commission, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import Harness, plain, replies


async def cusco_id(db: AsyncSession) -> int:
    return (await db.exec(select(Commission.id).where(Commission.code == "CUS"))).one() or 0


@time_machine.travel(NOW, tick=False)
async def test_rules_are_shown_changed_and_validated(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec = harness.user(1)
    await sec.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
    await sec.click("Español")
    shown = plain(replies(await sec.send("/reglas"))[0])
    assert "aviso_dias — Días hábiles de anticipación de la convocatoria: 5" in shown
    assert (
        "recordatorios_horas — Recordatorios, en horas antes de la sesión (por ejemplo 72,2): 72,2" in shown
    )

    said = replies(await sec.send("/reglas aviso_dias 7"))
    assert said == ["Listo: Días hábiles de anticipación de la convocatoria = 7."]
    assert (await commission_rules(db, await cusco_id(db))).notice_business_days == 7
    assert "no sirve" in replies(await sec.send("/reglas aviso_dias cero"))[0]
    assert "no sirve" in replies(await sec.send("/reglas recusacion 1/3"))[0]  # below half: refused
    assert "No conozco la regla" in replies(await sec.send("/reglas quorum 3"))[0]
    assert replies(await sec.send("/reglas voto_dirimente no")) == [
        "Listo: Voto dirimente de la presidencia (sí/no) = no."
    ]
    rules = await commission_rules(db, await cusco_id(db))
    assert (rules.notice_business_days, rules.president_casting_vote) == (7, False)

    member = harness.user(2)
    await member.join(await invite("CUS", Role.MEMBER, "Corte Superior de Justicia del Cusco"))
    assert "no permite" in replies(await member.send("/reglas aviso_dias 1"))[-1]
    assert (await commission_rules(db, await cusco_id(db))).notice_business_days == 7


@time_machine.travel(NOW, tick=False)
async def test_regional_holidays_and_the_annual_calendar(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec = harness.user(3)
    await sec.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
    await sec.click("Español")
    assert "No hay feriados regionales" in replies(await sec.send("/feriados"))[0]
    said = replies(await sec.send("/feriados 24/12/2026 Día no laborable para el sector público"))
    assert said == [
        "Listo: el jueves 24 de diciembre de 2026 no será día hábil para los plazos de esta comisión."
    ]
    calendar = await business_calendar(db, await cusco_id(db))
    assert not calendar.is_business_day(date(2026, 12, 24))
    listed = replies(await sec.send("/feriados"))[0]
    assert "1 día no laborable añadido" in listed and "Día no laborable para el sector público" in listed
    assert "No entiendo la fecha" in replies(await sec.send("/feriados mañana"))[0]

    assert replies(await sec.send("/calendario 15/12/2026")) == [
        "Listo: sesión ordinaria prevista para el martes 15 de diciembre de 2026."
    ]
    assert "no es día hábil" in replies(await sec.send("/calendario 25/12/2026"))[0]
    assert "ya pasó" in replies(await sec.send("/calendario 02/01/2026"))[0]
    listed = plain(replies(await sec.send("/calendario"))[0])
    assert listed.startswith("1 sesión ordinaria prevista en 2026 (la ley pide al menos 4")
    assert "15 de diciembre de 2026" in listed
