"""Roll call (DS 089-2013-PCM arts. 30-31) and unjustified absences (art. 30.3).

Attendance is per seat: an institution is present or absent, whoever of its people taps. Only
voting seats count for quorum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, nmsg
from bot.workflows.access import Action, Actor
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from bot.workflows.sessions.convocation import once
from bot.workflows.sessions.forecast import VOTING_ROLES, forecast, president_and_secretaries, voting_seats
from bot.workflows.sessions.quorum import RollCall, numero_habil, roll_call
from bot.workflows.sessions.schedule import CONVENED_STATUSES, access_session
from bot.workflows.sessions.settings import commission_rules
from db.models import (
    MeetingAttendance,
    MeetingSession,
    Membership,
    Person,
    Role,
    Seat,
    SessionInvitee,
    SessionStatus,
)

FINAL_STATUSES = (SessionStatus.INSTALLED, SessionStatus.HELD, SessionStatus.FAILED_QUORUM)


# --- roll call -------------------------------------------------------------------------------------


async def attendance_by_seat(db: AsyncSession, session_id: int) -> dict[int, MeetingAttendance]:
    rows = await db.exec(select(MeetingAttendance).where(MeetingAttendance.session_id == session_id))
    return {a.seat_id: a for a in rows.all()}


async def _set_present(
    db: AsyncSession, actor: Actor, session: MeetingSession, seat_id: int, present: bool, now: datetime
) -> MeetingAttendance:
    if session.status not in CONVENED_STATUSES:
        raise UserError(msg("La lista de asistencia de esta sesión ya está cerrada."))
    assert session.id is not None
    row = (await attendance_by_seat(db, session.id)).get(seat_id) or MeetingAttendance(
        session_id=session.id, seat_id=seat_id, present=present, recorded_at=now
    )
    before = {"present": row.present} if row.id else None
    row.present, row.recorded_by_id, row.recorded_at = present, actor.person.id, now
    db.add(row)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.attendance",
        "meeting_attendance",
        row.id,
        now=now,
        before=before,
        after=snapshot(row, "seat_id", "present"),
    )
    return row


async def mark_attendance(
    db: AsyncSession, person: Person | None, session_id: int, seat_id: int, present: bool, *, now: datetime
) -> MeetingAttendance:
    """The secretary taps a seat present or absent."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    seat = await db.get(Seat, seat_id)
    if seat is None or seat.commission_id != session.commission_id:
        raise UserError(msg("Esa institución no tiene asiento en esta comisión."))
    return await _set_present(db, actor, session, seat_id, present, now)


async def say_present(
    db: AsyncSession, person: Person | None, session_id: int, *, now: datetime
) -> MeetingAttendance:
    """A member taps «presente»: their seat is marked present."""
    actor, session = await access_session(db, person, session_id, Action.ANSWER_CONVOCATION)
    seat_id = await own_seat(db, actor.person, session.commission_id)
    if seat_id is None:
        raise UserError(
            msg("Su participación no está ligada a una institución; la secretaría registra su asistencia.")
        )
    return await _set_present(db, actor, session, seat_id, True, now)


async def own_seat(
    db: AsyncSession, person: Person, commission_id: int, *, voting_only: bool = False
) -> int | None:
    roles = list(VOTING_ROLES) if voting_only else [r for r in Role if r is not Role.SECRETARY]
    rows = await db.exec(
        select(Membership.seat_id)
        .where(
            Membership.person_id == person.id,
            Membership.commission_id == commission_id,
            col(Membership.role).in_(roles),
            col(Membership.seat_id).is_not(None),
        )
        .order_by(col(Membership.id))
    )
    return rows.first()


@dataclass(frozen=True)
class RollCallOutcome:
    session: MeetingSession
    result: RollCall
    second_call_at: datetime | None  # set when a second roll call is now due
    missing: list[str] = field(default_factory=list)  # voting seats absent
    notices: list[Notice] = field(default_factory=list)


