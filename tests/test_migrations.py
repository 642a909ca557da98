"""The migrations: one head that every database reaches, and the same schema as the models, on every
backend, so models and migrations cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from db.engine import make_engine
from db.migrate import COMPARE_OPTIONS, MIGRATIONS, head, heads, upgrade, upgrade_engine
from tests.conftest import PG_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
# The heads deployed databases were upgraded to before the merge revision.
OLD_HEADS = ("0004_sessions", "0005_security", "0006_reports", "0006_rounds")


def drift(connection: Connection, metadata: MetaData = SQLModel.metadata) -> list[object]:
    """What `alembic revision --autogenerate` would write: the models' difference from the database."""
    context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
    return list(compare_metadata(context, metadata))


async def versions_and_drift(engine: AsyncEngine) -> tuple[set[str], list[object]]:
    async with engine.connect() as conn:
        versions = set((await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars())
        return versions, await conn.run_sync(drift)


def test_the_history_has_a_single_head() -> None:
    assert heads() == {head()}


def test_revision_files_are_dated_and_numbered() -> None:
    names = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert names
    assert [n for n in names if not re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}_\w+\.py", n)] == []


async def test_models_match_the_migrated_schema(engine: AsyncEngine) -> None:
    versions, differences = await versions_and_drift(engine)
    assert differences == []
    assert versions == {head()}


async def test_an_empty_sqlite_database_reaches_the_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        assert await versions_and_drift(engine) == ({head()}, [])
    finally:
        await engine.dispose()


async def test_a_database_at_the_old_heads_reaches_the_single_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deployed.db'}"
    for old in OLD_HEADS:
        upgrade(url, old)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            before = set((await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars())
        assert before == set(OLD_HEADS)
        upgrade(url)
        assert await versions_and_drift(engine) == ({head()}, [])
    finally:
        await engine.dispose()


async def test_an_empty_postgres_schema_reaches_the_head(pg_ready: str) -> None:
    schema = f"{PG_SCHEMA}_empty"
    admin = make_engine(pg_ready)
    engine = make_engine(pg_ready, connect_args={"server_settings": {"search_path": schema}})
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            await conn.execute(text(f"CREATE SCHEMA {schema}"))
        await upgrade_engine(engine)
        assert await versions_and_drift(engine) == ({head()}, [])
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await admin.dispose()


async def test_the_drift_check_catches_a_model_without_a_migration(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'drift.db'}"
    upgrade(url)
    models = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(models)
    Table("not_migrated", models, Column("id", Integer, primary_key=True))
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(drift, models)
    finally:
        await engine.dispose()
    assert [(d[0], d[1].name) for d in differences] == [("add_table", "not_migrated")]


def test_alembic_ini_autogenerates_nothing_for_an_up_to_date_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a developer runs: `alembic upgrade head`, then `alembic check` (autogenerate, dry run)
    against DATABASE_URL, through the repository's alembic.ini and the async env.py."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'dev.db'}")
    config = Config(ROOT / "alembic.ini")
    config.attributes["configure_logger"] = False  # keep the test run's logging as it is
    command.upgrade(config, "head")
    command.check(config)  # raises AutogenerateDiffsDetected on any drift
