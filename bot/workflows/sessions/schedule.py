"""Sessions: fetching one for a person, scheduling it with its agenda, and reading them.

Every number comes from the commission's `CommissionRules` (settings.py; the law's defaults when
the secretary has set none). The quorum forecast is in forecast.py; convocation, reminders, roll
call, votes and the acta live in the sibling modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.i18n import msg, nmsg
from bot.workflows.access import Action, Actor, access_commission, access_object
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.labels import ACTA_APPROVAL
from bot.workflows.membership.commissions import tidy
from bot.workflows.sessions.settings import business_calendar, commission_rules
from db.models import (
    AgendaDocument,
    AgendaItem,
    MeetingSession,
    Person,
    PlannedSession,
    SessionActa,
    SessionKind,
    SessionStatus,
)

# Sessions people may still be convened to, answer or remind about.
OPEN_STATUSES = (SessionStatus.PLANNED, SessionStatus.CONVENED, SessionStatus.POSTPONED)
CONVENED_STATUSES = (SessionStatus.CONVENED, SessionStatus.POSTPONED)
MAX_TITLE = 300
MAX_ITEMS = 20  # agenda items a secretary may write (the acta's approval comes on top)
MAX_PLACE = 300
MAX_REASON = 1000
SESSION_LENGTH = timedelta(hours=2)


# --- access to one session ----------------------------------------------------------------------


async def access_session(
    db: AsyncSession, person: Person | None, session_id: int, action: Action
) -> tuple[Actor, MeetingSession]:
    """The only way to fetch a session by id for a person: the gate runs on its commission."""
    session = await db.get(MeetingSession, session_id)
    unknown = msg("Esa sesión no existe.")
    actor = await access_object(db, person, session.commission_id if session else None, action, unknown)
    assert session is not None
    return actor, session


async def access_item(
    db: AsyncSession, person: Person | None, item_id: int, action: Action
) -> tuple[Actor, MeetingSession, AgendaItem]:
    """The only way to fetch an agenda item by id for a person: the gate runs on its session's commission."""
    item = await db.get(AgendaItem, item_id)
    session = await db.get(MeetingSession, item.session_id) if item else None
    unknown = msg("Ese punto de agenda no existe.")
    actor = await access_object(db, person, session.commission_id if session else None, action, unknown)
    assert item is not None and session is not None
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
    """Refuse a past date, one breaking the notice rule (an extraordinary one may override with a
    reason) or an ordinary session on a non-working day (allowed with a reason only when the
    commission's rules say so)."""
    if starts_at <= now:
        raise UserError(msg("Esa fecha ya pasó. Escriba una fecha futura, por ejemplo 15/12 10:00."))
    rules = await commission_rules(db, commission_id)
    calendar = await business_calendar(db, commission_id)
    check = calendar.check_notice(lima_date(now), lima_date(starts_at), rules.notice_business_days)
    if not check.ok:
        _refuse_short_notice(kind, check.earliest, rules.notice_business_days, override_reason)
    day = lima_date(starts_at)
    if kind is SessionKind.ORDINARY and not check.session_on_business_day:
        # Art. 45.3.a: ordinary sessions on business days, unless the commission's rules allow it.
        if not rules.ordinary_on_non_business_days:
            raise UserError(
                msg(
                    "Las sesiones ordinarias se realizan en días hábiles y el {day} no lo es. El "
                    "siguiente día hábil es el {next}. Escriba otra fecha.",
                    day=day,
                    next=calendar.next_business_day(day),
                )
            )
        if not (override_reason and tidy(override_reason)):
            raise ReasonNeeded(
                msg(
                    "El {day} no es día hábil (el siguiente es el {next}). Las reglas de su comisión "
                    "permiten sesionar ese día indicando el motivo.",
                    day=day,
                    next=calendar.next_business_day(day),
                ),
                msg("Escriba el motivo para sesionar en día no hábil, o escriba otra fecha."),
            )


