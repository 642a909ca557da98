"""Reading Bot API replies does not rebuild aiogram's response models (bot/telegram_session.py)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref

from aiogram import Bot
from aiogram.methods import GetUpdates, SendMessage
from aiogram.types import Message, MessageId, Update

from bot.delivery_calls import _EditMessageText, _SendMessage
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


async def test_the_sender_reads_back_only_the_id_of_what_it_sent_or_edited() -> None:
    """A whole Message took a validator for every type a message can hold (~3 MB per process)."""
    session = TelegramSession()
    bot = Bot("123456:ABCdef_ghi-JKL", session=session)
    photo = {**MESSAGE, "photo": [{"file_id": "A", "file_unique_id": "a", "width": 9, "height": 9}]}
    sent = session.check_response(
        bot, _SendMessage(chat_id=5, text="Hola"), 200, json.dumps({"ok": True, "result": photo})
    )
    assert isinstance(sent.result, MessageId) and sent.result.message_id == 7
    for answer in (MESSAGE, True):  # an edit answers the message, or true
        edited = session.check_response(
            bot,
            _EditMessageText(chat_id=5, message_id=7, text="Otra"),
            200,
            json.dumps({"ok": True, "result": answer}),
        )
        if answer is True:
            assert edited.result is True
        else:
            assert isinstance(edited.result, MessageId) and edited.result.message_id == 7
    await session.close()


def test_sending_and_editing_build_no_validator_for_a_whole_message() -> None:
    code = (
        "from bot.lazy_types import import_aiogram_lazily; import_aiogram_lazily(); "
        "import json; from aiogram import Bot; from aiogram.types import Message; "
        "from pydantic._internal._mock_val_ser import MockValSer; "
        "from bot.telegram_session import TelegramSession; "
        "from bot.delivery_calls import _SendMessage; "
        "s = TelegramSession(); b = Bot('1:A', session=s); "
        "m = {'message_id': 7, 'date': 1, 'chat': {'id': 5, 'type': 'private'}, 'text': 'Hola'}; "
        "r = json.dumps({'ok': True, 'result': m}); "
        "s.check_response(b, _SendMessage(chat_id=5, text='Hola'), 200, r); "
        "print(isinstance(Message.__pydantic_validator__, MockValSer))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
