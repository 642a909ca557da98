"""An on-demand report built whole off the event loop: its data, texts, chart, workbook and CSV.

`/informe` decides in the update what the person may see (`plan_report`); after the update commits
the report is built here. With a database the report process can open (`worker.use_database`),
everything runs there: the data step too, which on SQLite runs on the event loop of the bot (its
one connection is used inline, db/sqlite_inline.py), and the workbook, which in a thread of the bot
held the GIL. The bot process only queues what comes back. Without one, the data step reads through
the bot's own sessions and the files are rendered in a worker thread (the chart in the process).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.workflows.reports import worker
from bot.workflows.reports.formats import (
    chart_png,
    csv_bytes,
    draw_chart,
    indicator_sheets,
    national_message,
    plain_title,
    region_message,
    xlsx_bytes,
)
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.lights import RegionIndicators
from bot.workflows.reports.requests import ReportPlan
from db.engine import make_engine, make_sessionmaker


@dataclass(frozen=True)
class BuiltReport:
    texts: list[str]
    files: list[tuple[str, bytes]]
    caption: str


async def build_report(
    plan: ReportPlan, tr: Translator, now: datetime, sessionmaker: async_sessionmaker[AsyncSession]
) -> BuiltReport:
    """The report `plan` names, in the reader's language, as of `now`."""
    url = worker.database_url()
    if url is not None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(worker.report_process(), _build_in_process, url, plan, tr.code, now)
    async with sessionmaker() as db:
        rows = await compute_indicators(db, plan.period, now, plan.commission_ids)
    # chart_png waits for the report process
    return await asyncio.to_thread(_render, tr, plan, rows, lambda rows: chart_png(tr, rows, plan.title))


def _build_in_process(url: str, plan: ReportPlan, language: str, now: datetime) -> BuiltReport:
    """In the report process: read the data through a connection of its own, then render."""
    rows = asyncio.run(_read(url, plan, now))
    tr = _catalogs().translator(language)
    heading = plain_title(tr.render(plan.title))
    return _render(tr, plan, rows, lambda rows: draw_chart(tr, rows, heading))


async def _read(url: str, plan: ReportPlan, now: datetime) -> list[RegionIndicators]:
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with make_sessionmaker(engine)() as db:
            return await compute_indicators(db, plan.period, now, plan.commission_ids)
    finally:
        await engine.dispose()


def _render(
    tr: Translator,
    plan: ReportPlan,
    rows: list[RegionIndicators],
    chart: Callable[[Sequence[RegionIndicators]], bytes],
) -> BuiltReport:
    if plan.code is None:
        texts = national_message(tr, rows, plan.period)
    else:
        texts = region_message(tr, rows[0], plan.period, title=plan.title)
    files = [
        (f"{plan.file_stem}.png", chart(rows)),
        (f"{plan.file_stem}.xlsx", xlsx_bytes(tr, indicator_sheets(tr, rows))),
    ]
    if plan.csv:
        files.append((f"{plan.file_stem}.csv", csv_bytes(tr, rows)))
    return BuiltReport(texts, files, tr.render(plan.title))


@functools.cache
def _catalogs() -> Catalogs:
    return Catalogs()
