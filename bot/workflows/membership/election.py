"""The presidency's election, recorded from the session where it happened (art. 40.1): the
secretary names the session, the elected titular of a voting seat and the votes for. It needs half
+ 1 of the total voting seats (the members listed in the ordinance, not those present); then the
elected person's membership becomes the presidency, the previous president's goes back to member
of their seat, the one-year term starts on the session's date, and every member is told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, nmsg
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.audit import audited
from bot.workflows.business_days import lima_date
from bot.workflows.errors import NotFound, UserError
from bot.workflows.membership.changes import apply_role
from bot.workflows.membership.presidency import TOLD, record_term
from bot.workflows.notices import Notice
from db.models import (
    Institution,
    InstitutionCategory,
    MeetingSession,
    Membership,
    Person,
    Role,
    Seat,
    SessionStatus,
)

ELECTING_STATUSES = (SessionStatus.INSTALLED, SessionStatus.HELD)
ELIGIBLE_ROLES = (Role.MEMBER, Role.PRESIDENT)  # the titular of a seat
# Only public entities preside (art. 38): not the churches, the private sector, civil society or
# the MCLCP (a space of the State with civil society, not an entity of it).
NOT_PUBLIC = (
    InstitutionCategory.CATHOLIC_CHURCH,
    InstitutionCategory.EVANGELICAL_CHURCH,
    InstitutionCategory.PRIVATE_SECTOR,
    InstitutionCategory.CIVIL_SOCIETY,
    InstitutionCategory.MCLCP,
)
SESSIONS_OFFERED = 6


def votes_needed(seats: int) -> int:
    """Half + 1 of the total voting members (art. 40.1)."""
    return seats // 2 + 1


@dataclass(frozen=True)
class Candidate:
    membership_id: int
    name: str
    institution: str


@dataclass(frozen=True)
class ElectionChoices:
    sessions: list[MeetingSession]  # installed or held, newest first
    candidates: list[Candidate]
    seats: int  # voting seats of the commission

    @property
    def needed(self) -> int:
        return votes_needed(self.seats)


@dataclass(frozen=True)
class Elected:
    name: str
    starts_on: date
    ends_on: date
    changed: list[int]  # people whose role changed (their menus follow)
    notices: list[Notice] = field(default_factory=list)


async def _seats(db: AsyncSession, commission_id: int) -> int:
    rows = await db.exec(
        select(func.count())
        .select_from(Seat)
        .where(Seat.commission_id == commission_id, col(Seat.voting).is_(True))
    )
    return int(rows.one())


async def _candidates(db: AsyncSession, commission_id: int) -> list[Candidate]:
    rows = await db.exec(
        select(Membership.id, Person.name, Institution.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .join(Seat, col(Seat.id) == Membership.seat_id)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .where(
            Membership.commission_id == commission_id,
            col(Membership.role).in_(ELIGIBLE_ROLES),
            col(Seat.voting).is_(True),
            col(Institution.category).not_in(NOT_PUBLIC),
        )
        .order_by(col(Institution.name), col(Person.name))
    )
    return [Candidate(mid, name, inst) for mid, name, inst in rows.all() if mid is not None]


async def election_choices(
    db: AsyncSession, person: Person | None, commission_id: int | None
) -> ElectionChoices:
    """What the secretary picks from: the recent sessions that met, and the voting titulars."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    cid = actor.commission.id
    assert cid is not None
    sessions = await db.exec(
        select(MeetingSession)
        .where(MeetingSession.commission_id == cid, col(MeetingSession.status).in_(ELECTING_STATUSES))
        .order_by(col(MeetingSession.starts_at).desc())
        .limit(SESSIONS_OFFERED)
    )
    return ElectionChoices(list(sessions.all()), await _candidates(db, cid), await _seats(db, cid))


async def record_election(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    session_id: int,
    membership_id: int,
    votes_for: int,
    *,
    now: datetime,
) -> Elected:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    cid = actor.commission.id
    assert cid is not None
    session = await db.get(MeetingSession, session_id)
    if session is None or session.commission_id != cid or session.status not in ELECTING_STATUSES:
        raise NotFound(msg("Esa sesión no existe o no llegó a instalarse."))
    chosen = {c.membership_id: c for c in await _candidates(db, cid)}.get(membership_id)
    m = await db.get(Membership, membership_id)
    if chosen is None or m is None:
        raise NotFound(
            msg("Solo puede ser elegido el titular de una entidad pública con voto (art. 38 y 40.1).")
        )
    seats = await _seats(db, cid)
    _check_votes(votes_for, seats)
    changed = [m.person_id]
    notices: list[Notice] = []
    for previous in await _presidents(db, cid, m.id):
        notices += (
            await apply_role(db, actor.commission, previous, Role.MEMBER, by=actor.person, now=now)
        ).notices
        changed.append(previous.person_id)
    if m.role is not Role.PRESIDENT:
        await apply_role(db, actor.commission, m, Role.PRESIDENT, by=actor.person, now=now)
    start = lima_date(session.starts_at)
    end = await record_term(db, actor, cid, start, now=now)
    await _audit(db, actor, session_id, m, votes_for, seats, now)
    told = nmsg(
        "🗳 {name} ({institution}) asume la presidencia, elegida en la sesión del {date} con {n} voto "
        "a favor de {seats} miembros con voto (art. 40.1). Periodo: hasta el {end}.",
        "🗳 {name} ({institution}) asume la presidencia, elegida en la sesión del {date} con {n} votos "
        "a favor de {seats} miembros con voto (art. 40.1). Periodo: hasta el {end}.",
        votes_for,
        name=chosen.name, institution=chosen.institution, date=start, seats=seats, end=end,
    )  # fmt: skip
    people = await db.exec(
        select(Membership.person_id).where(Membership.commission_id == cid, col(Membership.role).in_(TOLD))
    )
    notices += [Notice(p, told, cid) for p in dict.fromkeys(people.all())]
    return Elected(chosen.name, start, end, changed, notices)


def _check_votes(votes_for: int, seats: int) -> None:
    if not 0 <= votes_for <= seats:
        raise UserError(
            nmsg(
                "Los votos a favor deben ser entre 0 y {n}: la comisión tiene {n} miembro con voto.",
                "Los votos a favor deben ser entre 0 y {n}: la comisión tiene {n} miembros con voto.",
                seats,
            )
        )
    needed = votes_needed(seats)
    if votes_for < needed:
        raise UserError(
            nmsg(
                "No se registra: la presidencia necesita al menos {n} voto a favor, la mitad más uno "
                "de los {seats} miembros con voto (art. 40.1); tuvo {votes}.",
                "No se registra: la presidencia necesita al menos {n} votos a favor, la mitad más uno "
                "de los {seats} miembros con voto (art. 40.1); tuvo {votes}.",
                needed,
                seats=seats,
                votes=votes_for,
            )
        )


async def _presidents(db: AsyncSession, commission_id: int, elected_id: int | None) -> list[Membership]:
    rows = await db.exec(
        select(Membership).where(
            Membership.commission_id == commission_id,
            Membership.role == Role.PRESIDENT,
            Membership.id != elected_id,
        )
    )
    return list(rows.all())


async def _audit(
    db: AsyncSession, actor: Actor, session_id: int, m: Membership, votes: int, seats: int, now: datetime
) -> None:
    after = {"session_id": session_id, "person_id": m.person_id, "votes_for": votes, "seats": seats}
    await audited(db, actor, m.commission_id, "presidency.elected", "membership", m.id, now=now, after=after)
