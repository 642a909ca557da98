"""Broadcast throughput: 600 messages to 600 chats through the real outbox sender.

    .venv/bin/python benchmarks/broadcast.py [--messages 600] [--rate 30]

The Bot API test double on 127.0.0.1 enforces the same global rate and answers 429 above it.
Prints the achieved rate as a ratio of the configured limit (goal ≥ 0.95) and the number of 429s
(goal 0): the limit itself is the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.delivery import LocalPacer, OutboxSender  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.workflows.outbox import enqueue_text  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from tests.telegram_double import BotApiDouble  # noqa: E402


async def main(messages: int, rate: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        now = datetime.now(UTC)
        async with sessionmaker() as db, db.begin():
            for chat in range(1, messages + 1):
                await enqueue_text(db, chat, f"Convocatoria a la sesión ordinaria, aviso {chat}", now=now)
        async with BotApiDouble(global_rate=rate) as double:
            for chat in range(1, messages + 1):
                double.add_chat(chat)
            bot = Bot(double.token, session=AiohttpSession(api=TelegramAPIServer.from_base(double.base_url)))
            sender = OutboxSender(bot, sessionmaker, Catalogs(), pacer=LocalPacer(rate))
            started = time.perf_counter()
            while await sender.pending():
                await sender.drain()
            elapsed = time.perf_counter() - started
            await bot.session.close()
            sent = sum(1 for r in double.requests if r.method == "sendMessage" and r.status == 200)
            too_many = sum(1 for r in double.requests if r.status == 429)
        await engine.dispose()
    achieved = sent / elapsed
    print(f"messages sent          {sent} of {messages} in {elapsed:.2f} s")
    print(f"configured limit       {rate:.1f} msg/s (baseline)")
    print(f"achieved rate          {achieved:.2f} msg/s = {achieved / rate:.3f} × limit (goal ≥ 0.95)")
    print(f"429 answers            {too_many} (goal 0)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.rate))
