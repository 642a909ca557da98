"""Unexpected errors: logged with the update id, and apologised for in the person's language.

(Refusals — `UserError` — never get here: the transaction middleware answers them.)
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import Catalogs, Translator

log = logging.getLogger(__name__)


async def on_unexpected(event: ErrorEvent, bot: Bot, catalogs: Catalogs, **data: Any) -> None:
    update = event.update
    log.error("update %s failed", update.update_id, exc_info=event.exception)
    tr = data.get("tr")
    tr = tr if isinstance(tr, Translator) else catalogs.translator(None)
    text = tr.gettext(
        "Lo siento, algo falló de nuestro lado y no se guardó nada. "
        "Ya quedó registrado; intente de nuevo en unos minutos."
    )
    # The transaction was rolled back, so the apology cannot go through the outbox: send it directly.
    try:
        chat_id: int | None = None
        if update.message is not None:
            chat_id = update.message.chat.id
        elif update.callback_query is not None:
            query = update.callback_query
            await query.answer()
            chat_id = query.message.chat.id if query.message else query.from_user.id
        if chat_id is not None:
            await bot.send_message(chat_id, text)
    except TelegramAPIError:
        log.exception("could not apologise for update %s", update.update_id)


def router() -> Router:
    r = Router(name="errors")
    r.errors.register(on_unexpected)
    return r
