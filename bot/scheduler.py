"""Time: an APScheduler tick every minute, run by exactly one process (the leader).

The database says what is due, and every job takes `now`, so work that fell due while the bot
was down is done at the first tick after it comes back, once. With PostgreSQL the leader holds an
advisory lock on a dedicated connection; if it dies the lock is released with its connection and
another process takes over at its next attempt (every 20 s). SQLite means one process: it leads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.i18n import LIMA, Catalogs
from bot.notify import enqueue_digests, enqueue_notices, render_digests
from bot.workflows.agreements.reminders import agreements_tick
from bot.workflows.housekeeping import tidy_up
from bot.workflows.membership.contacts import contacts_tick
from bot.workflows.membership.presidency import presidency_tick
from bot.workflows.monitoring import Thresholds, monitoring_tick
from bot.workflows.notices import Notice
from bot.workflows.portal.login import forget_web_tokens
from bot.workflows.reports.checkpoints import checkpoint_tick
from bot.workflows.reports.digests import reports_tick
from bot.workflows.reports.snapshots import store_closed_periods
from bot.workflows.rounds.chase import rounds_tick
from bot.workflows.sessions.reminders import sessions_tick

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x43524142  # "CRAB": one scheduler leader per database
RETRY_LEADERSHIP_SECONDS = 20

Job = Callable[[AsyncSession, datetime], Awaitable[object]]


class Leadership:
    """Whether this process is the scheduler leader."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self.is_leader = engine.dialect.name == "sqlite"

    async def refresh(self) -> bool:
        """Keep, check or try to take the lock; returns whether we lead now."""
        if self.engine.dialect.name == "sqlite":
            return True
        try:
            if self._connection is not None:
                await self._connection.execute(text("SELECT 1"))  # still holding it?
                return True
            connection = await self.engine.connect()
            taken = (
                await connection.execute(text(f"SELECT pg_try_advisory_lock({LEADER_LOCK_KEY})"))
            ).scalar()
            await connection.commit()
            if taken:
                self._connection = connection
                log.info("this process is now the scheduler leader")
            else:
                await connection.close()
        except Exception:
            log.exception("scheduler leadership check failed; stepping down")
            await self.release()
        self.is_leader = self._connection is not None
        return self.is_leader

    async def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                await connection.close()  # closing the session releases the advisory lock
            except Exception:
                log.warning("could not close the leader connection cleanly", exc_info=True)
        self.is_leader = self.engine.dialect.name == "sqlite"


