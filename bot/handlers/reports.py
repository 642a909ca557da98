"""Reports: `/informe [región] [periodo] [csv]` and `/informe_anual [región] [año]` on demand.

The texts are replies of the update; the chart, workbooks and DOCX are rendered after it commits,
in a worker thread (`say.render_later`), so no other update waits behind a render.

The digests are scheduled work (bot/workflows/reports/digests.py), not handlers."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.replies import Replies
from bot.workflows.reports.annual import annual_data, annual_docx, annual_title, annual_xlsx
from bot.workflows.reports.formats import (
    chart_png,
    csv_bytes,
    indicator_sheets,
    national_message,
    region_message,
    xlsx_bytes,
)
from bot.workflows.reports.requests import request_report
from db.models import Person


async def report_command(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    report = await request_report(db, person, command.args, now=now)
    if report.commission is None:
        texts = national_message(tr, report.rows, report.period)
    else:
        texts = region_message(tr, report.rows[0], report.period, title=report.title)
    for text in texts:
        await say(text)
    caption, rows, title = tr.render(report.title), report.rows, report.title
    # Seconds of matplotlib for a national chart: rendered after the commit, off the event loop.
    say.render_later(tr, f"{report.file_stem}.png", partial(chart_png, tr, rows, title), caption)
    sheets = indicator_sheets(tr, rows)
    say.render_later(tr, f"{report.file_stem}.xlsx", partial(xlsx_bytes, tr, sheets), caption)
    if report.csv:
        say.render_later(tr, f"{report.file_stem}.csv", partial(csv_bytes, tr, rows), caption)


async def annual_command(
    message: Message,
    command: CommandObject,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    now: datetime,
) -> None:
    data = await annual_data(db, person, command.args, now=now)
    caption = tr.render(annual_title(data))
    stem = f"informe_anual_{data.commission.code}_{data.year}"
    say.render_later(tr, f"{stem}.docx", partial(annual_docx, tr, data), caption)
    say.render_later(tr, f"{stem}.xlsx", partial(annual_xlsx, tr, data), caption)


def router() -> Router:
    r = Router(name="reports")
    r.message.register(report_command, Command("informe"))
    r.message.register(annual_command, Command("informe_anual"))
    return r
