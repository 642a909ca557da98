"""Starting the real process when something around it is wrong: one line saying what to fix, exit 2.

A refused token, an unreachable Bot API (retried with backoff first, logged once), a database that
cannot be reached or that a newer version upgraded, a webhook port already taken."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
from pathlib import Path

from db.migrate import upgrade
from tests.telegram_double import BotApiDouble

ROOT = Path(__file__).resolve().parents[2]


async def start(env: dict[str, str], *args: str, cwd: Path) -> tuple[int, list[str], str]:
    """Run `cra-bot run …`; (exit code, stderr lines, stdout)."""
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "REDIS_"))
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env={**keep, "LOG_LEVEL": "INFO", "HEALTH_PORT": "0", **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, err.decode().strip().splitlines(), out.decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_refused_token_is_one_line(tmp_path: Path) -> None:
    async with BotApiDouble() as double:
        code, lines, _ = await start(
            {"BOT_TOKEN": "999999:REVOKED-token", "TELEGRAM_API_URL": double.base_url}, cwd=tmp_path
        )
    assert code == 2
    assert lines == [lines[-1]] and "Telegram refused BOT_TOKEN" in lines[-1] and "@BotFather" in lines[-1]
    assert "REVOKED" not in lines[-1]


async def test_an_unreachable_api_is_retried_then_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, lines, _ = await start(
        {"BOT_TOKEN": "123456:TEST-token", "TELEGRAM_API_URL": url, "STARTUP_RETRY_SECONDS": "3"},
        cwd=tmp_path,
    )
    assert code == 2
    assert "Traceback" not in "\n".join(lines)
    retries = [line for line in lines if "retrying" in line]
    assert len(retries) == 1  # logged once, however many tries
    assert lines[-1].startswith("cra-bot: cannot reach the Telegram Bot API at " + url)
    assert len(lines) == 2


async def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://cra:secret@127.0.0.1:{free_port()}/cra"
    code, lines, _ = await start({"BOT_TOKEN": "123456:TEST-token", "DATABASE_URL": url}, cwd=tmp_path)
    assert code == 2 and len(lines) == 1
    assert "cannot reach the database at postgresql+asyncpg://cra:***@127.0.0.1" in lines[0]
    assert "secret" not in lines[0]


async def test_a_database_from_a_newer_version_is_one_line(tmp_path: Path) -> None:
    database = tmp_path / "cra.db"
    upgrade(f"sqlite+aiosqlite:///{database}")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '2027_future'")
    code, lines, _ = await start(
        {"BOT_TOKEN": "123456:TEST-token", "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}, cwd=tmp_path
    )
    assert code == 2 and len(lines) == 1
    assert "was upgraded by a newer cra-bot" in lines[0] and "2027_future" in lines[0]


async def test_a_taken_webhook_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with BotApiDouble() as double:
            code, lines, _ = await start(
                {
                    "BOT_TOKEN": double.token,
                    "TELEGRAM_API_URL": double.base_url,
                    "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cra.db'}",
                    "WEBHOOK_URL": "https://cra.example.org/webhook",
                    "WEBHOOK_SECRET": "s3cret-token",
                    "WEBHOOK_PORT": str(port),
                    "LOG_LEVEL": "WARNING",
                },
                "--webhook",
                cwd=tmp_path,
            )
    assert code == 2
    assert lines == [lines[-1]] and f"cannot listen on 127.0.0.1:{port}" in lines[0]
