"""The presidency's term: one year, immediately re-electable (art. 40.1). The secretary records
when it started; 30 and 7 days before it ends, the secretariat and every member are reminded that
an election is due (half + 1 of the total members listed in the ordinance)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg, nmsg
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.audit import audited
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.notices import Notice
from db.models import DirectorySettings, Membership, Person, Role

REMIND_DAYS = (30, 7)
TOLD = (Role.SECRETARY, Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE, Role.LIAISON, Role.OBSERVER)


def term_end(start: date) -> date:
    """The last day of a one-year term that starts on `start`."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return date(start.year + 1, 2, 28)


async def set_presidency_term(
    db: AsyncSession, person: Person | None, commission_id: int | None, start: date, *, now: datetime
) -> date:
    """Record the term's start (its end follows: one year); returns the end."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    today = lima_date(now)
    if not today - timedelta(days=366) <= start <= today + timedelta(days=366):
        raise UserError(msg("La fecha de inicio debe estar dentro de un año de hoy."))
    assert actor.commission.id is not None
    return await record_term(db, actor, actor.commission.id, start, now=now)


async def record_term(
    db: AsyncSession, actor: Actor, commission_id: int, start: date, *, now: datetime
) -> date:
    """Store a term starting on `start` (audited); returns its end. The caller passed the gate."""
    settings = await db.get(DirectorySettings, commission_id) or DirectorySettings(
        commission_id=commission_id
    )
    before = {"starts_on": settings.presidency_starts_on, "ends_on": settings.presidency_ends_on}
    settings.presidency_starts_on, settings.presidency_ends_on = start, term_end(start)
    db.add(settings)
    await db.flush()
    await audited(
        db, actor, commission_id, "presidency.term", "directory_settings", commission_id,
        now=now, before=before, after={"starts_on": start, "ends_on": settings.presidency_ends_on},
    )  # fmt: skip
    return settings.presidency_ends_on


async def presidency_tick(db: AsyncSession, now: datetime) -> list[Notice]:
    """Remind each commission 30 and 7 days before its presidency's term ends (once each)."""
    today = lima_date(now)
    notices: list[Notice] = []
    terms = await db.exec(
        select(DirectorySettings).where(col(DirectorySettings.presidency_ends_on).is_not(None))
    )
    for settings in terms.all():
        end = settings.presidency_ends_on
        assert end is not None
        done = set(filter(None, settings.presidency_reminded.split(",")))
        due = [d for d in REMIND_DAYS if today >= end - timedelta(days=d) and f"{end}:{d}" not in done]
        if not due or today > end:
            continue
        kept = {x for x in done if x.startswith(f"{end}:")}  # only this term's: at most 26 characters
        settings.presidency_reminded = ",".join(sorted(kept | {f"{end}:{d}" for d in due}))
        db.add(settings)
        days = (end - today).days
        text = nmsg(
            "🗳 El periodo de la presidencia termina el {date} (falta {n} día). Corresponde elegir "
            "la presidencia en sesión: se necesita la mitad más uno de los miembros de la ordenanza "
            "(art. 40.1).",
            "🗳 El periodo de la presidencia termina el {date} (faltan {n} días). Corresponde elegir "
            "la presidencia en sesión: se necesita la mitad más uno de los miembros de la ordenanza "
            "(art. 40.1).",
            days,
            date=end,
        )
        people = await db.exec(
            select(Membership.person_id).where(
                Membership.commission_id == settings.commission_id, col(Membership.role).in_(TOLD)
            )
        )
        notices += [Notice(p, text, settings.commission_id) for p in dict.fromkeys(people.all())]
    await db.flush()
    return notices
