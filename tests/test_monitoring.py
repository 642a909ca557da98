"""Monitoring: the administrators' alerts (once per incident, in their language), /healthz,
/readyz and /metrics over HTTP. Time is an explicit clock handed to the scheduler's ticker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.health import Health, serve_health
from bot.i18n import Catalogs
from bot.scheduler import Leadership, Ticker
from bot.workflows.audit import record
from bot.workflows.membership.commissions import create_commission
from bot.workflows.monitoring import Thresholds
from bot.workflows.outbox import enqueue_text
from db.engine import make_engine, make_sessionmaker
from db.models import AuditEntry, Membership, OutboxMessage, OutboxStatus, Person, Role
from db.models.monitoring import MonitorEvent
from tests.conftest import NOW
from tests.harness import make_harness

CAN_SECRETARY = 5001  # writes in Quechua
STALL = "sigue en cola"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def seat_can_secretary(sessionmaker: async_sessionmaker[AsyncSession], language: str = "qu") -> None:
    async with sessionmaker() as db, db.begin():
        can, _ = await create_commission(db, "CAN", now=NOW)
        person = Person(
            name="Secretaría Técnica", language=language, telegram_id=CAN_SECRETARY, created_at=NOW
        )
        db.add(person)
        await db.flush()
        assert person.id is not None and can.id is not None
        db.add(Membership(person_id=person.id, commission_id=can.id, role=Role.SECRETARY, created_at=NOW))


@pytest.fixture
async def leadership(engine: AsyncEngine) -> AsyncIterator[Leadership]:
    leading = Leadership(engine)
    yield leading
    await leading.release()  # PostgreSQL: the advisory lock's connection


def watching_ticker(
    leadership: Leadership,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    clock: Clock,
    admins: tuple[int, ...] = (),
) -> Ticker:
    """The real ticker with only the monitoring job (the features' jobs are tested elsewhere)."""
    ticker = Ticker(sessionmaker, leadership, catalogs, clock=clock)
    ticker.jobs = {}
    ticker.watch(admins, Thresholds(outbox_age=timedelta(minutes=15), scheduler_late=timedelta(minutes=10)))
    ticker.interval = 60
    return ticker


async def texts_to(sessionmaker: async_sessionmaker[AsyncSession], chat_id: int) -> list[str]:
    async with sessionmaker() as db:
        rows = await db.exec(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)  # type: ignore[arg-type]
        )
        return [row.payload["text"] for row in rows.all()]


