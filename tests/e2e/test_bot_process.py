"""End to end: the real `cra-bot` processes against the HTTP Bot API test double on 127.0.0.1.

An administrator creates the Cusco CRA and invites its secretary with the CLI (the bot's username
comes from getMe on the double); the secretary opens the link, picks Quechua and from then on gets
Quechua replies and a Quechua command menu; SIGTERM stops the bot cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.i18n import Catalogs
from tests.telegram_double import BotApiDouble

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90  # importing aiogram alone takes several seconds on CI machines


def environment(double: BotApiDouble, database: Path) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "REDIS_"))
    }
    return {
        **keep,
        "BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "INFO",
        "HEALTH_PORT": str(free_port()),  # /healthz, /readyz, /metrics: never a port another run holds
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def cli(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


def button(message: dict[str, object], label: str) -> str:
    keyboard = message["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    for row in keyboard:  # type: ignore[union-attr]
        for b in row:
            if b["text"].startswith(label):
                return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} in {keyboard}")


async def test_secretary_joins_picks_quechua_and_is_answered_in_quechua(tmp_path: Path) -> None:
    qu = Catalogs().translator("qu")
    async with BotApiDouble(bot_username="cra_cusco_bot") as double:
        env = environment(double, tmp_path / "cra.db")
        await cli(env, "commission", "create", "CUS")
        printed = await cli(
            env,
            "invite",
            "CUS",
            "--role",
            "secretary",
            "--org",
            "Gobierno Regional del Cusco",
            "--name",
            "Rosa Mamani",
        )
        link = printed.strip().splitlines()[-1]
        assert link.startswith("https://t.me/cra_cusco_bot?start=")
        token = link.split("start=", 1)[1]

        log = (tmp_path / "bot.log").open("wb")
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=log, stderr=log
        )
        try:
            await double.wait_for_poll(timeout=STARTUP_SECONDS)
            # Strangers' menus, and the bot's description, were published for every shipped language.
            assert double.commands_for({"type": "all_private_chats"}, "qu")
            assert double.description_for("ay", short=True) and double.description_for("qu")

            double.user_sends(5001, f"/start {token}", first_name="Rosa", language_code="es")
            offer = await double.wait_for_message(5001, contains="¿Acepta?", timeout=30)
            double.user_clicks(5001, offer["message_id"], button(offer, "Aceptar"))
            await double.wait_for_message(
                5001,
                contains="Bienvenido(a), Rosa Mamani. Desde ahora participa en Comisión Regional "
                "Anticorrupción de Cusco como Secretaría técnica, en representación de Gobierno "
                "Regional del Cusco.",
                timeout=30,
            )
            picker = await double.wait_for_message(5001, contains="/idioma", timeout=30)
            double.user_clicks(5001, picker["message_id"], button(picker, "Runasimi"))

            chosen = qu.gettext("Listo: desde ahora le escribiré en {language}.", language="Runasimi")
            done = await double.wait_for_message(5001, contains=chosen, timeout=30)
            assert "Listo" not in done["text"]

            double.user_sends(5001, "/ayuda")
            invite_line = "/invitar — " + qu.gettext("Invitar a una persona a la comisión")
            await double.wait_for_message(5001, contains=invite_line, after=done["message_id"], timeout=30)

            menu = double.commands_for({"type": "chat", "chat_id": 5001})
            assert {c["command"] for c in menu} >= {"ayuda", "idioma", "perfil", "invitar"}
            assert qu.gettext("Cambiar el idioma") in {c["description"] for c in menu}

            # Every callback query was answered (or the phone keeps spinning).
            await double.wait_for_request("answerCallbackQuery", timeout=10)

            # The process reports itself ready, and counts what it handled and sent.
            base = f"http://127.0.0.1:{env['HEALTH_PORT']}"
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/readyz") as ready:
                    assert ready.status == 200, await ready.text()
                async with http.get(f"{base}/metrics") as page:
                    metrics = await page.text()
            assert "cra_updates_handled_total 4.0" in metrics  # /start, accept, Runasimi, /ayuda
            assert 'cra_sends_total{result="ok"} 0.0' not in metrics
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), timeout=60)
            log.close()
        output = (tmp_path / "bot.log").read_text()
        assert code == 0, output
        assert "Traceback" not in output
        assert double.token.split(":")[1] not in output


@pytest.mark.parametrize("token", ["", "nonsense"])
async def test_run_refuses_a_bad_token_before_touching_anything(tmp_path: Path, token: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={**env, "BOT_TOKEN": token},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert len(err.decode().strip().splitlines()) == 1
    assert not (tmp_path / "cra.db").exists()
