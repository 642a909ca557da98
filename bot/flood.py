"""Flood control that protects the bot without punishing people who work fast.

Each person has a token bucket: `burst` updates at once, refilled at `rate` per second (the
defaults let someone send 20 messages in a row and then one every 2 s, for ever). Button presses
are not counted in it: a button is a step of a flow the bot itself offered, and a secretary
marking a 15-seat roll call taps 15 times in 15 s. Presses have a bucket of their own, far above
human speed, so that only a script hammering a button meets it.

An update over the limit is refused out loud, never dropped in silence: a press gets a toast, a
message gets a reply saying to wait and send it again (at most one such reply waits in the outbox at
a time, so a flood cannot fill the person's queue). With Redis the buckets are shared by every
process (one person's updates may reach any of them); while Redis is away each process counts alone.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User

from bot.i18n import Translator

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Buckets(Protocol):
    async def take(self, key: str, rate: float, burst: float) -> float:
        """Take a token from bucket `key`: 0 if there was one, else the seconds until there is."""


class LocalBuckets:
    """Buckets in this process. Full buckets (people quiet long enough) are forgotten now and
    then, so a long-running process keeps only the people who wrote recently."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sweep_every: float = 60.0) -> None:
        self.clock, self.sweep_every = clock, sweep_every
        self._buckets: dict[str, tuple[float, float, float, float]] = {}  # tokens, stamp, rate, burst
        self._swept = clock()

    @property
    def remembered(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if bucket[0] + (now - bucket[1]) * bucket[2] < bucket[3]
        }
        self._swept = now

    async def take(self, key: str, rate: float, burst: float) -> float:
        now = self.clock()
        if now - self._swept >= self.sweep_every:
            self._sweep(now)
        tokens, stamp, _, _ = self._buckets.get(key, (burst, now, rate, burst))
        tokens = min(burst, tokens + (now - stamp) * rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now, rate, burst)
            return 0.0
        self._buckets[key] = (tokens, now, rate, burst)
        return (1 - tokens) / rate


class RedisBuckets:
    """The same buckets in Redis (one atomic script per update), for every process; while Redis
    is away, this process's own buckets (bot/shared_state.py's outage handling)."""

    _SCRIPT = """
    local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
    local tokens = tonumber(state[1]) or burst
    local stamp = tonumber(state[2]) or now
    tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
    local wait = 0
    if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
    redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
    return tostring(wait)
    """

    def __init__(self, redis: Any, prefix: str = "cra:flood:") -> None:
        from bot.shared_state import UNAVAILABLE, Outage  # only with Redis (importing redis is slow)

        self.redis, self.prefix = redis, prefix
        self._script = redis.register_script(self._SCRIPT)
        self._unavailable = UNAVAILABLE
        self.outage = Outage("flood control counts in each process alone")
        self.fallback = LocalBuckets()

    async def take(self, key: str, rate: float, burst: float) -> float:
        if self.outage.skipping():
            return await self.fallback.take(key, rate, burst)
        try:
            wait = await self._script(
                keys=[self.prefix + key], args=[repr(rate), repr(burst), repr(time.time())]
            )
        except self._unavailable as error:
            self.outage.failed(error)
            return await self.fallback.take(key, rate, burst)
        self.outage.worked()
        return float(wait)


class FloodMiddleware(BaseMiddleware):
    """Per person: `burst` messages at once, then `rate` a second; button presses apart, up to
    `tap_burst` at once and `tap_rate` a second. Over that, the update is refused out loud."""

    def __init__(
        self,
        *,
        rate: float = 0.5,
        burst: int = 20,
        tap_rate: float = 3.0,
        tap_burst: int = 30,
        clock: Callable[[], float] = time.monotonic,
        buckets: Buckets | None = None,
    ) -> None:
        self.rate, self.burst, self.tap_rate, self.tap_burst = rate, burst, tap_rate, tap_burst
        self.buckets: Buckets = buckets or LocalBuckets(clock)

    @property
    def remembered(self) -> int:
        """How many people this process holds a bucket for (local buckets only)."""
        return self.buckets.remembered if isinstance(self.buckets, LocalBuckets) else 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        tap = isinstance(event, Update) and event.callback_query is not None
        if tap:
            wait = await self.buckets.take(f"tap:{user.id}", self.tap_rate, self.tap_burst)
        else:
            wait = await self.buckets.take(f"msg:{user.id}", self.rate, self.burst)
        if wait <= 0:
            return await handler(event, data)
        log.warning("flood control: update %s from %s refused", getattr(event, "update_id", "?"), user.id)
        await self._refuse(event, data, math.ceil(wait))
        return UNHANDLED

    async def _refuse(self, event: TelegramObject, data: dict[str, Any], seconds: int) -> None:
        tr: Translator | None = data.get("tr")
        if tr is None:  # outside the dispatcher (no person, no language): nobody to tell
            return
        text = tr.ngettext(
            "Va muy rápido y no atendí lo último que envió. Espere {n} segundo y vuelva a intentarlo.",
            "Va muy rápido y no atendí lo último que envió. Espere {n} segundos y vuelva a intentarlo.",
            seconds,
        )
        if isinstance(event, Update) and event.callback_query is not None:
            try:
                await event.callback_query.answer(text, show_alert=True)
            except TelegramAPIError:
                log.warning("could not answer the refused callback query of update %s", event.update_id)
        elif data.get("event_chat") is not None:
            await data["say"].once(text, key="flood")
