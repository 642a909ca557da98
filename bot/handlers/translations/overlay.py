"""The reviewers' corrections, applied to every Translator without a restart.

Before each update, if the corrections are due (a correction was just made in this process, or
`EVERY_SECONDS` passed, for those made through another process), they are read again and applied;
a language whose corrections changed gets a new Translator (bot/i18n.py `apply_corrections`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.i18n import Catalogs
from bot.workflows.translations.review import load_corrections

EVERY_SECONDS = 60.0
_due: dict[int, float] = {}  # id(catalogs) → monotonic time of the next read

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def refresh_corrections(catalogs: Catalogs) -> None:
    """Read the corrections again before the next update (one was just made here)."""
    _due[id(catalogs)] = 0.0


class CorrectionsMiddleware(BaseMiddleware):
    """Keeps `catalogs` rendering with the newest corrections; runs inside the update's
    transaction, before the reader's Translator is picked."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        now = time.monotonic()
        if _due.get(id(self.catalogs), 0.0) <= now:
            _due[id(self.catalogs)] = now + EVERY_SECONDS
            self.catalogs.apply_corrections(await load_corrections(data["db"]))
        return await handler(event, data)
