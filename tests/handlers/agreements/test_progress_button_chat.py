"""The liaison's «📈 Informar avance» button (issue 15): its label, typed back in any language, is
/avance; /ayuda offers it as a persistent reply keyboard to liaisons only, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from aiogram.methods import SendMessage
from aiogram.types import Chat, InlineKeyboardMarkup, Message, MessageEntity, ReplyKeyboardMarkup, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.keyboards import REPORT_PROGRESS, liaison_keyboard, markup_of
from db.models import OutboxMessage, Role
from tests.conftest import NOW
from tests.handlers.agreements.test_agreements_chat import CORTE, GORE, join
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, make_harness, replies


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


async def test_the_button_label_in_any_language_is_avance(
    chat: Harness, invite: Invite, catalogs: Catalogs
) -> None:
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    labels = {code: catalogs.translator(code).render(REPORT_PROGRESS) for code in ("es", "qu", "ay")}
    assert labels["qu"] != labels["es"] != labels["ay"] != labels["qu"]
    with time_machine.travel(NOW, tick=False):
        await join(chat, invite, 950, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 951, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        juana = await join(chat, invite, 952, Role.LIAISON, CORTE, "Juana Mamani", "ay")
        for user, tr in ((wayta, qu), (juana, ay)):
            expected = replies(await user.send("/avance"))
            assert expected == [tr.gettext("Su institución no tiene acuerdos abiertos en este momento.")]
            for label in labels.values():  # their own language's, or another's after /idioma
                assert replies(await user.send(label)) == expected
        # Anything else is not the button.
        assert replies(await wayta.send("Informar")) != replies(await wayta.send(labels["qu"]))


async def ask_help(chat: Harness, user: ChatUser) -> None:
    """/ayuda handled and committed, not delivered (the recording sender sends inline keyboards)."""
    message = Message(
        message_id=chat.next_message_id(),
        date=datetime.now(UTC),
        chat=Chat(id=user.user.id, type="private"),
        from_user=user.user,
        text="/ayuda",
        entities=[MessageEntity(type="bot_command", offset=0, length=6)],
    )
    await chat.dp.feed_update(chat.bot, Update(update_id=chat.next_update_id(), message=message))


async def test_ayuda_offers_liaisons_the_persistent_button_in_their_language(
    chat: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 960, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 961, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        await ask_help(chat, wayta)
        await ask_help(chat, rosa)
    rows = (await db.exec(select(OutboxMessage).where(OutboxMessage.status == "pending"))).all()
    keyboards = [(r.chat_id, r.payload) for r in rows if "keyboard" in (r.payload.get("reply_markup") or {})]
    assert len(keyboards) == 1
    chat_id, payload = keyboards[0]
    assert chat_id == wayta.user.id
    assert payload["reply_markup"]["keyboard"] == [[{"text": qu.render(REPORT_PROGRESS)}]]
    assert payload["reply_markup"]["is_persistent"] is True
    assert qu.render(REPORT_PROGRESS) in payload["text"] and "Para informar" not in payload["text"]
    # The sender delivers it as Telegram's reply keyboard, under the liaison's text box.
    await chat.sender.drain()
    sent = [r for r in chat.session.requests if isinstance(r, SendMessage) and r.chat_id == wayta.user.id]
    assert isinstance(sent[-1].reply_markup, ReplyKeyboardMarkup)
    assert sent[-1].reply_markup.keyboard[0][0].text == qu.render(REPORT_PROGRESS)


def test_a_stored_reply_keyboard_reads_back_as_one(catalogs: Catalogs) -> None:
    """What bot/delivery.py needs to send the button (`markup_of` instead of the inline-only read)."""
    qu = catalogs.translator("qu")
    stored = liaison_keyboard(qu).model_dump(mode="json", exclude_none=True)
    assert markup_of(stored) == liaison_keyboard(qu)
    inline = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert isinstance(markup_of(inline), InlineKeyboardMarkup) and markup_of(None) is None