async def close_roll_call(
    db: AsyncSession, person: Person | None, session_id: int, *, now: datetime
) -> RollCallOutcome:
    """Count voting seats present: install, call a second time after the delay, or record the failure."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status not in CONVENED_STATUSES:
        raise UserError(msg("La lista de asistencia de esta sesión ya está cerrada."))
    assert session.id is not None
    rules = await commission_rules(db, session.commission_id)
    seats = await voting_seats(db, session.commission_id)
    attendance = await attendance_by_seat(db, session.id)
    fc = await forecast(db, session)
    justified = {s.seat_id for s in fc.justified}
    present = [s for s in seats if attendance.get(s.seat_id) and attendance[s.seat_id].present]
    justified_absent = [s for s in seats if s.seat_id in justified and s not in present]
    result = roll_call(
        len(present), numero_habil(len(seats), len(justified_absent)), above=rules.quorum_above
    )
    missing = [s.institution for s in seats if s not in present]
    if not result.installed and session.second_call_at is None:
        session.first_call_at = now
        session.second_call_at = now + rules.second_roll_call_after
        db.add(session)
        await db.flush()
        return RollCallOutcome(session, result, session.second_call_at, missing)
    if not result.installed and now < (session.second_call_at or now):
        raise UserError(
            msg(
                "La segunda llamada de lista corresponde a las {at}. Espere hasta entonces.",
                at=session.second_call_at,
            )
        )
    before = snapshot(session, "status")
    for seat in seats:
        row = attendance.get(seat.seat_id)
        if row is None:
            row = MeetingAttendance(
                session_id=session.id, seat_id=seat.seat_id, present=False, recorded_at=now
            )
        row.justified = (not row.present) and seat.seat_id in justified
        db.add(row)
    if result.installed:
        session.status, session.installed_at = SessionStatus.INSTALLED, now
    else:
        session.status, session.closed_at = SessionStatus.FAILED_QUORUM, now
    session.first_call_at = session.first_call_at or now
    db.add(session)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.installed" if result.installed else "sessions.failed_quorum",
        "meeting_session",
        session.id,
        now=now,
        before=before,
        after=snapshot(session, "status")
        | {"present": result.present, "quorum": result.quorum, "missing": missing},
    )
    notices = await absence_escalation(db, session, now=now)
    if not result.installed:
        text = nmsg(
            "La sesión de {commission} del {when} no se instaló por falta de quórum: asistió {present} "
            "asiento con voto (quórum: {quorum}). Ausentes: {missing}.",
            "La sesión de {commission} del {when} no se instaló por falta de quórum: asistieron {present} "
            "asientos con voto (quórum: {quorum}). Ausentes: {missing}.",
            result.present,
            commission=actor.commission.name,
            when=session.starts_at,
            present=result.present,
            quorum=result.quorum,
            missing=", ".join(missing),
        )
        invited = (
            await db.exec(select(SessionInvitee.person_id).where(SessionInvitee.session_id == session.id))
        ).all()
        notices += [Notice(pid, text, session.commission_id) for pid in invited]
    return RollCallOutcome(session, result, None, missing, notices)


async def absence_escalation(db: AsyncSession, session: MeetingSession, *, now: datetime) -> list[Notice]:
    """Art. 30.3 (Pasco's rule): N unjustified absences in a row → the president and secretary hear."""
    rules = await commission_rules(db, session.commission_id)
    finished = (
        await db.exec(
            select(MeetingSession.id)
            .where(
                MeetingSession.commission_id == session.commission_id,
                col(MeetingSession.status).in_(FINAL_STATUSES),
                MeetingSession.starts_at <= session.starts_at,
            )
            .order_by(col(MeetingSession.starts_at).desc())
        )
    ).all()
    rows = (
        await db.exec(select(MeetingAttendance).where(col(MeetingAttendance.session_id).in_(list(finished))))
    ).all()
    by_session: dict[int, dict[int, MeetingAttendance]] = {}
    for row in rows:
        by_session.setdefault(row.session_id, {})[row.seat_id] = row
    current = by_session.get(session.id or 0, {})
    names = await seat_names(db, list(current))
    notices: list[Notice] = []
    recipients = await president_and_secretaries(db, session.commission_id)
    for seat_id, row in current.items():
        if row.present or row.justified:
            continue
        streak = 0
        for sid in finished:
            other = by_session.get(sid or 0, {}).get(seat_id)
            if other is None or other.present or other.justified:
                break
            streak += 1
        if streak < rules.absences_before_escalation:
            continue
        if not await once(db, session.commission_id, f"s{session.id}:seat{seat_id}:absences", now):
            continue
        text = nmsg(
            "🔔 {institution} faltó sin justificación a {n} sesión seguida. Corresponde que la presidencia "
            "notifique a la entidad y pida su descargo (art. 30.3).",
            "🔔 {institution} faltó sin justificación a {n} sesiones seguidas. Corresponde que la "
            "presidencia notifique a la entidad y pida su descargo (art. 30.3).",
            streak,
            institution=names.get(seat_id, "?"),
        )
        notices += [Notice(pid, text, session.commission_id) for pid in recipients]
    return notices


async def unjustified_absences(db: AsyncSession, commission_id: int) -> dict[int, int]:
    """Unjustified absences per seat over the commission's finished sessions."""
    rows = await db.exec(
        select(MeetingAttendance.seat_id)
        .join(MeetingSession, col(MeetingSession.id) == MeetingAttendance.session_id)
        .where(
            MeetingSession.commission_id == commission_id,
            col(MeetingAttendance.present).is_(False),
            col(MeetingAttendance.justified).is_(False),
        )
    )
    counts: dict[int, int] = {}
    for seat_id in rows.all():
        counts[seat_id] = counts.get(seat_id, 0) + 1
    return counts
