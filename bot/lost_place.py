"""Telling someone mid-flow that the bot lost its place, when their conversation state could not
be read (Redis away: bot/shared_state.py). Kept apart from Redis, which costs ~0.3 s to import."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot.i18n import Translator
from bot.middlewares import Handler

# Whether this update's conversation state could not be read (bot/shared_state.py sets it).
state_unknown: ContextVar[bool] = ContextVar("state_unknown", default=False)


class LostPlaceMiddleware(BaseMiddleware):
    """Someone typing in a private chat while their conversation state could not be read may be
    answering a guided step: tell them the bot lost its place, rather than misreading the text."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        if (
            message is None
            or not state_unknown.get()
            or message.chat.type != "private"
            or (message.text or "").startswith("/")
        ):
            return await handler(event, data)
        tr: Translator = data["tr"]
        await data["say"](
            tr.gettext(
                "Perdí el hilo de la conversación: un servicio interno no responde por ahora. "
                "Si estaba completando algo, vuelva a empezar con su orden en unos minutos; "
                "lo que ya se guardó sigue guardado."
            )
        )
        return UNHANDLED
