"""Sessions: a commission's rules and calendar, scheduling, the agenda and the quorum forecast.

Every number comes from the commission's `CommissionRules` (the law's defaults when the secretary
has set none). Convocation, reminders, roll call, votes and the acta live in the sibling modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, nmsg
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.audit import record, snapshot
from bot.workflows.business_days import BusinessCalendar, lima_date
from bot.workflows.errors import NotFound, UserError
from bot.workflows.membership.commissions import tidy
from bot.workflows.sessions.quorum import QuorumForecast
from bot.workflows.sessions.rules import CommissionRules
from db.models import (
    AgendaDocument,
    AgendaItem,
    Answer,
    CommissionSessionSettings,
    Institution,
    MeetingSession,
    Membership,
    NonWorkingDay,
    Person,
    PlannedSession,
    Role,
    Seat,
    SessionActa,
    SessionInvitee,
    SessionKind,
    SessionStatus,
)

# Sessions people may still be convened to, answer or remind about.
OPEN_STATUSES = (SessionStatus.PLANNED, SessionStatus.CONVENED, SessionStatus.POSTPONED)
CONVENED_STATUSES = (SessionStatus.CONVENED, SessionStatus.POSTPONED)
# Roles whose seat's vote counts (and so whose seat counts for quorum).
VOTING_ROLES = (Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE)
MAX_TITLE = 300
MAX_ITEMS = 20  # agenda items a secretary may write (the acta's approval comes on top)
MAX_PLACE = 300
MAX_REASON = 1000
SESSION_LENGTH = timedelta(hours=2)


# --- rules, non-working days, calendar, group ---------------------------------------------------


async def settings_row(db: AsyncSession, commission_id: int) -> CommissionSessionSettings | None:
    query = select(CommissionSessionSettings).where(CommissionSessionSettings.commission_id == commission_id)
    return (await db.exec(query)).first()


async def commission_rules(db: AsyncSession, commission_id: int) -> CommissionRules:
    row = await settings_row(db, commission_id)
    return CommissionRules.from_dict(row.rules) if row else CommissionRules()


async def business_calendar(db: AsyncSession, commission_id: int) -> BusinessCalendar:
    days = await db.exec(select(col(NonWorkingDay.day)).where(NonWorkingDay.commission_id == commission_id))
    return BusinessCalendar(days.all())


async def set_rules(
    db: AsyncSession, person: Person, commission_id: int, rules: CommissionRules, *, now: datetime
) -> CommissionRules:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    row = await settings_row(db, commission_id) or CommissionSessionSettings(commission_id=commission_id)
    before = dict(row.rules or {})
    row.rules, row.updated_at = rules.to_dict(), now
    db.add(row)
    await db.flush()
    await record(
        db,
        commission_id=commission_id,
        actor=actor.person,
        action="sessions.rules_changed",
        entity="session_settings",
        entity_id=row.id,
        before=before,
        after=row.rules,
        now=now,
    )
    return rules


async def add_non_working_day(
    db: AsyncSession, person: Person, commission_id: int, day: date, label: str, *, now: datetime
) -> NonWorkingDay:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    label = tidy(label)[:120] or "día no laborable"
    exists = await db.exec(
        select(NonWorkingDay).where(NonWorkingDay.commission_id == commission_id, NonWorkingDay.day == day)
    )
    if exists.first():
        raise UserError(msg("Esa fecha ya figura como día no laborable."))
    row = NonWorkingDay(commission_id=commission_id, day=day, label=label)
    db.add(row)
    await db.flush()
    await record(
        db,
        commission_id=commission_id,
        actor=actor.person,
        action="sessions.non_working_day_added",
        entity="non_working_day",
        entity_id=row.id,
        after=snapshot(row, "day", "label"),
        now=now,
    )
    return row


async def plan_session(
    db: AsyncSession, person: Person, commission_id: int, planned_on: date, *, now: datetime
) -> PlannedSession:
    """Add an ordinary session to the annual calendar (art. 45.3.a)."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    if planned_on < lima_date(now):
        raise UserError(msg("Esa fecha ya pasó. Indique una fecha futura."))
    calendar = await business_calendar(db, commission_id)
    if not calendar.is_business_day(planned_on):
        raise UserError(
            msg(
                "El {day} no es día hábil. El siguiente día hábil es el {next}.",
                day=planned_on,
                next=calendar.next_business_day(planned_on),
            )
        )
    row = PlannedSession(commission_id=commission_id, planned_on=planned_on)
    db.add(row)
    await db.flush()
    await record(
        db,
        commission_id=commission_id,
        actor=actor.person,
        action="sessions.planned",
        entity="planned_session",
        entity_id=row.id,
        after=snapshot(row, "planned_on"),
        now=now,
    )
    return row


