"""The outbox sender: drains queued messages at Telegram's pace, and loses none. It only sends:
every row it claims, settles or spaces is written by bot/workflows/outbox.py.

- Pacing: one message every 1/TELEGRAM_GLOBAL_RATE seconds overall, evenly spaced with no initial
  burst (shared through Redis when several processes send); per chat, a row becomes due only
  1 s (private) or 3 s (group: 20/min) after the previous one to that chat — kept in the database
  (`outbox.space_next`), so it holds across processes.
- One request in flight per sender: a crash can repeat at most the message being sent.
- Replies first: claims take replies before notices (bot/workflows/outbox.py), and a reply
  committed while a batch of notices goes out is claimed and sent before the rest of the batch.
- 429 → that row waits `retry_after`, others keep flowing; 5xx, timeouts and network errors →
  exponential backoff with jitter, then give up and tell the secretariat; 403 → the person is
  marked unreachable, their queue dropped, their secretariats told.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.outage import OutageLog
from bot.workflows.outbox import (
    Settled,
    backoff,
    claim_due,
    count_open,
    give_up,
    mark_sent,
    mark_unreachable,
    postpone,
    release,
    space_next,
)
from db.models import OutboxMessage, Priority

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


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        *,
        pacer: Pacer,
        give_up_after: timedelta = timedelta(hours=1),
        lease: timedelta = timedelta(seconds=30),
        request_timeout: int = 20,
        chat_gaps: bool = True,
        clock: Callable[[], datetime] = utcnow,
        idle_poll: float = 1.0,
    ) -> None:
        self.bot, self.sessionmaker, self.catalogs = bot, sessionmaker, catalogs
        self.pacer, self.give_up_after, self.lease = pacer, give_up_after, lease
        self.request_timeout, self.chat_gaps, self.clock = request_timeout, chat_gaps, clock
        self.idle_poll = idle_poll
        self.batch = 20
        self.name = uuid.uuid4().hex[:8]
        self._wake = asyncio.Event()
        self.outage = OutageLog()
        self._fresh = False  # something was committed since the last claim: maybe a reply

    def wake(self) -> None:
        """Something was committed to the outbox: look now rather than at the next poll."""
        self._wake.set()
        self._fresh = True

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then return (the caller decides how long to flush)."""
        while not stop.is_set():
            self._wake.clear()  # before looking: a commit during this round wakes the next one
            try:
                sent = await self.send_due(stop)
            except Exception as error:
                if isinstance(error, DBAPIError) and error.connection_invalidated:
                    # Claimed rows wait for their lease; the pool reconnects at the next round.
                    log.warning("outbox sender %s: database connection lost (%s)", self.name, error.orig)
                else:
                    log.exception("outbox sender %s: a round failed; retrying", self.name)
                sent = 0
            if sent == 0:
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, timeout=self.idle_poll, return_when="FIRST_COMPLETED")
                waiter.cancel()
                stopper.cancel()

    async def drain(self, *, deadline: float | None = None) -> int:
        """Send everything due now (tests; and the flush at shutdown, until `deadline`)."""
        total = 0
        while deadline is None or time.monotonic() < deadline:
            sent = await self.send_due()
            if sent == 0:
                break
            total += sent
        return total

    async def pending(self) -> int:
        async with self.sessionmaker() as db:
            return await count_open(db)

    async def send_due(self, stop: asyncio.Event | None = None) -> int:
        rows = deque(await self._claim(Priority.NOTICE))
        jump_until = self.clock() + self.lease / 2  # the batch's leases stay well ahead of its sending
        sent = 0
        while rows:
            row = rows.popleft()
            if stop is not None and stop.is_set():
                await self._release(row)
                continue
            await self.pacer.wait_turn()
            if self._fresh and self.clock() < jump_until:
                # Replies committed meanwhile jump the batch, and take this very turn: a reply waits
                # for the turn under way (at most 1/rate), not for the one after it too.
                replies = await self._claim(Priority.REPLY)
                if replies:
                    rows.appendleft(row)
                    rows.extendleft(reversed(replies))
                    row = rows.popleft()
            await self._send(row)
            sent += 1
        return sent

    async def _claim(self, max_priority: Priority) -> list[OutboxMessage]:
        self._fresh = False
        async with self.sessionmaker() as db, db.begin():
            return await claim_due(
                db, now=self.clock(), lease=self.lease, limit=self.batch, max_priority=max_priority
            )

    async def _release(self, row: OutboxMessage) -> None:
        """Give back a claimed row not yet sent (shutting down), so nobody waits for its lease."""
        async with self.sessionmaker() as db, db.begin():
            await release(db, row)

    async def _call(self, row: OutboxMessage) -> int | None:
        payload = dict(row.payload)
        markup = payload.pop("reply_markup", None)
        keyboard = InlineKeyboardMarkup.model_validate(markup) if markup else None
        if row.method == "sendDocument":
            document: str | BufferedInputFile = payload.get("file_id") or BufferedInputFile(
                row.attachment or b"", filename=payload["file_name"]
            )
            message = await self.bot.send_document(
                row.chat_id,
                document,
                caption=payload.get("caption"),
                reply_markup=keyboard,
                request_timeout=self.request_timeout,
            )
        else:
            message = await self.bot.send_message(
                row.chat_id, payload["text"], reply_markup=keyboard, request_timeout=self.request_timeout
            )
        return message.message_id

    async def _observed_call(self, row: OutboxMessage) -> int | None:
        assert row.id is not None
        try:
            message_id = await self._call(row)
        except Exception as exc:
            self._observe(row.id, exc)
            raise
        else:
            self._observe(row.id, None)
        return message_id

    def _observe(self, row_id: int, exc: Exception | None) -> None:
        """Metrics and the outage log (bot/outage.py) for one send's outcome."""
        if isinstance(exc, TelegramServerError | TelegramNetworkError):
            metrics.SENDS.labels("5xx").inc()
            self.outage.failed(row_id, f"{type(exc).__name__}: {exc.message}", now=self.clock())
            return
        result = {TelegramRetryAfter: "429", TelegramForbiddenError: "403"}.get(type(exc), "ok")
        if exc is not None and result == "ok":
            result = "400" if isinstance(exc, TelegramBadRequest) else "error"
        metrics.SENDS.labels(result).inc()
        self.outage.settled(row_id, now=self.clock())

    async def _send(self, row: OutboxMessage) -> None:
        assert row.id is not None
        try:
            message_id = await self._observed_call(row)
        except TelegramRetryAfter as exc:
            await self._postpone(
                row, timedelta(seconds=exc.retry_after), f"429 retry after {exc.retry_after}s"
            )
        except TelegramForbiddenError as exc:
            log.info("chat %s unreachable: %s", row.chat_id, exc.message)
            await self._settle(mark_unreachable, row, f"403 {exc.message}")
        except (TelegramServerError, TelegramNetworkError) as exc:
            error = f"{type(exc).__name__}: {exc.message}"
            if self.clock() - row.created_at >= self.give_up_after:
                log.warning("outbox row %s: giving up after %s attempts (%s)", row.id, row.attempts, error)
                self.outage.forget(row.id)
                await self._settle(give_up, row, error)
            else:
                await self._postpone(row, backoff(row.attempts), error)
        except TelegramBadRequest as exc:
            # Telegram refuses the request itself: retrying cannot help. A bug, or a deleted chat.
            log.error("outbox row %s refused by Telegram: %s", row.id, exc.message)
            await self._settle(give_up, row, f"400 {exc.message}")
        else:
            await self._record_sent(row, message_id)

    async def _record_sent(self, row: OutboxMessage, message_id: int | None) -> None:
        """Sent: say so. A connection lost here is tried once more on a fresh one (the pool
        reconnects), since a row left claimed is sent again when its lease ends."""
        assert row.id is not None
        for attempt in (1, 2):
            try:
                async with self.sessionmaker() as db, db.begin():
                    now = self.clock()
                    await mark_sent(db, row.id, now=now, message_id=message_id)
                    if self.chat_gaps:
                        await space_next(db, row.chat_id, now=now)
                return
            except DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
                log.warning("outbox row %s sent; recording it again (%s)", row.id, error.orig)

    async def _postpone(self, row: OutboxMessage, delay: timedelta, error: str) -> None:
        assert row.id is not None
        async with self.sessionmaker() as db, db.begin():
            await postpone(db, row.id, until=self.clock() + delay, error=error)

    async def _settle(self, action: Callable[..., Any], row: OutboxMessage, error: str) -> None:
        async with self.sessionmaker() as db, db.begin():
            fresh = await db.get(OutboxMessage, row.id)
            assert fresh is not None
            settled: Settled = await action(db, fresh, now=self.clock(), error=error)
            await enqueue_notices(db, self.catalogs, settled.notices, now=self.clock(), report_failure=False)
        self.wake()
