"""A session's date and time as a secretary types it on a phone, read as Lima time.

Day before month, as written in Peru ("15/12"); a date without a year is the next such date,
so in November "15/01" is next January. The result is an aware UTC datetime, like every
timestamp the bot stores.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal

from bot.workflows.business_days import LIMA, lima_date

Reason = Literal["unparseable", "no_time", "bad_date", "bad_time", "past"]

# Separators people use between day, month and year: 15/12, 15-12, 15.12.
_DMY = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?"
_ISO = r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"
# Between date and time: a space, a comma, ISO's "T", optionally "a las" ("15/12 a las 10").
_SEP = r"(?:\s*,\s*|\s+|t)(?:a\s+las?\s+)?"
# 10 · 10:00 · 10.30 · 10h30 · 10 h · 10:00 hrs · 3pm · 10:00am (a.m./p. m. are normalised first).
_TIME = (
    r"(?P<h>\d{1,2})(?:\s*:\s*(?P<min>\d{2})|h(?P<hmin>\d{2})|\.(?P<dmin>\d{2}))?"
    r"\s*(?:h|hs|hrs|horas)?\s*(?P<ampm>am|pm)?"
)
_DATE_PATTERNS = [re.compile(p) for p in (_ISO, _DMY)]
_FULL_PATTERNS = [re.compile(rf"{p}{_SEP}{_TIME}") for p in (_ISO, _DMY)]
_AM_PM = re.compile(r"(?<![a-z])([ap])\.?\s?m\.?(?![a-z])")
# How far ahead to look for a yearless 29/02.
_LEAP_SEARCH_YEARS = 8


class SessionDateError(ValueError):
    """Input the bot cannot turn into a session time; `reason` picks the localised message."""

    def __init__(self, reason: Reason, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason: Reason = reason
        self.text = text


def parse_session_datetime(text: str, *, now: datetime) -> datetime:
    """`15/12 10:00`, `15/12/2026 10:00`, `2026-12-15 10:00`, `15.12 10`, `15/12 3pm`, `15/12 10h30`…

    Returns an aware UTC datetime; raises `SessionDateError` ("past" when before `now`).
    """
    today = lima_date(now)  # also refuses a naive `now`
    cleaned = _AM_PM.sub(r"\1m", " ".join(text.strip().lower().split()))
    match = _first_fullmatch(_FULL_PATTERNS, cleaned)
    if match is None:
        only_date = _first_fullmatch(_DATE_PATTERNS, cleaned)
        raise SessionDateError("no_time" if only_date else "unparseable", text)

    day = _resolve_date(match, today, text)
    hour, minute = _resolve_time(match, text)
    result = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LIMA).astimezone(UTC)
    if result < now:
        raise SessionDateError("past", text)
    return result


def _first_fullmatch(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.fullmatch(text)
        if match:
            return match
    return None


def _resolve_date(match: re.Match[str], today: date, text: str) -> date:
    d, m, y = int(match["d"]), int(match["m"]), match["y"]
    if y is not None:
        year = int(y) + (2000 if len(y) == 2 else 0)
        try:
            return date(year, m, d)
        except ValueError:
            raise SessionDateError("bad_date", text) from None
    # No year: this year's date unless it has gone by, then the next year that has it (29/02).
    for year in range(today.year, today.year + _LEAP_SEARCH_YEARS + 1):
        try:
            candidate = date(year, m, d)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise SessionDateError("bad_date", text)


def _resolve_time(match: re.Match[str], text: str) -> tuple[int, int]:
    hour = int(match["h"])
    minutes = match["min"] or match["hmin"] or match["dmin"]
    minute = int(minutes) if minutes else 0
    ampm = match["ampm"]
    if ampm:
        # 12-hour clock: 12am is midnight, 12pm is noon; "15:30pm" is a typo we refuse.
        if not 1 <= hour <= 12:
            raise SessionDateError("bad_time", text)
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SessionDateError("bad_time", text)
    return hour, minute