class Ticker:
    """Runs the registered jobs, each in its own transaction, when this process leads. A job's
    messages are queued (bot/notify.py) in its transaction: what it did and what it says commit
    together, and are sent after."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        leadership: Leadership,
        catalogs: Catalogs,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessionmaker, self.leadership, self.clock = sessionmaker, leadership, clock
        self.catalogs = catalogs
        self.jobs: dict[str, Job] = {
            "housekeeping": lambda db, now: tidy_up(db, now=now),
            "sessions": self._sessions,
            "agreements": lambda db, now: self._notify(db, now, agreements_tick(db, now)),
            "audit_checkpoints": lambda db, now: self._notify(db, now, checkpoint_tick(db, now)),
            "rounds": lambda db, now: self._notify(db, now, rounds_tick(db, now)),
            "directory": lambda db, now: self._notify(db, now, contacts_tick(db, now)),
            "presidency": lambda db, now: self._notify(db, now, presidency_tick(db, now)),
            # A closed period's indicators, stored once so it stays reproducible (issue 17).
            "indicator_snapshots": lambda db, now: store_closed_periods(db, now=now),
            "web_tokens": lambda db, now: forget_web_tokens(db, before=now - timedelta(days=1)),
        }
        # Lateness (monitoring): the tick interval once scheduled, when the last tick started, and
        # since when each failing job has failed.
        self.interval: float | None = None
        self.lag = timedelta(0)
        self._last_start: datetime | None = None
        self.failing_since: dict[str, datetime] = {}
        # Jobs that manage their own transactions: the digests render between two of them.
        self.staged: dict[str, Callable[[], Awaitable[object]]] = {"reports": self._digests}
        self._idle = asyncio.Event()  # no tick under way: shutting down may dispose the engine
        self._idle.set()

    def watch(self, admins: tuple[int, ...], thresholds: Thresholds) -> None:
        """Add the monitoring job: the administrators' alerts and the daily audit verification."""
        self.jobs["monitoring"] = lambda db, now: self._notify(
            db,
            now,
            monitoring_tick(
                db, now, admins=admins, thresholds=thresholds, scheduler_late_by=self.late_by(now)
            ),
        )

    def late_by(self, now: datetime) -> timedelta:
        """How late scheduled work is: the last tick's lag, or how long a job has kept failing."""
        failing = max((now - since for since in self.failing_since.values()), default=timedelta(0))
        return max(self.lag, failing)

    def _time_tick(self, now: datetime) -> None:
        if self._last_start is not None and self.interval is not None:
            late = (now - self._last_start).total_seconds() - self.interval
            self.lag = timedelta(seconds=max(late, 0.0))
            metrics.SCHEDULER_LAG.set(self.lag.total_seconds())
        self._last_start = now

    async def _notify(self, db: AsyncSession, now: datetime, due: Awaitable[list[Notice]]) -> int:
        return await enqueue_notices(db, self.catalogs, await due, now=now)

    async def _sessions(self, db: AsyncSession, now: datetime) -> int:
        return await enqueue_notices(db, self.catalogs, (await sessions_tick(db, now)).notices, now=now)

    async def _digests(self) -> int:
        """In three steps, so the rendering (seconds of matplotlib per chart) holds neither the
        event loop nor a database connection (SQLite's only one): what is due, read in one
        transaction; the rendering, in a worker thread; queueing and recording, in another."""
        async with self.sessionmaker() as db, db.begin():
            due = await reports_tick(db, self.clock())
        if not due:
            return 0
        rendered = await render_digests(self.catalogs, due)
        async with self.sessionmaker() as db, db.begin():
            queued = await enqueue_digests(db, self.catalogs, due, now=self.clock(), rendered=rendered)
        if queued:
            metrics.DIGEST_RUNS.inc()
        return queued

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109 (a bounded shutdown wait)
        """Wait for a tick under way to finish (shutting down); False if it outlasted `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def tick(self) -> int:
        """One round: returns how many jobs ran (0 when another process leads)."""
        self._idle.clear()
        try:
            return await self._tick()
        finally:
            self._idle.set()

    async def _tick(self) -> int:
        self._time_tick(self.clock())
        if not await self.leadership.refresh():
            return 0
        metrics.SCHEDULER_TICKS.inc()
        ran = 0
        for name, job in self.jobs.items():
            try:
                async with self.sessionmaker() as db, db.begin():
                    await job(db, self.clock())
                ran += 1
                self.failing_since.pop(name, None)
            except Exception as error:
                # A failing job must not stop the others; it is retried at the next tick.
                if isinstance(error, DBAPIError) and error.connection_invalidated:
                    # The database restarted or cut the connection; the pool reconnects.
                    log.warning("scheduled job %s: database connection lost (%s)", name, error.orig)
                else:
                    log.exception("scheduled job %s failed", name)
                self.failing_since.setdefault(name, self.clock())
        for name, staged in self.staged.items():
            try:
                await staged()
                ran += 1
                self.failing_since.pop(name, None)
            except Exception:
                log.exception("scheduled job %s failed", name)
                self.failing_since.setdefault(name, self.clock())
        return ran


def build_scheduler(ticker: Ticker, *, tick_seconds: float) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=LIMA)
    ticker.interval = tick_seconds
    # First tick right away: catch up on whatever fell due while the bot was down.
    scheduler.add_job(
        ticker.tick,
        "interval",
        seconds=tick_seconds,
        next_run_time=datetime.now(LIMA),
        id="tick",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        ticker.leadership.refresh,
        "interval",
        seconds=RETRY_LEADERSHIP_SECONDS,
        id="leadership",
        max_instances=1,
    )
    return scheduler
