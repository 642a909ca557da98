"""Conversation state shared through Redis, surviving Redis being away for a while (this module
is imported only with REDIS_URL: importing redis costs ~0.3 s).

Without Redis the bot still answers: a state it cannot read counts as no state, a state it cannot
write is lost (logged), and one person's updates are serialised by a lock in this process instead
of the shared one. Someone typing an answer in the middle of a guided step is told that the bot
lost its place and to start the step again; commands and buttons work as usual. When Redis comes
back everything is shared again, with nothing to restart.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey
from redis.exceptions import RedisError

from bot.local_state import LocalIsolation
from bot.lost_place import state_unknown

log = logging.getLogger(__name__)

# Connection problems a Redis call may end in (redis-py raises its own, or the socket's).
UNAVAILABLE = (RedisError, OSError, TimeoutError)
REPORT_EVERY_SECONDS = 60.0  # while Redis is away, say so in the log at most this often
PROBE_EVERY_SECONDS = 5.0  # while Redis is away, try it again at most this often (each try may wait)


def connection_settings() -> dict[str, Any]:
    """Bounded waits, so that Redis gone away costs a call a fraction of a second, not seconds
    (redis-py's default retries ten times with backoff: 3.3 s for a refused connection)."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff

    return {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
    }


class Outage:
    """Logs the start of an outage once, a reminder now and then, and the recovery; while it lasts,
    says when to try Redis again (so that updates do not each wait for a dead connection)."""

    def __init__(self, what: str, probe_every: float = PROBE_EVERY_SECONDS) -> None:
        self.what, self.probe_every = what, probe_every
        self.since = self._reported = self._tried = 0.0

    def skipping(self) -> bool:
        """Whether to go without Redis this time, without trying it."""
        now = time.monotonic()
        if not self.since or now - self._tried >= self.probe_every:
            self._tried = now
            return False
        return True

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        self._tried = now
        if not self.since:
            self.since = self._reported = now
            log.warning("Redis unavailable (%s): %s", error, self.what)
        elif now - self._reported >= REPORT_EVERY_SECONDS:
            self._reported = now
            log.warning("Redis still unavailable after %.0f s (%s)", now - self.since, error)

    def worked(self) -> None:
        if self.since:
            log.warning("Redis is back after %.0f s", time.monotonic() - self.since)
            self.since = 0.0


class SharedStateStorage(BaseStorage):
    """A Redis storage whose outages degrade to "no state" instead of failing the update."""

    def __init__(self, shared: BaseStorage, probe_every: float = PROBE_EVERY_SECONDS) -> None:
        self.shared = shared
        self.outage = Outage("conversation state is not kept until it is back", probe_every)

    async def get_state(self, key: StorageKey) -> str | None:
        if self.outage.skipping():
            state_unknown.set(True)
            return None
        try:
            state = await self.shared.get_state(key)
        except UNAVAILABLE as error:
            self.outage.failed(error)
            state_unknown.set(True)
            return None
        self.outage.worked()
        state_unknown.set(False)
        return state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if self.outage.skipping():
            return {}
        try:
            return await self.shared.get_data(key)
        except UNAVAILABLE as error:
            self.outage.failed(error)
            return {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        if self.outage.skipping():
            return
        try:
            await self.shared.set_state(key, state)
        except UNAVAILABLE as error:
            self.outage.failed(error)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if self.outage.skipping():
            return
        try:
            await self.shared.set_data(key, data)
        except UNAVAILABLE as error:
            self.outage.failed(error)

    async def close(self) -> None:
        await self.shared.close()


class SharedIsolation(BaseEventIsolation):
    """One person's updates one at a time across processes; in this process only while Redis is away."""

    def __init__(self, shared: BaseEventIsolation, probe_every: float = PROBE_EVERY_SECONDS) -> None:
        self.shared, self.local = shared, LocalIsolation()
        self.outage = Outage("one person's updates are serialised per process until it is back", probe_every)

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        held = await self._take_shared(key)
        if held is None:
            async with self.local.lock(key):
                yield
            return
        try:
            yield
        finally:
            try:
                await held.__aexit__(None, None, None)
            except UNAVAILABLE as error:  # the lock expires on its own (its timeout)
                self.outage.failed(error)

    async def _take_shared(self, key: StorageKey) -> contextlib.AbstractAsyncContextManager[None] | None:
        if self.outage.skipping():
            return None
        held = self.shared.lock(key)
        try:
            await held.__aenter__()
        except UNAVAILABLE as error:
            self.outage.failed(error)
            return None
        self.outage.worked()
        return held

    async def close(self) -> None:
        await self.shared.close()
        await self.local.close()
