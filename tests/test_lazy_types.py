"""aiogram's types built on first use (bot/lazy_types.py) validate and serialise as built eagerly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aiogram.methods
import aiogram.types
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent

# What the bot receives and sends: a command, a button press, a document, a membership change,
# and a message with a keyboard.
ROUND_TRIP = r"""
import json, sys
if sys.argv[1] == "lazy":
    from bot.lazy_types import import_aiogram_lazily
    import_aiogram_lazily()
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update

user = {"id": 5, "is_bot": False, "first_name": "Rosa", "language_code": "qu"}
chat = {"id": 5, "type": "private", "first_name": "Rosa"}
updates = [
    {"update_id": 1, "message": {"message_id": 1, "date": 1764600000, "chat": chat, "from": user,
     "text": "/ayuda", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}},
    {"update_id": 2, "callback_query": {"id": "9", "from": user, "chat_instance": "c", "data": "rsvp:1:yes",
     "message": {"message_id": 3, "date": 1764600000, "chat": chat, "text": "¿Asistirá?"}}},
    {"update_id": 3, "message": {"message_id": 4, "date": 1764600000, "chat": chat, "from": user,
     "caption": "evidencia", "document": {"file_id": "F", "file_unique_id": "U", "file_size": 1024,
     "file_name": "acta.pdf"}}},
    {"update_id": 4, "my_chat_member": {"chat": chat, "from": user, "date": 1764600000,
     "old_chat_member": {"status": "member", "user": user},
     "new_chat_member": {"status": "kicked", "user": user, "until_date": 0}}},
]
out = [Update.model_validate(u).model_dump(mode="json", exclude_none=True) for u in updates]
keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Sí", callback_data="y")]])
sent = SendMessage(chat_id=5, text="<b>Hola</b>", reply_markup=keyboard)
out.append({"text": sent.text, "reply_markup": sent.reply_markup.model_dump(mode="json", exclude_none=True)})
print(json.dumps(out, sort_keys=True, default=str))
"""


def run_python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


def test_lazily_built_types_give_the_same_objects_as_eager_ones() -> None:
    lazy, eager = run_python(ROUND_TRIP, "lazy"), run_python(ROUND_TRIP, "eager")
    assert json.loads(lazy) == json.loads(eager)
    assert json.loads(lazy)[1]["callback_query"]["data"] == "rsvp:1:yes"


def test_types_the_bot_never_uses_are_not_built() -> None:
    code = (
        "from bot.lazy_types import import_aiogram_lazily\n"
        "import_aiogram_lazily()\n"
        "import aiogram.types as t\n"
        "print(t.Sticker.__pydantic_complete__, t.PassportData.__pydantic_complete__)\n"
    )
    assert run_python(code).split() == ["False", "False"]


def test_every_type_and_method_builds_on_first_use() -> None:
    """No annotation is left unresolvable: each model compiles when first asked for."""
    models = [
        obj
        for module in (aiogram.types, aiogram.methods)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__.startswith("aiogram.")
    ]
    assert len(models) > 500
    for model in models:
        model.model_rebuild()  # raises if a name cannot be resolved
    assert [m.__name__ for m in models if not m.__pydantic_complete__] == []
