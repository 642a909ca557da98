"""Scheduled session work: RSVP reminders, documents due, quorum alerts, the quarter's warning.

`sessions_tick(db, now)` is the scheduler tick: it looks in the database for what is due and
returns it once as notices, which the scheduler queues in the same transaction (each thing due is
remembered by key in `session_reminder`, so a restart or a second tick never repeats it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, nmsg
from bot.workflows.business_days import LIMA, lima_date
from bot.workflows.labels import item_title
from bot.workflows.notices import Notice, Rsvp, reachable
from bot.workflows.periods import quarter_of
from bot.workflows.sessions.convocation import impossible_quorum_alert, once, where_text
from bot.workflows.sessions.forecast import forecast, president_and_secretaries
from bot.workflows.sessions.schedule import CONVENED_STATUSES, agenda, documents
from bot.workflows.sessions.settings import commission_rules
from db.models import (
    Answer,
    Commission,
    CommissionKind,
    MeetingSession,
    Membership,
    Person,
    Role,
    SessionInvitee,
    SessionKind,
    SessionStatus,
)

DOCUMENTS_WARNING = timedelta(hours=24)  # owners are reminded this long before documents are due
QUARTER_WARNING = timedelta(days=15)


@dataclass
class Reminded:
    rsvp: int = 0
    documents: int = 0
    alerts: int = 0
    quarter_warnings: int = 0
    notices: list[Notice] = field(default_factory=list)


async def sessions_tick(db: AsyncSession, now: datetime) -> Reminded:
    """The tick: what is due now, counted, with the notices that say it (RSVP reminders first)."""
    done = Reminded()
    notices: list[Notice] = []
    sessions = (
        await db.exec(
            select(MeetingSession).where(
                col(MeetingSession.status).in_(CONVENED_STATUSES), MeetingSession.starts_at > now
            )
        )
    ).all()
    for session in sessions:
        done.rsvp += await _rsvp_reminders(db, session, now, done.notices)
        done.documents += await _documents_due(db, session, now, notices)
        done.alerts += await _quorum_alerts(db, session, now, notices)
    done.quarter_warnings = await _quarter_warnings(db, now, notices)
    done.notices.extend(notices)
    return done


async def _rsvp_reminders(
    db: AsyncSession, session: MeetingSession, now: datetime, notices: list[Notice]
) -> int:
    rules = await commission_rules(db, session.commission_id)
    sent = 0
    convened_at = session.convened_at or session.created_at
    for offset in rules.reminder_offsets:
        due = session.starts_at - offset
        # A reminder whose moment came before the convocation went out would only repeat it.
        if now < due or due <= convened_at:
            continue
        minutes = int(offset.total_seconds() // 60)
        silent = (
            await db.exec(
                select(SessionInvitee, Person)
                .join(Person, col(Person.id) == SessionInvitee.person_id)
                .where(SessionInvitee.session_id == session.id, SessionInvitee.answer == Answer.PENDING)
            )
        ).all()
        for _invitee, person in silent:
            key = f"s{session.id}:q{session.ics_sequence}:p{person.id}:r{minutes}"
            if not await once(db, session.commission_id, key, now):
                continue
            commission = await db.get(Commission, session.commission_id)
            assert commission is not None and session.id is not None
            text = msg(
                "⏰ Recordatorio: sesión de {commission} el {when} ({where}). "
                "Todavía no nos dijo si asistirá.",
                commission=commission.name,
                when=session.starts_at,
                where=where_text(session),
            )
            if reachable(person):
                notices.append(Notice(person.id, text, session.commission_id, Rsvp(session.id)))
                sent += 1
    return sent


async def _documents_due(
    db: AsyncSession, session: MeetingSession, now: datetime, notices: list[Notice]
) -> int:
    """Art. 42.h: documents go out 72 h before; owners of items without any are reminded."""
    rules = await commission_rules(db, session.commission_id)
    due = session.starts_at - rules.documents_before
    if now < due - DOCUMENTS_WARNING:
        return 0
    assert session.id is not None
    docs = await documents(db, session.id)
    count = 0
    for item in await agenda(db, session.id):
        if item.owner_seat_id is None or docs.get(item.id or 0):
            continue
        if not await once(db, session.commission_id, f"s{session.id}:i{item.id}:docs", now):
            continue
        owners = (
            await db.exec(
                select(Membership.person_id).where(
                    Membership.seat_id == item.owner_seat_id,
                    Membership.commission_id == session.commission_id,
                )
            )
        ).all()
        text = msg(
            "📎 Los documentos del punto «{item}» de la sesión del {when} deben entregarse hasta el {due}. "
            "Envíelos a la secretaría técnica.",
            item=item_title(item),
            when=session.starts_at,
            due=due,
        )
        for pid in sorted(set(owners)):
            notices.append(Notice(pid, text, session.commission_id))
            count += 1
    return count


async def _quorum_alerts(
    db: AsyncSession, session: MeetingSession, now: datetime, notices: list[Notice]
) -> int:
    alerts = await impossible_quorum_alert(db, session, now=now)
    notices.extend(alerts)
    rules = await commission_rules(db, session.commission_id)
    if alerts or now < session.starts_at - rules.quorum_alert_before:
        return len(alerts)
    fc = await forecast(db, session)
    if not fc.seats or not fc.quorum.at_risk:
        return 0
    if not await once(db, session.commission_id, f"s{session.id}:q{session.ics_sequence}:risk", now):
        return 0
    text = nmsg(
        "⚠️ Quórum en riesgo para la sesión del {when}: confirmó {confirmed} asiento con voto (quórum: "
        "{quorum}; sin respuesta: {unanswered}). Revise /sesiones.",
        "⚠️ Quórum en riesgo para la sesión del {when}: confirmaron {confirmed} asientos con voto "
        "(quórum: {quorum}; sin respuesta: {unanswered}). Revise /sesiones.",
        fc.quorum.confirmed,
        when=session.starts_at,
        confirmed=fc.quorum.confirmed,
        quorum=fc.quorum.quorum,
        unanswered=fc.quorum.unanswered,
    )
    people = await president_and_secretaries(db, session.commission_id)
    notices.extend(Notice(pid, text, session.commission_id) for pid in people)
    return len(people)


async def _quarter_warnings(db: AsyncSession, now: datetime, notices: list[Notice]) -> int:
    """Art. 28.1: at least one ordinary session per quarter; warn when the quarter is ending."""
    today = lima_date(now)
    start, end, quarter = (period := quarter_of(today)).start, period.end, period.quarter
    if end - today > QUARTER_WARNING:
        return 0
    start_utc = datetime(start.year, start.month, start.day, tzinfo=LIMA)
    commissions = (
        await db.exec(
            select(Commission)
            .join(Membership, col(Membership.commission_id) == Commission.id)
            .where(Commission.kind == CommissionKind.REGIONAL, Membership.role == Role.SECRETARY)
            .distinct()
        )
    ).all()
    warned = 0
    for commission in commissions:
        assert commission.id is not None
        rules = await commission_rules(db, commission.id)
        held = (
            await db.exec(
                select(MeetingSession.id).where(
                    MeetingSession.commission_id == commission.id,
                    MeetingSession.kind == SessionKind.ORDINARY,
                    MeetingSession.status == SessionStatus.HELD,
                    MeetingSession.starts_at >= start_utc,
                )
            )
        ).all()
        if len(held) >= rules.min_sessions_per_quarter:
            continue
        if not await once(db, commission.id, f"c{commission.id}:{today.year}Q{quarter}", now):
            continue
        text = msg(
            "📆 El trimestre termina el {end} y {commission} aún no celebra la sesión ordinaria que exige "
            "la norma (art. 28.1). Programe una con /nueva_sesion.",
            end=end,
            commission=commission.name,
        )
        for pid in await president_and_secretaries(db, commission.id):
            notices.append(Notice(pid, text, commission.id))
            warned += 1
    return warned
