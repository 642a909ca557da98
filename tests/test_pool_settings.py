"""The database pool is sized from the settings, relative to how many updates run at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from db.engine import make_engine

PG_URL = "postgresql+asyncpg://bot@127.0.0.1:5432/cra"  # never connected to: engines connect lazily


def test_by_default_the_pool_keeps_20_connections_opens_no_more_and_waits_30_s() -> None:
    assert Settings(_env_file=None).database_pool() == {
        "pool_size": 20,
        "max_overflow": 0,
        "pool_timeout": 30.0,
    }


def test_updates_leave_the_sender_scheduler_and_leader_their_connections() -> None:
    postgres = "postgresql+asyncpg://bot@127.0.0.1:5432/cra"
    assert Settings(_env_file=None, database_url=postgres).update_transactions() == 17
    overflowing = Settings(
        _env_file=None, database_url=postgres, database_pool_size=5, database_max_overflow=4
    )
    assert overflowing.update_transactions() == 6
    assert Settings(_env_file=None, database_url=postgres, database_pool_size=2).update_transactions() == 1
    assert Settings(_env_file=None).update_transactions() == 1  # SQLite: its one connection, in turn


def test_a_sqlite_bot_handles_a_few_updates_at_once_so_its_sender_is_not_queued_behind_many() -> None:
    assert Settings(_env_file=None).updates_at_once() == 8
    assert Settings(_env_file=None, max_concurrent_updates=3).updates_at_once() == 3
    postgres = Settings(_env_file=None, database_url="postgresql+asyncpg://bot@127.0.0.1:5432/cra")
    assert postgres.updates_at_once() == 64


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL_SIZE", "20")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "")  # blank: the default
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "5")
    assert load_settings().database_pool() == {"pool_size": 20, "max_overflow": 0, "pool_timeout": 5.0}
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "8")
    assert load_settings().database_pool()["max_overflow"] == 8
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    with pytest.raises(ConfigError, match=r"^DATABASE_POOL_SIZE: "):
        load_settings()


async def test_postgresql_engines_get_the_pool_and_sqlite_keeps_its_single_connection(tmp_path: Path) -> None:
    pool = Settings(_env_file=None).database_pool()
    engine = make_engine(PG_URL, **pool)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (20, 0, 30.0)  # type: ignore[attr-defined]
    await engine.dispose()
    bot_sqlite = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}", serialize_sqlite=True, **pool)
    assert (bot_sqlite.pool.size(), bot_sqlite.pool._max_overflow) == (1, 0)  # type: ignore[attr-defined]
    await bot_sqlite.dispose()
    cli_sqlite = make_engine("sqlite+aiosqlite:///:memory:", **pool)  # a pool of one file: ignored
    await cli_sqlite.dispose()
