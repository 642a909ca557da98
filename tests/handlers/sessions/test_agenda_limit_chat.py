"""The agenda's item limit, enforced by the scheduling workflow, as the secretary meets it in the chat."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from aiogram.types import InlineKeyboardMarkup
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageCB
from bot.workflows.sessions.schedule import MAX_ITEMS
from db.models import AgendaItem, MeetingSession, Role
from tests.handlers.conftest import Invite
from tests.harness import Harness, replies

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima


async def test_a_full_agenda_refuses_one_more_item_and_keeps_the_rest(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    with time_machine.travel(WED, tick=False):
        sec = harness.user(1, first_name="Rosa")
        await sec.join(await invite("CUS", Role.SECRETARY, None, "Rosa Mamani"))
        await sec.press(LanguageCB(code="es").pack())
        await sec.send("/nueva_sesion")  # the card: 11/12 10:00 by default, the place asked
        await sec.send("Sala de sesiones del Gobierno Regional")
        for n in range(1, MAX_ITEMS + 1):
            await sec.send(f"Punto número {n}")
            await sec.click("Informativo")
            await sec.click("Sin institución")

        said = replies(await sec.send("Un punto de más"))
        assert said == [f"La orden del día ya tiene {MAX_ITEMS} puntos. Toque «✅ Programar»."]
        markup = harness.messages_to(sec.user.id)[-1].reply_markup
        assert isinstance(markup, InlineKeyboardMarkup)
        assert "✅ Programar" in [b.text for row in markup.inline_keyboard for b in row]

        assert "Sesión programada" in replies(await sec.click("Programar"))[0]
    session = (await db.exec(select(MeetingSession))).one()
    titles = (await db.exec(select(AgendaItem.title).where(AgendaItem.session_id == session.id))).all()
    assert sorted(titles) == sorted(f"Punto número {n}" for n in range(1, MAX_ITEMS + 1))
