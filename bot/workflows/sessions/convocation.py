"""Convocation and answers: who is convened, what they receive, RSVPs, postponement, cancellation.

A convocation is a `Notice` per person with the RSVP buttons (`Rsvp`) and the calendar file and
session documents attached; the one exit for messages (bot/notify.py) renders and queues it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Lines, Text, Translator, msg, nmsg
from bot.workflows.access import CONVENED, Action, Actor
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import UserError
from bot.workflows.labels import SESSION_KIND_LABELS, item_title
from bot.workflows.membership.commissions import seat_names, tidy
from bot.workflows.notices import Attachment, Notice, Rsvp, reachable
from bot.workflows.once import claim_once
from bot.workflows.sessions.forecast import forecast, president_and_secretaries
from bot.workflows.sessions.ics import convocation_ics
from bot.workflows.sessions.schedule import (
    CONVENED_STATUSES,
    MAX_REASON,
    SESSION_LENGTH,
    access_session,
    agenda,
    check_session_date,
    documents,
)
from bot.workflows.sessions.settings import settings_row
from db.models import (
    Answer,
    Commission,
    MeetingSession,
    Membership,
    Person,
    SessionInvitee,
    SessionReminder,
    SessionStatus,
)

KIND_LABELS = SESSION_KIND_LABELS
MAX_ALTERNATE = 120


def where_text(session: MeetingSession) -> str:
    return " · ".join(p for p in (session.place, session.link) if p)


async def agenda_lines(db: AsyncSession, session: MeetingSession) -> Lines:
    """The orden del día, one line per item and per attached document, for each reader."""
    assert session.id is not None
    docs = await documents(db, session.id)
    lines: list[tuple[Text | str, ...]] = []
    for item in await agenda(db, session.id):
        lines.append((f"{item.position}. ", item_title(item)))
        lines.extend((f"   📎 {d.file_name}",) for d in docs.get(item.id or 0, []))
    return Lines(tuple(lines))


def convocation_text(session: MeetingSession, commission: Commission, agenda_text: Lines) -> Text:
    return msg(
        "📣 Convocatoria a sesión {kind} de {commission}\n"
        "Fecha y hora: {when}\n"
        "Lugar o enlace: {where}\n\n"
        "Orden del día:\n{agenda}\n\n"
        "¿Asistirá? Responda con los botones.",
        kind=KIND_LABELS[session.kind],
        commission=commission.name,
        when=session.starts_at,
        where=where_text(session),
        agenda=agenda_text,
    )


async def convened_people(db: AsyncSession, commission_id: int) -> list[tuple[Person, int | None]]:
    """Every member, alternate, liaison, observer and the president: once each, with a seat."""
    rows = await db.exec(
        select(Person, Membership)
        .join(Membership, col(Membership.person_id) == Person.id)
        .where(Membership.commission_id == commission_id, col(Membership.role).in_(list(CONVENED)))
        .order_by(col(Person.id))
    )
    people: dict[int, tuple[Person, int | None]] = {}
    for person, membership in rows.all():
        assert person.id is not None
        seat = people.get(person.id, (person, None))[1] or membership.seat_id
        people[person.id] = (person, seat)
    return list(people.values())


def calendar_file(
    session: MeetingSession,
    commission: Commission,
    agenda_text: Lines,
    now: datetime,
    *,
    cancelled: bool = False,
) -> Callable[[Translator], bytes]:
    """The .ics maker: title, organizer and agenda in each recipient's language (plain text)."""
    title = msg("Sesión {kind} · {commission}", kind=KIND_LABELS[session.kind], commission=commission.name)
    organizer = msg("Secretaría Técnica · {code}", code=commission.code)

    def make(tr: Translator) -> bytes:
        return convocation_ics(
            uid=f"session-{session.id}@cra-bot",
            title=html.unescape(tr.render(title)),
            start=session.starts_at,
            duration=SESSION_LENGTH,
            location=session.place,
            url=session.link,
            description=html.unescape(tr.lines(agenda_text)),
            organizer_name=html.unescape(tr.render(organizer)),
            sequence=session.ics_sequence,
            cancelled=cancelled,
            stamp=now,
        )

    return make


@dataclass(frozen=True)
class Convened:
    session: MeetingSession
    sent: int
    unreachable: list[str] = field(default_factory=list)
    posted_to_group: bool = False
    notices: list[Notice] = field(default_factory=list)


