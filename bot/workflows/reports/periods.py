"""The period a report asks for: `/informe … 2026-T4` read into a `Period` (bot/workflows/periods.py).

Besides the numeric forms, a reader may write a relative period ("semana pasada", "mes pasado",
"este trimestre", "año pasado") or a month name ("diciembre", "diciembre 2025"), in Spanish or in
their own language. Quechua month names are CLDR's (Babel's `qu` locale: "Setiembre"...). CLDR has no
Aymara; Aymara speakers in Peru write dates with the Spanish month names (and the bot formats `ay`
dates with `es_PE` rules, see L10N.md), so `ay` uses the Spanish names. The Quechua and Aymara
relative phrases (qayna/kay, nayra/aka + week, month, year) are drafts for the reviewers, like the
catalogs. "ayer"/"hoy" are not accepted: reports count by week, month, quarter and year, so a day is
answered with the accepted forms (a week says more).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from babel import Locale

from bot.i18n import msg
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import normalise
from bot.workflows.periods import (
    Period,
    month_period,
    quarter_of,
    quarter_period,
    week_period,
    year_period,
)

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[tTqQ]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-[wWsS](\d{1,2})$")


def _this_week(today: date) -> Period:
    return week_period(today)


def _last_week(today: date) -> Period:
    return week_period(today - timedelta(days=7))


def _this_month(today: date) -> Period:
    return month_period(today.year, today.month)


def _last_month(today: date) -> Period:
    return _this_month(today).previous()


def _last_quarter(today: date) -> Period:
    return quarter_of(today).previous()


def _this_year(today: date) -> Period:
    return year_period(today.year)


def _last_year(today: date) -> Period:
    return year_period(today.year - 1)


_RELATIVE_ORDER: tuple[Callable[[date], Period], ...] = (
    _this_week,
    _last_week,
    _this_month,
    _last_month,
    quarter_of,
    _last_quarter,
    _this_year,
    _last_year,
)
# Per language, in the order of `_RELATIVE_ORDER`: this/last week, month, quarter, year.
_RELATIVE_WORDS: dict[str, tuple[str, ...]] = {
    "es": (
        "esta semana",
        "semana pasada",
        "este mes",
        "mes pasado",
        "este trimestre",
        "trimestre pasado",
        "este año",
        "año pasado",
    ),
    "qu": (
        "kay simana",
        "qayna simana",
        "kay killa",
        "qayna killa",
        "kay kimsa killa",
        "qayna kimsa killa",
        "kay wata",
        "qayna wata",
    ),
    "ay": (
        "aka simana",
        "nayra simana",
        "aka phaxsi",
        "nayra phaxsi",
        "aka kimsa phaxsi",
        "nayra kimsa phaxsi",
        "aka mara",
        "nayra mara",
    ),
}


def _month_names(locale: str) -> dict[str, int]:
    months = Locale.parse(locale).months
    return {
        normalise(name): number
        for width in ("format", "stand-alone")
        for number, name in months[width]["wide"].items()
    }


_SPANISH_MONTHS = _month_names("es") | {"setiembre": 9}  # the Peruvian spelling too
_MONTHS: dict[str, dict[str, int]] = {
    "es": _SPANISH_MONTHS,
    "qu": _month_names("qu"),
    "ay": _SPANISH_MONTHS,  # CLDR has no Aymara: see the module docstring
}


def relative_periods(language: str) -> dict[str, Callable[[date], Period]]:
    """The relative phrases a reader may write: Spanish, and their own language's."""
    phrases: dict[str, Callable[[date], Period]] = {}
    for code in dict.fromkeys(("es", language)):
        for phrase, period in zip(_RELATIVE_WORDS.get(code, ()), _RELATIVE_ORDER, strict=True):
            phrases[normalise(phrase)] = period
    return phrases


def month_names(language: str) -> dict[str, int]:
    """Month names a reader may write: Spanish, and their own language's (normalised)."""
    return _SPANISH_MONTHS | _MONTHS.get(language, {})


def period_words(tokens: list[str], language: str) -> tuple[list[str], list[str]]:
    """Split `/informe`'s words into those naming a period and the rest (a region, "csv"...)."""
    relative, months = relative_periods(language), month_names(language)
    longest = max(len(p.split()) for p in relative)
    period: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            if normalise(" ".join(tokens[i : i + size])) in relative:
                period += tokens[i : i + size]
                i += size
                break
        else:
            token = tokens[i]
            (period if token[:1].isdigit() or normalise(token) in months else rest).append(token)
            i += 1
    return period, rest


def parse_period(text: str | None, today: date, language: str = "es") -> Period:
    """`2026`, `2026-T4` (or Q4), `2026-11`, `2026-W47`, a relative period ("mes pasado") or a
    month name with or without a year ("diciembre": the latest one begun); nothing: this month."""
    value = (text or "").strip()
    if not value:
        return month_period(today.year, today.month)
    words = normalise(value)
    if (relative := relative_periods(language).get(words)) is not None:
        return relative(today)
    try:
        if m := _YEAR.match(value):
            return year_period(int(m.group(1)))
        if m := _QUARTER.match(value):
            return quarter_period(int(m.group(1)), int(m.group(2)))
        if m := _MONTH.match(value):
            return month_period(int(m.group(1)), int(m.group(2)))
        if m := _WEEK.match(value):
            return week_period(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        if period := _named_month(words.split(), today, language):
            return period
    except ValueError:
        pass
    raise UserError(
        msg(
            "No entiendo el periodo «{value}». Escriba un año (2026), un trimestre (2026-T4), "
            "un mes (2026-11) o una semana (2026-W47).",
            value=value,
        )
    )


def _named_month(words: list[str], today: date, language: str) -> Period | None:
    """`diciembre 2025`, `2025 diciembre`, or `diciembre` alone: the latest December begun."""
    months = month_names(language)
    named = [months[w] for w in words if w in months]
    years = [int(w) for w in words if _YEAR.match(w)]
    if len(named) != 1 or len(years) > 1 or len(named) + len(years) != len(words):
        return None
    month = named[0]
    year = years[0] if years else today.year - (month > today.month)
    return month_period(year, month)


def accepted_forms(value: str) -> UserError:
    """The answer to a word `/informe` does not know: every form it accepts."""
    return UserError(
        msg(
            "No entiendo «{value}». Escriba una región (PUN o Puno), «nacional», «csv» o un periodo: "
            "un año (2026), un trimestre (2026-T4), un mes (2026-11 o noviembre), una semana "
            "(2026-W47), «esta semana», «semana pasada», «mes pasado», «este trimestre» o «año pasado».",
            value=value,
        )
    )
