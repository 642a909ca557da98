"""Invitations: issued by the secretariat (or the CLI), previewed and redeemed through a deep link,
revoked; guessing tokens is slowed down.

Tokens are random (192 bits), shown once, stored only as a SHA-256 hash, single-use and expiring.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Lines, Text, msg, nmsg
from bot.workflows.access import INVITABLE_ROLES, Action, access_commission
from bot.workflows.audit import audited, snapshot
from bot.workflows.errors import NotFound, UserError
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.commissions import ensure_seat, tidy
from bot.workflows.membership.succession import complete_succession
from bot.workflows.notices import Notice
from db.models import Commission, Institution, Invitation, Membership, Person, Role, Seat, TokenAttempt

DEFAULT_INVITATION_DAYS = 14
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# Roles that act on behalf of a member institution's seat and so need one.
SEATED_ROLES = frozenset({Role.PRESIDENT, Role.MEMBER, Role.ALTERNATE, Role.LIAISON})

MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)


async def too_many_attempts(db: AsyncSession, telegram_id: int, *, now: datetime) -> Text | None:
    """A refusal if this account failed too many tokens lately (they are 192-bit random, so
    anyone failing repeatedly is guessing or confused: either way, make them wait)."""
    recent = await db.exec(
        select(func.count())
        .select_from(TokenAttempt)
        .where(TokenAttempt.telegram_id == telegram_id, col(TokenAttempt.at) > now - ATTEMPT_WINDOW)
    )
    if int(recent.one()) < MAX_FAILED_ATTEMPTS:
        return None
    minutes = int(ATTEMPT_WINDOW.total_seconds() // 60)
    return nmsg(
        "Demasiados enlaces no válidos desde esta cuenta. Espere {minutes} minuto y pida a la "
        "secretaría técnica un enlace nuevo.",
        "Demasiados enlaces no válidos desde esta cuenta. Espere {minutes} minutos y pida a la "
        "secretaría técnica un enlace nuevo.",
        minutes,
        minutes=minutes,
    )


async def note_failed_attempt(db: AsyncSession, telegram_id: int, *, now: datetime) -> None:
    db.add(TokenAttempt(telegram_id=telegram_id, at=now))
    await db.flush()


async def forget_attempts(db: AsyncSession, *, before: datetime) -> int:
    result = await db.exec(delete(TokenAttempt).where(col(TokenAttempt.at) < before))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class PendingInvitation:
    invitation_id: int
    role: Role
    invitee_name: str | None
    institution: str | None
    expires_at: datetime


async def list_pending(
    db: AsyncSession, person: Person | None, commission_id: int | None, *, now: datetime
) -> list[PendingInvitation]:
    """Invitations of the commission still usable (not used, revoked or expired)."""
    actor = await access_commission(db, person, commission_id, Action.REVOKE_INVITATION)
    rows = await db.exec(
        select(Invitation, Institution.name)
        .outerjoin(Seat, col(Seat.id) == Invitation.seat_id)
        .outerjoin(Institution, col(Institution.id) == Seat.institution_id)
        .where(
            Invitation.commission_id == actor.commission.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at))
    )
    return [
        PendingInvitation(i.id or 0, i.role, i.invitee_name, name, i.expires_at) for i, name in rows.all()
    ]


async def revoke_invitation(
    db: AsyncSession, person: Person | None, commission_id: int | None, invitation_id: int, *, now: datetime
) -> Invitation:
    """The link stops working at once; recorded in the commission's history."""
    actor = await access_commission(db, person, commission_id, Action.REVOKE_INVITATION)
    invitation = await db.get(Invitation, invitation_id)
    if invitation is None or invitation.commission_id != actor.commission.id:
        raise NotFound(msg("Esa invitación no existe en su comisión."))
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise NotFound(msg("Esa invitación ya fue usada o revocada."))
    invitation.revoked_at = now
    db.add(invitation)
    await db.flush()
    assert actor.commission.id is not None
    await audited(
        db,
        actor,
        actor.commission.id,
        "invitation.revoked",
        "invitation",
        invitation.id,
        now=now,
        before={"revoked_at": None},
        after=snapshot(invitation, "revoked_at"),
    )
    return invitation


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


# --- issuing and redeeming ---------------------------------------------------------------------


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
        allowed = Lines(tuple((ROLE_LABELS[r],) for r in INVITABLE_ROLES[commission.kind]), sep=", ")
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
    menus_changed: list[int] = field(default_factory=list)  # people whose roles changed besides `person`


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
    assert invitation.id is not None
    notices, changed = await complete_succession(db, invitation.id, person, now=now)
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
    return Redemption(person, commission, invitation.role, institution, new_person, notices, changed)
