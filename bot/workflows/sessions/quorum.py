"""Quorum arithmetic for installing a session (DS 089-2013-PCM arts. 30-31).

Every count here is of **voting** seats only: the Defensoría (art. 27.2), the Technical
Secretariat (art. 27.3) and the voice-only "sugeridos" never count towards quorum, so callers
filter them out before passing numbers in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from bot.workflows.sessions.rules import HALF


def numero_habil(voting_seats: int, justified_absences: int) -> int:
    """Voting seats minus those who justified their absence in writing beforehand (art. 30.2)."""
    _check_non_negative(voting_seats=voting_seats, justified_absences=justified_absences)
    if justified_absences > voting_seats:
        raise ValueError("more justified absences than voting seats")
    return voting_seats - justified_absences


def quorum_for(habil: int, *, above: Fraction = HALF) -> int:
    """Smallest head-count strictly above `above` × número hábil: ⌊n/2⌋ + 1 by law (art. 30.1).

    For an odd número hábil "half + 1" is the next integer above half: 7 → 4, 8 → 5.
    """
    _check_non_negative(habil=habil)
    return math.floor(above * habil) + 1


def is_impossible(voting_seats: int, justified_absences: int) -> bool:
    """Art. 30.3: justifications prevent half of the members attending, so reprogram.

    Precisely: fewer than half of the voting seats remain able to attend, that is
    2 × número hábil < voting seats (10 seats: 6 justified is impossible, 5 is not; 7 seats: 4
    justified is impossible, 3 is not). A número hábil of 0 is impossible too. Without this rule
    the shrinking número hábil would let 3 of 10 members install a session.
    """
    habil = numero_habil(voting_seats, justified_absences)
    return habil == 0 or 2 * habil < voting_seats


@dataclass(frozen=True)
class QuorumForecast:
    """Before a session: will enough voting members come? Built from RSVP counts.

    `voting_seats` counts voting seats only; `confirmed` and `unanswered` are voting members who
    said they will come and who have not answered yet. The rest of the número hábil said no
    without justifying it (`declined`).
    """

    voting_seats: int
    justified_absences: int
    confirmed: int
    unanswered: int
    quorum_above: Fraction = HALF

    def __post_init__(self) -> None:
        _check_non_negative(confirmed=self.confirmed, unanswered=self.unanswered)
        if self.confirmed + self.unanswered > self.habil:
            raise ValueError("confirmed + unanswered exceed the número hábil")

    @property
    def habil(self) -> int:
        return numero_habil(self.voting_seats, self.justified_absences)

    @property
    def quorum(self) -> int:
        return quorum_for(self.habil, above=self.quorum_above)

    @property
    def declined(self) -> int:
        return self.habil - self.confirmed - self.unanswered

    @property
    def reachable(self) -> bool:
        """Quorum is still possible if everyone yet to answer comes."""
        return self.confirmed + self.unanswered >= self.quorum

    @property
    def at_risk(self) -> bool:
        """Not enough confirmations yet: worth chasing the unanswered."""
        return self.confirmed < self.quorum

    @property
    def missing(self) -> int:
        """Confirmations still needed to reach quorum."""
        return max(0, self.quorum - self.confirmed)

    @property
    def impossible(self) -> bool:
        """Reprogram (art. 30.3); see `is_impossible` for the exact rule."""
        return is_impossible(self.voting_seats, self.justified_absences)


@dataclass(frozen=True)
class RollCall:
    """The result of one roll call: the session is installed or it is not (art. 31)."""

    present: int
    habil: int
    quorum: int
    installed: bool
    missing: int  # voting members still needed; 0 when installed


def roll_call(present_voting: int, habil: int, *, above: Fraction = HALF) -> RollCall:
    """Count voting members present against the número hábil.

    Without quorum at the convened hour a second roll call follows after
    `CommissionRules.second_roll_call_after` (15 min); if it fails too the session does not start.
    """
    _check_non_negative(present_voting=present_voting)
    quorum = quorum_for(habil, above=above)
    return RollCall(
        present=present_voting,
        habil=habil,
        quorum=quorum,
        installed=present_voting >= quorum,
        missing=max(0, quorum - present_voting),
    )


def _check_non_negative(**counts: int) -> None:
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative")