def _refuse_short_notice(kind: SessionKind, earliest: date, days: int, override_reason: str | None) -> None:
    """Too little notice: an extraordinary session may go ahead with a reason, an ordinary one may not."""
    if kind is SessionKind.EXTRAORDINARY and override_reason and tidy(override_reason):
        return
    if kind is SessionKind.EXTRAORDINARY:
        raise ReasonNeeded(
            nmsg(
                "La convocatoria debe enviarse con {days} día hábil de anticipación: la fecha más "
                "próxima posible es el {earliest}. Por ser extraordinaria puede adelantarla indicando "
                "el motivo.",
                "La convocatoria debe enviarse con {days} días hábiles de anticipación: la fecha más "
                "próxima posible es el {earliest}. Por ser extraordinaria puede adelantarla indicando "
                "el motivo.",
                days,
                days=days,
                earliest=earliest,
            ),
            msg("Escriba el motivo para convocar con menos anticipación, o escriba otra fecha."),
        )
    raise UserError(
        nmsg(
            "La convocatoria debe enviarse con {days} día hábil de anticipación: la fecha más "
            "próxima posible es el {earliest}. Escriba otra fecha.",
            "La convocatoria debe enviarse con {days} días hábiles de anticipación: la fecha más "
            "próxima posible es el {earliest}. Escriba otra fecha.",
            days,
            days=days,
            earliest=earliest,
        )
    )


def check_agenda_room(written: int) -> None:
    """Refuse one more agenda item when `written` items already fill the agenda."""
    if written >= MAX_ITEMS:
        raise UserError(
            nmsg(
                "La orden del día ya tiene {n} punto. Toque «{button}».",
                "La orden del día ya tiene {n} puntos. Toque «{button}».",
                MAX_ITEMS,
                button=buttons.SCHEDULE,
            )
        )


async def previous_held(db: AsyncSession, commission_id: int) -> MeetingSession | None:
    """The last held session, whose acta the next session approves first."""
    query = (
        select(MeetingSession)
        .where(MeetingSession.commission_id == commission_id, MeetingSession.status == SessionStatus.HELD)
        .order_by(col(MeetingSession.starts_at).desc())
        .limit(1)
    )
    return (await db.exec(query)).first()


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
    previous = await previous_held(db, commission_id)
    if not items and previous is None:  # the acta's approval alone is an agenda
        raise UserError(msg("La orden del día necesita al menos un punto."))
    check_agenda_room(len(items) - 1)
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
    await _fulfil_plan(db, session)
    position = 1
    if previous is not None:
        db.add(
            AgendaItem(
                session_id=session.id,
                position=position,
                title=ACTA_APPROVAL.msgid,
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
    await audited(
        db,
        actor,
        commission_id,
        "sessions.scheduled",
        "meeting_session",
        session.id,
        now=now,
        after=snapshot(session, "kind", "starts_at", "place", "link", "notice_override_reason")
        | {"items": [i.title for i in items]},
    )
    return session


async def _fulfil_plan(db: AsyncSession, session: MeetingSession) -> None:
    """The annual calendar's session on that day is now scheduled: the next default is a later one."""
    if session.kind is not SessionKind.ORDINARY:
        return
    query = select(PlannedSession).where(
        PlannedSession.commission_id == session.commission_id,
        PlannedSession.planned_on == lima_date(session.starts_at),
        col(PlannedSession.session_id).is_(None),
    )
    for plan in (await db.exec(query)).all():
        plan.session_id = session.id
        db.add(plan)


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
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.document_attached",
        "agenda_document",
        doc.id,
        now=now,
        after=snapshot(doc, "item_id", "file_name"),
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


async def acta_of(db: AsyncSession, session_id: int) -> SessionActa | None:
    return (await db.exec(select(SessionActa).where(SessionActa.session_id == session_id))).first()
