"""Business days on Lima's calendar: holidays, notice periods, deadlines."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.workflows import peru_holidays
from bot.workflows.business_days import BusinessCalendar, NoticeCheck, is_national_holiday, lima_date

CAL = BusinessCalendar()


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 4, 2),  # Jueves Santo
        date(2026, 4, 3),  # Viernes Santo
        date(2027, 3, 25),
        date(2027, 3, 26),
        date(2024, 6, 7),  # Día de la Bandera, Ley 31788
        date(2026, 6, 7),
        date(2023, 7, 23),  # Día de la FAP, Ley 31822
        date(2026, 7, 23),
        date(2026, 7, 28),
        date(2026, 7, 29),
        date(2026, 8, 6),
        date(2026, 8, 30),
        date(2026, 10, 8),
        date(2026, 12, 8),
        date(2026, 12, 9),
        date(2026, 12, 25),
        date(2027, 1, 1),
    ],
)
def test_national_holidays_are_not_business_days(holiday: date) -> None:
    assert CAL.is_holiday(holiday)
    assert not CAL.is_business_day(holiday)


def test_the_written_table_is_what_the_holidays_package_lists() -> None:
    import holidays

    years = range(peru_holidays.FIRST_YEAR, peru_holidays.LAST_YEAR + 1)
    listed = set(holidays.country_holidays("PE", years=years))
    tabled = {d for d in _every_day(years) if is_national_holiday(d)}
    assert tabled == listed, "run scripts/national_holidays.py: the package lists other holidays now"


def test_years_outside_the_table_ask_the_package() -> None:
    assert peru_holidays.LAST_YEAR < 2071
    assert is_national_holiday(date(2071, 7, 28))  # Fiestas Patrias
    assert not is_national_holiday(date(2071, 7, 27))
    assert is_national_holiday(date(2005, 12, 8))


def test_checking_a_tabled_date_imports_no_country_modules() -> None:
    """Asking `holidays` for Peru imports all ~250 countries (8.7 MB in the bot process)."""
    code = (
        "import sys; from datetime import date; "
        "from bot.workflows.business_days import BusinessCalendar; "
        "assert BusinessCalendar().is_holiday(date(2026, 7, 28)); "
        "print(sum(m.startswith('holidays.countries') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


def _every_day(years: range) -> list[date]:
    first, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_flag_day_is_a_holiday_only_from_2024() -> None:
    assert date(2023, 6, 7).weekday() == 2  # a Wednesday, so only the law could make it one
    assert CAL.is_business_day(date(2023, 6, 7))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 4), True),  # Friday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 7), True),  # Monday
        (date(2026, 4, 5), False),  # Easter Sunday, listed by `holidays` and a Sunday anyway
        (date(2026, 4, 6), True),  # Easter Monday is a working day in Peru
    ],
)
def test_weekends_are_not_business_days(day: date, expected: bool) -> None:
    assert CAL.is_business_day(day) is expected


def test_extra_non_working_dates_count_like_holidays() -> None:
    # e.g. a regional holiday and a día no laborable decreed for the public sector
    regional = BusinessCalendar([date(2026, 12, 7), date(2026, 12, 10)])
    assert not regional.is_business_day(date(2026, 12, 7))
    assert regional.is_holiday(date(2026, 12, 10))
    assert CAL.is_business_day(date(2026, 12, 7))  # the national calendar is untouched
    assert regional.earliest_session_date(date(2026, 12, 2), 5) == date(2026, 12, 15)


def test_a_convocation_sent_on_2_december_2026_allows_the_11th() -> None:
    # Thu 3, Fri 4, Mon 7 (8 and 9 are holidays), Thu 10, Fri 11.
    assert CAL.earliest_session_date(date(2026, 12, 2), 5) == date(2026, 12, 11)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 2), 1, date(2026, 12, 3)),
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # from a Saturday
        (date(2026, 12, 7), 1, date(2026, 12, 10)),  # over 8-9 December
        (date(2026, 3, 30), 3, date(2026, 4, 6)),  # Holy Week: Tue 31, Wed 1, Mon 6
        (date(2026, 12, 5), 0, date(2026, 12, 5)),
        (date(2026, 12, 11), -5, date(2026, 12, 2)),
        (date(2026, 12, 7), -1, date(2026, 12, 4)),
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 12, 2), date(2026, 12, 11), 5),
        (date(2026, 12, 2), date(2026, 12, 10), 4),
        (date(2026, 12, 2), date(2026, 12, 2), 0),
        (date(2026, 12, 5), date(2026, 12, 6), 0),  # a weekend
        (date(2026, 12, 11), date(2026, 12, 2), -5),
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # over New Year to Monday 4 January
    ],
)
def test_business_days_between(a: date, b: date, expected: int) -> None:
    assert CAL.business_days_between(a, b) == expected


@pytest.mark.parametrize("start", [date(2026, 12, 2), date(2026, 12, 5), date(2026, 4, 1)])
@pytest.mark.parametrize("n", [-7, -1, 0, 1, 3, 5, 12])
def test_between_inverts_add(start: date, n: int) -> None:
    assert CAL.business_days_between(start, CAL.add_business_days(start, n)) == n


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 4), date(2026, 12, 4)),  # already a business day
        (date(2026, 12, 5), date(2026, 12, 7)),
        (date(2026, 12, 8), date(2026, 12, 10)),
        (date(2026, 4, 2), date(2026, 4, 6)),  # Holy Thursday → Monday after Easter
        (date(2027, 3, 25), date(2027, 3, 29)),
    ],
)
def test_next_business_day_moves_deadlines_off_non_working_days(day: date, expected: date) -> None:
    assert CAL.next_business_day(day) == expected


@pytest.mark.parametrize(
    ("session_day", "expected"),
    [
        (date(2026, 12, 10), NoticeCheck(False, date(2026, 12, 11), 4, True)),
        (date(2026, 12, 11), NoticeCheck(True, date(2026, 12, 11), 5, True)),
        (date(2026, 12, 12), NoticeCheck(True, date(2026, 12, 11), 5, False)),
        (date(2026, 12, 14), NoticeCheck(True, date(2026, 12, 11), 6, True)),
    ],
)
def test_check_notice(session_day: date, expected: NoticeCheck) -> None:
    assert CAL.check_notice(date(2026, 12, 2), session_day, 5) == expected


@pytest.mark.parametrize(
    ("session_day", "expected"),
    [
        (date(2026, 12, 11), date(2026, 12, 2)),
        (date(2026, 12, 14), date(2026, 12, 3)),
        (date(2026, 12, 18), date(2026, 12, 13)),  # sending on the weekend still counts from Monday
    ],
)
def test_latest_convocation_date(session_day: date, expected: date) -> None:
    latest = CAL.latest_convocation_date(session_day, 5)
    assert latest == expected
    assert CAL.check_notice(latest, session_day, 5).ok
    assert not CAL.check_notice(latest + timedelta(days=1), session_day, 5).ok


def test_negative_notice_is_refused() -> None:
    with pytest.raises(ValueError, match="notice_days"):
        CAL.earliest_session_date(date(2026, 12, 2), -1)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 12, 3, 4, 59, tzinfo=UTC), date(2026, 12, 2)),  # 23:59 in Lima
        (datetime(2026, 12, 3, 5, 0, tzinfo=UTC), date(2026, 12, 3)),
        (datetime(2026, 12, 3, 1, 0, tzinfo=timezone(timedelta(hours=2))), date(2026, 12, 2)),
    ],
)
def test_lima_date(instant: datetime, expected: date) -> None:
    assert lima_date(instant) == expected


def test_lima_date_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        lima_date(datetime(2026, 12, 3, 10, 0))  # noqa: DTZ001 - the point of the test


def test_datetimes_are_refused_where_a_lima_date_is_meant() -> None:
    with pytest.raises(TypeError, match="lima_date"):
        CAL.is_business_day(datetime(2026, 12, 3, 4, 0, tzinfo=UTC))
