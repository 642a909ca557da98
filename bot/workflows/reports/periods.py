"""The period a report asks for: `/informe … 2026-T4` read into a `Period` (bot/workflows/periods.py)."""

from __future__ import annotations

import re
from datetime import date

from bot.i18n import msg
from bot.workflows.errors import UserError
from bot.workflows.periods import Period, month_period, quarter_period, week_period, year_period

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[tTqQ]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-[wWsS](\d{1,2})$")


def parse_period(text: str | None, today: date) -> Period:
    """`2026`, `2026-T4` (or Q4), `2026-11`, `2026-W47`; nothing means the current month."""
    value = (text or "").strip()
    if not value:
        return month_period(today.year, today.month)
    try:
        if m := _YEAR.match(value):
            return year_period(int(m.group(1)))
        if m := _QUARTER.match(value):
            return quarter_period(int(m.group(1)), int(m.group(2)))
        if m := _MONTH.match(value):
            return month_period(int(m.group(1)), int(m.group(2)))
        if m := _WEEK.match(value):
            return week_period(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
    except ValueError:
        pass
    raise UserError(
        msg(
            "No entiendo el periodo «{value}». Escriba un año (2026), un trimestre (2026-T4), "
            "un mes (2026-11) o una semana (2026-W47).",
            value=value,
        )
    )
