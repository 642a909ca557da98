"""Reports: `/informe [región] [periodo] [csv]` and `/informe_anual [región] [año]` on demand.

`/informe` checks in the update what the person may see; the report itself (data, texts, chart,
workbook) is built after the update commits, in the report process (`say.build_later`), and the
annual DOCX and workbook in a worker thread (`say.render_later`): no other update waits behind them.

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
from bot.workflows.reports.building import build_report
from bot.workflows.reports.requests import plan_report
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
    plan = await plan_report(db, person, command.args, now=now)
    # Its data, texts, chart and workbook: built after the commit, in the report process.
    say.build_later(tr, partial(build_report, plan, tr, now))


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
