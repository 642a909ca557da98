"""Per-commission rules (defaults from DS 089-2013-PCM) and the convocation's calendar file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from icalendar import Calendar

from bot.workflows.sessions.ics import PRODID, convocation_ics
from bot.workflows.sessions.rules import CommissionRules, InvalidRule, Majority

# --- rules -------------------------------------------------------------------------------------

LAW_DEFAULTS = {
    "min_sessions_per_quarter": 1,
    "min_sessions_per_year": 4,
    "notice_business_days": 5,
    "documents_before_minutes": 4320,
    "second_roll_call_after_minutes": 15,
    "quorum_above": "1/2",
    "agreement_majority": "simple",
    "president_casting_vote": True,
    "ordinary_on_non_business_days": False,
    "recusal_fraction": "2/3",
    "absences_before_escalation": 2,
    "reminder_offsets_minutes": [4320, 120],
    "quorum_alert_before_minutes": 2880,
}


def test_defaults_are_the_law() -> None:
    rules = CommissionRules()
    assert rules.notice_business_days == 5
    assert rules.documents_before == timedelta(hours=72)
    assert rules.second_roll_call_after == timedelta(minutes=15)
    assert rules.recusal_fraction == Fraction(2, 3)
    assert rules.agreement_majority is Majority.SIMPLE
    assert rules.reminder_offsets == (timedelta(days=3), timedelta(hours=2))
    assert rules.to_dict() == LAW_DEFAULTS


def test_round_trip_through_json() -> None:
    rules = CommissionRules(
        notice_business_days=7,
        documents_before=timedelta(hours=48),
        recusal_fraction=Fraction(3, 4),
        reminder_offsets=(timedelta(hours=2), timedelta(days=1), timedelta(days=7)),
        president_casting_vote=False,
    )
    stored = json.loads(json.dumps(rules.to_dict()))
    assert CommissionRules.from_dict(stored) == rules
    # Earliest reminder first, whatever order the secretary typed.
    assert stored["reminder_offsets_minutes"] == [10080, 1440, 120]


def test_missing_keys_take_the_default() -> None:
    assert CommissionRules.from_dict({"notice_business_days": 10}) == CommissionRules(notice_business_days=10)
    assert CommissionRules.from_dict({}) == CommissionRules()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"notice_business_days": 0}, "notice_business_days"),
        ({"notice_business_days": -5}, "notice_business_days"),
        ({"notice_business_days": "5"}, "notice_business_days"),
        ({"notice_business_days": 5.5}, "notice_business_days"),
        ({"min_sessions_per_year": True}, "min_sessions_per_year"),
        ({"min_sessions_per_quarter": 0}, "min_sessions_per_quarter"),
        ({"absences_before_escalation": -1}, "absences_before_escalation"),
        ({"documents_before_minutes": -60}, "documents_before"),
        ({"documents_before_minutes": 0}, "documents_before"),
        ({"second_roll_call_after_minutes": 7.5}, "second_roll_call_after"),
        ({"reminder_offsets_minutes": [120, -1]}, "reminder_offsets"),
        ({"reminder_offsets_minutes": 120}, "reminder_offsets"),
        ({"reminder_offsets_minutes": [120, 120]}, "reminder_offsets"),
        ({"recusal_fraction": "1/2"}, "recusal_fraction"),
        ({"recusal_fraction": "5/4"}, "recusal_fraction"),
        ({"recusal_fraction": "0"}, "recusal_fraction"),
        ({"recusal_fraction": "-2/3"}, "recusal_fraction"),
        ({"recusal_fraction": 0.66}, "recusal_fraction"),
        ({"recusal_fraction": "2/0"}, "recusal_fraction"),
        ({"recusal_fraction": "dos tercios"}, "recusal_fraction"),
        ({"quorum_above": "1/3"}, "quorum_above"),
        ({"quorum_above": "1"}, "quorum_above"),
        ({"agreement_majority": "unanimous"}, "agreement_majority"),
        ({"president_casting_vote": "yes"}, "president_casting_vote"),
        ({"notice_days": 5}, "notice_days"),  # a typo is not silently ignored
    ],
)
def test_nonsense_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRule) as refused:
        CommissionRules.from_dict(data)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}:")
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("fraction", [Fraction(1, 1), Fraction(3, 5), Fraction(2, 3)])
def test_recusal_fraction_may_be_anything_above_half_up_to_unanimity(fraction: Fraction) -> None:
    assert CommissionRules(recusal_fraction=fraction).recusal_fraction == fraction


def test_constructing_directly_is_validated_too() -> None:
    with pytest.raises(InvalidRule, match="documents_before"):
        CommissionRules(documents_before=timedelta(seconds=90))
    with pytest.raises(InvalidRule, match="notice_business_days"):
        CommissionRules(notice_business_days=0)


# --- calendar file ------------------------------------------------------------------------------

START = datetime(2026, 12, 15, 10, 0, tzinfo=timezone(timedelta(hours=-5)))  # Lima
STAMP = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def make(**overrides: Any) -> Calendar:
    arguments: dict[str, Any] = {
        "uid": "session-42@cra-bot",
        "title": "CRA Cusco: II sesión ordinaria 2026",
        "start": START,
        "duration": timedelta(hours=2),
        "location": "Sala de sesiones, Gobierno Regional del Cusco",
        "url": None,
        "description": "Agenda:\n1. Aprobación del acta; 2. Informe de avance",
        "stamp": STAMP,
    } | overrides
    return Calendar.from_ical(convocation_ics(**arguments))


def test_an_in_person_convocation() -> None:
    calendar = make(organizer_name="Secretaría Técnica")
    assert str(calendar["prodid"]) == PRODID == "-//CRA Secretariat Bot//ES"
    assert (str(calendar["version"]), str(calendar["method"])) == ("2.0", "REQUEST")
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == "session-42@cra-bot"
    assert event.decoded("dtstamp") == STAMP
    assert event.decoded("dtstart") == datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    assert str(event["summary"]) == "CRA Cusco: II sesión ordinaria 2026"
    assert str(event["location"]) == "Sala de sesiones, Gobierno Regional del Cusco"
    assert "url" not in event
    assert str(event["description"]) == "Agenda:\n1. Aprobación del acta; 2. Informe de avance"
    assert event.decoded("sequence") == 0
    assert str(event["status"]) == "CONFIRMED"
    assert event["organizer"].params["cn"] == "Secretaría Técnica"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-1)
    assert str(alarm["action"]) == "DISPLAY"


def test_the_times_are_written_in_utc() -> None:
    raw = convocation_ics(
        uid="u",
        title="t",
        start=START,
        duration=timedelta(minutes=90),
        location=None,
        url=None,
        description="",
        stamp=STAMP,
    )
    assert b"DTSTART:20261215T150000Z\r\n" in raw
    assert b"DTEND:20261215T163000Z\r\n" in raw
    assert b"ORGANIZER" not in raw and b"LOCATION" not in raw


def test_a_virtual_session_puts_the_link_in_location_and_url() -> None:
    link = "https://meet.example.org/cra-cusco"
    (event,) = make(location=None, url=link).walk("VEVENT")
    assert (str(event["location"]), str(event["url"])) == (link, link)


def test_a_hybrid_session_keeps_the_place_and_the_link() -> None:
    link = "https://meet.example.org/cra-cusco"
    (event,) = make(url=link).walk("VEVENT")
    assert (str(event["location"]), str(event["url"])) == (
        "Sala de sesiones, Gobierno Regional del Cusco",
        link,
    )


def test_a_reschedule_raises_the_sequence_of_the_same_uid() -> None:
    (event,) = make(start=START + timedelta(days=2), sequence=1).walk("VEVENT")
    assert (str(event["uid"]), event.decoded("sequence")) == ("session-42@cra-bot", 1)
    assert event.decoded("dtstart") == datetime(2026, 12, 17, 15, 0, tzinfo=UTC)


def test_a_cancellation() -> None:
    calendar = make(sequence=2, cancelled=True)
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert (str(event["status"]), event.decoded("sequence")) == ("CANCELLED", 2)
    assert event.walk("VALARM") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"uid": " "}, "uid"),
        ({"start": datetime(2026, 12, 15, 10, 0)}, "start"),  # noqa: DTZ001 - naive on purpose
        ({"duration": timedelta(0)}, "duration"),
        ({"sequence": -1}, "sequence"),
    ],
)
def test_bad_arguments_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**overrides)
