"""Who is expected at a session: the voting seats, each seat's best answer, and the quorum forecast."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.sessions.quorum import QuorumForecast
from bot.workflows.sessions.settings import commission_rules
from db.models import Answer, Institution, MeetingSession, Membership, Role, Seat, SessionInvitee

# Roles whose seat's vote counts (and so whose seat counts for quorum).
VOTING_ROLES = (Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE)


@dataclass(frozen=True)
class SeatInfo:
    seat_id: int
    institution: str
    voting: bool
    person_ids: tuple[int, ...]  # people holding a voting role on this seat


async def voting_seats(db: AsyncSession, commission_id: int) -> list[SeatInfo]:
    """Voting seats with somebody who can vote for them (president, member or alternate)."""
    rows = await db.exec(
        select(Seat.id, Institution.name, Membership.person_id)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .join(Membership, col(Membership.seat_id) == Seat.id)
        .where(
            Seat.commission_id == commission_id,
            col(Seat.voting).is_(True),
            col(Membership.role).in_(VOTING_ROLES),
        )
        .order_by(col(Institution.name))
    )
    seats: dict[int, tuple[str, list[int]]] = {}
    for seat_id, name, person_id in rows.all():
        assert seat_id is not None
        seats.setdefault(seat_id, (name, []))[1].append(person_id)
    return [SeatInfo(sid, name, True, tuple(people)) for sid, (name, people) in seats.items()]


@dataclass(frozen=True)
class SeatForecast:
    seat_id: int
    institution: str
    answer: Answer  # the best answer among the seat's voting people


@dataclass(frozen=True)
class Forecast:
    quorum: QuorumForecast
    seats: list[SeatForecast] = field(default_factory=list)

    @property
    def justified(self) -> list[SeatForecast]:
        return [s for s in self.seats if s.answer is Answer.ABSENT]


async def forecast(db: AsyncSession, session: MeetingSession) -> Forecast:
    """Will quorum be reached? One answer per voting seat: coming (in person or by an alternate),
    justified absence, or not answered."""
    rules = await commission_rules(db, session.commission_id)
    seats = await voting_seats(db, session.commission_id)
    invitees = (await db.exec(select(SessionInvitee).where(SessionInvitee.session_id == session.id))).all()
    answers = {i.person_id: i.answer for i in invitees}
    out: list[SeatForecast] = []
    for seat in seats:
        given = [answers.get(pid, Answer.PENDING) for pid in seat.person_ids]
        if Answer.ATTENDING in given or Answer.ALTERNATE in given:
            best = Answer.ATTENDING
        elif given and all(a is Answer.ABSENT for a in given):
            best = Answer.ABSENT
        else:
            best = Answer.PENDING
        out.append(SeatForecast(seat.seat_id, seat.institution, best))
    confirmed = sum(s.answer is Answer.ATTENDING for s in out)
    justified = sum(s.answer is Answer.ABSENT for s in out)
    unanswered = sum(s.answer is Answer.PENDING for s in out)
    return Forecast(
        QuorumForecast(
            voting_seats=len(out),
            justified_absences=justified,
            confirmed=confirmed,
            unanswered=unanswered,
            quorum_above=rules.quorum_above,
        ),
        out,
    )


async def president_and_secretaries(db: AsyncSession, commission_id: int) -> list[int]:
    rows = await db.exec(
        select(Membership.person_id).where(
            Membership.commission_id == commission_id,
            col(Membership.role).in_([Role.SECRETARY, Role.PRESIDENT]),
        )
    )
    return sorted(set(rows.all()))
