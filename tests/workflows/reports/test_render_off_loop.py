"""Heavy documents are rendered in a worker thread: the event loop keeps handling other updates.

A ticking coroutine counts its turns; each render reads the count before and after it runs. Run on
the event loop, a render sees no turn at all (the control case); run off it, the loop keeps ticking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, msg
from bot.notify import enqueue_digests, render_digests
from bot.replies import Replies
from bot.workflows.reports import digests as reports_digests
from bot.workflows.reports import worker
from bot.workflows.reports.building import build_report
from bot.workflows.reports.digests import MONTHLY, DueDigest, NationalContent
from bot.workflows.reports.formats import chart_png
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.requests import plan_report
from db.models import OutboxMessage, Priority, Role
from tests.conftest import NOW
from tests.workflows.reports.test_reports import NOVEMBER, build, member, person


class Ticker:
    """Counts the event loop's turns while it runs."""

    def __init__(self) -> None:
        self.turns = 0
        self._running = True

    async def run(self) -> None:
        while self._running:
            self.turns += 1
            await asyncio.sleep(0)  # a yield to the loop, not a wait

    def stop(self) -> None:
        self._running = False


def counting(ticker: Ticker, render: Callable[[], bytes], seen: list[int]) -> Callable[[], bytes]:
    def render_and_count() -> bytes:
        before = ticker.turns
        content = render()
        seen.append(ticker.turns - before)
        return content

    return render_and_count


async def test_a_report_chart_renders_while_the_loop_keeps_ticking(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    await build(db)
    rows = await compute_indicators(db, NOVEMBER, NOW)
    await db.commit()
    tr = catalogs.translator("qu")
    chart = partial(chart_png, tr, rows, msg("📊 Informe nacional {period}", period=NOVEMBER.key))
    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    seen: list[int] = []
    try:
        counting(ticker, chart, seen)()  # the control: on the loop, the ticker never gets a turn
        async with sessionmaker() as update, update.begin():
            say = Replies(update, 5551, NOW)
            say.render_later(tr, "informe.png", counting(ticker, chart, seen), "informe")
        assert await say.send_later(sessionmaker)
    finally:
        ticker.stop()
        await ticking
    assert seen[0] == 0
    assert seen[1] > 10  # rendered after the commit, in a thread: the loop went on meanwhile
    async with sessionmaker() as check:
        [row] = (await check.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 5551))).all()
    assert row.payload["file_name"] == "informe.png" and (row.attachment or b"")[:4] == b"\x89PNG"
    assert row.priority == Priority.REPLY


async def test_digests_render_while_the_loop_keeps_ticking(
    db: AsyncSession, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    await build(db)
    analyst = await person(db, "Analista", "ay", telegram_id=777)
    content = NationalContent(await compute_indicators(db, NOVEMBER, NOW), NOVEMBER)
    assert analyst.id is not None
    due = [DueDigest(MONTHLY, NOVEMBER, 1, analyst, content)]
    ticker = Ticker()
    seen: list[int] = []

    def chart(*args: object) -> bytes:
        return counting(ticker, partial(chart_png, *args), seen)()  # type: ignore[arg-type]

    monkeypatch.setattr(reports_digests, "chart_png", chart)
    ticking = asyncio.create_task(ticker.run())
    try:
        rendered = await render_digests(catalogs, due)
    finally:
        ticker.stop()
        await ticking
    assert seen and seen[0] > 10
    assert await enqueue_digests(db, catalogs, due, now=NOW, rendered=rendered) == 1
    files = (
        await db.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == 777, col(OutboxMessage.attachment).is_not(None)
            )
        )
    ).all()
    assert sorted(f.payload["file_name"][-4:] for f in files) == [".png", "xlsx"]


async def test_an_on_demand_report_is_built_whole_in_the_report_process(
    db: AsyncSession,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Data step, texts, chart and workbook leave the bot process; the loop keeps ticking."""
    ids = await build(db)
    analyst = await person(db, "Luis", "qu")
    await member(db, analyst, ids["can"], Role.CAN_ANALYST)
    plan = await plan_report(db, analyst, "nacional 2026-11 csv", now=NOW)
    await db.commit()
    tr = catalogs.translator("qu")
    here = await build_report(plan, tr, NOW, sessionmaker)  # no database for the process: read here

    if engine.dialect.name != "sqlite":
        pytest.skip("the report process opens the database by its URL; these tests use a private schema")
    monkeypatch.setattr(worker, "_database", [engine.url.render_as_string(hide_password=False)])
    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    try:
        there = await build_report(plan, tr, NOW, sessionmaker)
    finally:
        ticker.stop()
        await ticking
    assert ticker.turns > 10  # the loop went on while the process read and rendered
    assert there.texts == here.texts and there.caption == here.caption
    assert "Informe nacional" not in there.texts[0] and "CUS" in there.texts[0]  # in Quechua
    assert [name for name, _ in there.files] == [
        "informe_nacional_2026-11.png",
        "informe_nacional_2026-11.xlsx",
        "informe_nacional_2026-11.csv",
    ]
    assert there.files[0][1][:4] == b"\x89PNG" and there.files[1][1][:2] == b"PK"
    assert there.files[2][1] == here.files[2][1]
