"""Errors: refusals are shown in the person's language; surprises are logged and apologised for."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update

from bot.i18n import Catalogs, Translator
from bot.workflows.errors import UserError

log = logging.getLogger(__name__)


async def _reply(bot: Bot, update: Update, text: str) -> None:
    if update.callback_query is not None:
        query = update.callback_query
        await query.answer()
        chat_id = query.message.chat.id if query.message else query.from_user.id
        await bot.send_message(chat_id, text)
    elif update.message is not None:
        await bot.send_message(update.message.chat.id, text)


def _translator(data: dict[str, Any]) -> Translator:
    tr = data.get("tr")
    if isinstance(tr, Translator):
        return tr
    catalogs: Catalogs = data["catalogs"]
    return catalogs.translator(None)


async def on_user_error(event: ErrorEvent, bot: Bot, **data: Any) -> None:
    assert isinstance(event.exception, UserError)
    tr = _translator(data)
    log.info("update %s refused: %s", event.update.update_id, event.exception.text.msgid)
    await _reply(bot, event.update, tr.render(event.exception.text))


async def on_unexpected(event: ErrorEvent, bot: Bot, **data: Any) -> None:
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    tr = _translator(data)
    try:
        await _reply(
            bot,
            event.update,
            tr.gettext(
                "Lo siento, algo falló de nuestro lado y no se guardó nada. "
                "Ya quedó registrado; intente de nuevo en unos minutos."
            ),
        )
    except TelegramAPIError:
        log.exception("could not apologise for update %s", event.update.update_id)


def router() -> Router:
    r = Router(name="errors")
    r.errors.register(on_user_error, ExceptionTypeFilter(UserError))
    r.errors.register(on_unexpected)
    return r
