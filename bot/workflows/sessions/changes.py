"""Changes to a convened session: postponement (answers stand only if confirmed) and cancellation.
Everyone convened is told in their own language; the calendar entry is updated (same UID)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import tidy
from bot.workflows.notices import Attachment, Notice, Rsvp
from bot.workflows.sessions.convocation import agenda_lines, calendar_file, where_text
from bot.workflows.sessions.schedule import (
    CONVENED_STATUSES,
    MAX_REASON,
    OPEN_STATUSES,
    access_session,
    check_session_date,
)
from db.models import (
    Answer,
    MeetingSession,
    Person,
    SessionInvitee,
    SessionStatus,
)


async def postpone_session(
    db: AsyncSession,
    person: Person | None,
    session_id: int,
    new_start: datetime,
    reason: str,
    *,
    now: datetime,
    override_reason: str | None = None,
) -> tuple[MeetingSession, list[Notice]]:
    """Move a session; everyone convened is told, and their answer stands only if they confirm it.
    The new date is checked like a new session's: a non-working day (when the rules allow it) or
    short notice (extraordinary) needs its own `override_reason`, recorded in place of the old one."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status not in OPEN_STATUSES:
        raise UserError(msg("Esta sesión ya no admite cambios."))
    reason = tidy(reason)
    if not 3 <= len(reason) <= MAX_REASON:
        raise UserError(msg("Escriba el motivo (entre 3 y 1000 caracteres)."))
    await check_session_date(
        db,
        session.commission_id,
        session.kind,
        new_start,
        now=now,
        override_reason=override_reason,
    )
    before = snapshot(session, "starts_at", "status", "notice_override_reason")
    old_start = session.starts_at
    session.starts_at, session.status_reason = new_start, reason
    session.notice_override_reason = tidy(override_reason or "")[:MAX_REASON] or None
    session.ics_sequence += 1
    if session.status in CONVENED_STATUSES:
        session.status = SessionStatus.POSTPONED
    db.add(session)
    invitees = (await db.exec(select(SessionInvitee).where(SessionInvitee.session_id == session.id))).all()
    commission = actor.commission
    agenda_text = await agenda_lines(db, session)
    ics = Attachment(
        f"sesion-{session.id}.ics", per_reader=calendar_file(session, commission, agenda_text, now)
    )
    text = msg(
        "📅 La sesión de {commission} del {old} se posterga al {new}.\nMotivo: {reason}\n"
        "Lugar o enlace: {where}",
        commission=commission.name,
        old=old_start,
        new=new_start,
        reason=reason,
        where=where_text(session),
    )
    notices: list[Notice] = []
    for invitee in invitees:
        answered = invitee.answer is not Answer.PENDING
        invitee.answer, invitee.answered_at = Answer.PENDING, None  # kept only if confirmed
        db.add(invitee)
        buttons = Rsvp(session.id or 0, keep_previous=answered)
        notices.append(Notice(invitee.person_id, text, session.commission_id, buttons, (ics,)))
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.postponed",
        "meeting_session",
        session.id,
        now=now,
        before=before,
        after=snapshot(session, "starts_at", "status", "status_reason", "notice_override_reason"),
    )
    return session, notices


async def cancel_session(
    db: AsyncSession, person: Person | None, session_id: int, reason: str, *, now: datetime
) -> tuple[MeetingSession, list[Notice]]:
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status not in OPEN_STATUSES:
        raise UserError(msg("Esta sesión ya no admite cambios."))
    reason = tidy(reason)
    if not 3 <= len(reason) <= MAX_REASON:
        raise UserError(msg("Escriba el motivo (entre 3 y 1000 caracteres)."))
    before = snapshot(session, "status")
    session.status, session.status_reason = SessionStatus.CANCELLED, reason
    db.add(session)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.cancelled",
        "meeting_session",
        session.id,
        now=now,
        before=before,
        after=snapshot(session, "status", "status_reason"),
    )
    invitees = (
        await db.exec(select(SessionInvitee.person_id).where(SessionInvitee.session_id == session.id))
    ).all()
    text = msg(
        "🚫 La sesión de {commission} del {when} fue cancelada.\nMotivo: {reason}",
        commission=actor.commission.name,
        when=session.starts_at,
        reason=reason,
    )
    return session, [Notice(pid, text, session.commission_id) for pid in invitees if pid != actor.person.id]
