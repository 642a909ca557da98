"""The outbox sender: drains queued messages at Telegram's pace, and loses none. It only sends
(each row's request by its kind: bot/delivery_calls.py): every row it claims, settles or spaces is
written by bot/workflows/outbox.py.

- Pacing (bot/pacing.py): one message every 1/TELEGRAM_GLOBAL_RATE seconds overall, evenly spaced
  with no initial burst (shared through Redis when several processes send), and replies also at
  once from a small burst in the headroom up to Telegram's 30/s; per chat, a row becomes due only
  1 s (private) or 3.5 s (group: at most 18/min) after the previous one to that chat, even a row
  queued after that send — kept in the database
  (`outbox.space_next`), so it holds across processes.
- One request in flight per sender: a crash can repeat at most the message being sent.
- Replies first: claims take replies before notices (bot/workflows/outbox.py), and a reply
  committed while a batch of notices goes out is claimed and sent before the rest of the batch:
  at once on the reply burst, or else on the turn the next notice was waiting for.
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
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.delivery_calls import RowCalls
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.outage import OutageLog
from bot.pacing import LocalPacer as LocalPacer
from bot.pacing import NoPacer as NoPacer
from bot.pacing import Pacer
from bot.pacing import RedisPacer as RedisPacer
from bot.workflows.outbox import (
    Settled,
    backoff,
    claim_due,
    count_open,
    give_up,
    mark_sent,
    mark_unreachable,
    message_id_of,
    postpone,
    release,
    space_next,
)
from bot.workflows.screens import record_screen
from db.models import OutboxMessage, Priority

T = TypeVar("T")

log = logging.getLogger(__name__)
# While a notice waits for its turn, how often the sender looks for replies committed meanwhile.
CLAIMS_PER_TURN = 3


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
        self.calls = RowCalls(bot, request_timeout, self._message_of)
        self.batch = 20
        self.name = uuid.uuid4().hex[:8]
        self._wake = asyncio.Event()
        self.outage = OutageLog()
        self._fresh = asyncio.Event()  # something was committed since the last claim: maybe a reply

    def wake(self) -> None:
        """Something was committed to the outbox: look now rather than at the next poll."""
        self._wake.set()
        self._fresh.set()

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
            sent = await self._once_more_if_lost(self.send_due)
            if sent == 0:
                break
            total += sent
        return total

    async def pending(self) -> int:
        async def count() -> int:
            async with self.sessionmaker() as db:
                return await count_open(db)

        return await self._once_more_if_lost(count)

    async def _once_more_if_lost(self, call: Callable[[], Awaitable[T]]) -> T:
        """The database dropped a connection while it sat in the pool (a restart, a killed backend):
        its next use fails, and the pool then replaces every connection it holds. There is no
        pre-ping (bot/app.py), so the flush at shutdown tries once more rather than exit on it."""
        try:
            return await call()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning(
                "outbox sender %s: database connection lost (%s); trying again", self.name, error.orig
            )
            return await call()

    async def send_due(self, stop: asyncio.Event | None = None) -> int:
        rows = deque(await self._claim(Priority.NOTICE))
        jump_until = self.clock() + self.lease / 2  # the batch's leases stay well ahead of its sending
        sent = 0
        while rows:
            row = rows.popleft()
            if stop is not None and stop.is_set():
                await self._release(row)
                continue
            if row.priority == Priority.REPLY:
                # Replies committed after this one go after it: nothing to look for while it waits.
                if not await self.pacer.turn_now():
                    await self.pacer.wait_turn()
                await self._send(row)
                sent += 1
                continue
            # Replies committed meanwhile (during the last send, or while this row waits for its
            # turn) jump the batch: at once while the pacer has room, else taking this very turn.
            went, waiting = await self._replies_at_once(jump_until)
            sent += went
            if waiting:
                rows.appendleft(row)
                rows.extendleft(reversed(waiting))
                continue
            turn = asyncio.ensure_future(self.pacer.wait_turn())
            try:
                went, waiting = await self._replies_while(turn, jump_until)
                await turn
            finally:
                turn.cancel()
            sent += went
            if waiting:
                rows.appendleft(row)
                rows.extendleft(reversed(waiting))
                row = rows.popleft()
            await self._send(row)
            sent += 1
        return sent

    async def _replies_at_once(self, jump_until: datetime) -> tuple[int, list[OutboxMessage]]:
        """Replies committed since the last claim, each sent now if the pacer has a turn free now
        (its reply burst): how many went, and those left to wait for a turn."""
        if not self._fresh.is_set() or self.clock() >= jump_until:
            return 0, []
        replies = await self._claim(Priority.REPLY)
        for n, reply in enumerate(replies):
            if not await self.pacer.turn_now():
                return n, replies[n:]
            await self._send(reply)
        return len(replies), []

    async def _replies_while(
        self, turn: asyncio.Future[None], jump_until: datetime
    ) -> tuple[int, list[OutboxMessage]]:
        """`_replies_at_once` for the commits until the turn comes (or the batch's time is up), at
        most CLAIMS_PER_TURN times: a flood of updates that queue nothing must not make the sender
        claim after each of them."""
        went = 0
        for _ in range(CLAIMS_PER_TURN):
            if self.clock() >= jump_until:
                break
            while not self._fresh.is_set() and not turn.done():
                fresh: asyncio.Future[Any] = asyncio.ensure_future(self._fresh.wait())
                await asyncio.wait({turn, fresh}, return_when=asyncio.FIRST_COMPLETED)
                fresh.cancel()
            if not self._fresh.is_set():  # the turn came first
                break
            n, waiting = await self._replies_at_once(jump_until)
            went += n
            if waiting:
                return went, waiting
        return went, []

    async def _claim(self, max_priority: Priority) -> list[OutboxMessage]:
        self._fresh.clear()
        async with self.sessionmaker() as db, db.begin():
            return await claim_due(
                db, now=self.clock(), lease=self.lease, limit=self.batch, max_priority=max_priority
            )

    async def _release(self, row: OutboxMessage) -> None:
        """Give back a claimed row not yet sent (shutting down), so nobody waits for its lease."""
        async with self.sessionmaker() as db, db.begin():
            await release(db, row)

    async def _message_of(self, row_id: int) -> int | None:
        async with self.sessionmaker() as db:
            return await message_id_of(db, row_id)

    async def _observed_call(self, row: OutboxMessage) -> int | None:
        assert row.id is not None
        try:
            message_id = await self.calls.call(row)
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
                    screen = row.payload.get("screen")
                    if screen and message_id is not None:
                        await record_screen(db, row.chat_id, message_id, screen, now=now)
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
