"""Commissions and their seats: the CRAs and the CAN, and the institutions sitting in each.

Invitations (how a person gets into a commission) live in `invitations.py`.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import AccessDenied, NotFound, UserError
from db.models import (
    Commission,
    CommissionKind,
    Institution,
    InstitutionCategory,
    Membership,
    Person,
    Region,
    Role,
    Seat,
)

CAN_CODE = "CAN"
CAN_NAME = "Comisión de Alto Nivel Anticorrupción"

# Guess an institution's Anexo A category from its name; the first matching keyword wins.
_CATEGORY_KEYWORDS: list[tuple[str, InstitutionCategory]] = [
    ("gobierno regional", InstitutionCategory.REGIONAL_GOVERNMENT),
    ("municipalidad", InstitutionCategory.PROVINCIAL_MUNICIPALITY),
    ("corte superior", InstitutionCategory.SUPERIOR_COURT),
    ("fiscal", InstitutionCategory.PROSECUTORS),
    ("ministerio publico", InstitutionCategory.PROSECUTORS),
    ("procuradur", InstitutionCategory.ANTICORRUPTION_ATTORNEY),
    ("contralor", InstitutionCategory.COMPTROLLER),
    ("defensor", InstitutionCategory.OMBUDSMAN),
    ("arzobispado", InstitutionCategory.CATHOLIC_CHURCH),
    ("obispado", InstitutionCategory.CATHOLIC_CHURCH),
    ("catolica", InstitutionCategory.CATHOLIC_CHURCH),
    ("evangelic", InstitutionCategory.EVANGELICAL_CHURCH),
    ("policia", InstitutionCategory.POLICE),
    ("pnp", InstitutionCategory.POLICE),
    ("mesa de concertacion", InstitutionCategory.MCLCP),
    ("mclcp", InstitutionCategory.MCLCP),
    ("relaciones exteriores", InstitutionCategory.FOREIGN_AFFAIRS),
    ("integridad publica", InstitutionCategory.PUBLIC_INTEGRITY_SECRETARIAT),
    ("camara de comercio", InstitutionCategory.PRIVATE_SECTOR),
    ("empresa", InstitutionCategory.PRIVATE_SECTOR),
    ("colegio", InstitutionCategory.CIVIL_SOCIETY),
    ("universidad", InstitutionCategory.CIVIL_SOCIETY),
    ("sociedad civil", InstitutionCategory.CIVIL_SOCIETY),
]

# Voice without vote by default (art. 27.2 and SIP Opinión Técnica 005-2023); editable per seat.
VOICE_ONLY_CATEGORIES = frozenset(
    {
        InstitutionCategory.OMBUDSMAN,
        InstitutionCategory.POLICE,
        InstitutionCategory.MCLCP,
        InstitutionCategory.FOREIGN_AFFAIRS,
        InstitutionCategory.PUBLIC_INTEGRITY_SECRETARIAT,
    }
)


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: for matching what people type."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def tidy(text: str) -> str:
    return " ".join(text.split())


def guess_category(institution_name: str) -> InstitutionCategory:
    name = normalise(institution_name)
    for keyword, category in _CATEGORY_KEYWORDS:
        if keyword in name:
            return category
    return InstitutionCategory.OTHER


# --- commissions -------------------------------------------------------------------------------


async def find_region(db: AsyncSession, query: str) -> Region:
    """A region by code or name, forgiving case, accents and small typos ("cuzco" → CUS)."""
    regions = list((await db.exec(select(Region))).all())
    wanted = normalise(query)
    by_key = {normalise(r.code): r for r in regions} | {normalise(r.name): r for r in regions}
    if wanted in by_key:
        return by_key[wanted]
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)
    suggestions = ", ".join(dict.fromkeys(by_key[c].code for c in close))
    if suggestions:
        raise NotFound(
            msg(
                "No conozco la región «{query}». ¿Quiso decir {suggestions}?",
                query=query,
                suggestions=suggestions,
            )
        )
    raise NotFound(msg("No conozco la región «{query}». Use un código como CUS, PUN o UCA.", query=query))


def commission_name(region: Region) -> str:
    article = "del " if region.code == "CAL" else "de "
    return f"Comisión Regional Anticorrupción {article}{region.name}"


async def find_commission(db: AsyncSession, code: str) -> Commission:
    wanted = code.strip().upper()
    commission = (await db.exec(select(Commission).where(Commission.code == wanted))).first()
    if commission is None:
        raise NotFound(msg("La comisión {code} no existe todavía. Créela primero.", code=wanted))
    return commission


async def create_commission(db: AsyncSession, code: str, *, now: datetime) -> tuple[Commission, bool]:
    """The CRA of a region (or the CAN for code "CAN"); returns it and whether it was created."""
    if code.strip().upper() == CAN_CODE:
        existing = (await db.exec(select(Commission).where(Commission.code == CAN_CODE))).first()
        if existing:
            return existing, False
        commission = Commission(code=CAN_CODE, name=CAN_NAME, kind=CommissionKind.NATIONAL, created_at=now)
    else:
        region = await find_region(db, code)
        existing = (await db.exec(select(Commission).where(Commission.region_id == region.id))).first()
        if existing:
            return existing, False
        commission = Commission(
            code=region.code,
            name=commission_name(region),
            kind=CommissionKind.REGIONAL,
            region_id=region.id,
            created_at=now,
        )
    db.add(commission)
    await db.flush()
    assert commission.id is not None
    await audited(
        db,
        None,
        commission.id,
        "commission.created",
        "commission",
        commission.id,
        now=now,
        after=snapshot(commission, "code", "name", "kind"),
        actor_label="cli",
    )
    return commission, True


# --- institutions and seats --------------------------------------------------------------------


async def ensure_seat(
    db: AsyncSession, commission: Commission, institution_name: str, *, now: datetime
) -> Seat:
    """The seat of that institution in the commission, creating institution and seat if new."""
    name = tidy(institution_name)
    if not 3 <= len(name) <= 200:
        raise UserError(msg("El nombre de la institución debe tener entre 3 y 200 caracteres."))
    institution = (
        await db.exec(select(Institution).where(func.lower(Institution.name) == name.lower()))
    ).first()
    if institution is None:
        institution = Institution(name=name, category=guess_category(name), created_at=now)
        db.add(institution)
        await db.flush()
    seat = (
        await db.exec(
            select(Seat).where(Seat.commission_id == commission.id, Seat.institution_id == institution.id)
        )
    ).first()
    if seat is None:
        assert commission.id is not None and institution.id is not None
        seat = Seat(
            commission_id=commission.id,
            institution_id=institution.id,
            voting=institution.category not in VOICE_ONLY_CATEGORIES,
            created_at=now,
        )
        db.add(seat)
        await db.flush()
        await audited(
            db,
            None,
            commission.id,
            "seat.created",
            "seat",
            seat.id,
            now=now,
            after={"institution": institution.name, "voting": seat.voting},
        )
    return seat


@dataclass(frozen=True)
class SeatView:
    seat_id: int
    institution: str
    voting: bool


async def list_seats(db: AsyncSession, commission_id: int) -> list[SeatView]:
    rows = await db.exec(
        select(Seat.id, Institution.name, Seat.voting)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .where(Seat.commission_id == commission_id)
        .order_by(Institution.name)
    )
    return [SeatView(seat_id, name, voting) for seat_id, name, voting in rows.all() if seat_id]


async def seat_names(db: AsyncSession, seat_ids: Sequence[int]) -> dict[int, str]:
    """The institution's name for each seat id."""
    if not seat_ids:
        return {}
    rows = await db.exec(
        select(Seat.id, Institution.name)
        .join(Institution, col(Institution.id) == Seat.institution_id)
        .where(col(Seat.id).in_(list(seat_ids)))
    )
    return {seat_id: name for seat_id, name in rows.all() if seat_id is not None}


# --- the CAN ---------------------------------------------------------------------------------------


async def can_commission(db: AsyncSession) -> Commission | None:
    return (await db.exec(select(Commission).where(Commission.code == CAN_CODE))).first()


async def can_analysts(db: AsyncSession) -> list[int]:
    """The person ids of the CAN's analysts, in the order they joined."""
    can = await can_commission(db)
    if can is None:
        return []
    rows = await db.exec(
        select(Membership.person_id)
        .where(Membership.commission_id == can.id, Membership.role == Role.CAN_ANALYST)
        .order_by(col(Membership.id))
    )
    return list(rows.all())


async def is_can_analyst(db: AsyncSession, person: Person | None) -> bool:
    """Whether the permission gate lets this person handle the CAN's work (assistance, national
    reports): the one check for it, so both features answer alike."""
    can = await can_commission(db)
    try:
        await access_commission(db, person, can.id if can else None, Action.HANDLE_ASSISTANCE)
    except AccessDenied:
        return False
    return True
