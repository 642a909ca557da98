"""Past periods are reproducible: a closed period's indicators are stored when it closes and the
dashboard shows those, not today's statuses; and the monthly series per region."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.periods import month_period, year_period
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.requests import request_report
from bot.workflows.reports.snapshots import (
    closed_periods,
    from_figures,
    store_closed_periods,
    stored_indicators,
    to_figures,
)
from db.models import Agreement, AgreementStatus, IndicatorSnapshot, Person
from tests.conftest import NOW
from tests.web.conftest import Data, Login


def test_the_periods_stored_at_a_tick() -> None:
    keys = [p.key for p in closed_periods(NOW.date())]
    assert keys == ["2026-10", "2026-09", "2026-08", "2026-T3", "2025"]


async def test_a_closed_period_keeps_the_figures_it_had_when_it_closed(
    sessionmaker: async_sessionmaker[AsyncSession], data: Data
) -> None:
    async with sessionmaker.begin() as db:
        assert await store_closed_periods(db, now=NOW) == 5
    async with sessionmaker.begin() as db:
        assert await store_closed_periods(db, now=NOW + timedelta(hours=1)) == 0  # once
        rows = (await db.exec(select(IndicatorSnapshot).where(IndicatorSnapshot.period == "2026-10"))).all()
        assert {r.commission_id for r in rows} == {data.cus, data.pun}
        # Later, CUS's overdue agreement is reported done: today's computation forgets October's delay…
        late = (await db.exec(select(Agreement).where(Agreement.code == "CUS-2026-002"))).one()
        late.status, late.progress = AgreementStatus.DONE, 100
    october = month_period(2026, 10)
    async with sessionmaker() as db:
        now = next(r for r in await compute_indicators(db, october, NOW) if r.code == "CUS")
        stored = await stored_indicators(db, october, [data.cus])
    assert now.overdue == 0
    # …the stored figures do not.
    assert stored is not None and stored.rows[0].code == "CUS" and stored.rows[0].overdue == 1


async def test_stored_figures_round_trip_through_json(db: AsyncSession, data: Data) -> None:
    rows = await compute_indicators(db, year_period(2026), NOW)
    assert rows[0].seats_attendance or rows[1].seats_attendance  # nested figures included
    again = [from_figures(json.loads(json.dumps(to_figures(r)))) for r in rows]
    assert again == rows


async def test_the_dashboard_shows_stored_figures_for_a_closed_period(
    web: Login, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = await web("analyst")
    live = await (await client.get("/panel?periodo=2026-10")).text()
    assert "calculadas hoy con el registro actual" in live
    async with sessionmaker.begin() as db:
        await store_closed_periods(db, now=NOW)
    stored = await (await client.get("/panel?periodo=2026-10")).text()
    assert "cifras guardadas al cierre del periodo" in stored
    running = await (await client.get("/panel?periodo=2026-11")).text()
    assert "calculadas hoy" in running


async def test_the_monthly_series(web: Login, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as db:
        await store_closed_periods(db, now=NOW)
    client = await web("secretary")
    response = await client.get("/panel/serie?anio=2026&indicador=overdue")
    page = await response.text()
    assert response.status == 200
    assert 'region=CUS">CUS</a>' in page and "region=PUN" not in page  # own region only
    assert '<svg class="spark"' in page
    assert page.count('<td class="num"></td>') == 8  # January-July and December: nothing stored
    bad = await client.get("/panel/serie?indicador=nada")
    assert bad.status == 400


async def test_the_chat_report_of_a_closed_period_uses_the_stored_figures(
    sessionmaker: async_sessionmaker[AsyncSession], data: Data
) -> None:
    async with sessionmaker.begin() as db:
        await store_closed_periods(db, now=NOW)
        late = (await db.exec(select(Agreement).where(Agreement.code == "CUS-2026-002"))).one()
        late.status = AgreementStatus.DONE
    async with sessionmaker() as db:
        secretary = await db.get(Person, data.people["secretary"])
        october = await request_report(db, secretary, "2026-10", now=NOW + timedelta(days=400))
        running = await request_report(db, secretary, "2026-11", now=NOW)
    assert october.rows[0].overdue == 1  # as stored when October closed
    assert running.rows[0].overdue == 0  # today's register
