"""An outage of Telegram shows in the log at once (the first 5xx/timeout), then as a summary at
most once a minute, and ends with one line; sends are counted by result for /metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.delivery import NoPacer, OutboxSender
from bot.i18n import Catalogs
from bot.outage import OutageLog
from bot.telegram_session import TelegramSession
from bot.workflows.outbox import enqueue_text
from tests.conftest import NOW
from tests.telegram_double import BotApiDouble


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as running:
        for chat in (1, 2, 3):
            running.add_chat(chat)
        yield running


@pytest.fixture
async def sender(
    double: BotApiDouble, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> AsyncIterator[OutboxSender]:
    session = TelegramSession(api=TelegramAPIServer.from_base(double.base_url))
    bot = Bot(double.token, session=session)
    yield OutboxSender(bot, sessionmaker, catalogs, pacer=NoPacer(), clock=Clock(NOW), request_timeout=1)
    await session.close()


async def queue(sessionmaker: async_sessionmaker[AsyncSession], chat_id: int, *texts: str) -> None:
    async with sessionmaker() as db, db.begin():
        for text in texts:
            await enqueue_text(db, chat_id, text, now=NOW)


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "bot.delivery"]


async def test_an_outage_is_logged_at_its_first_failure_and_when_it_ends(
    double: BotApiDouble,
    sender: OutboxSender,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.delivery")
    clock = sender.clock
    assert isinstance(clock, Clock)
    await queue(sessionmaker, 1, "uno")
    await queue(sessionmaker, 2, "dos")
    double.fail_next("sendMessage", 502, count=2)
    await sender.drain()  # both fail: one warning for the outage, not one per message, and not in an hour
    assert outage_lines(caplog) == [
        (
            logging.WARNING,
            "Telegram is failing (TelegramServerError: Internal Server Error); "
            "retrying with backoff, a summary at most every 60 s",
        )
    ]
    caplog.clear()
    clock.now += timedelta(seconds=301)  # past any backoff
    await sender.drain()
    assert outage_lines(caplog) == [
        (logging.INFO, "Telegram delivering again after failures since 2026-11-23T15:00:00+00:00 (0:05:01)")
    ]
    assert [m["text"] for m in double.messages_to(2)] == ["dos"]


def test_while_it_lasts_an_outage_is_summarised_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.delivery")
    outage = OutageLog()
    for n in range(100):  # a failure every 1.5 s, over 10 messages, for 150 s
        outage.failed(n % 10, "TelegramNetworkError: timeout", now=NOW + timedelta(seconds=1.5 * n))
    lines = outage_lines(caplog)
    assert [level for level, _ in lines] == [logging.WARNING] * 3  # the first failure, at 60 s, at 120 s
    assert lines[1][1] == (
        "Telegram still failing: 10 messages failing, oldest since 2026-11-23T15:00:00+00:00 "
        "(last error: TelegramNetworkError: timeout)"
    )
    for n in range(10):
        outage.settled(n, now=NOW + timedelta(minutes=3))
    assert outage_lines(caplog)[-1] == (
        logging.INFO,
        "Telegram delivering again after failures since 2026-11-23T15:00:00+00:00 (0:03:00)",
    )
    assert outage.failing == {}  # nothing kept once it is over


async def test_sends_are_counted_by_result(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    before = {r: metrics.sample("cra_sends_total", {"result": r}) for r in ("ok", "429", "5xx", "403")}
    await queue(sessionmaker, 1, "uno")
    await queue(sessionmaker, 2, "dos")
    await queue(sessionmaker, 3, "tres")
    double.fail_next("sendMessage", 429, retry_after=1, chat_id=1)
    double.fail_next("sendMessage", 500, chat_id=2)
    double.fail_next("sendMessage", 403, chat_id=3)
    await sender.drain()
    clock = sender.clock
    assert isinstance(clock, Clock)
    clock.now += timedelta(seconds=301)
    await sender.drain()
    after = {r: metrics.sample("cra_sends_total", {"result": r}) for r in before}
    assert {r: after[r] - before[r] for r in before} == {"ok": 2, "429": 1, "5xx": 1, "403": 1}