async def link_group(
    db: AsyncSession, person: Person, commission_id: int, chat_id: int, *, now: datetime
) -> CommissionSessionSettings:
    """The commission's Telegram group gets convocations (never personal data)."""
    actor = await access_commission(db, person, commission_id, Action.LINK_GROUP)
    row = await settings_row(db, commission_id) or CommissionSessionSettings(commission_id=commission_id)
    before = row.group_chat_id
    row.group_chat_id, row.updated_at = chat_id, now
    db.add(row)
    await db.flush()
    await record(
        db,
        commission_id=commission_id,
        actor=actor.person,
        action="sessions.group_linked",
        entity="session_settings",
        entity_id=row.id,
        before={"group_chat_id": before},
        after={"group_chat_id": chat_id},
        now=now,
    )
    return row


# --- access to one session ----------------------------------------------------------------------


async def access_session(
    db: AsyncSession, person: Person | None, session_id: int, action: Action
) -> tuple[Actor, MeetingSession]:
    """The only way to fetch a session by id for a person: the gate runs on its commission."""
    session = await db.get(MeetingSession, session_id)
    if session is None:
        raise NotFound(msg("Esa sesión no existe."))
    actor = await access_commission(db, person, session.commission_id, action)
    return actor, session


async def access_item(
    db: AsyncSession, person: Person | None, item_id: int, action: Action
) -> tuple[Actor, MeetingSession, AgendaItem]:
    item = await db.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(msg("Ese punto de agenda no existe."))
    actor, session = await access_session(db, person, item.session_id, action)
    return actor, session, item


# --- scheduling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewItem:
    title: str
    needs_decision: bool = False
    owner_seat_id: int | None = None


async def check_session_date(
    db: AsyncSession,
    commission_id: int,
    kind: SessionKind,
    starts_at: datetime,
    *,
    now: datetime,
    override_reason: str | None = None,
) -> None:
    """Refuse a past date or one breaking the notice rule (an extraordinary one may override)."""
    if starts_at <= now:
        raise UserError(msg("Esa fecha ya pasó. Escriba una fecha futura, por ejemplo 15/12 10:00."))
    rules = await commission_rules(db, commission_id)
    calendar = await business_calendar(db, commission_id)
    check = calendar.check_notice(lima_date(now), lima_date(starts_at), rules.notice_business_days)
    if check.ok:
        return
    if kind is SessionKind.EXTRAORDINARY and override_reason and tidy(override_reason):
        return
    if kind is SessionKind.EXTRAORDINARY:
        raise UserError(
            msg(
                "La convocatoria debe enviarse con {days} días hábiles de anticipación: la fecha más "
                "próxima posible es el {earliest}. Por ser extraordinaria puede adelantarla indicando "
                "el motivo.",
                days=rules.notice_business_days,
                earliest=check.earliest,
            )
        )
    raise UserError(
        msg(
            "La convocatoria debe enviarse con {days} días hábiles de anticipación: la fecha más "
            "próxima posible es el {earliest}. Escriba otra fecha.",
            days=rules.notice_business_days,
            earliest=check.earliest,
        )
    )


def check_agenda_room(written: int) -> None:
    """Refuse one more agenda item when `written` items already fill the agenda."""
    if written >= MAX_ITEMS:
        raise UserError(
            nmsg(
                "La orden del día ya tiene {n} punto. Toque «Terminar orden del día».",
                "La orden del día ya tiene {n} puntos. Toque «Terminar orden del día».",
                MAX_ITEMS,
            )
        )


