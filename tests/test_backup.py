"""`cra-bot backup` and `cra-bot restore`: a copy taken while the bot writes restores intact."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.workflows.audit import verify_chain
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from db.backup import BackupError, backup, restore
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Role
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
WRITES = 120  # invitations written, each in its own transaction, while the backup runs


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**env, "DATABASE_URL": database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def write_invitations(url: str, count: int, started: asyncio.Event) -> int:
    """Audited writes in separate transactions, as the bot makes them."""
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as db, db.begin():
            commission, _ = await create_commission(db, "PUN", now=NOW)
        for i in range(count):
            async with sessions() as db, db.begin():
                await issue_invitation(
                    db,
                    commission,
                    Role.MEMBER,
                    now=NOW + timedelta(seconds=i),
                    institution=f"Institución {i % 7}",
                    invitee_name=f"Miembro {i}",
                )
            if i == 5:
                started.set()
            await asyncio.sleep(0)
        return count
    finally:
        await engine.dispose()


async def chain_of(url: str) -> tuple[int, list[object]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            checked, broken = await verify_chain(db)
            return checked, list(broken)
    finally:
        await engine.dispose()


async def test_a_backup_taken_during_writes_restores_and_its_chain_verifies(tmp_path: Path) -> None:
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    upgrade(live)
    started = asyncio.Event()
    writer = asyncio.create_task(write_invitations(live, WRITES, started))
    await asyncio.wait([writer, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    assert not writer.done(), writer.exception()
    summary = await asyncio.to_thread(backup, live, tmp_path / "copy.db")
    assert "backup written" in summary
    assert await writer == WRITES

    restored = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    assert "restored" in restore(restored, tmp_path / "copy.db")
    checked, broken = await chain_of(restored)
    assert broken == [] and checked >= 1 + 6  # the commission and at least the first invitations
    # The copy is a snapshot: it may miss the writes after it, never hold half of one.
    live_checked, _ = await chain_of(live)
    assert checked <= live_checked and live_checked >= 1 + WRITES

    # The operator's view: the real CLI verifies the restored database.
    result = cli("audit", "verify", database_url=restored)
    assert result.returncode == 0, result.stderr
    assert "every chain is intact" in result.stdout


def test_restore_refuses_a_database_in_use_and_keeps_it(tmp_path: Path) -> None:
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    upgrade(live)
    asyncio.run(write_invitations(live, 2, asyncio.Event()))
    backup(live, tmp_path / "copy.db")
    with pytest.raises(BackupError, match="not empty"):
        restore(live, tmp_path / "copy.db")
    result = cli("restore", str(tmp_path / "copy.db"), database_url=live)
    assert result.returncode == 2
    assert (
        result.stderr.count("\n") == 1 and "not empty" in result.stderr and "Traceback" not in result.stderr
    )
    assert asyncio.run(chain_of(live))[0] == 1 + 2 + 2  # commission, two seats, two invitations: kept


def test_backup_never_overwrites_and_names_what_to_fix(tmp_path: Path) -> None:
    (tmp_path / "taken.db").write_bytes(b"not a database " * 20)
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    with pytest.raises(BackupError, match="already exists"):
        backup(live, tmp_path / "taken.db")
    with pytest.raises(BackupError, match="no database at"):
        backup(live, tmp_path / "new.db")
    with pytest.raises(BackupError, match="not a SQLite backup"):
        restore(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path / "taken.db")


@pytest.fixture
def pg_databases() -> tuple[str, str]:
    """Two new PostgreSQL databases (the source and the restore target), dropped afterwards."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL backup test skipped: set TEST_POSTGRES_URL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("PostgreSQL backup test skipped: pg_dump, pg_restore and psql are not installed")
    names = [f"cra_backup_{os.getpid()}_{n}" for n in ("live", "restored")]

    async def admin(statements: list[str]) -> None:
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                for statement in statements:
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(
        admin([f"DROP DATABASE IF EXISTS {n}" for n in names] + [f"CREATE DATABASE {n}" for n in names])
    )
    base = url.rsplit("/", 1)[0]
    yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    asyncio.run(admin([f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in names]))


async def test_postgresql_backup_and_restore_keep_the_chain(
    pg_databases: tuple[str, str], tmp_path: Path
) -> None:
    live, restored = pg_databases
    await asyncio.to_thread(upgrade, live)
    started = asyncio.Event()
    writer = asyncio.create_task(write_invitations(live, 40, started))
    await asyncio.wait([writer, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    assert not writer.done(), writer.exception()
    assert "pg_dump -Fc" in await asyncio.to_thread(backup, live, tmp_path / "cra.dump")
    await writer
    assert "restored" in await asyncio.to_thread(restore, restored, tmp_path / "cra.dump")
    checked, broken = await chain_of(restored)
    assert broken == [] and checked >= 7
    with pytest.raises(BackupError, match="not empty"):
        await asyncio.to_thread(restore, restored, tmp_path / "cra.dump")
