"""The audit trail: every onboarding change is recorded, chained, and tampering is found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.audit import history_csv, read_history, verify_chain
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import invite_from_chat, issue_invitation, redeem_invitation
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import AuditEntry, Role
from tests.conftest import NOW


async def onboard(db: AsyncSession) -> dict[str, object]:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    sec = await issue_invitation(db, cus, Role.SECRETARY, now=NOW, institution="Gobierno Regional del Cusco")
    secretary = (
        await redeem_invitation(db, sec.token, telegram_id=1, telegram_name="Rosa", language="es", now=NOW)
    ).person
    assert cus.id is not None
    obs = await invite_from_chat(db, secretary, cus.id, Role.OBSERVER, now=NOW, invitee_name="Luz")
    observer = (
        await redeem_invitation(db, obs.token, telegram_id=2, telegram_name="Luz", language="qu", now=NOW)
    ).person
    return {"commission": cus, "secretary": secretary, "observer": observer}


async def test_onboarding_changes_are_recorded_in_one_chain(db: AsyncSession) -> None:
    await onboard(db)
    entries = (await db.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))).all()
    assert [e.action for e in entries] == [
        "commission.created",
        "seat.created",
        "invitation.issued",
        "invitation.redeemed",
        "invitation.issued",
        "invitation.redeemed",
    ]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].actor_label == "cli" and entries[4].actor_label == "Rosa"
    assert entries[1].previous_digest == entries[0].digest
    assert await verify_chain(db) == (6, [])


@pytest.mark.parametrize("tampering", ["edit", "delete"])
async def test_editing_or_deleting_a_row_is_reported_at_that_link(db: AsyncSession, tampering: str) -> None:
    await onboard(db)
    await db.commit()
    if tampering == "edit":
        await db.exec(text("UPDATE audit_entry SET actor_label = 'Someone else' WHERE seq = 4"))  # type: ignore[call-overload]
    else:
        await db.exec(text("DELETE FROM audit_entry WHERE seq = 4"))  # type: ignore[call-overload]
    await db.commit()
    _, broken = await verify_chain(db)
    assert len(broken) == 1
    assert broken[0].seq == (4 if tampering == "edit" else 5)
    assert ("changed" if tampering == "edit" else "missing") in broken[0].reason


async def test_only_the_secretariat_reads_the_history_and_can_export_it(db: AsyncSession) -> None:
    found = await onboard(db)
    cus_id = found["commission"].id  # type: ignore[attr-defined]
    page, total = await read_history(db, found["secretary"], cus_id, limit=2)  # type: ignore[arg-type]
    assert total == 6 and [e.seq for e in page] == [6, 5]
    with pytest.raises(AccessDenied):
        await read_history(db, found["observer"], cus_id)  # type: ignore[arg-type]
    everything, _ = await read_history(db, found["secretary"], cus_id, limit=100)  # type: ignore[arg-type]
    csv_text = history_csv(everything).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("seq,at_utc,actor,action")
    assert "invitation.redeemed" in csv_text and len(csv_text.splitlines()) == 7


def test_cli_audit_verify_exits_1_and_names_the_broken_entry(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}"
    upgrade(url)

    async def prepare() -> None:
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as db, db.begin():
            await onboard(db)
        await engine.dispose()

    import asyncio

    asyncio.run(prepare())
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": url}

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "audit", "verify"],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )

    intact = verify()
    assert intact.returncode == 0 and "6 entries checked; every chain is intact" in intact.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cra.db") as conn:
        conn.execute('UPDATE audit_entry SET after = \'{"role": "president"}\' WHERE seq = 3')
    broken = verify()
    assert broken.returncode == 1
    assert "CUS: entry 3 its content was changed after it was written" in broken.stdout
