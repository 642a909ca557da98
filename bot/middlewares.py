"""Per-update context: one database transaction, the person, their language.

Middlewares only prepare context data and close the transaction; rules live in bot/workflows.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import Delivery
from bot.i18n import Catalogs
from bot.workflows.people import find_person

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class TransactionMiddleware(BaseMiddleware):
    """Runs each update in one transaction; notices queued by the handler go out after commit."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], delivery: Delivery) -> None:
        self.sessionmaker = sessionmaker
        self.delivery = delivery

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        outbox = data["outbox"] = self.delivery.new_batch()
        async with self.sessionmaker() as db, db.begin():
            data["db"] = db
            result = await handler(event, data)
        bot: Bot = data["bot"]
        await self.delivery.send(bot, outbox)
        return result


class PersonMiddleware(BaseMiddleware):
    """Who is writing, and the translator for their stored language (Spanish for strangers)."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        person = await find_person(data["db"], user.id) if user else None
        data["person"] = person
        data["tr"] = self.catalogs.translator(person.language if person else None)
        return await handler(event, data)
