"""National scale: two `cra-bot run --webhook` processes on PostgreSQL and Redis.

They share one outbox (nothing sent twice), share conversation state, elect one scheduler leader
(taken over when it dies), and reject webhook calls without the secret header.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import make_url, text

from bot.scheduler import LEADER_LOCK_KEY
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from bot.workflows.outbox import enqueue_text
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Role
from tests.conftest import NOW
from tests.e2e.test_bot_process import ROOT, STARTUP_SECONDS, environment
from tests.telegram_double import BotApiDouble

CHATS = range(20_001, 20_301)  # 300 people
SECRET = "s3cret-Token_for-tests"


@pytest.fixture
async def national_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for the processes (dropped afterwards)."""
    base, redis = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not base or not redis:
        pytest.skip("national-scale test skipped: needs TEST_POSTGRES_URL and TEST_REDIS_URL")
    name = f"cra_e2e_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def leader_pids(url: str) -> list[int]:
    """OS pids of the processes holding the scheduler lock (connections are named after them)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"key": LEADER_LOCK_KEY},
            )
            return [int(name.split(":")[1]) for (name,) in rows]
    finally:
        await engine.dispose()


async def wait_for_leader(url: str, *, not_pid: int | None = None, within: float = 60) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        pids = await leader_pids(url)
        if len(pids) == 1 and pids[0] != not_pid:
            return pids[0]
        assert len(pids) <= 1, f"two scheduler leaders: {pids}"
        await asyncio.sleep(0.5)  # polling another process's state, bounded by `within`
    raise TimeoutError("no scheduler leader")


async def post_update(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"http://127.0.0.1:{port}/webhook", json=update, headers=headers) as response,
    ):
        return response.status


async def test_two_processes_share_outbox_leader_and_webhook(national_database: str, tmp_path: Path) -> None:
    url = national_database
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db, db.begin():
        for chat in CHATS:
            await enqueue_text(db, chat, f"Aviso para {chat}", now=NOW)
        cus, _ = await create_commission(db, "CUS", now=NOW)
        # Issued now: the bot redeems on the wall clock, and NOW's invitations expired on 7 Dec.
        token = (await issue_invitation(db, cus, Role.OBSERVER, now=datetime.now(UTC))).token
    await engine.dispose()

    async with BotApiDouble() as double:
        for chat in CHATS:
            double.add_chat(chat)
        double.add_chat(30_001)
        ports = [free_port(), free_port()]
        processes = []
        for index, port in enumerate(ports):
            env = environment(double, tmp_path / "unused.db") | {
                "DATABASE_URL": url,
                "REDIS_URL": os.environ["TEST_REDIS_URL"],
                "WEBHOOK_URL": "https://bot.example.invalid/webhook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_PORT": str(port),
                "TELEGRAM_GLOBAL_RATE": "100",
            }
            with (tmp_path / f"bot{index}.log").open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "run",
                        "--webhook",
                        env=env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=log,
                    )
                )
        try:
            for chat in CHATS:
                await double.wait_for_message(chat, timeout=STARTUP_SECONDS)
            assert [len(double.messages_to(chat)) for chat in CHATS] == [1] * len(CHATS)

            # Webhook calls without the right secret are refused; a repeated update acts once.
            start = {
                "update_id": 900_001,
                "message": {
                    "message_id": 1,
                    "date": 1_795_000_000,
                    "chat": {"id": 30_001, "type": "private", "first_name": "Rosa"},
                    "from": {"id": 30_001, "is_bot": False, "first_name": "Rosa", "language_code": "es"},
                    "text": f"/start {token}",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            assert await post_update(ports[0], start, None) == 401
            assert await post_update(ports[0], start, "wrong-secret") == 401
            assert await post_update(ports[0], start, SECRET) == 200
            assert await post_update(ports[1], json.loads(json.dumps(start)), SECRET) == 200
            await double.wait_for_message(30_001, contains="¿Acepta?", timeout=30)
            assert len(double.messages_to(30_001)) == 1  # the invitation offer, once

            # Exactly one scheduler leader; if it dies the other takes over.
            leader = await wait_for_leader(url)
            by_pid = {p.pid: p for p in processes}
            assert leader in by_pid
            log_text = "".join((tmp_path / f"bot{i}.log").read_text() for i in range(2))
            assert log_text.count("this process is now the scheduler leader") == 1
            by_pid[leader].send_signal(signal.SIGKILL)
            await by_pid[leader].wait()
            successor = await wait_for_leader(url, not_pid=leader, within=60)
            assert successor in by_pid and successor != leader
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(p.wait(), 60) for p in processes]
        survivors = [c for c in codes if c != -signal.SIGKILL]
        assert survivors == [0]
