"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Upgrade the database at `url`; synchronous, and safe to call under a running event loop
    (the async migration environment then runs in a worker thread with a loop of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()


async def upgrade_engine(engine: AsyncEngine, revision: str = "heads") -> None:
    """Upgrade through an existing async engine (for code already inside an event loop)."""

    def _run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection=connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


def heads() -> set[str]:
    """Every head revision (features may add migrations side by side from the same parent)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
