"""A flood of updates takes PostgreSQL's pool in turns, leaving connections for the outbox sender,
the scheduler and its leader lock: replies keep going out while people keep writing. (SQLite's one
connection is used inline, so an update there never waits on the pool while holding its turn: the
bot process bounds how many run at once instead, see Settings.updates_at_once.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Message, MessageEntity, Update
from sqlalchemy import event, func, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.config import RESERVED_CONNECTIONS, Settings
from bot.i18n import Catalogs
from db.engine import make_engine, make_sessionmaker
from db.models import OutboxMessage
from tests.conftest import PG_SCHEMA, PG_TABLES
from tests.harness import Harness, make_harness

FLOOD = 30
POOL = 5  # PostgreSQL: a small pool, so that a flood without turns would take all of it


@pytest.fixture
async def bot_engine(pg_ready: str) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """The bot process's engine, and how many updates may hold a connection at once with it."""
    settings = {"server_settings": {"search_path": PG_SCHEMA}}
    engine = make_engine(pg_ready, connect_args=settings, pool_size=POOL, max_overflow=0)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {PG_TABLES} RESTART IDENTITY CASCADE"))
    turns = Settings(_env_file=None, database_url=pg_ready, database_pool_size=POOL).update_transactions()
    try:
        yield engine, turns
    finally:
        await engine.dispose()


def ayuda_from_many(harness: Harness) -> list[Update]:
    updates = []
    for n in range(FLOOD):
        user = harness.user(70_000 + n)
        message = Message(
            message_id=harness.next_message_id(),
            date=datetime.now(UTC),
            chat=user.chat,
            from_user=user.user,
            text="/ayuda",
            entities=[MessageEntity(type="bot_command", offset=0, length=6)],
        )
        updates.append(Update(update_id=harness.next_update_id(), message=message))
    return updates


async def test_a_flood_leaves_the_sender_and_the_scheduler_their_connections(
    bot_engine: tuple[AsyncEngine, int], catalogs: Catalogs
) -> None:
    engine, turns = bot_engine
    assert turns == POOL - RESERVED_CONNECTIONS
    sessionmaker = make_sessionmaker(engine)
    harness = make_harness(sessionmaker, catalogs, transactions=turns)
    held, most, commits = 0, 0, 0
    under_way = asyncio.Event()

    def checkout(*_: Any) -> None:
        nonlocal held, most
        held += 1
        most = max(most, held)

    def checkin(*_: Any) -> None:
        nonlocal held
        held -= 1

    def commit(*_: Any) -> None:
        nonlocal commits
        commits += 1
        under_way.set()

    event.listen(engine.sync_engine, "checkout", checkout)
    event.listen(engine.sync_engine, "checkin", checkin)
    event.listen(engine.sync_engine, "commit", commit)
    flood = asyncio.gather(*(harness.dp.feed_update(harness.bot, u) for u in ayuda_from_many(harness)))
    await under_way.wait()
    assert held <= turns  # a connection is free for the sender: it does not queue behind the flood
    async with sessionmaker() as db, db.begin():  # the sender's next round
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    await flood

    assert most <= turns + 1  # the updates' turns, and the sender's own connection (without: 5)
    async with sessionmaker() as db:
        replies = (await db.exec(select(func.count()).select_from(OutboxMessage))).one()
    assert replies == FLOOD  # nobody's /ayuda was dropped for waiting their turn
