"""/nueva_sesion as one card with defaults (issue 15, "fewer exchanges"): the annual calendar's next
date, the last place, the automatic acta item; each field changed on its own, the rest kept.
Read in Spanish and in Quechua."""

from __future__ import annotations

import time_machine
from aiogram.types import InlineKeyboardMarkup
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.sessions.card import CardCB, CardDo
from bot.i18n import Catalogs
from db.models import AgendaItem, MeetingSession, PlannedSession, Role, SessionKind, SessionStatus
from tests.handlers.conftest import Invite
from tests.handlers.sessions.test_user_defects_chat import CORTE, GORE, WED, join
from tests.harness import ChatUser, Harness, plain, replies


def labels(harness: Harness, user: ChatUser) -> list[str]:
    markup = harness.messages_to(user.user.id)[-1].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [b.text for row in markup.inline_keyboard for b in row]


async def test_the_card_proposes_the_calendar_date_and_remembers_the_place_and_the_acta_item(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        await join(harness, invite, 2, Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        await sec.send("/calendario 15/12/2026")
        exchanges = [await sec.send("/nueva_sesion")]
        card = plain(replies(exchanges[0])[0])
        assert "15 de diciembre" in card and "10:00" in card and "(sin puntos todavía)" in card
        assert labels(harness, sec)[:4] == [
            "📅 Cambiar fecha",
            "📍 Cambiar lugar",
            "📝 Orden del día",
            "Cambiar a extraordinaria",
        ]
        # A place too short is refused; the date proposed stays. A link makes the session virtual.
        assert "entre 3 y 300" in replies(await sec.send("ab"))[0]
        exchanges.append(await sec.send("https://meet.example/cus"))
        assert "https://meet.example/cus" in plain(sec.last) and "15 de diciembre" in plain(sec.last)
        # «Programar» with an empty agenda asks for a point, keeping the rest.
        assert "al menos un punto" in replies(await sec.click("Programar"))[0]
        exchanges.append(await sec.send("Plan anual de trabajo 2027"))
        # A card button before the item is finished keeps the item and says what is missing.
        said = replies(await sec.press(CardCB(do=CardDo.SCHEDULE).pack()))
        assert said == [
            "Primero termine el punto «Plan anual de trabajo 2027»: elija una opción con los botones."
        ]
        exchanges.append(await sec.click("Requiere votación"))
        exchanges.append(await sec.click("Corte Superior"))
        assert "↩️ Quitar el último punto" in labels(harness, sec)
        exchanges.append(await sec.click("Programar"))
        assert "Sesión programada" in replies(exchanges[-1])[0]
        assert len(exchanges) == 6  # the old questionnaire took 9 for the same session

        first = (await db.exec(select(MeetingSession))).one()
        assert first.link == "https://meet.example/cus" and first.place is None
        assert (await db.exec(select(PlannedSession))).one().session_id == first.id
        first.status = SessionStatus.HELD  # held: the next session approves its acta first
        db.add(first)
        await db.commit()

        # The next card: the calendar's date is used, so the earliest legal one; the link and the
        # acta item come by themselves, so two exchanges schedule it.
        card = plain(replies(await sec.send("/nueva_sesion"))[0])
        assert "11 de diciembre" in card and "https://meet.example/cus" in card
        assert "1. Aprobación del acta de la sesión anterior" in card
        # Typed on the card, a date changes the date and a place the place; no agenda item is added.
        card = plain(replies(await sec.send("14/12 16:30"))[0])
        assert "14 de diciembre" in card and "(se vota" not in card
        card = plain(replies(await sec.send("https://meet.example/cus2"))[0])
        assert "https://meet.example/cus2" in card and "2. " not in card
        assert "Sesión programada" in replies(await sec.click("Programar"))[0]
        db.expire_all()
        second = (await db.exec(select(MeetingSession).order_by(col(MeetingSession.id).desc()))).first()
        assert second is not None and second.link == "https://meet.example/cus2"
        titles = (await db.exec(select(AgendaItem.title).where(AgendaItem.session_id == second.id))).all()
        assert titles == ["Aprobación del acta de la sesión anterior"]


async def test_an_extraordinary_session_on_short_notice_takes_a_reason_and_keeps_the_card(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "qu")
        await join(harness, invite, 2, Role.PRESIDENT, GORE, "Wilfredo Quispe", "qu")
        card = replies(await sec.send("/nueva_sesion"))[0]
        assert (
            qu.gettext("Cuando todo esté bien, toque «{button}».", button=qu.gettext("✅ Programar")) in card
        )
        assert card.startswith(
            qu.gettext(
                "<b>Nueva sesión {kind} de {commission}</b>", kind=qu.gettext("ordinaria"), commission="CUS"
            )
        )
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.send("Denuncia urgente de la Defensoría")
        await sec.click(qu.gettext("Informativo"))
        await sec.click(qu.gettext("Sin institución responsable"))
        await sec.click(qu.gettext("Cambiar a extraordinaria"))
        assert qu.gettext("Cambiar a ordinaria") in labels(harness, sec)
        await sec.click(qu.gettext("📅 Cambiar fecha"))
        asked = replies(await sec.send("04/12 10:00"))[0]  # two days' notice
        assert (
            qu.gettext("Escriba el motivo para convocar con menos anticipación, o escriba otra fecha.")
            in asked
        )
        card = plain(replies(await sec.send("Denuncia que no puede esperar"))[0])
        assert (
            "Sala de sesiones del Gobierno Regional" in card and "Denuncia urgente de la Defensoría" in card
        )
        assert "Denuncia que no puede esperar" in card
        await sec.click(qu.gettext("✅ Programar"))
    session = (await db.exec(select(MeetingSession))).one()
    assert session.kind is SessionKind.EXTRAORDINARY
    assert session.notice_override_reason == "Denuncia que no puede esperar"
    assert session.place == "Sala de sesiones del Gobierno Regional"


async def test_a_planned_non_working_day_comes_with_its_reason_from_the_calendar(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    fair = "Feria regional: única fecha con todas las autoridades"
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        await sec.send("/reglas ordinaria_dia_inhabil sí")
        await sec.send(f"/calendario 12/12/2026 {fair}")  # a Saturday, allowed with its reason
        # Rules that no longer allow it: the plan is not proposed, the earliest legal date is.
        await sec.send("/reglas ordinaria_dia_inhabil no")
        card = plain(replies(await sec.send("/nueva_sesion"))[0])
        assert "11 de diciembre" in card and "Motivo" not in card
        await sec.send("/reglas ordinaria_dia_inhabil sí")
        card = plain(replies(await sec.send("/nueva_sesion"))[0])
        assert "12 de diciembre" in card and f"Motivo: {fair}" in card
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.send("Plan anual de trabajo 2027")
        await sec.click("Informativo")
        await sec.click("Sin institución")
        assert "Sesión programada" in replies(await sec.click("Programar"))[0]
    session = (await db.exec(select(MeetingSession))).one()
    assert session.notice_override_reason == fair


async def test_a_date_typed_where_the_card_asks_for_the_place_changes_the_date(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    """Played as a secretary would: the card asks for the place, she types the date she has in mind.
    A Saturday is refused as such (not stored as the place); a working day becomes the date."""
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        await join(harness, invite, 2, Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        card = plain(replies(await sec.send("/nueva_sesion"))[0])
        assert "Lugar o enlace: falta" in card
        refused = plain(replies(await sec.send("12/12 10:00"))[0])
        assert "sábado 12 de diciembre de 2026 no lo es" in refused
        card = plain(replies(await sec.send("14/12 10:00"))[0])
        assert "lunes 14 de diciembre de 2026, 10:00" in card and "Lugar o enlace: falta" in card
        card = plain(replies(await sec.send("Sala de sesiones del Gobierno Regional"))[0])
        assert "Lugar o enlace: Sala de sesiones del Gobierno Regional" in card
        assert "(sin puntos todavía)" in card
