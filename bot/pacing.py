"""The sender's global pace, in one process (LocalPacer) or shared by every process through Redis
(RedisPacer):

- turns on an even grid, one every 1/rate seconds, with no initial burst;
- a reply may also take a turn at once, between two grid turns, from a small burst allowance
  refilled at Telegram's ceiling minus the rate (30 − 25 = 5/s by default): a reply then never
  waits for the turn a broadcast holds;
- whatever the mix, no 1-second window (closed) holds more than the ceiling (30) turns.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

CEILING = 30  # Telegram's global limit: about 30 messages a second


def ceiling_for(rate: float) -> int:
    """Turns allowed in any second: Telegram's 30, or the configured rate where an operator set
    it higher (a bot allowed more, e.g. paid broadcasts; test doubles without a limit)."""
    # The grid itself puts rate + 1 turns in a closed second (both ends): the window must allow them.
    return CEILING if rate <= CEILING else math.ceil(rate) + 1


REPLY_BURST = 5.0  # replies that may go at once, off the grid
_MARGIN = 0.001  # s: the window counts as 1.001 s, so clock rounding cannot put 31 in a second


class Pacer(Protocol):
    async def wait_turn(self) -> None:
        """Return when this process may make its next request (a turn on the grid)."""

    async def turn_now(self) -> bool:
        """For a reply: take a turn at once, a free grid turn or else one of the reply burst,
        and say so; False (nothing taken) when neither is free now."""


class _Window:
    """The times of recent turns (including grid turns reserved ahead), to keep every closed
    1-second window within the ceiling."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.times: list[float] = []

    def free_at(self, t: float) -> float:
        """The earliest time ≥ t at which one more turn keeps every window within the ceiling:
        counting every turn from t − 1 on (later ones too: grid turns are reserved ahead)."""
        start = bisect.bisect_left(self.times, t - 1 - _MARGIN)
        inside = len(self.times) - start
        if inside < self.ceiling:
            return t
        return max(t, self.times[start + inside - self.ceiling] + 1 + 2 * _MARGIN)

    def add(self, t: float, *, now: float) -> None:
        bisect.insort(self.times, t)
        # Turns are asked for at `now` or later: older ones bound no window any more.
        del self.times[: bisect.bisect_left(self.times, now - 2)]


