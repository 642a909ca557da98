"""Flood control's buckets: a burst, then a steady rate; presses apart; nobody kept for ever; and
the same buckets for every process through Redis."""

from __future__ import annotations

import os
from typing import Any

import pytest
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.flood import FloodMiddleware, LocalBuckets, RedisBuckets


async def handled(event: TelegramObject, data: dict[str, Any]) -> str:
    return "handled"


async def write(flood: FloodMiddleware, person: int) -> Any:
    user = User(id=person, is_bot=False, first_name="Rosa")
    return await flood(handled, TelegramObject(), {"event_from_user": user})


async def test_people_quiet_for_a_while_are_forgotten_and_the_limit_still_holds() -> None:
    now = [0.0]
    flood = FloodMiddleware(rate=1 / 30, burst=2, clock=lambda: now[0])
    for person in range(10_000):  # ten thousand people, one update each, over 10 minutes
        now[0] = person * 0.06
        assert await write(flood, person) == "handled"
    # Only those whose bucket is not full again (they wrote in the last minute) are kept.
    assert flood.remembered <= 2 * 60 / 0.06 + 1
    assert flood.remembered < 10_000 / 4

    # Forgetting the quiet does not forget the active: a third update in a row is refused.
    now[0] = 700.0
    assert await write(flood, 42) == "handled"
    assert await write(flood, 42) == "handled"
    now[0] = 710.0
    assert await write(flood, 42) != "handled"
    now[0] = 730.0  # 30 s at one update per 30 s: a token again
    assert await write(flood, 42) == "handled"


async def test_a_burst_then_the_steady_rate() -> None:
    now = [0.0]
    buckets = LocalBuckets(clock=lambda: now[0])
    assert [await buckets.take("a", 0.5, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await buckets.take("a", 0.5, 3) == pytest.approx(2.0)  # one token every 2 s
    now[0] = 2.0
    assert await buckets.take("a", 0.5, 3) == 0.0
    assert await buckets.take("b", 0.5, 3) == 0.0  # another person's bucket is their own


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="set TEST_REDIS_URL")
async def test_processes_share_the_buckets_through_redis() -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["TEST_REDIS_URL"])
    try:
        await redis.delete("test-flood:msg:7")
        one, two = RedisBuckets(redis, prefix="test-flood:"), RedisBuckets(redis, prefix="test-flood:")
        taken = [await (one if n % 2 else two).take("msg:7", 0.01, 4) for n in range(5)]
        assert taken[:4] == [0.0] * 4 and taken[4] > 0  # 4 in all, not 4 per process
    finally:
        await redis.delete("test-flood:msg:7")
        await redis.aclose()


def press(user: User) -> Update:
    from datetime import UTC, datetime

    from aiogram.types import Chat

    message = Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=user.id, type="private"), text="…")
    query = CallbackQuery(id="1", from_user=user, chat_instance="c", data="x", message=message)
    return Update(update_id=1, callback_query=query)


async def test_presses_are_not_counted_as_messages() -> None:
    now = [0.0]
    flood = FloodMiddleware(rate=0.5, burst=2, tap_rate=3, tap_burst=30, clock=lambda: now[0])
    user = User(id=5, is_bot=False, first_name="Rosa")
    for second in range(60):  # a press a second for a minute: all through
        now[0] = float(second)
        assert await flood(handled, press(user), {"event_from_user": user}) == "handled"
    assert await write(flood, 5) == "handled"  # and messages still have their whole burst
    assert await write(flood, 5) == "handled"
