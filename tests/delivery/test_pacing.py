"""Pacing as promised, with the default settings, on a controlled clock (no sleeping): at least 1 s
between two messages to one private chat, even a reply queued just after a send; at most 20 a
minute to a group; notices at most the global rate in every 1-second window, and everything,
replies on their burst included, at most Telegram's 30."""

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
OUTSIDERS = 5000  # chats of people outside the broadcast, who write during it


class Time:
    def __init__(self) -> None:
        self.now = 0.0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class TimedSession(RecordingSession):
    """Records when each request is made. Every third message to a person gets a reply queued at
    once (as if they had just pressed a button), the case that used to go out 31 ms later; and at
    every `outsiders_every`-th request someone outside the broadcast writes and is answered (due
    at once: the reply that must not wait behind the broadcast)."""

    def __init__(
        self,
        time: Time,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        person_replies: bool,
        outsiders_every: int,
    ) -> None:
        super().__init__()
        self.time, self.sessionmaker = time, sessionmaker
        self.person_replies, self.outsiders_every = person_replies, outsiders_every
        self.sent: list[tuple[int, int]] = []
        self.texts: list[str] = []
        self.asked: dict[int, int] = {}  # outsider chat → when their reply was queued (µs)
        self.sender: OutboxSender | None = None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        chat_id = int(getattr(method, "chat_id", 0) or 0)
        self.sent.append((round(self.time.now * 1e6), chat_id))  # in µs: a real clock's resolution
        self.texts.append(str(getattr(method, "text", "")))
        if self.person_replies and 0 < chat_id < OUTSIDERS and len(self.sent) % 3 == 0:
            await self._reply(chat_id, after=0.031)
        if len(self.sent) % self.outsiders_every == 0 and len(self.asked) < 100:
            outsider = OUTSIDERS + len(self.asked)
            self.asked[outsider] = round(self.time.now * 1e6)
            await self._reply(outsider, after=0.0)
        return await super().make_request(bot, method, timeout)

    async def _reply(self, chat_id: int, *, after: float) -> None:
        async with self.sessionmaker() as db, db.begin():
            now = NOW + timedelta(seconds=self.time.now + after)
            await enqueue_text(db, chat_id, "respuesta", now=now, priority=Priority.REPLY)
        assert self.sender is not None
        self.sender.wake()

    def waits(self) -> list[int]:
        """How long each outsider's reply took to go, in µs."""
        answered = {c: t for t, c in reversed(self.sent) if c in self.asked}
        return [answered[c] - asked for c, asked in self.asked.items()]


SECOND = 1_000_000  # µs


def most_in_any_window(times: list[int], width: int, *, closed: bool) -> int:
    most = 0
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if (t - start <= width if closed else t - start < width)]
        most = max(most, len(inside))
    return most


async def send_everything(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    *,
    people: int,
    notices_each: int,
    groups: tuple[int, ...],
    person_replies: bool,
    outsiders_every: int,
) -> TimedSession:
    """Queue the broadcast (and the groups' afternoon), then send until the outbox is empty."""
    time = Time()
    session = TimedSession(time, sessionmaker, person_replies=person_replies, outsiders_every=outsiders_every)
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
        for person in range(1, people + 1):
            for n in range(notices_each):
                await enqueue_text(db, person, f"aviso {n}", now=NOW)
        for group in groups:
            for n in range(25):
                await enqueue_text(db, group, f"grupo {n}", now=NOW)
    for _ in range(20_000):
        if await sender.send_due() == 0:
            if await sender.pending() == 0:
                break
            time.now += 0.05  # nothing due yet: time passes
    assert await sender.pending() == 0
    return session


def assert_within_limits(session: TimedSession) -> None:
    times = [t for t, _ in session.sent]
    notices = [t for (t, _), text in zip(session.sent, session.texts, strict=True) if text != "respuesta"]
    assert most_in_any_window(notices, SECOND, closed=False) <= DEFAULT_RATE < 30
    assert most_in_any_window(times, SECOND, closed=True) <= 30  # Telegram's ~30/s, even at the edges
    for chat in {c for _, c in session.sent}:
        mine = [t for t, c in session.sent if c == chat]
        if chat > 0:
            gaps = [b - a for a, b in itertools.pairwise(mine)]
            assert min(gaps, default=SECOND) >= SECOND, chat
        else:
            assert most_in_any_window(mine, 60 * SECOND, closed=True) <= 20, chat


async def test_the_sender_keeps_every_limit_with_the_default_settings(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    """Three notices to sixty people, a busy afternoon in two groups, and more replies (some
    17 a second) than the reply burst has room for: those wait for turns, nothing breaks a limit."""
    session = await send_everything(
        sessionmaker,
        catalogs,
        people=60,
        notices_each=3,
        groups=GROUPS,
        person_replies=True,
        outsiders_every=4,
    )
    assert len(session.sent) > 60 * 3 + 50 + 100  # the replies went out too
    assert_within_limits(session)
    waits = session.waits()
    assert len(waits) == 100
    assert sum(w == 0 for w in waits) >= 5  # the burst
    assert max(waits) <= SECOND // 2  # the rest a few turns later, ahead of the notices


async def test_replies_during_a_broadcast_go_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    """The broadcast takes every turn of the pace; people who write meanwhile (about 2 a second,
    as in benchmarks/latency.py) are answered at once, off the pace, within Telegram's limit."""
    session = await send_everything(
        sessionmaker,
        catalogs,
        people=200,
        notices_each=1,
        groups=(),
        person_replies=False,
        outsiders_every=12,
    )
    assert_within_limits(session)
    waits = session.waits()
    assert len(waits) > 200 // 12  # one every 12 requests, their replies included
    assert waits == [0] * len(waits)
