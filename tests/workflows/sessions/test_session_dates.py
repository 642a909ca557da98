"""What a secretary types for a session's date and time, read as Lima time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.workflows.sessions.dates import SessionDateError, parse_session_datetime

NOVEMBER = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 23 Nov 2026, 10:00 in Lima
DEC_15_10AM = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)  # 10:00 in Lima is 15:00 UTC


@pytest.mark.parametrize(
    "text",
    [
        "15/12 10:00",
        "15/12/2026 10:00",
        "15/12/26 10:00",
        "2026-12-15 10:00",
        "2026-12-15T10:00",
        "15-12-2026 10:00",
        "15.12 10",
        "15/12 10am",
        "15/12 10:00am",
        "15/12 10:00 AM",
        "15/12 10 a.m.",
        "15/12 10:00 a. m.",
        "15/12 10h",
        "15/12 10h00",
        "15/12 10:00 hrs",
        "15/12, 10:00",
        "15/12 a las 10",
        "  15/12   10:00  ",
        "15/12\t10:00",
    ],
)
def test_the_same_moment_written_many_ways(text: str) -> None:
    assert parse_session_datetime(text, now=NOVEMBER) == DEC_15_10AM


@pytest.mark.parametrize(
    ("text", "lima_hour", "lima_minute"),
    [
        ("15/12 3pm", 15, 0),
        ("15/12 3 p.m.", 15, 0),
        ("15/12 3:45 PM", 15, 45),
        ("15/12 15:30", 15, 30),
        ("15/12 10h30", 10, 30),
        ("15/12 10.30", 10, 30),
        ("15/12 9:05", 9, 5),
        ("15/12 12pm", 12, 0),  # noon
        ("15/12 12am", 0, 0),  # midnight
        ("15/12 0:00", 0, 0),
        ("15/12 23:59", 23, 59),
    ],
)
def test_times(text: str, lima_hour: int, lima_minute: int) -> None:
    lima = timezone(timedelta(hours=-5))
    expected = datetime(2026, 12, 15, lima_hour, lima_minute, tzinfo=lima)
    result = parse_session_datetime(text, now=NOVEMBER)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # In November "15/01" is next January.
        ("15/01 10:00", NOVEMBER, datetime(2027, 1, 15, 15, 0, tzinfo=UTC)),
        ("23/11 11:00", NOVEMBER, datetime(2026, 11, 23, 16, 0, tzinfo=UTC)),  # later today
        ("22/11 10:00", NOVEMBER, datetime(2027, 11, 22, 15, 0, tzinfo=UTC)),  # yesterday → next year
        # Late at night in Lima it is already tomorrow in UTC; "today" is Lima's.
        (
            "31/12 23:30",
            datetime(2027, 1, 1, 4, 0, tzinfo=UTC),  # 23:00 on 31 Dec 2026 in Lima
            datetime(2027, 1, 1, 4, 30, tzinfo=UTC),
        ),
        # A yearless 29/02 is the next leap day.
        ("29/02 10:00", NOVEMBER, datetime(2028, 2, 29, 15, 0, tzinfo=UTC)),
    ],
)
def test_a_date_without_year_is_the_next_such_date(text: str, now: datetime, expected: datetime) -> None:
    assert parse_session_datetime(text, now=now) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "unparseable"),
        ("mañana a las 10", "unparseable"),
        ("15 de diciembre 10:00", "unparseable"),
        ("15/12 10:00 sala 2", "unparseable"),
        ("15/12 10:0", "unparseable"),
        ("15/12", "no_time"),
        ("15/12/2026", "no_time"),
        ("2026-12-15", "no_time"),
        ("31/11 10:00", "bad_date"),
        ("15/13 10:00", "bad_date"),
        ("00/12 10:00", "bad_date"),
        ("29/02/2027 10:00", "bad_date"),
        ("12-15-2026 10:00", "bad_date"),  # month first is not how Peru writes it
        ("15/12 25:00", "bad_time"),
        ("15/12 24:00", "bad_time"),
        ("15/12 10:60", "bad_time"),
        ("15/12 13pm", "bad_time"),
        ("15/12 15:30pm", "bad_time"),
        ("15/12 0am", "bad_time"),
        ("15/12/2025 10:00", "past"),
        ("23/11 9:59", "past"),  # earlier today
        ("23/11/2026 09:00", "past"),
    ],
)
def test_errors_carry_a_reason_for_the_localised_message(text: str, reason: str) -> None:
    with pytest.raises(SessionDateError) as refused:
        parse_session_datetime(text, now=NOVEMBER)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)


def test_exactly_now_is_not_past() -> None:
    assert parse_session_datetime("23/11 10:00", now=NOVEMBER) == NOVEMBER


def test_a_naive_now_is_a_programming_error() -> None:
    naive = datetime(2026, 11, 23, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware") as refused:
        parse_session_datetime("15/12 10:00", now=naive)
    assert not isinstance(refused.value, SessionDateError)
