"""Business days on Lima's calendar: convocation notice and deadlines.

TUO Ley 27444 art. 145.1 counts "días hábiles consecutivos", leaving out Saturdays, Sundays, the
service's non-working days and national **or regional** holidays; 145.2 moves a deadline that
falls on a non-working day to the next working day. National holidays come from the `holidays`
package (DLeg 713 art. 6 as amended by Leyes 31788 and 31822); regional holidays and the
public-sector "días no laborables" decreed each year are added by the secretary.

The package's answer for 2010–2060 is written out in bot/workflows/peru_holidays.py, because
asking it for Peru imports every country it knows (~250 modules, 8.7 MB in each bot process, for
16 dates a year). tests/workflows/test_business_days.py holds the table to the installed package;
years outside it ask the package itself.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.workflows import peru_holidays

# UTC−05:00 all year; Peru has had no DST since 1994.
LIMA = ZoneInfo("America/Lima")
_DAY = timedelta(days=1)


def lima_date(dt: datetime) -> date:
    """The calendar date in Lima of an aware instant (a naive one has no meaning here)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("lima_date needs an aware datetime")
    return dt.astimezone(LIMA).date()


@dataclass(frozen=True)
class NoticeCheck:
    """Whether a convocation sent on one day gives enough notice for a session on another."""

    ok: bool
    earliest: date  # the first session date the notice allows
    given: int  # business days after sending, up to and including the session day
    session_on_business_day: bool  # ordinary sessions fall on business days (art. 45.3.a)


class BusinessCalendar:
    """Peru's national holidays plus a commission's extra non-working dates; weekends off.

    The `holidays` package also lists Easter Sunday, which is a Sunday anyway.
    """

    def __init__(self, extra_non_working: Iterable[date] = ()) -> None:
        extra = frozenset(extra_non_working)
        for d in extra:
            _check_date(d)
        self.extra_non_working = extra

    def is_holiday(self, d: date) -> bool:
        """A national holiday or one of the extra non-working dates (weekends aside)."""
        _check_date(d)
        return d in self.extra_non_working or is_national_holiday(d)

    def is_business_day(self, d: date) -> bool:
        _check_date(d)
        return d.weekday() < 5 and not self.is_holiday(d)

    def next_business_day(self, d: date) -> date:
        """`d` itself when it is a business day, else the next one (TUO Ley 27444 art. 145.2)."""
        _check_date(d)
        while not self.is_business_day(d):
            d += _DAY
        return d

    def add_business_days(self, start: date, n: int) -> date:
        """The n-th business day strictly after `start` (strictly before it when n < 0).

        `start` itself never counts, whether or not it is a business day; n = 0 returns it.
        """
        _check_date(start)
        step = _DAY if n > 0 else -_DAY
        d, left = start, abs(n)
        while left:
            d += step
            if self.is_business_day(d):
                left -= 1
        return d

    def business_days_between(self, a: date, b: date) -> int:
        """Business days in (a, b]; negative, counting [b, a), when b is before a.

        The inverse of `add_business_days`: `business_days_between(a, add_business_days(a, n)) == n`.
        """
        _check_date(a)
        _check_date(b)
        if b < a:
            return -self.business_days_between(b - _DAY, a - _DAY)
        count, d = 0, a
        while d < b:
            d += _DAY
            count += self.is_business_day(d)
        return count

    def earliest_session_date(self, sent_on: date, notice_days: int) -> date:
        """First session date a convocation sent on `sent_on` allows (art. 29.2: ≥ 5 días hábiles).

        The session day is the last of the `notice_days` counted, the day of sending is not: sent on
        Wednesday 2026-12-02, with 8 and 9 December holidays, the earliest is Friday 2026-12-11.
        """
        if notice_days < 0:
            raise ValueError("notice_days must not be negative")
        return self.add_business_days(sent_on, notice_days)

    def latest_convocation_date(self, session_day: date, notice_days: int) -> date:
        """Last day a convocation can go out for a session on `session_day` (the inverse)."""
        if notice_days < 0:
            raise ValueError("notice_days must not be negative")
        latest = self.add_business_days(session_day, -notice_days)
        # Sending later on a non-working day still counts from that day, so walk forward to it.
        while self.earliest_session_date(latest + _DAY, notice_days) <= session_day:
            latest += _DAY
        return latest

    def check_notice(self, sent_on: date, session_day: date, notice_days: int) -> NoticeCheck:
        earliest = self.earliest_session_date(sent_on, notice_days)
        return NoticeCheck(
            ok=session_day >= earliest,
            earliest=earliest,
            given=self.business_days_between(sent_on, session_day),
            session_on_business_day=self.is_business_day(session_day),
        )


def is_national_holiday(d: date) -> bool:
    if peru_holidays.FIRST_YEAR <= d.year <= peru_holidays.LAST_YEAR:
        return d in _tabled_holidays()
    return d in _package_holidays()


@functools.cache
def _tabled_holidays() -> frozenset[date]:
    return frozenset(
        date.fromisoformat(f"{year}-{day}")
        for year, days in peru_holidays.BY_YEAR.items()
        for day in days.split()
    )


@functools.cache
def _package_holidays() -> Container[date]:
    import holidays  # only for years outside the table: see the module's docstring

    # Years are filled in on first look-up, so one instance serves any year.
    return holidays.country_holidays("PE")


def _check_date(d: object) -> None:
    # A datetime is a date subclass: its .date() is the UTC (or whatever) day, not Lima's.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError("expected a Lima calendar date; use lima_date() for an instant")
