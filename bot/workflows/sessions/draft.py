"""The session a secretary is about to schedule, filled in with sensible defaults so that
`/nueva_sesion` is one card to confirm rather than a questionnaire.

Defaults: the next ordinary session of the annual calendar (`/calendario`) the notice rule still
allows, else the earliest legal date, at 10:00 Lima; the place or link of the commission's last
session; and the acta approval of the last held session, which `schedule_session` adds by itself.
A default the rules would refuse is left out, so the secretary is asked for it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.access import Action, access_commission
from bot.workflows.business_days import LIMA, lima_date
from bot.workflows.errors import UserError
from bot.workflows.sessions.schedule import check_session_date, previous_held
from bot.workflows.sessions.settings import business_calendar, commission_rules
from db.models import MeetingSession, Person, PlannedSession, SessionKind

DEFAULT_HOUR = time(10, 0)


@dataclass(frozen=True)
class Draft:
    starts_at: datetime | None
    override_reason: str | None  # the calendar's reason for a planned non-working day
    place: str | None
    link: str | None
    automatic_item: bool  # the previous held session's acta comes first on the agenda


def at_ten(day: date) -> datetime:
    return datetime.combine(day, DEFAULT_HOUR, tzinfo=LIMA).astimezone(UTC)


async def default_date(
    db: AsyncSession, commission_id: int, kind: SessionKind, *, now: datetime
) -> tuple[datetime | None, str | None]:
    """The first date the calendar plans and the rules allow, else the earliest legal one."""
    rules = await commission_rules(db, commission_id)
    calendar = await business_calendar(db, commission_id)
    earliest = calendar.earliest_session_date(lima_date(now), rules.notice_business_days)
    planned = (
        await db.exec(
            select(PlannedSession)
            .where(
                PlannedSession.commission_id == commission_id,
                col(PlannedSession.planned_on) >= earliest,
                col(PlannedSession.session_id).is_(None),
            )
            .order_by(col(PlannedSession.planned_on))
            .limit(1)
        )
    ).first()
    candidates = [(at_ten(planned.planned_on), planned.reason)] if planned else []
    candidates.append((at_ten(calendar.next_business_day(earliest)), None))
    for starts_at, reason in candidates:
        try:
            await check_session_date(db, commission_id, kind, starts_at, now=now, override_reason=reason)
        except UserError:
            continue
        return starts_at, reason
    return None, None


async def draft_session(
    db: AsyncSession, person: Person | None, commission_id: int, kind: SessionKind, *, now: datetime
) -> Draft:
    await access_commission(db, person, commission_id, Action.MANAGE_SESSIONS)
    starts_at, reason = await default_date(db, commission_id, kind, now=now)
    last = (
        await db.exec(
            select(MeetingSession)
            .where(MeetingSession.commission_id == commission_id)
            .order_by(col(MeetingSession.created_at).desc(), col(MeetingSession.id).desc())
            .limit(1)
        )
    ).first()
    return Draft(
        starts_at=starts_at,
        override_reason=reason,
        place=last.place if last else None,
        link=last.link if last else None,
        automatic_item=await previous_held(db, commission_id) is not None,
    )
