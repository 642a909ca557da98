"""Calendar periods in Lima: a year, a quarter, a month or an ISO week.

A period is inclusive of its first and last Lima day; `bounds()` turns it into the half-open UTC
interval `[start 00:00 Lima, day after end 00:00 Lima)` that timestamps are compared with. Reports
count by these periods and sessions check the quarter (art. 28.1), so they live in the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.workflows.business_days import LIMA


def lima_midnight(day: date) -> datetime:
    """The instant a Lima calendar day starts, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LIMA).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str  # 2026, 2026-T4, 2026-11, 2026-W47

    def bounds(self) -> tuple[datetime, datetime]:
        return lima_midnight(self.start), lima_midnight(self.end + timedelta(days=1))

    @property
    def quarter(self) -> int:
        """The quarter (1-4) the period starts in."""
        return (self.start.month - 1) // 3 + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if "-W" in self.key:
            return week_period(self.start - timedelta(days=7))
        if "-T" in self.key:
            q = self.quarter
            return quarter_period(self.start.year - (q == 1), 4 if q == 1 else q - 1)
        if "-" in self.key:
            before = self.start - timedelta(days=1)
            return month_period(before.year, before.month)
        return year_period(self.start.year - 1)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, f"{year}-T{quarter}")


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, f"{year}-{month:02d}")


def week_period(day: date) -> Period:
    """The ISO week (Monday to Sunday) containing `day`."""
    start = day - timedelta(days=day.weekday())
    iso = start.isocalendar()
    return Period(start, start + timedelta(days=6), f"{iso.year}-W{iso.week:02d}")


def quarter_of(day: date) -> Period:
    """The calendar quarter containing `day`."""
    return quarter_period(day.year, (day.month - 1) // 3 + 1)
