"""The bot's engine has no pre-ping (bot/app.py): a scheduled job whose connection the server cut
is a warning, not a traceback, and the jobs after it run on a fresh connection; the outbox's flush
at shutdown tries again on a fresh one. PostgreSQL only."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import NoPacer, OutboxSender
from bot.i18n import Catalogs
from bot.scheduler import Leadership, Ticker
from bot.workflows.outbox import enqueue_text
from db.engine import make_engine, make_sessionmaker
from tests.conftest import NOW, PG_SCHEMA
from tests.harness import RecordingSession, make_bot


async def test_a_job_whose_connection_is_cut_is_a_warning_and_the_next_jobs_still_run(
    pg_ready: str, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"server_settings": {"search_path": PG_SCHEMA}}
    engine = make_engine(pg_ready, connect_args=settings, pool_pre_ping=False, pool_size=3, max_overflow=0)
    leadership = Leadership(engine)
    ticker = Ticker(make_sessionmaker(engine), leadership, catalogs, clock=lambda: NOW)
    ran: list[str] = []

    async def cut(db: AsyncSession, now: datetime) -> None:
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        ran.append("cut")
        await db.exec(text("SELECT pg_terminate_backend(pg_backend_pid())"))  # type: ignore[call-overload]

    async def after(db: AsyncSession, now: datetime) -> None:
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        ran.append("after")

    ticker.jobs, ticker.staged = {"cut": cut, "after": after}, {}
    try:
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            assert await ticker.tick() == 1
            ticker.jobs = {"after": after}
            assert await ticker.tick() == 1  # the pool reconnected; nothing stays broken
    finally:
        await leadership.release()
        await engine.dispose()
    assert ran == ["cut", "after", "after"]
    assert "cut" in ticker.failing_since  # counted towards "scheduled work is late" if it lasts
    lost = [r for r in caplog.records if "database connection lost" in r.getMessage()]
    assert [r.levelno for r in lost] == [logging.WARNING]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_flush_at_shutdown_survives_connections_the_database_dropped_in_the_pool(
    pg_ready: str, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    """Seen in the e2e fault test: connections killed while idle in the pool, then SIGTERM; the
    flush's first claim met a dead connection and the bot exited 1 with a traceback."""
    settings = {"server_settings": {"search_path": PG_SCHEMA}}
    engine = make_engine(pg_ready, connect_args=settings, pool_pre_ping=False, pool_size=3, max_overflow=0)
    sessionmaker = make_sessionmaker(engine)
    session = RecordingSession()
    sender = OutboxSender(make_bot(session), sessionmaker, catalogs, pacer=NoPacer(), chat_gaps=False)
    admin = make_engine(pg_ready, pool_pre_ping=False)
    try:
        async with sessionmaker() as db, db.begin():
            await enqueue_text(db, 4242, "Hola", now=NOW)
            pid = (await db.exec(text("SELECT pg_backend_pid()"))).one()[0]  # type: ignore[call-overload]
        async with admin.connect() as conn:  # the connection now waits in the bot's pool
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with caplog.at_level(logging.WARNING, logger="bot.delivery"):
            assert await sender.drain() >= 1  # rows other tests left in this schema go too
            assert await sender.pending() >= 0  # and the count after it raises nothing either
    finally:
        await engine.dispose()
        await admin.dispose()
    assert [r.chat_id for r in session.requests if isinstance(r, SendMessage)].count(4242) == 1
    assert any("database connection lost" in r.getMessage() for r in caplog.records)
