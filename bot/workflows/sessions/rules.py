"""Every per-commission number the session cycle uses, with the law's default.

Defaults come from DS 089-2013-PCM, Título V (added by DS 169-2021-PCM). A commission's own
reglamento interno may differ, so these are settings the secretary edits, never constants buried
in the code; `from_dict` refuses nonsense before it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
_MINUTE = timedelta(minutes=1)


class Majority(StrEnum):
    """How many votes for a motion adopt it (see `bot.workflows.sessions.votes.count_votes`)."""

    SIMPLE = "simple"  # more for than against among members present (art. 33)
    TWO_THIRDS = "two_thirds"  # a qualified share of members present, 2/3 by law (art. 34.1)


class InvalidRule(ValueError):
    """A setting the law could not mean; `field` names it so the bot can point at it.

    `field` is the dataclass field (`documents_before`, not the stored `documents_before_minutes`),
    or the unknown key itself when `from_dict` meets one.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class CommissionRules:
    """The numbers of one commission's session cycle (defaults: DS 089-2013-PCM)."""

    # ≥ 1 ordinary session every 3 months (art. 28.1); annual plan schedules ≥ 4 (art. 45.3.a).
    min_sessions_per_quarter: int = 1
    min_sessions_per_year: int = 4
    # Convocation at least 5 días hábiles before the session (art. 29.2).
    notice_business_days: int = 5
    # Session documents delivered at least 72 hours before (art. 42.h).
    documents_before: timedelta = timedelta(hours=72)
    # No quorum at the convened hour: second roll call 15 minutes later (art. 31).
    second_roll_call_after: timedelta = timedelta(minutes=15)
    # Quorum is the smallest head-count strictly above this share of the número hábil:
    # 1/2 gives "half + 1", the next integer above half when it is odd (art. 30.1).
    quorum_above: Fraction = HALF
    # Agreements: simple majority of members present, the President breaks ties (art. 33).
    agreement_majority: Majority = Majority.SIMPLE
    president_casting_vote: bool = True
    # Ordinary sessions fall on business days (art. 45.3.a); a reglamento may allow otherwise,
    # and then each such session records why (MeetingSession.notice_override_reason, audited).
    ordinary_on_non_business_days: bool = False
    # Recusal for conflict of interest: at least 2/3 of members present (art. 34.1).
    recusal_fraction: Fraction = TWO_THIRDS
    # Unjustified absences in a row before the entity is notified (art. 30.3; Pasco's 2-absence rule).
    absences_before_escalation: int = 2
    # Product defaults, not law: when members are reminded and when a thin quorum is flagged.
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=3), timedelta(hours=2))
    quorum_alert_before: timedelta = timedelta(hours=48)

    def __post_init__(self) -> None:
        for name in (
            "min_sessions_per_quarter",
            "min_sessions_per_year",
            "notice_business_days",
            "absences_before_escalation",
        ):
            _check_count(name, getattr(self, name))
        for name in ("documents_before", "second_roll_call_after", "quorum_alert_before"):
            _check_duration(name, getattr(self, name))
        offsets = tuple(self.reminder_offsets)
        for offset in offsets:
            _check_duration("reminder_offsets", offset)
        if len(set(offsets)) != len(offsets):
            raise InvalidRule("reminder_offsets", "each offset may appear only once")
        # Earliest reminder first, so schedulers can walk the tuple in order.
        object.__setattr__(self, "reminder_offsets", tuple(sorted(offsets, reverse=True)))
        # "More than q" needs q ≥ 1/2 (two rival quorums could otherwise meet) and q < 1.
        _check_fraction("quorum_above", self.quorum_above, low=HALF, low_open=False, high=1, high_open=True)
        # "At least r" with r ≤ 1/2 would let a minority recuse; r = 1 is unanimity, still lawful.
        _check_fraction("recusal_fraction", self.recusal_fraction, low=HALF, low_open=True, high=1)
        if not isinstance(self.agreement_majority, Majority):
            raise InvalidRule("agreement_majority", "must be one of " + ", ".join(Majority))
        for name in ("president_casting_vote", "ordinary_on_non_business_days"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidRule(name, "must be true or false")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: durations as whole minutes (keys end in `_minutes`), fractions as "p/q"."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, timedelta):
                out[f"{f.name}_minutes"] = _minutes(value)
            elif isinstance(value, tuple):
                out[f"{f.name}_minutes"] = [_minutes(v) for v in value]
            elif isinstance(value, Fraction):
                out[f.name] = f"{value.numerator}/{value.denominator}"
            elif isinstance(value, Majority):
                out[f.name] = value.value
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CommissionRules:
        """The inverse of `to_dict`; missing keys take the law's default, unknown keys are refused."""
        kwargs: dict[str, Any] = {}
        known: set[str] = set()
        for f in fields(cls):
            default = f.default
            if isinstance(default, timedelta | tuple):
                key = f"{f.name}_minutes"
                known.add(key)
                if key in data:
                    kwargs[f.name] = _parse_durations(f.name, data[key], many=isinstance(default, tuple))
                continue
            known.add(f.name)
            if f.name not in data:
                continue
            raw = data[f.name]
            if isinstance(default, Fraction):
                kwargs[f.name] = _parse_fraction(f.name, raw)
            elif isinstance(default, Majority):
                try:
                    kwargs[f.name] = Majority(raw)
                except ValueError:
                    raise InvalidRule(f.name, "must be one of " + ", ".join(Majority)) from None
            else:
                kwargs[f.name] = raw
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidRule(unknown[0], "is not a commission setting")
        return cls(**kwargs)


def _check_count(name: str, value: object) -> None:
    # bool is an int subclass; `True` sessions per year is a bug, not a number.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRule(name, "must be a whole number")
    if value < 1:
        raise InvalidRule(name, "must be at least 1")


def _check_duration(name: str, value: object) -> None:
    if not isinstance(value, timedelta):
        raise InvalidRule(name, "must be a duration")
    if value <= timedelta(0):
        raise InvalidRule(name, "must be longer than zero")
    if value % _MINUTE:
        raise InvalidRule(name, "must be a whole number of minutes")


def _check_fraction(
    name: str,
    value: object,
    *,
    low: Fraction | int,
    low_open: bool,
    high: Fraction | int,
    high_open: bool = False,
) -> None:
    if not isinstance(value, Fraction):
        raise InvalidRule(name, "must be a fraction such as 2/3")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise InvalidRule(name, f"must be in {left}{low}, {high}{right}")


def _minutes(value: timedelta) -> int:
    return value // _MINUTE


def _parse_durations(name: str, raw: object, *, many: bool) -> timedelta | tuple[timedelta, ...]:
    items = raw if many else [raw]
    if not isinstance(items, list | tuple):
        raise InvalidRule(name, "must be a list of minutes")
    parsed = []
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool):
            raise InvalidRule(name, "must be whole minutes")
        parsed.append(timedelta(minutes=item))  # the range is checked in __post_init__
    return tuple(parsed) if many else parsed[0]


def _parse_fraction(key: str, raw: object) -> Fraction:
    # Floats are refused: 0.6667 is not 2/3, and the threshold rounding depends on exactness.
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidRule(key, 'must be a fraction written like "2/3"')
    try:
        return Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise InvalidRule(key, 'must be a fraction written like "2/3"') from None