async def schedule_session(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    kind: SessionKind,
    starts_at: datetime,
    place: str | None,
    link: str | None,
    items: Sequence[NewItem],
    now: datetime,
    override_reason: str | None = None,
) -> MeetingSession:
    """Create a planned session with its agenda; the previous held session's acta comes first."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    await check_session_date(db, commission_id, kind, starts_at, now=now, override_reason=override_reason)
    place = tidy(place)[:MAX_PLACE] if place and tidy(place) else None
    link = link.strip() if link and link.strip() else None
    if not place and not link:
        raise UserError(msg("Indique el lugar de la sesión o el enlace de la reunión virtual."))
    if link and (len(link) > 500 or not link.startswith(("https://", "http://"))):
        raise UserError(msg("El enlace debe empezar con https:// (por ejemplo https://meet.example/abc)."))
    if not items:
        raise UserError(msg("La orden del día necesita al menos un punto."))
    check_agenda_room(len(items) - 1)
    previous = (
        await db.exec(
            select(MeetingSession)
            .where(MeetingSession.commission_id == commission_id, MeetingSession.status == SessionStatus.HELD)
            .order_by(col(MeetingSession.starts_at).desc())
            .limit(1)
        )
    ).first()
    session = MeetingSession(
        commission_id=commission_id,
        kind=kind,
        starts_at=starts_at,
        place=place,
        link=link,
        notice_override_reason=tidy(override_reason)[:MAX_REASON] if override_reason else None,
        previous_session_id=previous.id if previous else None,
        created_by_id=actor.person.id,
        created_at=now,
    )
    db.add(session)
    await db.flush()
    assert session.id is not None
    position = 1
    if previous is not None:
        db.add(
            AgendaItem(
                session_id=session.id,
                position=position,
                title="Aprobación del acta de la sesión anterior",
                needs_decision=True,
                approves_acta_of_id=previous.id,
            )
        )
        position += 1
    for item in items:
        title = tidy(item.title)
        if not 3 <= len(title) <= MAX_TITLE:
            raise UserError(msg("Cada punto de agenda debe tener entre 3 y 300 caracteres."))
        db.add(
            AgendaItem(
                session_id=session.id,
                position=position,
                title=title,
                needs_decision=item.needs_decision,
                owner_seat_id=item.owner_seat_id,
            )
        )
        position += 1
    await db.flush()
    await record(
        db,
        commission_id=commission_id,
        actor=actor.person,
        action="sessions.scheduled",
        entity="meeting_session",
        entity_id=session.id,
        after=snapshot(session, "kind", "starts_at", "place", "link", "notice_override_reason")
        | {"items": [i.title for i in items]},
        now=now,
    )
    return session


async def attach_document(
    db: AsyncSession, person: Person | None, item_id: int, *, file_id: str, file_name: str, now: datetime
) -> AgendaDocument:
    actor, session, _item = await access_item(db, person, item_id, Action.MANAGE_SESSIONS)
    if session.status not in OPEN_STATUSES:
        raise UserError(msg("Esta sesión ya no admite cambios."))
    doc = AgendaDocument(
        item_id=item_id, file_id=file_id[:200], file_name=tidy(file_name)[:200], added_at=now
    )
    db.add(doc)
    await db.flush()
    await record(
        db,
        commission_id=session.commission_id,
        actor=actor.person,
        action="sessions.document_attached",
        entity="agenda_document",
        entity_id=doc.id,
        after=snapshot(doc, "item_id", "file_name"),
        now=now,
    )
    return doc


# --- reading ---------------------------------------------------------------------------------------


async def agenda(db: AsyncSession, session_id: int) -> list[AgendaItem]:
    rows = await db.exec(
        select(AgendaItem).where(AgendaItem.session_id == session_id).order_by(col(AgendaItem.position))
    )
    return list(rows.all())


async def documents(db: AsyncSession, session_id: int) -> dict[int, list[AgendaDocument]]:
    rows = await db.exec(
        select(AgendaDocument)
        .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.item_id)
        .where(AgendaItem.session_id == session_id)
        .order_by(col(AgendaDocument.id))
    )
    out: dict[int, list[AgendaDocument]] = {}
    for doc in rows.all():
        out.setdefault(doc.item_id, []).append(doc)
    return out


async def list_sessions(db: AsyncSession, person: Person | None, commission_id: int) -> list[MeetingSession]:
    await access_commission(db, person, commission_id, Action.VIEW_SESSIONS)
    rows = await db.exec(
        select(MeetingSession)
        .where(MeetingSession.commission_id == commission_id)
        .order_by(col(MeetingSession.starts_at).desc())
        .limit(10)
    )
    return list(rows.all())


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


async def seat_names(db: AsyncSession, seat_ids: Sequence[int]) -> dict[int, str]:
    if not seat_ids:
        return {}
    rows = await db.exec(
        select(Seat.id, Institution.name)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .where(col(Seat.id).in_(list(seat_ids)))
    )
    return {sid: name for sid, name in rows.all() if sid is not None}


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


async def acta_of(db: AsyncSession, session_id: int) -> SessionActa | None:
    return (await db.exec(select(SessionActa).where(SessionActa.session_id == session_id))).first()
