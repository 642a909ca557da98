"""The agreements register: creating an acuerdo and what everything else needs to read it.

An agreement has a stable human code (`CUS-2026-007`: commission code, Lima year of adoption,
sequence per commission and year), one or more responsible institutions (seats), a deadline that
is never silently overwritten (`original_deadline` stays, rescheduling is recorded in the history)
and a status whose "vencido" is derived, never stored: past its deadline at the Lima day boundary
and neither done nor cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, Actor, access_commission, access_object
from bot.workflows.audit import audited, lock_chain, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    Commission,
    Institution,
    Membership,
    Person,
    Role,
    Seat,
)

TEXT_MIN, TEXT_MAX = 3, 2000
INDICATOR_MAX = 500
ORIGIN_MAX = 200
AUDITED_FIELDS = (
    "code",
    "text",
    "indicator",
    "status",
    "progress",
    "original_deadline",
    "deadline",
    "cancel_reason",
    "origin_session_id",
    "origin_label",
)
OPEN_STATUSES = (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS)
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_YMD = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class Shown(StrEnum):
    """The status people see: the stored one, or "vencido" derived from the deadline."""

    PENDING = "pendiente"
    IN_PROGRESS = "en_curso"
    DONE = "cumplido"
    CANCELLED = "cancelado"
    OVERDUE = "vencido"


@dataclass(frozen=True)
class CreatedAgreement:
    agreement: Agreement
    notices: list[Notice]


def is_overdue(agreement: Agreement, now: datetime) -> bool:
    """Past its deadline in Lima (the deadline day itself is still on time) and still open."""
    return agreement.status in OPEN_STATUSES and lima_date(now) > agreement.deadline


def shown_status(agreement: Agreement, now: datetime) -> Shown:
    return Shown.OVERDUE if is_overdue(agreement, now) else Shown(agreement.status.value)


def parse_deadline(text: str) -> date:
    """A date typed as `31/12/2026` or `2026-12-31`, or a UserError saying how to type it."""
    match = _DMY.match(text)
    parts: tuple[str, str, str] | None = None
    if match:
        parts = (match.group(3), match.group(2), match.group(1))
    elif match := _YMD.match(text):
        parts = (match.group(1), match.group(2), match.group(3))
    if parts is not None:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise UserError(
        msg("No entiendo la fecha «{text}». Escríbala como 31/12/2026 o 2026-12-31.", text=text.strip()[:40])
    )


def clean_text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not TEXT_MIN <= len(cleaned) <= TEXT_MAX:
        raise UserError(
            msg(
                "El texto del acuerdo debe tener entre {min} y {max} caracteres; tiene {n}. "
                "Escríbalo de nuevo.",
                min=TEXT_MIN,
                max=TEXT_MAX,
                n=len(cleaned),
            )
        )
    return cleaned


def clean_optional(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise UserError(
            msg(
                "Ese texto es demasiado largo: como máximo {max} caracteres. Acórtelo y envíelo de nuevo.",
                max=limit,
            )
        )
    return cleaned or None


def check_deadline(deadline: date, now: datetime) -> None:
    if deadline < lima_date(now):
        raise UserError(
            msg("El plazo {deadline} ya pasó. Indique una fecha desde hoy en adelante.", deadline=deadline)
        )


async def commission_seats(db: AsyncSession, commission_id: int) -> list[tuple[Seat, Institution]]:
    rows = await db.exec(
        select(Seat, Institution)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .where(Seat.commission_id == commission_id)
        .order_by(col(Institution.name))
    )
    return list(rows.all())


async def check_seats(db: AsyncSession, commission_id: int, seat_ids: Iterable[int]) -> list[int]:
    """The seats, deduplicated and in order; each must be one of *that* commission."""
    wanted = list(dict.fromkeys(seat_ids))
    if not wanted:
        raise UserError(msg("Elija al menos una institución responsable del acuerdo."))
    known = {s.id for s, _ in await commission_seats(db, commission_id)}
    if any(s not in known for s in wanted):
        raise UserError(msg("Esa institución no tiene un asiento en esta comisión."))
    return wanted


async def agreement_seat_ids(db: AsyncSession, agreement_id: int) -> list[int]:
    rows = await db.exec(
        select(AgreementSeat.seat_id)
        .where(AgreementSeat.agreement_id == agreement_id)
        .order_by(col(AgreementSeat.id))
    )
    return list(rows.all())


async def seat_people(db: AsyncSession, seat_ids: Sequence[int], role: Role) -> list[tuple[int, int]]:
    """(person id, seat id) of everybody holding `role` on behalf of those seats."""
    if not seat_ids:
        return []
    rows = await db.exec(
        select(Membership.person_id, Membership.seat_id)
        .where(col(Membership.seat_id).in_(seat_ids), Membership.role == role)
        .order_by(col(Membership.id))
    )
    return [(p, s) for p, s in rows.all() if s is not None]


async def secretaries(db: AsyncSession, commission_id: int) -> list[int]:
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.commission_id == commission_id, Membership.role == Role.SECRETARY)
        .order_by(col(Membership.id))
    )
    return list(rows.all())


async def next_code(db: AsyncSession, commission: Commission, now: datetime) -> tuple[int, int, str]:
    """(year, seq, code) of the next agreement of that commission in this Lima year."""
    year = lima_date(now).year
    assert commission.id is not None
    await lock_chain(db, commission.id)  # two secretaries adopting at once must not draw one number
    last = (
        await db.exec(
            select(func.max(Agreement.seq)).where(
                Agreement.commission_id == commission.id, Agreement.year == year
            )
        )
    ).one()
    seq = int(last or 0) + 1
    return year, seq, format_code(commission.code, year, seq)


def format_code(commission_code: str, year: int, seq: int) -> str:
    return f"{commission_code}-{year}-{seq:03d}"


async def access_agreement(
    db: AsyncSession, person: Person | None, agreement_id: int, action: Action
) -> tuple[Actor, Agreement]:
    """The only way to fetch an agreement by id for a person: the gate runs on its own commission."""
    agreement = await db.get(Agreement, agreement_id)
    unknown = msg("Ese acuerdo no existe.")
    actor = await access_object(db, person, agreement.commission_id if agreement else None, action, unknown)
    assert agreement is not None
    return actor, agreement


def new_responsibility_notices(
    agreement: Agreement, liaisons: Sequence[tuple[int, int]], names: dict[int, str]
) -> list[Notice]:
    return [
        Notice(
            person_id,
            msg(
                "Nuevo acuerdo <b>{code}</b> a cargo de {institution}:\n«{text}»\nPlazo: {deadline}.\n"
                "Registre su avance con /avance.",
                code=agreement.code,
                institution=names.get(seat_id, ""),
                text=agreement.text,
                deadline=agreement.deadline,
            ),
            agreement.commission_id,
        )
        for person_id, seat_id in liaisons
    ]


async def create_agreement(
    db: AsyncSession,
    person: Person | None,
    commission_id: int,
    *,
    text: str,
    seat_ids: list[int],
    deadline: date,
    now: datetime,
    origin_session_id: int | None = None,
    origin_label: str | None = None,
    indicator: str | None = None,
    origin_item_position: int | None = None,
) -> CreatedAgreement:
    """Adopt an agreement and tell each responsible institution's liaison(s)."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    cleaned = clean_text(text)
    seats = await check_seats(db, commission_id, seat_ids)
    check_deadline(deadline, now)
    year, seq, code = await next_code(db, actor.commission, now)
    agreement = Agreement(
        commission_id=commission_id,
        code=code,
        year=year,
        seq=seq,
        text=cleaned,
        indicator=clean_optional(indicator, INDICATOR_MAX),
        origin_session_id=origin_session_id,
        origin_label=clean_optional(origin_label, ORIGIN_MAX),
        origin_item_position=origin_item_position,
        original_deadline=deadline,
        deadline=deadline,
        created_by_id=actor.person.id,
        created_at=now,
        updated_at=now,
    )
    db.add(agreement)
    await db.flush()
    assert agreement.id is not None
    for seat_id in seats:
        db.add(AgreementSeat(agreement_id=agreement.id, seat_id=seat_id))
    db.add(
        AgreementEvent(
            agreement_id=agreement.id,
            at=now,
            actor_id=actor.person.id,
            kind=AgreementEventKind.CREATED,
            status=agreement.status,
            progress=0,
            new_deadline=deadline,
        )
    )
    await audited(
        db,
        actor,
        commission_id,
        "agreement.created",
        "agreement",
        agreement.id,
        now=now,
        after=snapshot(agreement, *AUDITED_FIELDS) | {"seat_ids": seats},
    )
    names = await seat_names(db, seats)
    liaisons = await seat_people(db, seats, Role.LIAISON)
    return CreatedAgreement(agreement, new_responsibility_notices(agreement, liaisons, names))
