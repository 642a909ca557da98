"""The national directory for the CAN: every one of the 26 regional jurisdictions, those with no
commission in the bot included ("sin secretaría en el bot"), so a missing region is never silently
left out of the national picture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import is_can_analyst
from bot.workflows.membership.contacts import unconfirmed_by_commission
from db.models import (
    Commission,
    ContactCheck,
    ContactCheckStatus,
    DirectorySettings,
    Membership,
    Person,
    Region,
    Role,
    Seat,
)

QUARTER = timedelta(days=92)


@dataclass(frozen=True)
class RegionEntry:
    code: str
    name: str
    in_bot: bool
    secretariat: bool = False
    president: bool = False
    institutions: int = 0
    with_liaison: int = 0
    confirmed: int = 0  # institutions that confirmed their entry in the last quarter
    unconfirmed: int = 0  # institutions whose last request went unanswered past its deadline
    presidency_ends_on: date | None = None  # the recorded term's last day


async def regions_not_in_bot(db: AsyncSession) -> list[Region]:
    """The jurisdictions with no commission in the bot, by name."""
    taken = select(Commission.region_id).where(col(Commission.region_id).is_not(None))
    rows = await db.exec(select(Region).where(col(Region.id).not_in(taken)).order_by(col(Region.name)))
    return list(rows.all())


async def national_directory(db: AsyncSession, person: Person | None, *, now: datetime) -> list[RegionEntry]:
    if not await is_can_analyst(db, person):
        raise AccessDenied(msg("Su función en esta comisión no permite esta acción."))
    regions = (await db.exec(select(Region).order_by(col(Region.name)))).all()
    commissions = {c.region_id: c for c in (await db.exec(select(Commission))).all() if c.region_id}
    roles: dict[int, set[Role]] = {}
    for commission_id, role in (await db.exec(select(Membership.commission_id, Membership.role))).all():
        roles.setdefault(commission_id, set()).add(Role(role))
    seats: dict[int, set[int]] = {}
    for seat_id, commission_id in (await db.exec(select(Seat.id, Seat.commission_id))).all():
        seats.setdefault(commission_id, set()).add(seat_id or 0)
    liaised = set((await db.exec(select(Membership.seat_id).where(Membership.role == Role.LIAISON))).all())
    confirmed: dict[int, set[int]] = {}
    answered = await db.exec(
        select(ContactCheck.commission_id, ContactCheck.seat_id).where(
            col(ContactCheck.status).in_([ContactCheckStatus.CONFIRMED, ContactCheckStatus.CHANGED]),
            col(ContactCheck.answered_at) >= now - QUARTER,
        )
    )
    for commission_id, seat_id in answered.all():
        confirmed.setdefault(commission_id, set()).add(seat_id)
    overdue = await unconfirmed_by_commission(db, now)
    terms = {t.commission_id: t.presidency_ends_on for t in (await db.exec(select(DirectorySettings))).all()}
    out = []
    for region in regions:
        commission = commissions.get(region.id or 0)
        if commission is None or commission.id is None:
            out.append(RegionEntry(region.code, region.name, in_bot=False))
            continue
        cid, held = commission.id, roles.get(commission.id, set())
        out.append(
            RegionEntry(
                region.code,
                region.name,
                in_bot=True,
                secretariat=Role.SECRETARY in held,
                president=Role.PRESIDENT in held,
                institutions=len(seats.get(cid, set())),
                with_liaison=len(seats.get(cid, set()) & liaised),
                confirmed=len(confirmed.get(cid, set())),
                unconfirmed=overdue.get(cid, 0),
                presidency_ends_on=terms.get(cid),
            )
        )
    return out
