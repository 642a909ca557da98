"""Health and metrics over HTTP: `/healthz` (the process answers), `/readyz` (the database answers,
its schema is at the migrations' head, and some process leads the scheduler) and `/metrics`
(Prometheus text format, bot/metrics.py).

Webhook mode adds these routes to the webhook's server; polling mode serves them on
HEALTH_HOST:HEALTH_PORT (`serve_health`). Readiness answers 200 or 503 with a JSON body saying
which check failed, so a load balancer and a person read the same answer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.config import ConfigError
from bot.scheduler import LEADER_LOCK_KEY, Leadership
from bot.workflows.monitoring import measure_backlog

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds: a database that takes longer is not ready
LEADER_LOCK_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = 0 AND objid = :key AND objsubid = 1 "
    # Advisory locks are per database: a bot on another database of the same server is not ours.
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
)


class Health:
    def __init__(
        self,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        leadership: Leadership,
        *,
        head: str | None = None,
    ) -> None:
        from db.migrate import head as migrations_head

        self.engine, self.sessionmaker, self.leadership = engine, sessionmaker, leadership
        self.head = head or migrations_head()  # read once: the migrations shipped with this code

    async def readiness(self) -> dict[str, Any]:
        """Each check's result, and `ready` when all pass."""
        checks: dict[str, Any] = {"database": False, "migrations": False, "scheduler_leader": False}
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                checks.update(await self._check_database())
        except Exception as exc:  # unreachable, refused, timed out: not ready, and say why
            checks["error"] = f"{type(exc).__name__}: {exc}"[:300]
        checks["ready"] = checks["database"] and checks["migrations"] is True and checks["scheduler_leader"]
        return checks

    async def _check_database(self) -> dict[str, Any]:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            found: dict[str, Any] = {"database": True}
            version = (
                (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            )
            found["migrations"] = (
                True if list(version) == [self.head] else f"at {version}, code needs {self.head}"
            )
            if self.leadership.is_leader:
                found["scheduler_leader"] = True
            elif self.engine.dialect.name == "postgresql":
                held = await connection.execute(text(LEADER_LOCK_HELD), {"key": LEADER_LOCK_KEY})
                found["scheduler_leader"] = bool(held.scalar())
        return found

    async def refresh_backlog(self) -> None:
        """Measure the outbox for `/metrics` (at scrape time, not per update)."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), self.sessionmaker() as db:
                backlog = await measure_backlog(db)
        except Exception:
            log.warning("metrics: could not measure the outbox backlog", exc_info=True)
            return
        metrics.OUTBOX_BACKLOG.set(backlog.count)
        metrics.OUTBOX_OLDEST_AGE.set(backlog.age(datetime.now(UTC)).total_seconds())


def add_health_routes(app: web.Application, health: Health) -> None:
    from aiohttp import web

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(_request: web.Request) -> web.Response:
        checks = await health.readiness()
        return web.json_response(checks, status=200 if checks["ready"] else 503)

    async def metrics_page(_request: web.Request) -> web.Response:
        await health.refresh_backlog()
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)


async def serve_health(health: Health, host: str, port: int) -> web.AppRunner:
    """The small server of polling mode; the caller cleans the returned runner up."""
    from aiohttp import web

    app = web.Application()
    add_health_routes(app, health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(
            f"cannot listen on {host}:{port} for /healthz, /readyz and /metrics ({exc.strerror}): "
            "another process holds the port; stop it, set HEALTH_PORT, or HEALTH_PORT=0 to turn it off"
        ) from None
    log.info("health and metrics on http://%s:%s (/healthz, /readyz, /metrics)", host, port)
    return runner
