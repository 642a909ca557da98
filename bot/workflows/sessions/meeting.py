"""The session under way: open votes (arts. 33-34), agreements, closing (roll call: sessions_rollcall).

Attendance and votes are per seat: an institution is present or absent, votes once, whoever of
its people taps. Only voting seats count for quorum and votes; voice-only seats are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.agreements.create import create_agreement
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.labels import item_title
from bot.workflows.notices import Ballot, Notice, reachable
from bot.workflows.once import claim_once
from bot.workflows.sessions.forecast import voting_seats
from bot.workflows.sessions.rollcall import attendance_by_seat, own_seat
from bot.workflows.sessions.schedule import access_item, access_session, agenda
from bot.workflows.sessions.settings import commission_rules
from bot.workflows.sessions.votes import Vote, VoteResult, count_votes
from db.models import (
    AgendaItem,
    MeetingSession,
    MeetingVote,
    Membership,
    Person,
    Role,
    Seat,
    SessionActa,
    SessionReminder,
    SessionStatus,
)

# --- votes -----------------------------------------------------------------------------------------


async def present_voting_seats(db: AsyncSession, session: MeetingSession) -> list[int]:
    assert session.id is not None
    seats = {s.seat_id for s in await voting_seats(db, session.commission_id)}
    attendance = await attendance_by_seat(db, session.id)
    return sorted(sid for sid, a in attendance.items() if a.present and sid in seats)


def _check_votable(session: MeetingSession, item: AgendaItem) -> None:
    if item.vote_closed_at is not None or session.status in (SessionStatus.HELD, SessionStatus.FAILED_QUORUM):
        raise UserError(msg("La votación de este punto ya se cerró; no se registran más votos."))
    if session.status is not SessionStatus.INSTALLED:
        raise UserError(msg("La sesión todavía no se instaló: primero se pasa lista."))
    if not item.needs_decision:
        raise UserError(msg("Este punto es informativo y no se vota."))


async def open_vote(db: AsyncSession, person: Person | None, item_id: int, *, now: datetime) -> list[Notice]:
    """Ask each present voting seat's reachable people for their vote, with the vote buttons.

    Only the first opening sends ballots: opening it again (to look at the tally) sends nothing.
    """
    actor, session, item = await access_item(db, person, item_id, Action.MANAGE_SESSIONS)
    _check_votable(session, item)
    opened = SessionReminder(commission_id=session.commission_id, key=f"vote-opened:{item_id}", sent_at=now)
    if not await claim_once(db, opened):
        return []
    present = set(await present_voting_seats(db, session))
    notices: list[Notice] = []
    seats = await voting_seats(db, session.commission_id)
    for seat in seats:
        if seat.seat_id not in present:
            continue
        for pid in seat.person_ids:
            who = await db.get(Person, pid)
            if who is None or who.id == actor.person.id or not reachable(who):
                continue
            text = msg(
                "🗳 Votación: «{item}». ¿Cuál es el voto de {institution}?",
                item=item_title(item),
                institution=seat.institution,
            )
            notices.append(Notice(pid, text, session.commission_id, Ballot(item_id)))
    return notices


async def cast_vote(
    db: AsyncSession,
    person: Person | None,
    item_id: int,
    vote: Vote,
    *,
    now: datetime,
    seat_id: int | None = None,
) -> MeetingVote:
    """A member votes for their seat, or the secretary records a seat's vote (`seat_id`)."""
    action = Action.MANAGE_SESSIONS if seat_id is not None else Action.CAST_VOTE
    actor, session, item = await access_item(db, person, item_id, action)
    if seat_id is None:
        seat_id = await own_seat(db, actor.person, session.commission_id, voting_only=True)
        if seat_id is None:
            raise AccessDenied(msg("Su función en esta comisión no permite esta acción."))
    seat = await db.get(Seat, seat_id)
    if seat is None or seat.commission_id != session.commission_id:
        raise UserError(msg("Esa institución no tiene asiento en esta comisión."))
    if not seat.voting:
        raise AccessDenied(
            msg("Su institución tiene voz pero no voto en esta comisión: su voto no se registra.")
        )
    _check_votable(session, item)
    if seat_id not in await present_voting_seats(db, session):
        raise UserError(msg("Solo votan las instituciones presentes en la sesión."))
    row = (
        await db.exec(
            select(MeetingVote).where(MeetingVote.item_id == item_id, MeetingVote.seat_id == seat_id)
        )
    ).first() or MeetingVote(item_id=item_id, seat_id=seat_id, vote=vote.value, recorded_at=now)
    before = {"vote": row.vote} if row.id else None
    row.vote, row.recorded_by_id, row.recorded_at = vote.value, actor.person.id, now
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.vote",
        "meeting_vote",
        row.id,
        now=now,
        before=before,
        after=snapshot(row, "item_id", "seat_id", "vote"),
    )
    return row


