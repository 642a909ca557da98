"""The pacer's reply burst, on a controlled clock: a reply takes a turn at once while a broadcast
holds every turn of the pace; replies beyond the burst wait; whatever the mix, no 1-second window
holds more than Telegram's 30; with Redis, the burst is one for every process."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.pacing import LocalPacer, RedisPacer
from bot.shared_state import connection_settings

DEFAULT_RATE = float(Settings.model_fields["telegram_global_rate"].default)


class Broadcast:
    """A sender with a notice always waiting: it asks for the next turn as soon as the last one
    came, so every turn of the pace is taken. Sleeping only notes how long (the test moves time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.pacer = LocalPacer(DEFAULT_RATE, clock=lambda: self.now, sleep=self.note)
        self.turns: list[float] = []  # when each notice goes
        self.due = 0.0

    async def note(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def step(self, now: float) -> None:
        self.now = now
        if now >= self.due:
            self.slept.clear()
            await self.pacer.wait_turn()
            self.due = now + sum(self.slept)
            self.turns.append(self.due)


def most_in_any_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered[i:] if t - start <= 1.0) for i, start in enumerate(ordered))


async def test_a_reply_takes_a_turn_at_once_while_a_broadcast_holds_every_turn() -> None:
    broadcast = Broadcast()
    await broadcast.step(0.0)
    await broadcast.step(0.001)
    assert broadcast.due == pytest.approx(1 / DEFAULT_RATE)  # the next turn is the broadcast's
    assert await broadcast.pacer.turn_now()  # the reply goes now, not then
    broadcast.slept.clear()
    await broadcast.step(broadcast.due)
    assert broadcast.turns == pytest.approx([0.0, 1 / DEFAULT_RATE, 2 / DEFAULT_RATE])  # pace kept


async def test_a_rate_set_above_30_is_kept_whole() -> None:
    """TELEGRAM_GLOBAL_RATE allows up to 1000/s (a bot Telegram lets send more; the soak's double):
    the 30-a-second window must not quietly cut it to 30."""
    now = 0.0
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        nonlocal now
        slept.append(seconds)
        now += seconds

    pacer = LocalPacer(200, clock=lambda: now, sleep=sleep)
    turns = []
    for _ in range(400):
        await pacer.wait_turn()
        turns.append(now)
    assert turns[-1] == pytest.approx(399 / 200)  # 200 a second, evenly, none held back
    assert most_in_any_second(turns) == 201  # a closed second holds both its ends


async def test_replies_beyond_the_burst_wait_and_no_second_holds_more_than_30() -> None:
    broadcast = Broadcast()
    replies: list[float] = []
    for ms in range(4000):  # 4 s of a broadcast, a reply asking for a turn every 10 ms
        now = ms / 1000
        await broadcast.step(now)
        if ms % 10 == 0 and await broadcast.pacer.turn_now():
            replies.append(now)
    assert replies[:5] == [0.0, 0.01, 0.02, 0.03, 0.04]  # the burst: five at once
    # Then at most the headroom, 30 − 25 = 5 a second; a little less where a second is full.
    assert 5 + 4 * 4 <= len(replies) <= 5 + 4 * (30 - DEFAULT_RATE)
    # The broadcast keeps its pace, but for a turn yielded where a second would hold 31.
    assert 4 * DEFAULT_RATE - 5 <= len(broadcast.turns) <= 4 * DEFAULT_RATE + 1
    assert most_in_any_second(broadcast.turns + replies) <= 30


async def test_without_a_broadcast_a_reply_takes_the_free_turn_and_keeps_the_burst() -> None:
    now = [0.0]
    pacer = LocalPacer(DEFAULT_RATE, clock=lambda: now[0])
    for n in range(50):  # 20 replies a second, under the pace: its own turns, never the burst
        now[0] = n * 0.05
        assert await pacer.turn_now()
    now[0] += 0.001
    assert [await pacer.turn_now() for _ in range(6)] == [True] * 5 + [False]  # burst intact


async def test_a_turn_reserved_far_ahead_does_not_forget_the_recent_ones() -> None:
    now, slept = [0.0], []

    async def note(seconds: float) -> None:
        slept.append(seconds)

    pacer = LocalPacer(0.25, clock=lambda: now[0], sleep=note, ceiling=2, reply_burst=10)
    await pacer.wait_turn()  # 0.0; the next turn of the pace at 4.0
    now[0] = 0.5
    assert await pacer.turn_now()  # the second in this second
    now[0] = 0.6
    await pacer.wait_turn()  # reserves 4.0, 3.4 s ahead
    now[0] = 0.7
    assert not await pacer.turn_now()  # 0.0 and 0.5 still count: a third would break the ceiling


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    client = Redis.from_url(url, **connection_settings())
    try:
        yield client
    finally:
        await client.aclose()


async def test_two_processes_share_one_reply_burst_through_redis(redis: Redis) -> None:
    key = f"test:pacer:{uuid.uuid4().hex}"
    # Two processes' pacers on one key; a slow pace (1/s) so the pace's next turn stays ahead
    # during the test, and a slow refill so the burst does not grow back meanwhile.
    first, second = (RedisPacer(redis, rate=1, key=key, reply_burst=3, reply_refill=0.01) for _ in "ab")
    try:
        await first.wait_turn()  # a broadcast's turn: the next one is ~1 s away
        taken = [await first.turn_now(), await second.turn_now(), await first.turn_now()]
        assert taken == [True, True, True]  # the burst: three, between them
        assert not await second.turn_now()
        assert not await first.turn_now()
    finally:
        await redis.delete(key, f"{key}:turns", f"{key}:replies")


async def test_redis_keeps_30_in_a_second_across_processes(redis: Redis) -> None:
    key = f"test:pacer:{uuid.uuid4().hex}"
    first, second = (RedisPacer(redis, rate=1, key=key, ceiling=4, reply_burst=10) for _ in "ab")
    try:
        assert await first.turn_now()  # the pace's turn
        taken = [await p.turn_now() for p in (first, second, first, second)]
        assert taken == [True, True, True, False]  # 4 in the second: the ceiling, not the burst
    finally:
        await redis.delete(key, f"{key}:turns", f"{key}:replies")