async def convene(db: AsyncSession, person: Person | None, session_id: int, *, now: datetime) -> Convened:
    """Convene everyone (text, agenda, RSVP buttons, .ics, the session's documents) and the group."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status is not SessionStatus.PLANNED:
        raise UserError(msg("Esta sesión ya fue convocada."))
    # The notice is counted from the day it is actually sent.
    await check_session_date(
        db,
        session.commission_id,
        session.kind,
        session.starts_at,
        now=now,
        override_reason=session.notice_override_reason,
    )
    commission = actor.commission
    agenda_text = await agenda_lines(db, session)
    text = convocation_text(session, commission, agenda_text)
    assert session.id is not None
    ics = Attachment(
        f"sesion-{session.id}.ics",
        caption=msg("Agregue la sesión a su calendario."),
        per_reader=calendar_file(session, commission, agenda_text, now),
    )
    # The session documents themselves (art. 42.h), forwarded by their Telegram file id.
    docs = [d for item_docs in (await documents(db, session.id)).values() for d in item_docs]
    attachments = (ics, *(Attachment(d.file_name, file_id=d.file_id) for d in docs))
    notices: list[Notice] = []
    sent, unreachable = 0, []
    for invitee, seat_id in await convened_people(db, session.commission_id):
        assert invitee.id is not None
        db.add(SessionInvitee(session_id=session.id, person_id=invitee.id, seat_id=seat_id))
        if reachable(invitee):
            notices.append(Notice(invitee.id, text, session.commission_id, Rsvp(session.id), attachments))
            sent += 1
        else:
            unreachable.append(invitee.name)
    settings = await settings_row(db, session.commission_id)
    posted = False
    if settings is not None and settings.group_chat_id is not None:
        group_text = msg(
            "📣 Convocatoria a sesión {kind} de {commission}\n"
            "Fecha y hora: {when}\n"
            "Lugar o enlace: {where}\n\n"
            "Orden del día:\n{agenda}",
            kind=KIND_LABELS[session.kind],
            commission=commission.name,
            when=session.starts_at,
            where=where_text(session),
            agenda=agenda_text,
        )
        notices.append(Notice(None, group_text, group_chat_id=settings.group_chat_id))
        posted = True
    before = snapshot(session, "status")
    session.status, session.convened_at = SessionStatus.CONVENED, now
    db.add(session)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.convened",
        "meeting_session",
        session.id,
        now=now,
        before=before,
        after=snapshot(session, "status", "convened_at") | {"sent": sent},
    )
    return Convened(session, sent, unreachable, posted, notices)


# --- answers ---------------------------------------------------------------------------------------


async def _invitee(db: AsyncSession, session: MeetingSession, person: Person) -> SessionInvitee:
    row = (
        await db.exec(
            select(SessionInvitee).where(
                SessionInvitee.session_id == session.id, SessionInvitee.person_id == person.id
            )
        )
    ).first()
    if row is None:
        raise UserError(msg("Usted no figura entre los convocados a esta sesión."))
    return row


@dataclass(frozen=True)
class Answered:
    session: MeetingSession
    invitee: SessionInvitee
    notices: list[Notice] = field(default_factory=list)


async def check_answerable(
    db: AsyncSession, person: Person | None, session_id: int, *, now: datetime
) -> tuple[Actor, MeetingSession, SessionInvitee]:
    """Refuse an answer the session no longer takes (or from someone not convened), before anyone
    is asked to write a justification or an alternate's name."""
    actor, session = await access_session(db, person, session_id, Action.ANSWER_CONVOCATION)
    if session.status not in CONVENED_STATUSES or session.starts_at <= now:
        raise UserError(msg("Esta sesión ya no recibe respuestas."))
    return actor, session, await _invitee(db, session, actor.person)


async def answer_convocation(
    db: AsyncSession,
    person: Person | None,
    session_id: int,
    answer: Answer,
    *,
    now: datetime,
    justification: str | None = None,
    alternate_name: str | None = None,
) -> Answered:
    """Record an RSVP. Not attending needs a written justification; an alternate needs a name."""
    actor, session, invitee = await check_answerable(db, person, session_id, now=now)
    if answer is Answer.PENDING:
        raise UserError(msg("Elija una respuesta con los botones."))
    if answer is Answer.ABSENT:
        justification = tidy(justification or "")
        if not 5 <= len(justification) <= MAX_REASON:
            raise UserError(msg("Escriba la justificación de su inasistencia (entre 5 y 1000 caracteres)."))
    if answer is Answer.ALTERNATE:
        alternate_name = tidy(alternate_name or "")
        if not 2 <= len(alternate_name) <= MAX_ALTERNATE:
            raise UserError(msg("Escriba el nombre de la persona alterna (entre 2 y 120 caracteres)."))
    before = snapshot(invitee, "answer", "justification", "alternate_name")
    invitee.answer = answer
    invitee.justification = justification if answer is Answer.ABSENT else None
    invitee.alternate_name = alternate_name if answer is Answer.ALTERNATE else None
    invitee.answered_at = now
    db.add(invitee)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.answered",
        "session_invitee",
        invitee.id,
        now=now,
        before=before,
        after=snapshot(invitee, "answer", "justification", "alternate_name"),
    )
    return Answered(session, invitee, await impossible_quorum_alert(db, session, now=now))


