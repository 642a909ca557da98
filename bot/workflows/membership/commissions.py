"""Commissions and invitations: how anybody gets into the bot.

Tokens are random (192 bits), shown once, stored only as a SHA-256 hash, single-use and expiring.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import INVITABLE_ROLES, Action, access_commission
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import NotFound, UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.notices import Notice
from db.models import (
    Commission,
    CommissionKind,
    Institution,
    InstitutionCategory,
    Invitation,
    Membership,
    Person,
    Region,
    Role,
    Seat,
)

CAN_CODE = "CAN"
CAN_NAME = "Comisión de Alto Nivel Anticorrupción"
DEFAULT_INVITATION_DAYS = 14
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# Roles that act on behalf of a member institution's seat and so need one.
SEATED_ROLES = frozenset({Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE, Role.LIAISON})

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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


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


# --- invitations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    token: str
    invitation: Invitation
    commission: Commission
    institution: str | None


async def issue_invitation(
    db: AsyncSession,
    commission: Commission,
    role: Role,
    *,
    now: datetime,
    institution: str | None = None,
    seat_id: int | None = None,
    invitee_name: str | None = None,
    created_by: Person | None = None,
    valid_days: int = DEFAULT_INVITATION_DAYS,
) -> IssuedInvitation:
    """A one-time invitation to `commission` with `role`; the token is returned, only its hash kept."""
    if role not in INVITABLE_ROLES[commission.kind]:
        allowed = ", ".join(r.value for r in INVITABLE_ROLES[commission.kind])
        raise UserError(
            msg("En esta comisión no se invita con ese rol. Roles posibles: {roles}.", roles=allowed)
        )
    seat: Seat | None = None
    if seat_id is not None:
        seat = await db.get(Seat, seat_id)
        if seat is None or seat.commission_id != commission.id:
            raise NotFound(msg("Esa institución no tiene asiento en esta comisión."))
    elif institution and institution.strip():
        seat = await ensure_seat(db, commission, institution, now=now)
    if seat is None and role in SEATED_ROLES:
        raise UserError(msg("Indique la institución a la que representa la persona invitada."))
    name = tidy(invitee_name) if invitee_name else None
    if name is not None and not 2 <= len(name) <= 120:
        raise UserError(msg("El nombre debe tener entre 2 y 120 caracteres."))
    token = secrets.token_urlsafe(24)
    assert commission.id is not None
    invitation = Invitation(
        token_hash=hash_token(token),
        commission_id=commission.id,
        role=role,
        seat_id=seat.id if seat else None,
        invitee_name=name,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    db.add(invitation)
    await db.flush()
    await audited(
        db,
        created_by,
        commission.id,
        "invitation.issued",
        "invitation",
        invitation.id,
        now=now,
        after=snapshot(invitation, "role", "seat_id", "invitee_name", "expires_at"),
        actor_label=None if created_by else "cli",
    )
    institution_name = None
    if seat is not None:
        found = await db.get(Institution, seat.institution_id)
        institution_name = found.name if found else None
    return IssuedInvitation(token, invitation, commission, institution_name)


async def invite_from_chat(
    db: AsyncSession,
    person: Person,
    commission_id: int,
    role: Role,
    *,
    now: datetime,
    seat_id: int | None = None,
    institution: str | None = None,
    invitee_name: str | None = None,
    valid_days: int = DEFAULT_INVITATION_DAYS,
) -> IssuedInvitation:
    """A secretary invites somebody to their own commission."""
    actor = await access_commission(db, person, commission_id, Action.INVITE)
    return await issue_invitation(
        db,
        actor.commission,
        role,
        now=now,
        seat_id=seat_id,
        institution=institution,
        invitee_name=invitee_name,
        created_by=actor.person,
        valid_days=valid_days,
    )


@dataclass(frozen=True)
class Redemption:
    person: Person
    commission: Commission
    role: Role
    institution: str | None
    new_person: bool
    notices: list[Notice] = field(default_factory=list)


_INVALID = msg(
    "Este enlace de invitación no es válido: puede haber vencido o ya haber sido usado. "
    "Pida a la secretaría técnica de su comisión una invitación nueva."
)


async def _usable_invitation(db: AsyncSession, token: str, *, now: datetime) -> Invitation:
    """The invitation behind a token if it can still be used, else the same refusal for every
    reason (unknown, used, revoked, expired), so a guesser learns nothing."""
    if not TOKEN_RE.match(token):
        raise UserError(_INVALID)
    invitation = (await db.exec(select(Invitation).where(Invitation.token_hash == hash_token(token)))).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise UserError(_INVALID)
    return invitation


@dataclass(frozen=True)
class InvitationPreview:
    commission: Commission
    role: Role
    institution: str | None
    invitee_name: str | None


async def preview_invitation(db: AsyncSession, token: str, *, now: datetime) -> InvitationPreview:
    """What accepting would make of the person, shown before anything is bound or stored."""
    invitation = await _usable_invitation(db, token, now=now)
    commission = await db.get(Commission, invitation.commission_id)
    assert commission is not None
    institution = None
    if invitation.seat_id is not None:
        seat = await db.get(Seat, invitation.seat_id)
        found = await db.get(Institution, seat.institution_id) if seat else None
        institution = found.name if found else None
    return InvitationPreview(commission, invitation.role, institution, invitation.invitee_name)


async def redeem_invitation(
    db: AsyncSession,
    token: str,
    *,
    telegram_id: int,
    telegram_name: str,
    language: str,
    now: datetime,
) -> Redemption:
    """Bind a Telegram account to the invitation's commission and role; single use."""
    invitation = await _usable_invitation(db, token, now=now)
    commission = await db.get(Commission, invitation.commission_id)
    assert commission is not None and commission.id is not None
    person = (await db.exec(select(Person).where(Person.telegram_id == telegram_id))).first()
    new_person = person is None
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            name=invitation.invitee_name or tidy(telegram_name)[:120] or str(telegram_id),
            language=language,
            created_at=now,
        )
        db.add(person)
        await db.flush()
    assert person.id is not None
    already = (
        await db.exec(
            select(Membership).where(
                Membership.person_id == person.id,
                Membership.commission_id == commission.id,
                Membership.role == invitation.role,
            )
        )
    ).first()
    if already is None:
        db.add(
            Membership(
                person_id=person.id,
                commission_id=commission.id,
                role=invitation.role,
                seat_id=invitation.seat_id,
                created_at=now,
            )
        )
    person.active_commission_id = commission.id
    invitation.used_at = now
    invitation.used_by_id = person.id
    db.add_all([person, invitation])
    await db.flush()
    await audited(
        db,
        person,
        commission.id,
        "invitation.redeemed",
        "membership",
        f"{person.id}:{invitation.role.value}",
        now=now,
        after={"person_id": person.id, "role": invitation.role, "seat_id": invitation.seat_id},
    )

    institution = None
    if invitation.seat_id is not None:
        seat = await db.get(Seat, invitation.seat_id)
        found = await db.get(Institution, seat.institution_id) if seat else None
        institution = found.name if found else None
    notices = []
    if invitation.created_by_id is not None and invitation.created_by_id != person.id:
        notices.append(
            Notice(
                invitation.created_by_id,
                msg(
                    "{name} aceptó su invitación: {role} en {commission}.",
                    name=person.name,
                    role=ROLE_LABELS[invitation.role],
                    commission=commission.code,
                ),
            )
        )
    return Redemption(person, commission, invitation.role, institution, new_person, notices)
