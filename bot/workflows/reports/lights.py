"""One region's figures for a period (`RegionIndicators`) and their traffic light.

`Thresholds` says in one place when a region is red, amber or green; `judge` applies them and
`rank` puts the regions needing attention first. The figures are filled in by indicators.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


SEVERITY = {Light.GREEN: 0, Light.AMBER: 1, Light.RED: 2}


@dataclass(frozen=True)
class Thresholds:
    """The traffic light, in one place. A region is red when any red rule holds, else amber when
    any amber rule holds, else green.

    - attendance: overall attendance rate of the period's roll calls below `attendance_red` is red,
      below `attendance_amber` amber (no roll call in the period: no judgement);
    - overdue: share of live agreements (not cancelled) that are overdue above `overdue_red` is red,
      above `overdue_amber` amber;
    - sessions: fewer ordinary sessions this year than the quarters already over require is red
      (art. 28.1); the current quarter still without its session is amber;
    - failed sessions for lack of quorum in the period: `failed_quorum_red` or more is red, one amber;
    - seats without a liaison officer: `missing_liaisons_amber` or more is amber;
    - no annual calendar of ordinary sessions for the year (art. 45.3.a) is amber;
    - agreements flagged to the CAN by the escalation ladder: `flagged_amber` or more is amber.
    """

    attendance_amber: float = 0.75
    attendance_red: float = 0.50
    overdue_amber: float = 0.10
    overdue_red: float = 0.30
    failed_quorum_red: int = 2
    missing_liaisons_amber: int = 1
    flagged_amber: int = 1


THRESHOLDS = Thresholds()


@dataclass
class SeatAttendance:
    commission_id: int
    seat_id: int
    institution: str
    present: int = 0
    total: int = 0
    unjustified: int = 0

    @property
    def rate(self) -> float | None:
        return self.present / self.total if self.total else None


@dataclass
class RegionIndicators:
    commission_id: int
    code: str
    name: str
    region: str = ""  # the region's name ("Puno"), shown with the code
    # sessions
    ordinary_held: int = 0
    failed_quorum: int = 0
    quarter_held: int = 0
    quarter_minimum: int = 1
    year_held: int = 0
    year_minimum: int = 4
    quarters_over: int = 0  # quarters of the year finished by the reference day
    planned_sessions: int = 0  # annual calendar for the year of the period
    # attendance
    attendance_present: int = 0
    attendance_total: int = 0
    unjustified_absences: int = 0
    seats_attendance: list[SeatAttendance] = field(default_factory=list)
    # agreements
    adopted: int = 0
    in_progress: int = 0  # open and within their deadline
    done: int = 0
    overdue: int = 0
    cancelled: int = 0
    flagged: int = 0
    closed_in_period: int = 0
    closed_on_time: int = 0
    median_days_overdue: float | None = None
    # members
    seats: int = 0
    seats_without_liaison: int = 0
    # progress rounds opened in the period, and technical assistance
    round_targets: int = 0
    round_answered: int = 0
    median_response_hours: float | None = None
    open_assistance: int = 0
    # judgement
    light: Light = Light.GREEN
    attention: list[str] = field(default_factory=list)

    @property
    def calendar_set(self) -> bool:
        return self.planned_sessions > 0

    @property
    def attendance_rate(self) -> float | None:
        return self.attendance_present / self.attendance_total if self.attendance_total else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed_in_period if self.closed_in_period else None

    @property
    def response_rate(self) -> float | None:
        return self.round_answered / self.round_targets if self.round_targets else None

    @property
    def live_agreements(self) -> int:
        return self.in_progress + self.done + self.overdue

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.live_agreements if self.live_agreements else None


def judge(row: RegionIndicators, t: Thresholds = THRESHOLDS) -> tuple[Light, list[str]]:
    """The traffic light of one region and the reasons, worst first (see `Thresholds`)."""
    red: list[str] = []
    amber: list[str] = []
    if row.year_held < row.quarter_minimum * row.quarters_over:
        red.append("sessions_year")
    elif row.quarter_held < row.quarter_minimum:
        amber.append("sessions_quarter")
    if row.failed_quorum >= t.failed_quorum_red:
        red.append("failed_quorum")
    elif row.failed_quorum:
        amber.append("failed_quorum")
    rate = row.attendance_rate
    if rate is not None and rate < t.attendance_red:
        red.append("attendance")
    elif rate is not None and rate < t.attendance_amber:
        amber.append("attendance")
    share = row.overdue_share
    if share is not None and share > t.overdue_red:
        red.append("overdue")
    elif share is not None and share > t.overdue_amber:
        amber.append("overdue")
    if row.flagged >= t.flagged_amber:
        amber.append("flagged")
    if row.seats_without_liaison >= t.missing_liaisons_amber:
        amber.append("liaisons")
    if not row.calendar_set:
        amber.append("calendar")
    light = Light.RED if red else Light.AMBER if amber else Light.GREEN
    return light, red + amber


def rank(rows: Sequence[RegionIndicators]) -> list[RegionIndicators]:
    """Regions needing attention first: red, then amber, more reasons first, then most overdue."""
    return sorted(
        rows,
        key=lambda r: (-SEVERITY[r.light], -len(r.attention), -(r.overdue_share or 0.0), r.code),
    )
