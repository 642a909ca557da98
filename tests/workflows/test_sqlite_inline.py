"""The bot process's SQLite engine (serialize_sqlite): statements run on the event loop's thread,
with transactions, rollbacks and constraints as on aiosqlite's worker thread."""

from __future__ import annotations

import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.workflows.processed_updates import first_time_seen
from db.engine import make_engine, make_sessionmaker
from tests.conftest import NOW


def _record_threads(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _thread_function(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)


@pytest.fixture
async def bot_engine(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AsyncEngine]:
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", serialize_sqlite=True)
    _record_threads(engine)
    yield engine
    await engine.dispose()


async def test_statements_run_on_the_event_loop_thread(bot_engine: AsyncEngine, tmp_path: Path) -> None:
    async with bot_engine.connect() as conn:
        assert (await conn.execute(text("SELECT thread_id()"))).scalar() == threading.get_ident()
    # The engine everything else uses (CLI, tests) still hands calls to aiosqlite's thread.
    other = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    _record_threads(other)
    async with other.connect() as conn:
        assert (await conn.execute(text("SELECT thread_id()"))).scalar() != threading.get_ident()
    await other.dispose()


async def test_commits_rollbacks_and_constraints_behave_as_usual(bot_engine: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(bot_engine)
    async with sessionmaker() as db, db.begin():
        assert await first_time_seen(db, 7, now=NOW)
    async with sessionmaker() as db:
        await db.begin()
        assert await first_time_seen(db, 8, now=NOW)
        await db.rollback()  # the handler failed
    async with sessionmaker() as db, db.begin():
        assert not await first_time_seen(db, 7, now=NOW)  # committed: a redelivery
        assert await first_time_seen(db, 8, now=NOW)  # rolled back: handled afresh
        with pytest.raises(IntegrityError):
            async with db.begin_nested():
                await db.exec(text("INSERT INTO membership (person_id, commission_id) VALUES (999, 999)"))
    async with bot_engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
