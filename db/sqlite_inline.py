"""SQLite for the bot process: aiosqlite's connection, with each call run on the event loop.

aiosqlite hands every call (execute, fetch, close cursor: three or four per statement) to a worker
thread and waits for the answer: measured here, ~60 µs of thread handoff per call against ~2 µs of
SQLite work for a small query. The bot process shares one connection in turn anyway (SQLite has
one writer), so nothing runs alongside a statement that a thread would let through; running the
call at once is about six times cheaper per statement (benchmarks/updates.py).

What it gives up: a statement blocks the event loop while it runs. The bot's statements take
microseconds to a few milliseconds (a national digest ~30 ms); waiting on another process's write
lock (a `cra-bot invite` from the shell) blocks for as long as that transaction, at most the busy
timeout. PostgreSQL, the national deployment, is unaffected.

The worker thread still starts: aiosqlite opens and closes the connection through it, and so does
SQLAlchemy's isolation-level setter; hence `check_same_thread=False` (the pool hands the connection
to one user at a time).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_creator(database: str, *, timeout: float) -> Callable[[], Any]:
    """An `async_creator` for create_async_engine: new InlineConnections to `database`."""

    async def connect() -> InlineConnection:
        def open_database() -> sqlite3.Connection:
            return sqlite3.connect(database, timeout=timeout, check_same_thread=False)

        connection = InlineConnection(open_database, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never blocks exit
        await connection
        return connection

    return connect
