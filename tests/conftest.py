"""Fixtures: a migrated database (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set),
the real dispatcher with a recording session, and the shipped catalogs."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade, upgrade_engine

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Lima
# One schema per test run, so runs sharing a server (CI, a developer, helpers) never collide.
PG_SCHEMA = f"cra_test_{os.getpid()}"
# Tables emptied between PostgreSQL tests; `region` is seed data from the migration.
PG_TABLES = (
    "contact_check, directory_settings, member_document, succession, membership_end, "
    "good_practice, assistance_event, assistance_request, round_reminder, round_answer, "
    "round_target, round_schedule, progress_round, "
    "meeting_vote, meeting_attendance, session_acta, agenda_document, agenda_item, session_invitee, "
    "session_reminder, planned_session, meeting_session, non_working_day, session_settings, "
    "agreement_rules, agreement_reminder, progress_draft, agreement_event, agreement_seat, agreement, "
    "monitor_event, report_delivery, web_token, publication_setting, indicator_snapshot, token_attempt, "
    "audit_entry, processed_update, outbox, chat_pace, live_screen, "
    "translation_change, translation_report, notice_copy, translator_grant, "
    "invitation, membership, person, seat, institution, commission"
)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


def _in_own_loop(work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Session fixtures may be set up under a test's running loop: use a loop of our own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work()).result()


@pytest.fixture(scope="session")
def pg_ready() -> Iterator[str]:
    url = _pg_url()
    if url is None:
        pytest.skip(
            "PostgreSQL tests skipped: set TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )

    async def prepare() -> None:
        admin = make_engine(url)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
                await conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        finally:
            await admin.dispose()
        engine = _pg_engine(url)
        try:
            await upgrade_engine(engine)
        finally:
            await engine.dispose()

    async def drop() -> None:
        admin = make_engine(url)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        finally:
            await admin.dispose()

    try:
        _in_own_loop(prepare)
    except OSError as exc:
        pytest.skip(f"PostgreSQL tests skipped: cannot reach TEST_POSTGRES_URL ({exc})")
    yield url
    _in_own_loop(drop)


def _pg_engine(url: str) -> AsyncEngine:
    return make_engine(url, connect_args={"server_settings": {"search_path": PG_SCHEMA}})


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        path = tmp_path / "cra.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        eng = make_engine(f"sqlite+aiosqlite:///{path}")
    else:
        eng = _pg_engine(request.getfixturevalue("pg_ready"))
        async with eng.begin() as conn:
            await conn.execute(text(f"TRUNCATE {PG_TABLES} RESTART IDENTITY CASCADE"))
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


def pytest_report_header() -> str:
    """Say up front whether the HTTP Bot API double validates requests against the spec."""
    from tests.telegram_double.server import DEFAULT_SPEC_PATH, SPEC_MISSING

    if DEFAULT_SPEC_PATH.is_file():
        return f"Bot API double: requests validated against {DEFAULT_SPEC_PATH}"
    return f"Bot API double: LOOSE MODE, {SPEC_MISSING}"
