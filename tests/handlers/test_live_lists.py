"""Paginated lists are one message that updates: «Anteriores/Siguientes» edit it in place, and
the keyboard of an older copy of the list answers with a toast and turns no page."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.audit import record
from db.models import Commission, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import Harness, plain


async def test_history_pages_in_place_and_old_copies_do_not_turn(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    rosa = harness.user(1, "Rosa")
    await rosa.join(await invite("CUS", Role.SECRETARY, None, "Rosa Mamani"))
    async with sessionmaker() as db, db.begin():
        commission = (await db.exec(select(Commission))).one()
        assert commission.id is not None
        for n in range(20):
            await record(
                db,
                commission_id=commission.id,
                actor=None,
                action="prueba",
                entity="nota",
                entity_id=n,
                now=NOW,
            )
    await rosa.send("/historial")
    first = next(m for m in harness.session.latest(1) if m.text and "Historial" in m.text)
    said = await rosa.click("Anteriores")
    assert [r.__api_method__ for r in said if not isinstance(r, AnswerCallbackQuery)] == ["editMessageText"]
    assert "Historial" in plain(rosa.last) and "Siguientes" in str(
        harness.session.shown[(1, first.message_id)].reply_markup
    )
    said = await rosa.click("Siguientes")
    assert [r.__api_method__ for r in said if not isinstance(r, AnswerCallbackQuery)] == ["editMessageText"]

    # The list asked for again: the first copy is stale, its keyboard turns nothing.
    await rosa.send("/historial")
    stale = first.data()[0]
    said = await rosa.press(stale, message_id=first.message_id)
    assert [r.text for r in said if isinstance(r, AnswerCallbackQuery)] == [
        "Esta pantalla ya cambió: use el mensaje más reciente."
    ]
    assert [r for r in said if isinstance(r, SendMessage | EditMessageText)] == []
