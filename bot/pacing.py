"""The sender's global pace: one request every 1/rate seconds, evenly spaced with no initial burst,
in one process (LocalPacer) or shared by every process through Redis (RedisPacer)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Pacer(Protocol):
    async def wait_turn(self) -> None:
        """Return when this process may make its next request."""


class LocalPacer:
    """Evenly spaced slots, 1/rate apart; the first slot is now (no burst, no waiting)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next = 0.0

    async def wait_turn(self) -> None:
        now = self.clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self.sleep(slot - now)


class RedisPacer:
    """The same slots shared by every process through one Redis key (atomic Lua).

    While Redis is away each process paces itself at `fallback_share` of the rate (the other
    processes, also cut off, do the same: with up to 1/fallback_share of them the total stays
    within the rate), trying Redis again every `probe_every` seconds, and logging both changes."""

    _SCRIPT = """
    local now = tonumber(ARGV[1])
    local interval = tonumber(ARGV[2])
    local next_slot = tonumber(redis.call('GET', KEYS[1]) or '0')
    local slot = math.max(now, next_slot)
    redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', 60000)
    return tostring(slot)
    """

    def __init__(
        self,
        redis: Any,
        rate: float,
        key: str = "cra:pacer",
        *,
        fallback_share: float = 0.25,
        probe_every: float = 5.0,
    ) -> None:
        from redis.exceptions import RedisError  # only with Redis (importing it costs ~0.3 s)

        self.redis, self.interval, self.key = redis, 1.0 / rate, key
        self._unavailable = (RedisError, OSError, TimeoutError)
        self._script = redis.register_script(self._SCRIPT)
        self.fallback = LocalPacer(rate * fallback_share)
        self.probe_every = probe_every
        self._away_since: float | None = None  # monotonic time Redis was last found away

    async def wait_turn(self) -> None:
        if self._away_since is not None and time.monotonic() - self._away_since < self.probe_every:
            await self.fallback.wait_turn()
            return
        now = time.time()
        try:
            slot = float(await self._script(keys=[self.key], args=[repr(now), repr(self.interval)]))
        except self._unavailable as error:
            if self._away_since is None:
                log.warning("Redis unavailable (%s): pacing this process alone, more slowly", error)
            self._away_since = time.monotonic()
            await self.fallback.wait_turn()
            return
        if self._away_since is not None:
            log.warning("Redis is back: pacing shared again")
            self._away_since = None
        if slot > now:
            await asyncio.sleep(slot - now)


class NoPacer:
    """For tests that drain the outbox synchronously."""

    async def wait_turn(self) -> None:
        return None
