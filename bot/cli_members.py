"""`cra-bot member list|end|role`: the administrator's recovery path for the directory.

The same workflows as the chat, without the gate (the administrator runs the server); each change
is audited as "cli" and the person is told in their language through the outbox, like any notice
(plain text: these notices carry no buttons, so aiogram is not needed here).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.workflows.notices import Notice

REASONS = ("replaced", "term_ended", "resigned", "other")
ROLES = ("secretary", "president", "member", "alternate", "liaison", "observer", "can_analyst")


def add_member_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    member = sub.add_parser("member", help="the directory: list memberships, end one, change a role")
    m_sub = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    listing = m_sub.add_parser("list", help="current memberships of COMMISSION, with their ids")
    listing.add_argument("commission", metavar="COMMISSION")
    end = m_sub.add_parser("end", help="end membership ID of COMMISSION (the person is told)")
    end.add_argument("commission", metavar="COMMISSION")
    end.add_argument("membership_id", metavar="ID", type=int)
    end.add_argument("--reason", required=True, choices=REASONS)
    end.add_argument("--date", type=date.fromisoformat, help="effective date YYYY-MM-DD (default: today)")
    end.add_argument("--note", help="a short note kept with the record")
    role = m_sub.add_parser("role", help="change the role of membership ID of COMMISSION")
    role.add_argument("commission", metavar="COMMISSION")
    role.add_argument("membership_id", metavar="ID", type=int)
    role.add_argument("role", metavar="ROLE", choices=ROLES)


async def run_member(db: AsyncSession, args: argparse.Namespace) -> int:
    from bot.workflows.business_days import lima_date
    from bot.workflows.membership.changes import end_from_cli, role_from_cli
    from bot.workflows.membership.commissions import find_commission
    from db.models import EndReason, Role

    now = datetime.now(UTC)
    commission = await find_commission(db, args.commission)
    if args.member_command == "list":
        return await _list(db, commission.id or 0)
    if args.member_command == "end":
        reason = EndReason(args.reason)
        ended = await end_from_cli(
            db, commission, args.membership_id, reason, args.date or lima_date(now), now=now, note=args.note
        )
        await _tell(db, ended.notices, now)
        print(f"membership {args.membership_id} ended ({reason.value}); person {ended.person_id} told")
        return 0
    change = await role_from_cli(db, commission, args.membership_id, Role(args.role), now=now)
    await _tell(db, change.notices, now)
    print(f"membership {args.membership_id}: role now {args.role}; person {change.person_id} told")
    return 0


async def _list(db: AsyncSession, commission_id: int) -> int:
    from sqlmodel import col, select

    from db.models import Institution, Membership, Person, Seat

    rows = await db.exec(
        select(Membership, Person, Institution.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .outerjoin(Seat, col(Seat.id) == Membership.seat_id)
        .outerjoin(Institution, col(Institution.id) == Seat.institution_id)
        .where(Membership.commission_id == commission_id)
        .order_by(col(Membership.id))
    )
    for m, person, institution in rows.all():
        reach = "reachable" if person.telegram_id and not person.unreachable_at else "UNREACHABLE"
        print(f"{m.id}\t{m.role.value}\t{person.name}\t{institution or '-'}\t{reach}")
    return 0


async def _tell(db: AsyncSession, notices: Iterable[Notice], now: datetime) -> None:
    from bot.i18n import shipped_catalogs
    from bot.workflows.notices import reachable
    from bot.workflows.outbox import enqueue_text
    from db.models import Person

    catalogs = shipped_catalogs()
    for notice in notices:
        person = await db.get(Person, notice.person_id) if notice.person_id else None
        if person is None or not reachable(person) or person.telegram_id is None:
            continue
        text = catalogs.translator(person.language).render(notice.text)
        await enqueue_text(
            db, person.telegram_id, text, now=now, person_id=person.id, commission_id=notice.commission_id
        )
