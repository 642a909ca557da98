"""Pacing as promised, with the default settings, on a controlled clock (no sleeping): at least 1 s
between two messages to one private chat, even a reply queued just after a send; at most 20 a
minute to a group; at most the global rate in every 1-second window."""

from __future__ import annotations

import itertools
from datetime import timedelta

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.delivery import LocalPacer, OutboxSender
from bot.i18n import Catalogs
from bot.workflows.outbox import enqueue_text
from db.models import Priority
from tests.conftest import NOW
from tests.harness import RecordingSession, make_bot

DEFAULT_RATE = float(Settings.model_fields["telegram_global_rate"].default)
GROUPS = (-1001, -1002)


class Time:
    def __init__(self) -> None:
        self.now = 0.0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class TimedSession(RecordingSession):
    """Records when each request is made; every third message to a person gets a reply queued
    at once (as if they had just pressed a button), the case that used to go out 31 ms later."""

    def __init__(self, time: Time, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self.time, self.sessionmaker = time, sessionmaker
        self.sent: list[tuple[int, int]] = []
        self.sender: OutboxSender | None = None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        chat_id = int(getattr(method, "chat_id", 0) or 0)
        self.sent.append((round(self.time.now * 1e6), chat_id))  # in µs: a real clock's resolution
        if chat_id > 0 and len(self.sent) % 3 == 0:
            async with self.sessionmaker() as db, db.begin():
                now = NOW + timedelta(seconds=self.time.now + 0.031)
                await enqueue_text(db, chat_id, "respuesta", now=now, priority=Priority.REPLY)
            assert self.sender is not None
            self.sender.wake()
        return await super().make_request(bot, method, timeout)


SECOND = 1_000_000  # µs


def most_in_any_window(times: list[int], width: int, *, closed: bool) -> int:
    most = 0
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if (t - start <= width if closed else t - start < width)]
        most = max(most, len(inside))
    return most


async def test_the_sender_keeps_every_limit_with_the_default_settings(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    time = Time()
    session = TimedSession(time, sessionmaker)
    pacer = LocalPacer(DEFAULT_RATE, clock=lambda: time.now, sleep=time.sleep)
    sender = OutboxSender(
        make_bot(session),
        sessionmaker,
        catalogs,
        pacer=pacer,
        clock=lambda: NOW + timedelta(seconds=time.now),
    )
    session.sender = sender
    async with sessionmaker() as db, db.begin():
        for person in range(1, 61):  # a broadcast of three notices to sixty people
            for n in range(3):
                await enqueue_text(db, person, f"aviso {n}", now=NOW)
        for group in GROUPS:  # and a busy afternoon in two groups
            for n in range(25):
                await enqueue_text(db, group, f"grupo {n}", now=NOW)
    for _ in range(20_000):
        if await sender.send_due() == 0:
            if await sender.pending() == 0:
                break
            time.now += 0.05  # nothing due yet: time passes
    assert await sender.pending() == 0
    assert len(session.sent) > 60 * 3 + 50  # the replies went out too

    times = [t for t, _ in session.sent]
    assert most_in_any_window(times, SECOND, closed=False) <= DEFAULT_RATE < 30
    assert most_in_any_window(times, SECOND, closed=True) < 30  # Telegram's ~30/s, even at the edges
    for chat in {c for _, c in session.sent}:
        mine = [t for t, c in session.sent if c == chat]
        if chat > 0:
            gaps = [b - a for a, b in itertools.pairwise(mine)]
            assert min(gaps, default=SECOND) >= SECOND, chat
        else:
            assert most_in_any_window(mine, 60 * SECOND, closed=True) <= 20, chat
