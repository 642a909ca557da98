"""Before each update, the reviewers' newest corrections when due (bot/corrections.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.corrections import refresh_corrections
from bot.i18n import Catalogs

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class CorrectionsMiddleware(BaseMiddleware):
    """Runs inside the update's transaction, before the reader's Translator is picked."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        await refresh_corrections(data["db"], self.catalogs)
        return await handler(event, data)
