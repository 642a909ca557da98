"""A session's detail from /sesiones: the buttons depend on the reader's role and invitation."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from aiogram.types import InlineKeyboardMarkup
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageCB
from bot.handlers.sessions.ui import Do, SessionCB
from db.models import MeetingSession, Role
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima


def buttons(harness: Harness, user: ChatUser) -> list[str]:
    markup = harness.messages_to(user.user.id)[-1].reply_markup
    return (
        [b.text for row in markup.inline_keyboard for b in row]
        if isinstance(markup, InlineKeyboardMarkup)
        else []
    )


async def test_the_convened_member_gets_rsvp_buttons_the_secretary_the_next_steps(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    with time_machine.travel(WED, tick=False):
        sec, member = harness.user(1, first_name="Rosa"), harness.user(2, first_name="Aurelia")
        await sec.join(await invite("CUS", Role.SECRETARY, None, "Rosa Mamani"))
        await member.join(await invite("CUS", Role.MEMBER, "Corte Superior de Justicia del Cusco", "Aurelia"))
        for user in (sec, member):
            await user.press(LanguageCB(code="es").pack())
        await sec.send("/nueva_sesion")  # the card: 11/12 10:00 by default, the place asked
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.send("Plan anual de trabajo 2027")
        await sec.click("Informativo")
        await sec.click("Sin institución")
        await sec.click("Programar")
        session = (await db.exec(select(MeetingSession))).one()
        view = SessionCB(session_id=session.id or 0, do=Do.VIEW).pack()

        await member.press(view)
        assert (
            "Plan anual de trabajo 2027" in member.last and buttons(harness, member) == []
        )  # not convened yet
        await sec.click("Convocar")
        await member.press(view)
        assert "✅ Asistiré" in buttons(harness, member)
        await sec.press(view)
        assert "📋 Pasar lista" in buttons(harness, sec)
