"""The dispatcher: middlewares and routers, built fresh for every process (and every test)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers import get_routers
from bot.handlers.translations.overlay import CorrectionsMiddleware
from bot.i18n import Catalogs
from bot.local_state import LocalIsolation, LocalStorage
from bot.lost_place import LostPlaceMiddleware
from bot.middlewares import (
    FileSizeMiddleware,
    FloodMiddleware,
    InFlight,
    PersonMiddleware,
    TransactionMiddleware,
)
from bot.workflows.membership.invitations import DEFAULT_INVITATION_DAYS


def build_dispatcher(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    bot_username: str,
    on_commit: Callable[[], None] = lambda: None,
    storage: BaseStorage | None = None,
    isolation: BaseEventIsolation | None = None,
    invitation_days: int = DEFAULT_INVITATION_DAYS,
    flood: FloodMiddleware | None = None,
    web_base_url: str = "http://127.0.0.1:8090",
    transactions: int | None = None,
) -> Dispatcher:
    """`on_commit` runs after each update's transaction commits (it wakes the outbox sender);
    `transactions` bounds the updates holding a database connection at once (unset: no bound)."""
    in_flight = InFlight()
    # Updates run as concurrent tasks; isolation serialises one person's updates *including* the
    # commit (FSM middleware holds the lock around ours), so a tap never reads a stale row.
    dp = Dispatcher(
        storage=storage or LocalStorage(),
        events_isolation=isolation or LocalIsolation(),
        catalogs=catalogs,
        bot_username=bot_username,
        invitation_days=invitation_days,
        in_flight=in_flight,
        web_base_url=web_base_url,  # PUBLIC_BASE_URL: the links /portal and /panel give
    )
    dp.update.outer_middleware(
        TransactionMiddleware(sessionmaker, catalogs, on_commit, in_flight, transactions=transactions)
    )
    dp.update.outer_middleware(CorrectionsMiddleware(catalogs))  # before the reader's Translator
    dp.update.outer_middleware(PersonMiddleware(catalogs))
    dp.update.outer_middleware(LostPlaceMiddleware())
    dp.update.outer_middleware(flood or FloodMiddleware())
    dp.update.outer_middleware(FileSizeMiddleware())
    dp.include_routers(*get_routers())
    return dp