async def votes_of(db: AsyncSession, item_id: int) -> dict[int, Vote]:
    rows = await db.exec(select(MeetingVote).where(MeetingVote.item_id == item_id))
    return {v.seat_id: Vote(v.vote) for v in rows.all()}


async def president_seat(db: AsyncSession, commission_id: int) -> int | None:
    rows = await db.exec(
        select(Membership.seat_id).where(
            Membership.commission_id == commission_id,
            Membership.role == Role.PRESIDENT,
            col(Membership.seat_id).is_not(None),
        )
    )
    return rows.first()


async def tally(db: AsyncSession, session: MeetingSession, item: AgendaItem) -> VoteResult:
    """Count with the commission's rule; a tie is broken by the president's own vote (art. 33)."""
    assert item.id is not None
    rules = await commission_rules(db, session.commission_id)
    present = await present_voting_seats(db, session)
    votes = {s: v for s, v in (await votes_of(db, item.id)).items() if s in present}
    presiding = await president_seat(db, session.commission_id) if rules.president_casting_vote else None
    if presiding not in present:
        presiding = None
    casting = votes.get(presiding) if presiding is not None else None
    result = count_votes(
        votes,
        present_voting=max(1, len(present)),
        rule=rules.agreement_majority,
        president_seat=presiding,
        qualified_fraction=rules.recusal_fraction,
    )
    if result.tie_needs_casting_vote and casting in (Vote.FOR, Vote.AGAINST):
        result = count_votes(
            votes,
            present_voting=max(1, len(present)),
            rule=rules.agreement_majority,
            president_seat=presiding,
            casting_vote=casting,
            qualified_fraction=rules.recusal_fraction,
        )
    return result


@dataclass(frozen=True)
class VoteClosed:
    item: AgendaItem
    result: VoteResult
    agreement: Any = None
    notices: list[Notice] = field(default_factory=list)


async def close_vote(
    db: AsyncSession, person: Person | None, item_id: int, *, now: datetime, deadline: date | None = None
) -> VoteClosed:
    """Close the vote; an adopted item becomes an agreement (owner seat, deadline) in the register."""
    actor, session, item = await access_item(db, person, item_id, Action.MANAGE_SESSIONS)
    _check_votable(session, item)
    result = await tally(db, session, item)
    adopted = bool(result.adopted)
    makes_agreement = adopted and item.approves_acta_of_id is None
    if makes_agreement and deadline is None:
        raise UserError(msg("El acuerdo necesita un plazo. Escriba la fecha límite, por ejemplo 31/03/2027."))
    if makes_agreement and deadline is not None and deadline <= lima_date(session.starts_at):
        raise UserError(msg("El plazo debe ser posterior a la fecha de la sesión."))
    item.vote_closed_at, item.adopted = now, adopted
    item.casting_vote = "president" if result.casting_vote_used else None
    db.add(item)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.vote_closed",
        "agenda_item",
        item.id,
        now=now,
        after={
            "adopted": adopted,
            "for": result.votes_for,
            "against": result.votes_against,
            "abstentions": result.abstentions,
            "casting_vote_used": result.casting_vote_used,
        },
    )
    agreement, notices = None, []
    if adopted and item.approves_acta_of_id is not None:
        acta = (
            await db.exec(select(SessionActa).where(SessionActa.session_id == item.approves_acta_of_id))
        ).first()
        if acta is not None:
            acta.approved_in_id = session.id
            db.add(acta)
    if makes_agreement:
        assert deadline is not None
        created = await create_agreement(
            db,
            actor.person,
            session.commission_id,
            text=item.title,
            seat_ids=[item.owner_seat_id] if item.owner_seat_id else [],
            deadline=deadline,
            now=now,
            origin_session_id=session.id,
            origin_label=f"Sesión del {lima_date(session.starts_at).isoformat()}, punto {item.position}",
            origin_item_position=item.position,
        )
        agreement, notices = created.agreement, list(created.notices)
    await db.flush()
    return VoteClosed(item, result, agreement, notices)


async def close_session(
    db: AsyncSession, person: Person | None, session_id: int, *, now: datetime
) -> MeetingSession:
    """End an installed session: every voted item must be closed first."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status is not SessionStatus.INSTALLED:
        raise UserError(msg("Solo se cierra una sesión instalada."))
    assert session.id is not None
    open_items = [
        i.position for i in await agenda(db, session.id) if i.needs_decision and i.vote_closed_at is None
    ]
    if open_items:
        raise UserError(
            msg("Faltan cerrar las votaciones de los puntos {items}.", items=", ".join(map(str, open_items)))
        )
    before = snapshot(session, "status")
    session.status, session.closed_at = SessionStatus.HELD, now
    db.add(session)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.held",
        "meeting_session",
        session.id,
        now=now,
        before=before,
        after=snapshot(session, "status", "closed_at"),
    )
    return session
