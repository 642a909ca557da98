"""Reading Bot API replies does not rebuild aiogram's response models (bot/telegram_session.py)."""

from __future__ import annotations

import gc
import json
import weakref

from aiogram import Bot
from aiogram.methods import GetUpdates, SendMessage
from aiogram.types import Message, Update

from bot.telegram_session import TelegramSession

MESSAGE = {"message_id": 7, "date": 1700000000, "chat": {"id": 5, "type": "private"}, "text": "Hola"}


async def test_the_response_model_outlives_a_garbage_collection_and_is_reused() -> None:
    session = TelegramSession()
    bot = Bot("123456:ABCdef_ghi-JKL", session=session)
    reply = json.dumps({"ok": True, "result": MESSAGE})
    first = session.check_response(bot, SendMessage(chat_id=5, text="Hola"), 200, reply)
    assert isinstance(first.result, Message) and first.result.text == "Hola"
    model = weakref.ref(type(first))
    del first
    gc.collect()
    assert model() is not None  # a plain AiohttpSession lets it go, and builds it again next call
    second = session.check_response(bot, SendMessage(chat_id=5, text="Otra"), 200, reply)
    assert type(second) is model()
    polled = session.check_response(
        bot, GetUpdates(), 200, json.dumps({"ok": True, "result": [{"update_id": 1, "message": MESSAGE}]})
    )
    assert isinstance(polled.result, list) and isinstance(polled.result[0], Update)
    await session.close()
