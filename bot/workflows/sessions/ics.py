"""The calendar invitation attached to a convocation (RFC 5545 / iTIP RFC 5546).

One stable UID per session and a rising SEQUENCE let calendar apps update the same entry when a
session is rescheduled, and remove it on METHOD:CANCEL, instead of piling up copies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

PRODID = "-//CRA Secretariat Bot//ES"
# RFC 5545 wants a CAL-ADDRESS URI for ORGANIZER and we hold no e-mail: `invalid:nomail` is the
# placeholder Outlook writes itself, and Google and Apple calendars import it.
NO_MAIL = "invalid:nomail"
REMINDER_BEFORE = timedelta(days=1)


def convocation_ics(
    *,
    uid: str,
    title: str,
    start: datetime,
    duration: timedelta,
    location: str | None,
    url: str | None,
    description: str,
    organizer_name: str | None = None,
    sequence: int = 0,
    cancelled: bool = False,
    stamp: datetime | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT, ready to send as `text/calendar`.

    LOCATION is the place, or the link when the session is virtual and has no place; URL is set
    whenever there is a link. Raise `sequence` for every reschedule of the same `uid`. `stamp`
    (DTSTAMP, when this version was made) defaults to the current time.
    """
    if not uid.strip():
        raise ValueError("uid must not be empty")
    _check_aware("start", start)
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    if stamp is None:
        stamp = datetime.now(UTC)
    _check_aware("stamp", stamp)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    # UTC rather than TZID=America/Lima: no VTIMEZONE block to ship, and Lima has no DST to lose.
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", (start + duration).astimezone(UTC))
    event.add("summary", title)
    place = location or url
    if place:
        event.add("location", place)
    if url:
        event.add("url", url)
    event.add("description", description)
    event.add("sequence", sequence)
    if organizer_name:
        organizer = vCalAddress(NO_MAIL)
        organizer.params["cn"] = vText(organizer_name)
        event.add("organizer", organizer)
    if cancelled:
        event.add("status", "CANCELLED")
    else:
        # No reminder on a cancellation: the entry is being removed.
        event.add("status", "CONFIRMED")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", -REMINDER_BEFORE)  # relative to DTSTART
        event.add_component(alarm)

    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _check_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
