"""The audit chain's head, anchored outside the commission (issue 14, item 18): a daily checkpoint
sent to the CAN analysts, and `audit verify` (workflow and CLI) catching the newest entry deleted."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.audit import Head, chain_heads, verify_chain
from bot.workflows.membership.commissions import create_commission
from bot.workflows.reports.checkpoints import checkpoint_tick
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import AuditCheckpoint, Membership, OutboxMessage, Person, Role
from tests.conftest import NOW  # Monday 2026-11-23, 10:00 in Lima
from tests.workflows.test_audit import onboard

ROOT = Path(__file__).resolve().parents[2]


async def analyst(db: AsyncSession, name: str, language: str, telegram_id: int) -> Person:
    can = (await create_commission(db, "CAN", now=NOW))[0]
    p = Person(name=name, language=language, telegram_id=telegram_id, created_at=NOW)
    db.add(p)
    await db.flush()
    assert p.id and can.id
    db.add(Membership(person_id=p.id, commission_id=can.id, role=Role.CAN_ANALYST, created_at=NOW))
    await db.flush()
    return p


async def test_deleting_the_newest_entry_is_caught_by_the_checkpoint(db: AsyncSession) -> None:
    found = await onboard(db)
    cus_id = found["commission"].id  # type: ignore[attr-defined]
    assert [h.line("CUS").split(":")[:2] for h in await checkpoint_heads(db)] == [["CUS", "6"]]
    await db.commit()
    assert await verify_chain(db) == (6, [])
    # What remains after deleting the newest entry is a valid, shorter chain: only the checkpoint
    # tells.
    await db.exec(text("DELETE FROM audit_entry WHERE seq = 6"))  # type: ignore[call-overload]
    await db.commit()
    checked, broken = await verify_chain(db)
    assert checked == 5 and [(b.commission_id, b.seq) for b in broken] == [(cus_id, 6)]
    assert "entries 6..6 are missing (deleted after the checkpoint of 2026-11-23" in broken[0].reason
    # Replacing it with another entry 6 is caught too.
    await db.exec(  # type: ignore[call-overload]
        text(
            "INSERT INTO audit_entry (commission_id, seq, at, actor_label, action, entity, entity_id,"
            " previous_digest, digest) SELECT commission_id, 6, at, 'x', 'x', 'x', 'x', digest, digest"
            " FROM audit_entry WHERE seq = 5"
        )
    )
    await db.commit()
    _, broken = await verify_chain(db)
    assert broken and broken[0].seq == 6


async def checkpoint_heads(db: AsyncSession) -> list[Head]:
    await checkpoint_tick(db, NOW)
    rows = (await db.exec(select(AuditCheckpoint))).all()
    return [Head(r.commission_id, r.seq, r.digest, r.at) for r in rows]


async def test_checkpoint_daily_to_every_can_analyst_in_their_language(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    await onboard(db)
    luis = await analyst(db, "Luis", "es", 901)
    await analyst(db, "Sisa", "qu", 902)
    await db.commit()
    early = NOW - timedelta(hours=4)  # 06:00 Lima: not yet
    assert await checkpoint_tick(db, early) == []
    notices = await checkpoint_tick(db, NOW)
    assert {n.person_id for n in notices} == {luis.id, luis.id + 1}  # type: ignore[operator]
    assert await enqueue_notices(db, catalogs, notices, now=NOW) == 2
    await db.commit()
    heads = {h.commission_id: h for h in await chain_heads(db)}
    texts = {
        r.chat_id: r.payload["text"]
        for r in (await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id.in_([901, 902])))).all()  # type: ignore[attr-defined]
    }
    cus = next(h for h in heads.values() if h.seq == 6)
    assert cus.line("CUS") in texts[901] and cus.line("CUS") in texts[902]
    assert "Sello del registro de auditoría" in texts[901]
    assert "Sello del registro de auditoría" not in texts[902]  # Quechua
    # The same day again: nothing; the next day with no change: nothing either.
    assert await checkpoint_tick(db, NOW + timedelta(hours=2)) == []
    assert await checkpoint_tick(db, NOW + timedelta(days=1)) == []


def test_cli_audit_verify_catches_the_newest_entry_deleted(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"
    upgrade(url)

    async def prepare() -> str:
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as db, db.begin():
            await onboard(db)
            await checkpoint_tick(db, NOW)
            line = (await chain_heads(db))[0].line("CUS")
        await engine.dispose()
        return line

    head = asyncio.run(prepare())
    env = {**os.environ, "DATABASE_URL": url}

    def verify(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "audit", "verify", *extra],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    assert verify().returncode == 0
    with sqlite3.connect(tmp_path / "cra.db") as conn:
        conn.execute("DELETE FROM audit_entry WHERE seq = 6")
    broken = verify()
    assert broken.returncode == 1
    assert "CUS: entry 6 entries 6..6 are missing (deleted after the checkpoint of" in broken.stdout
    # Even with the checkpoint deleted too, the head an analyst kept still catches it.
    with sqlite3.connect(tmp_path / "cra.db") as conn:
        conn.execute("DELETE FROM audit_checkpoint")
    assert verify().returncode == 0
    kept = verify("--head", head)
    assert kept.returncode == 1 and "deleted after the head given" in kept.stdout
