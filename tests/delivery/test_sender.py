"""The outbox sender against the HTTP Bot API double: failures injected, nothing lost.

Time is a fake clock handed to the sender; only the request timeout test waits (1 s) for real.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import LocalPacer, NoPacer, OutboxSender, RedisPacer
from bot.i18n import Catalogs
from bot.telegram_session import TelegramSession
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.outbox import enqueue_text
from db.models import OutboxMessage, OutboxStatus, Person, Priority, Role
from tests.conftest import NOW
from tests.telegram_double import BotApiDouble


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as running:
        for chat in (1, 2, 3):
            running.add_chat(chat)
        yield running


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    session = TelegramSession(api=TelegramAPIServer.from_base(double.base_url))
    instance = Bot(double.token, session=session)
    yield instance
    await session.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def sender(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, clock: Clock
) -> OutboxSender:
    return OutboxSender(bot, sessionmaker, catalogs, pacer=NoPacer(), clock=clock, request_timeout=1)


async def queue(
    sessionmaker: async_sessionmaker[AsyncSession], chat_id: int, *texts: str, **kw: object
) -> None:
    async with sessionmaker() as db, db.begin():
        for text in texts:
            await enqueue_text(db, chat_id, text, now=NOW, **kw)  # type: ignore[arg-type]


def texts_to(double: BotApiDouble, chat_id: int) -> list[str]:
    return [m["text"] for m in double.messages_to(chat_id)]


async def test_429_waits_retry_after_for_that_message_while_others_flow(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await queue(sessionmaker, 1, "para uno")
    await queue(sessionmaker, 2, "para dos")
    double.fail_next("sendMessage", 429, retry_after=7, chat_id=1)
    await sender.drain()
    assert (texts_to(double, 1), texts_to(double, 2)) == ([], ["para dos"])
    clock.advance(6)
    await sender.drain()
    assert texts_to(double, 1) == []
    clock.advance(1)
    await sender.drain()
    assert texts_to(double, 1) == ["para uno"]
    assert await sender.pending() == 0


async def test_server_errors_back_off_and_the_message_arrives_once(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await queue(sessionmaker, 1, "primero", "segundo")
    double.fail_next("sendMessage", 500, count=2, chat_id=1)
    await sender.drain()
    await sender.drain()
    assert texts_to(double, 1) == []
    for _ in range(3):
        clock.advance(301)  # past any backoff (the cap is 300 s)
        await sender.drain()
    assert texts_to(double, 1) == ["primero", "segundo"]  # in order, each once


async def test_a_request_that_times_out_is_retried(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await queue(sessionmaker, 3, "lento")
    double.fail_next("sendMessage", 0, chat_id=3)  # the double never answers: client timeout (1 s)
    await sender.drain()
    assert texts_to(double, 3) == []
    clock.advance(301)
    await sender.drain()
    assert texts_to(double, 3) == ["lento"]


async def seat_people(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[int, Person]:
    """Secretary (chat 1, Quechua) and a member (chat 2) of the Cusco CRA."""
    people = {}
    async with sessionmaker() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=NOW)
        for chat, role, language in [(1, Role.SECRETARY, "qu"), (2, Role.MEMBER, "es")]:
            issued = await issue_invitation(
                db, cus, role, now=NOW, institution="Municipalidad Provincial del Cusco"
            )
            done = await redeem_invitation(
                db,
                issued.token,
                telegram_id=chat,
                telegram_name=f"Persona {chat}",
                language=language,
                now=NOW,
            )
            people[chat] = done.person
    return people


async def test_after_the_give_up_time_the_secretary_is_told_in_her_language(
    double: BotApiDouble,
    sender: OutboxSender,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    catalogs: Catalogs,
) -> None:
    people = await seat_people(sessionmaker)
    member = people[2]
    await queue(
        sessionmaker, 2, "convocatoria", person_id=member.id, commission_id=member.active_commission_id
    )
    double.fail_next("sendMessage", 502, count=1000, chat_id=2)
    for _ in range(14):  # 14 × 301 s > the 1 h default give-up time
        await sender.drain()
        clock.advance(301)
    await sender.drain()
    assert texts_to(double, 2) == []
    quechua = catalogs.translator("qu").gettext(
        "No pude entregar un mensaje a {name} después de varios intentos. Avísele por otro medio.",
        name="Persona 2",
    )
    assert texts_to(double, 1) == [quechua]
    async with sessionmaker() as db:
        row = (await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 2))).one()
    assert row.status == OutboxStatus.FAILED and row.attempts >= 5


async def test_403_marks_the_person_unreachable_and_drops_their_queue(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seat_people(sessionmaker)
    double.block(2)
    await queue(sessionmaker, 2, "uno", "dos", "tres")
    await sender.drain()
    attempts = [r for r in double.requests if r.method == "sendMessage" and r.params.get("chat_id") == 2]
    assert len(attempts) == 1  # no hammering a blocked chat
    async with sessionmaker() as db:
        person = (await db.exec(select(Person).where(Person.telegram_id == 2))).one()
        statuses = set((await db.exec(select(OutboxMessage.status).where(OutboxMessage.chat_id == 2))).all())
    assert person.unreachable_at is not None
    assert statuses == {OutboxStatus.DROPPED}
    [told] = texts_to(double, 1)
    assert told.startswith("Persona 2 (") and "/start" in told


async def test_the_global_pace_is_even_with_no_initial_burst() -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    pacer = LocalPacer(30, clock=lambda: 100.0, sleep=fake_sleep)
    for _ in range(4):
        await pacer.wait_turn()
    assert slept == [round(1 / 30, 6), round(2 / 30, 6), round(3 / 30, 6)]  # the first goes at once


async def test_processes_share_one_pace_through_redis() -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        await redis.delete("cra:test-pacer")
        first = RedisPacer(redis, 1000, key="cra:test-pacer")
        second = RedisPacer(redis, 1000, key="cra:test-pacer")
        slots = []
        for pacer in (first, second, first, second):
            await pacer.wait_turn()
            slots.append(float(await redis.get("cra:test-pacer") or 0))
        gaps = [round(b - a, 4) for a, b in itertools.pairwise(slots)]
        assert all(gap >= 0.001 for gap in gaps)  # each call took the next slot, whoever made it
    finally:
        await redis.aclose()


class ReplyArrives:
    """A pacer during whose `at`-th wait a person's reply is committed (as by an update); with no
    room for a reply burst (bot/pacing.py), so the reply must take a turn of the pace."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], at: int) -> None:
        self.sessionmaker, self.at, self.turns = sessionmaker, at, 0
        self.sender: OutboxSender | None = None

    async def wait_turn(self) -> None:
        self.turns += 1
        if self.turns == self.at and self.sender is not None:
            await queue(self.sessionmaker, 3, "respuesta", priority=Priority.REPLY)
            self.sender.wake()

    async def turn_now(self) -> bool:
        return False


