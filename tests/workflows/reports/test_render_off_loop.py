"""Heavy documents are rendered in a worker thread: the event loop keeps handling other updates.

A ticking coroutine counts its turns; each render reads the count before and after it runs. Run on
the event loop, a render sees no turn at all (the control case); run off it, the loop keeps ticking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_digests, render_digests
from bot.replies import Replies
from bot.workflows.reports import digests as reports_digests
from bot.workflows.reports.charts import chart_files
from bot.workflows.reports.digests import MONTHLY, DueDigest, NationalContent
from bot.workflows.reports.indicators import compute_indicators
from db.models import OutboxMessage, Priority
from tests.conftest import NOW
from tests.workflows.reports.test_reports import NOVEMBER, build, person

T = TypeVar("T")


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


def counting(ticker: Ticker, render: Callable[[], T], seen: list[int]) -> Callable[[], T]:
    def render_and_count() -> T:
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
    chart = partial(chart_files, tr, rows, "Informe nacional 2026-11", "informe", national=True)
    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    seen: list[int] = []
    try:
        counting(ticker, chart, seen)()  # the control: on the loop, the ticker never gets a turn
        async with sessionmaker() as update, update.begin():
            say = Replies(update, 5551, NOW)
            say.render_files_later(tr, counting(ticker, chart, seen))
        assert await say.send_later(sessionmaker)
    finally:
        ticker.stop()
        await ticking
    assert seen[0] == 0
    assert seen[1] > 10  # rendered after the commit, in a thread: the loop went on meanwhile
    async with sessionmaker() as check:
        rows = (await check.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 5551))).all()
    status, result, *files = sorted(rows, key=lambda r: r.id or 0)
    # A status message at once, edited to the result once the files are ready, then the files.
    assert status.method == "sendMessage" and "⏳" in status.payload["text"]
    assert (result.method, result.payload["of_row"]) == ("editMessageText", status.id)
    assert "✅" in result.payload["text"]
    assert files[0].payload["file_name"] == "informe_sesiones.png"
    assert all((row.attachment or b"")[:4] == b"\x89PNG" for row in files)
    assert all(row.method == "sendPhoto" and row.priority == Priority.REPLY for row in files)


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

    def chart(*args: object, **kwargs: object) -> list[tuple[str, bytes, str]]:
        return counting(ticker, partial(chart_files, *args, **kwargs), seen)()  # type: ignore[arg-type]

    monkeypatch.setattr(reports_digests, "chart_files", chart)
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
    assert sorted({f.payload["file_name"][-4:] for f in files}) == [".png", "xlsx"]
    assert len(files) == 7  # five indicators and agreements by status, one chart each; the workbook
