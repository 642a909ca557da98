"""The dispatcher: middlewares and routers, built fresh for every process (and every test)."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import Delivery
from bot.handlers import get_routers
from bot.i18n import Catalogs
from bot.middlewares import PersonMiddleware, TransactionMiddleware


def build_dispatcher(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    bot_username: str,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    dp = Dispatcher(storage=storage or MemoryStorage(), catalogs=catalogs, bot_username=bot_username)
    dp.update.outer_middleware(TransactionMiddleware(sessionmaker, Delivery(sessionmaker, catalogs)))
    dp.update.outer_middleware(PersonMiddleware(catalogs))
    dp.include_routers(*get_routers())
    return dp