async def test_a_reply_committed_during_a_broadcast_takes_the_very_next_turn(
    double: BotApiDouble, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    for n in range(1, 6):
        double.add_chat(100 + n)
        await queue(sessionmaker, 100 + n, f"aviso {n}")
    pacer = ReplyArrives(sessionmaker, at=2)
    sender = OutboxSender(bot, sessionmaker, catalogs, pacer=pacer, clock=Clock(NOW), request_timeout=1)
    pacer.sender = sender
    await sender.drain()
    sent = [r.params["text"] for r in double.requests if r.method == "sendMessage"]
    # The reply goes out in the turn it was committed in: after one notice, not after two.
    assert sent == ["aviso 1", "respuesta", "aviso 2", "aviso 3", "aviso 4", "aviso 5"]


class BusyPace:
    """A pace with no turn free at once, and updates committing during every wait (a flood): each
    wait wakes the sender, as every update's commit does."""

    def __init__(self) -> None:
        self.sender: OutboxSender | None = None

    async def wait_turn(self) -> None:
        assert self.sender is not None
        self.sender.wake()

    async def turn_now(self) -> bool:
        return False


async def test_a_backlog_of_replies_during_a_flood_is_claimed_once_not_after_every_commit(
    double: BotApiDouble, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    for n in range(1, 11):
        double.add_chat(300 + n)
        await queue(sessionmaker, 300 + n, f"respuesta {n}", priority=Priority.REPLY)
    pacer = BusyPace()
    sender = OutboxSender(bot, sessionmaker, catalogs, pacer=pacer, clock=Clock(NOW), request_timeout=1)
    pacer.sender = sender
    claims = 0
    claim = sender._claim

    async def counted(max_priority: Priority) -> list[OutboxMessage]:
        nonlocal claims
        claims += 1
        return await claim(max_priority)

    sender._claim = counted  # type: ignore[method-assign]
    assert await sender.send_due() == 10
    sent = [r.params["text"] for r in double.requests if r.method == "sendMessage"]
    assert sent == [f"respuesta {n}" for n in range(1, 11)]  # in order, each on its turn
    assert claims == 1  # newer replies would go after these anyway (each claim is a transaction)
