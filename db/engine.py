"""Engine and session factory; built by the composition root, never at import time."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.sqlite_inline import inline_creator

SQLITE_BUSY_SECONDS = 30  # how long to wait for another process's write lock
POOL_ARGUMENTS = ("pool_size", "max_overflow", "pool_timeout")


def make_engine(url: str, *, serialize_sqlite: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

    `serialize_sqlite` (the bot process): one connection, shared in turn, its calls run on the
    event loop (db/sqlite_inline.py). SQLite allows one writer; concurrent handlers would otherwise
    spin in its busy handler, which sleeps up to 100 ms a try. Waiting for the pool instead costs
    nothing. (Never hold two sessions at once with it.)

    PostgreSQL: `pool_size`, `max_overflow` and `pool_timeout` (from `Settings.database_pool()`)
    bound the connections an update may wait for; SQLite ignores them, as it has one writer anyway.
    """
    if url.startswith("sqlite"):
        for name in POOL_ARGUMENTS:
            kwargs.pop(name, None)
        if serialize_sqlite:
            database = make_url(url).database or ":memory:"
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=120)
            kwargs["async_creator"] = inline_creator(database, timeout=SQLITE_BUSY_SECONDS)
        else:
            kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql+asyncpg"):
        # Name connections after the process, so pg_stat_activity shows who holds what.
        settings = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
        settings.setdefault("application_name", f"cra-bot:{os.getpid()}")
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def dialect_of(db: AsyncSession) -> str:
    """'sqlite' or 'postgresql': for the few statements that differ (upserts, SKIP LOCKED)."""
    return db.get_bind().dialect.name
