"""Delivery end to end with the real process: SIGKILL mid-broadcast, redelivered updates."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from bot.workflows.outbox import enqueue_text
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Role
from tests.conftest import NOW
from tests.e2e.test_bot_process import ROOT, STARTUP_SECONDS, button, environment
from tests.telegram_double import BotApiDouble

CHATS = range(10_001, 10_201)  # 200 people


async def start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=out, stderr=out
        )


async def sent_count_reaches(double: BotApiDouble, n: int, within: float) -> None:
    async def enough() -> None:
        while sum(1 for r in double.requests if r.method == "sendMessage" and r.status == 200) < n:
            await double.wait_for_request("sendMessage", since=len(double.requests), timeout=within)

    await asyncio.wait_for(enough(), within)


async def test_sigkill_mid_broadcast_loses_nothing_and_repeats_at_most_one(tmp_path: Path) -> None:
    database = tmp_path / "cra.db"
    upgrade(f"sqlite+aiosqlite:///{database}")
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    async with make_sessionmaker(engine)() as db, db.begin():
        for chat in CHATS:
            await enqueue_text(db, chat, f"Convocatoria para {chat}", now=NOW)
    await engine.dispose()

    async with BotApiDouble() as double:
        for chat in CHATS:
            double.add_chat(chat)
        env = environment(double, database) | {"TELEGRAM_GLOBAL_RATE": "40", "DELIVERY_LEASE_SECONDS": "2"}
        first = await start_bot(env, tmp_path / "bot.log")
        try:
            await sent_count_reaches(double, 40, within=STARTUP_SECONDS)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        delivered_before = sum(1 for c in CHATS if double.messages_to(c))
        assert delivered_before < len(CHATS), "the broadcast finished before the kill; nothing was tested"

        second = await start_bot(env, tmp_path / "bot.log")
        try:
            for chat in CHATS:
                await double.wait_for_message(chat, timeout=STARTUP_SECONDS)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 60) == 0
        copies = [len(double.messages_to(chat)) for chat in CHATS]
        assert min(copies) == 1
        assert sum(copies) - len(CHATS) <= 1  # at most the one in flight at the kill


async def test_a_redelivered_update_is_answered_once(tmp_path: Path) -> None:
    database = tmp_path / "cra.db"
    upgrade(f"sqlite+aiosqlite:///{database}")
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    async with make_sessionmaker(engine)() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=NOW)
        # Issued now: the bot redeems on the wall clock, and NOW's invitations expired on 7 Dec.
        token = (await issue_invitation(db, cus, Role.OBSERVER, now=datetime.now(UTC))).token
    await engine.dispose()
    async with BotApiDouble() as double:
        bot = await start_bot(environment(double, database), tmp_path / "bot.log")
        try:
            await double.wait_for_poll(timeout=STARTUP_SECONDS)
            double.user_sends(7001, f"/start {token}")
            offer = await double.wait_for_message(7001, contains="¿Acepta?", timeout=30)
            double.user_clicks(7001, offer["message_id"], button(offer, "Aceptar"))
            await double.wait_for_message(7001, contains="/idioma", timeout=30)
            double.user_sends(7001, "/ayuda")
            await double.wait_for_message(7001, contains="/perfil", timeout=30)
            before = len(double.messages_to(7001))
            double.redeliver()  # Telegram sends the /ayuda update again
            await double.wait_for_poll(timeout=30)
            await double.wait_for_request("getUpdates", since=len(double.requests), timeout=30)
            double.user_sends(7001, "/perfil")  # a new update after the repeated one
            await double.wait_for_message(7001, contains="Participa en 1 comisión.", timeout=30)
            assert len(double.messages_to(7001)) == before + 1  # /perfil answered, /ayuda not again
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 60) == 0