async def keep_answer(db: AsyncSession, person: Person | None, session_id: int, *, now: datetime) -> Answered:
    """After a postponement: confirm the answer given for the old date."""
    actor, session = await access_session(db, person, session_id, Action.ANSWER_CONVOCATION)
    invitee = await _invitee(db, session, actor.person)
    if invitee.alternate_name:
        previous = Answer.ALTERNATE
    elif invitee.justification:
        previous = Answer.ABSENT
    else:
        previous = Answer.ATTENDING
    return await answer_convocation(
        db,
        person,
        session_id,
        previous,
        now=now,
        justification=invitee.justification,
        alternate_name=invitee.alternate_name,
    )


async def once(db: AsyncSession, commission_id: int, key: str, now: datetime) -> bool:
    """True the first time `key` is seen (and remembers it): scheduled work never repeats."""
    return await claim_once(db, SessionReminder(commission_id=commission_id, key=key, sent_at=now))


async def impossible_quorum_alert(
    db: AsyncSession, session: MeetingSession, *, now: datetime
) -> list[Notice]:
    """Art. 30.3: justified absences leave fewer than half → tell the secretary and president, once."""
    fc = await forecast(db, session)
    if not fc.seats or not fc.quorum.impossible:
        return []
    if not await once(db, session.commission_id, f"s{session.id}:q{session.ics_sequence}:impossible", now):
        return []
    text = nmsg(
        "⚠️ La sesión del {when} no podrá alcanzar el quórum: {justified} asiento con voto justificó su "
        "inasistencia (asientos con voto: {seats}). Le sugiero reprogramarla (/sesiones).",
        "⚠️ La sesión del {when} no podrá alcanzar el quórum: {justified} asientos con voto justificaron "
        "su inasistencia (asientos con voto: {seats}). Le sugiero reprogramarla (/sesiones).",
        fc.quorum.justified_absences,
        when=session.starts_at,
        justified=fc.quorum.justified_absences,
        seats=fc.quorum.voting_seats,
    )
    return [
        Notice(pid, text, session.commission_id)
        for pid in await president_and_secretaries(db, session.commission_id)
    ]


@dataclass(frozen=True)
class InviteeAnswer:
    """One convened person's answer as the secretary reads it, to phone the silent ones."""

    name: str
    institution: str | None
    answer: Answer
    justification: str | None
    alternate_name: str | None


# The silent first (the ones to phone), then who will not come, then who will.
ANSWER_ORDER = (Answer.PENDING, Answer.ABSENT, Answer.ALTERNATE, Answer.ATTENDING)


async def invitee_answers(db: AsyncSession, session_id: int) -> list[InviteeAnswer]:
    invitees = await invitees_of(db, session_id)
    names = await seat_names(db, [i.seat_id for i, _ in invitees if i.seat_id])
    rows = [
        InviteeAnswer(
            person.name,
            names.get(i.seat_id) if i.seat_id else None,
            i.answer,
            i.justification,
            i.alternate_name,
        )
        for i, person in invitees
    ]
    return sorted(rows, key=lambda r: ANSWER_ORDER.index(r.answer))  # stable: by name within


async def invitees_of(db: AsyncSession, session_id: int) -> list[tuple[SessionInvitee, Person]]:
    rows = await db.exec(
        select(SessionInvitee, Person)
        .join(Person, col(Person.id) == SessionInvitee.person_id)
        .where(SessionInvitee.session_id == session_id)
        .order_by(col(Person.name))
    )
    return list(rows.all())


async def is_invited(db: AsyncSession, session_id: int, person_id: int | None) -> bool:
    """Whether the person was convened to the session (and so may answer it)."""
    row = await db.exec(
        select(SessionInvitee.id).where(
            SessionInvitee.session_id == session_id, SessionInvitee.person_id == person_id
        )
    )
    return row.first() is not None
