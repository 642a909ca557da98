"""The bot's engine has no pre-ping (bot/app.py): a scheduled job whose connection the server cut
is a warning, not a traceback, and the jobs after it run on a fresh connection. PostgreSQL only."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.scheduler import Leadership, Ticker
from db.engine import make_engine, make_sessionmaker
from tests.conftest import NOW, PG_SCHEMA


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