class _Bucket:
    """The reply burst: `burst` tokens, refilled at `refill` per second."""

    def __init__(self, burst: float, refill: float) -> None:
        self.burst, self.refill = burst, refill
        self.tokens, self.at = burst, 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.at) * self.refill)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class LocalPacer:
    """The grid, the reply burst and the window, in this process; the first grid turn is now."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        ceiling: int | None = None,
        reply_burst: float = REPLY_BURST,
        reply_refill: float | None = None,
    ) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        ceiling = ceiling_for(rate) if ceiling is None else ceiling
        self._window = _Window(ceiling)
        refill = max(0.0, ceiling - rate) if reply_refill is None else reply_refill
        self._replies = _Bucket(reply_burst, refill)
        self._replies.at = clock()

    async def wait_turn(self) -> None:
        now = self.clock()
        slot = self._window.free_at(max(now, self._next))
        self._next = slot + self.interval
        self._window.add(slot, now=now)
        if slot > now:
            await self.sleep(slot - now)

    async def turn_now(self) -> bool:
        now = self.clock()
        if self._window.free_at(now) > now:
            return False
        if self._next <= now:
            self._next = now + self.interval  # the grid is free: take its turn, keep the burst
        elif not self._replies.take(now):
            return False
        self._window.add(now, now=now)
        return True


class RedisPacer:
    """The same grid, burst and window shared by every process through Redis keys (atomic Lua).

    While Redis is away each process paces itself at `fallback_share` of the rate (the other
    processes, also cut off, do the same: with up to 1/fallback_share of them the total stays
    within the rate), trying Redis again every `probe_every` seconds, and logging both changes."""

    # KEYS: the next grid turn, the recent turns (a sorted set), the reply burst (a hash).
    # ARGV: now, interval, ceiling, burst, refill, "grid" or "now", a unique member.
    # Returns the turn's time, or "" when "now" finds nothing free. Times as %.6f: Lua's tostring
    # keeps 14 digits, a tenth of a millisecond for Unix times.
    _SCRIPT = """
    local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
    local ceiling, burst, refill = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
    local function fmt(x) return string.format('%.6f', x) end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now - 2))
    local function free_at(t)
      local inside = redis.call('ZCOUNT', KEYS[2], fmt(t - 1.001), '+inf')
      if inside < ceiling then return t end
      local oldest = redis.call('ZRANGEBYSCORE', KEYS[2], fmt(t - 1.001), '+inf', 'WITHSCORES',
        'LIMIT', inside - ceiling, 1)
      return math.max(t, tonumber(oldest[2]) + 1.002)
    end
    local next_slot = tonumber(redis.call('GET', KEYS[1]) or '0')
    local slot
    if ARGV[6] == 'grid' then
      slot = free_at(math.max(now, next_slot))
      redis.call('SET', KEYS[1], fmt(slot + interval), 'PX', 60000)
    else
      if free_at(now) > now then return '' end
      slot = now
      if next_slot <= now then
        redis.call('SET', KEYS[1], fmt(now + interval), 'PX', 60000)
      else
        local state = redis.call('HMGET', KEYS[3], 'tokens', 'at')
        local tokens = tonumber(state[1] or burst)
        local at = tonumber(state[2] or now)
        tokens = math.min(burst, tokens + math.max(0, now - at) * refill)
        if tokens < 1 then return '' end
        redis.call('HSET', KEYS[3], 'tokens', fmt(tokens - 1), 'at', fmt(now))
        redis.call('PEXPIRE', KEYS[3], 60000)
      end
    end
    redis.call('ZADD', KEYS[2], fmt(slot), ARGV[7])
    redis.call('PEXPIRE', KEYS[2], 60000)
    return fmt(slot)
    """

    def __init__(
        self,
        redis: Any,
        rate: float,
        key: str = "cra:pacer",
        *,
        fallback_share: float = 0.25,
        probe_every: float = 5.0,
        ceiling: int | None = None,
        reply_burst: float = REPLY_BURST,
        reply_refill: float | None = None,
    ) -> None:
        from redis.exceptions import RedisError  # only with Redis (importing it costs ~0.3 s)

        self.redis, self.interval, self.key = redis, 1.0 / rate, key
        self.ceiling = ceiling_for(rate) if ceiling is None else ceiling
        self.reply_burst = reply_burst
        self.refill = max(0.0, self.ceiling - rate) if reply_refill is None else reply_refill
        self._keys = [key, f"{key}:turns", f"{key}:replies"]
        self._unavailable = (RedisError, OSError, TimeoutError)
        self._script = redis.register_script(self._SCRIPT)
        self.fallback = LocalPacer(rate * fallback_share, ceiling=self.ceiling, reply_burst=0)
        self.probe_every = probe_every
        self._away_since: float | None = None  # monotonic time Redis was last found away

    async def _shared(self, mode: str) -> float | None:
        """The turn Redis gives (None: none free now), or raises what says Redis is away."""
        now = time.time()
        args = [repr(now), repr(self.interval), self.ceiling, self.reply_burst, self.refill, mode]
        answer = await self._script(keys=self._keys, args=[*args, uuid.uuid4().hex])
        return float(answer) if answer else None

    def _redis_away(self) -> bool:
        return self._away_since is not None and time.monotonic() - self._away_since < self.probe_every

    def _found_away(self, error: Exception) -> None:
        if self._away_since is None:
            log.warning("Redis unavailable (%s): pacing this process alone, more slowly", error)
        self._away_since = time.monotonic()

    def _found_back(self) -> None:
        if self._away_since is not None:
            log.warning("Redis is back: pacing shared again")
            self._away_since = None

    async def wait_turn(self) -> None:
        if self._redis_away():
            await self.fallback.wait_turn()
            return
        try:
            slot = await self._shared("grid")
        except self._unavailable as error:
            self._found_away(error)
            await self.fallback.wait_turn()
            return
        self._found_back()
        wait = (slot or 0.0) - time.time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def turn_now(self) -> bool:
        if self._redis_away():
            return await self.fallback.turn_now()  # no burst alone: its free grid turn only
        try:
            slot = await self._shared("now")
        except self._unavailable as error:
            self._found_away(error)
            return await self.fallback.turn_now()
        self._found_back()
        return slot is not None


class NoPacer:
    """For tests that drain the outbox synchronously."""

    async def wait_turn(self) -> None:
        return None

    async def turn_now(self) -> bool:
        return True