async def deliver_everything(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> None:
    async with sessionmaker() as db, db.begin():
        await db.exec(update(OutboxMessage).values(status=OutboxStatus.SENT, sent_at=now))


async def stall_a_message(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 77, STALL, now=now)


async def every_minute(ticker: Ticker, clock: Clock, minutes: int) -> None:
    """The scheduler ticking on time for `minutes` (so scheduled work is never late here)."""
    for _ in range(minutes):
        clock.now += timedelta(minutes=1)
        await ticker.tick()


async def test_a_stalled_outbox_is_told_once_per_incident_in_the_admins_language(
    leadership: Leadership, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    await seat_can_secretary(sessionmaker)
    clock = Clock(NOW)
    ticker = watching_ticker(leadership, sessionmaker, catalogs, clock)
    await stall_a_message(sessionmaker, NOW)
    await ticker.tick()
    assert await texts_to(sessionmaker, CAN_SECRETARY) == []  # waiting 0 min: fine
    await every_minute(ticker, clock, 30)
    alerts = await texts_to(sessionmaker, CAN_SECRETARY)
    assert len(alerts) == 1  # the same incident: told once, not every tick
    assert "16 minututañam" in alerts[0] and "Telegram" in alerts[0]  # Quechua, with the wait
    # It drains (the incident closes), then stalls again: a new incident, told again.
    await deliver_everything(sessionmaker, clock.now)
    await every_minute(ticker, clock, 1)
    await stall_a_message(sessionmaker, clock.now)
    await every_minute(ticker, clock, 20)
    assert len(await texts_to(sessionmaker, CAN_SECRETARY)) == 2


async def test_admin_telegram_ids_are_told_instead_each_in_their_language(
    leadership: Leadership, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    await seat_can_secretary(sessionmaker, language="ay")
    clock = Clock(NOW + timedelta(minutes=20))
    ticker = watching_ticker(leadership, sessionmaker, catalogs, clock, admins=(CAN_SECRETARY, 9009))
    await stall_a_message(sessionmaker, NOW)
    await ticker.tick()
    assert "20 minutuw suyaski" in (await texts_to(sessionmaker, CAN_SECRETARY))[0]  # Aymara
    # An administrator who never wrote to the bot is written to in Spanish.
    assert (await texts_to(sessionmaker, 9009))[0].startswith(
        "⚠️ Mensajes atrasados: el más antiguo espera hace 20 minutos"
    )


async def test_late_scheduled_work_is_told_once(
    leadership: Leadership, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    await seat_can_secretary(sessionmaker, language="es")
    clock = Clock(NOW)
    ticker = watching_ticker(leadership, sessionmaker, catalogs, clock)
    await ticker.tick()
    clock.now += timedelta(seconds=60)
    await ticker.tick()
    assert await texts_to(sessionmaker, CAN_SECRETARY) == []  # on time
    clock.now += timedelta(minutes=13)  # the event loop was blocked, or the host slept
    await ticker.tick()
    clock.now += timedelta(minutes=14)
    await ticker.tick()
    alerts = await texts_to(sessionmaker, CAN_SECRETARY)
    assert alerts == [
        "⚠️ El trabajo programado (recordatorios, resúmenes, rondas) lleva 12 minutos de retraso. "
        "Revise el registro del bot."
    ]
    await deliver_everything(sessionmaker, clock.now)  # (the alert itself would age in the outbox)
    # A job that keeps failing makes scheduled work late too.
    clock.now += timedelta(seconds=60)
    await ticker.tick()  # on time again: the incident closes
    ticker.failing_since["reports"] = clock.now - timedelta(minutes=11)
    clock.now += timedelta(seconds=60)
    await ticker.tick()
    assert len(await texts_to(sessionmaker, CAN_SECRETARY)) == 2


async def test_a_broken_audit_chain_is_found_by_the_daily_verification_and_told_once(
    leadership: Leadership, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    await seat_can_secretary(sessionmaker, language="es")
    async with sessionmaker() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=NOW)
        assert cus.id is not None
        for n in range(3):
            await record(
                db, commission_id=cus.id, actor=None, action="test", entity="x", entity_id=n, now=NOW
            )
    async with sessionmaker() as db, db.begin():
        await db.exec(update(AuditEntry).where(AuditEntry.seq == 2).values(action="forged"))  # type: ignore[arg-type]
    clock = Clock(datetime.fromisoformat("2026-11-24T07:00:00+00:00"))  # 02:00 in Lima: not yet
    ticker = watching_ticker(leadership, sessionmaker, catalogs, clock)
    ticker.interval = None  # the clock jumps by hours here: lateness is tested above
    await ticker.tick()
    assert await texts_to(sessionmaker, CAN_SECRETARY) == []
    for hours in (1, 2, 25, 49):  # 03:00 and 04:00 Lima, then 03:00 the next days: still the same incident
        clock.now = datetime.fromisoformat("2026-11-24T07:00:00+00:00") + timedelta(hours=hours, seconds=1)
        await ticker.tick()
        await deliver_everything(sessionmaker, clock.now)
    alerts = await texts_to(sessionmaker, CAN_SECRETARY)
    assert len(alerts) == 1
    assert "Cusco" in alerts[0] and "entrada 2" in alerts[0] and "cra-bot audit verify" in alerts[0]
    async with sessionmaker() as db:  # verified once a day: on the 24th, 25th and 26th
        runs = (await db.exec(select(MonitorEvent.key).where(MonitorEvent.kind == "audit-verify"))).all()
    assert sorted(runs) == ["2026-11-24", "2026-11-25", "2026-11-26"]


# --- /healthz, /readyz, /metrics -----------------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def serve(health: Health) -> tuple[str, aiohttp.web.AppRunner]:
    runner = await serve_health(health, "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    return f"http://{host}:{port}", runner


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(url) as response:
        return response.status, await response.json()


async def test_readyz_follows_the_database_and_its_migrations(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], http: aiohttp.ClientSession
) -> None:
    leadership = Leadership(engine)
    await leadership.refresh()  # this process leads (SQLite: always; PostgreSQL: takes the lock)
    base, runner = await serve(Health(engine, sessionmaker, leadership))
    try:
        assert await get(http, f"{base}/healthz") == (200, {"alive": True})
        status, body = await get(http, f"{base}/readyz")
        assert (status, body["ready"], body["migrations"]) == (200, True, True)
        async with engine.begin() as conn:  # a newer bot would have upgraded; this one is behind
            await conn.execute(text("UPDATE alembic_version SET version_num = '0007_merge'"))
        status, body = await get(http, f"{base}/readyz")
        assert (status, body["ready"], body["database"]) == (503, False, True)
        assert "0007_merge" in body["migrations"]
    finally:
        await runner.cleanup()
        await leadership.release()


async def test_readyz_is_false_when_the_database_is_unreachable(http: aiohttp.ClientSession) -> None:
    engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/nothing")  # nothing listens on port 9
    health = Health(engine, make_sessionmaker(engine), Leadership(engine))
    base, runner = await serve(health)
    try:
        assert (await get(http, f"{base}/healthz"))[0] == 200  # alive, but not ready
        status, body = await get(http, f"{base}/readyz")
        assert (status, body["ready"], body["database"]) == (503, False, False)
        assert "error" in body
    finally:
        await runner.cleanup()
        await engine.dispose()


def sample(page: str, name: str) -> float:
    for line in page.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


async def test_metrics_count_handled_updates_sends_and_the_backlog(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    http: aiohttp.ClientSession,
) -> None:
    harness = make_harness(sessionmaker, catalogs)
    base, runner = await serve(Health(engine, sessionmaker, Leadership(engine)))

    async def scrape() -> str:
        async with http.get(f"{base}/metrics") as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            return await response.text()

    try:
        before = await scrape()
        await harness.user(3001).send("/ayuda")
        await harness.user(3002).send("/ayuda")
        after = await scrape()
        assert sample(after, "cra_updates_handled_total") == sample(before, "cra_updates_handled_total") + 2
        ok = 'cra_sends_total{result="ok"}'
        assert sample(after, ok) >= sample(before, ok) + 2  # each got its reply
        assert sample(after, "cra_outbox_backlog") == 0
        await harness.user(3003).send("/invitar")  # not invited: refused, with the reason
        refused = await scrape()
        assert sample(refused, "cra_updates_refused_total") == sample(after, "cra_updates_refused_total") + 1
        assert sample(refused, "cra_updates_handled_total") == sample(after, "cra_updates_handled_total")
        await stall_a_message(sessionmaker, NOW)
        stalled = await scrape()
        assert sample(stalled, "cra_outbox_backlog") == 1
        assert sample(stalled, "cra_outbox_oldest_due_age_seconds") > 0
        for name in ("cra_scheduler_ticks_total", "cra_scheduler_lag_seconds", "cra_digest_runs_total"):
            sample(stalled, name)  # present from the start
    finally:
        await runner.cleanup()
