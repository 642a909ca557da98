"""The directory (`/miembros`): who sits for whom, institution by institution.

Every member may read it; contact details (the Telegram account) only the secretariat and the
president (`Action.VIEW_CONTACTS`). Institutions with no titular, no liaison, or someone the bot
cannot reach are flagged and listed first: those are the ones the secretariat must chase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action, Actor, access_commission
from bot.workflows.errors import NotFound
from bot.workflows.notices import reachable
from db.models import (
    AuditEntry,
    ContactCheck,
    ContactCheckStatus,
    Institution,
    MemberDocument,
    MemberDocumentKind,
    Membership,
    Person,
    Role,
    Seat,
)

PAGE_SIZE = 15  # institutions per page (a longer page is split at line boundaries by the outbox)

TITULAR_ROLES = (Role.PRESIDENT, Role.MEMBER)


class SeatKind(StrEnum):
    VOTING = "voting"
    VOICE = "voice"  # voice without vote (art. 27.2, the "sugeridos")
    OBSERVER = "observer"


class Flag(StrEnum):
    NO_TITULAR = "no_titular"
    NO_LIAISON = "no_liaison"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Entry:
    """One person in one role."""

    membership_id: int
    person_id: int
    name: str
    role: Role
    language: str
    reachable: bool
    last_activity: datetime | None
    designated_at: datetime
    contact: int | None  # their Telegram account, for the secretariat and the president only
    has_designation: bool = False  # the oficio is on file
    integrity_signed_on: date | None = None


@dataclass(frozen=True)
class InstitutionEntry:
    seat_id: int
    institution: str
    kind: SeatKind
    titulars: tuple[Entry, ...]
    alternates: tuple[Entry, ...]
    liaisons: tuple[Entry, ...]
    observers: tuple[Entry, ...]
    confirmed_at: datetime | None = None  # the institution last confirmed its entry
    pending_due: date | None = None  # a confirmation request waits for an answer until then

    @property
    def people(self) -> tuple[Entry, ...]:
        return self.titulars + self.alternates + self.liaisons + self.observers

    @property
    def flags(self) -> tuple[Flag, ...]:
        found = []
        if not self.titulars and not (self.kind is SeatKind.OBSERVER and self.observers):
            found.append(Flag.NO_TITULAR)
        if not self.liaisons:
            found.append(Flag.NO_LIAISON)
        if any(not e.reachable for e in self.people):
            found.append(Flag.UNREACHABLE)
        return tuple(found)


@dataclass(frozen=True)
class Directory:
    commission_code: str
    secretariat: tuple[Entry, ...]
    others: tuple[Entry, ...]  # people with no seat (an observer, say), besides the secretariat
    institutions: tuple[InstitutionEntry, ...]  # flagged first, then by name
    with_contacts: bool
    page: int = 0
    pages: int = 1
    flagged: tuple[InstitutionEntry, ...] = field(default_factory=tuple)
    may_manage: bool = False  # the reader may change roles and memberships (the secretariat)


def seat_kind(voting: bool, roles: set[Role]) -> SeatKind:
    if voting:
        return SeatKind.VOTING
    if roles and roles <= {Role.OBSERVER, Role.LIAISON}:
        return SeatKind.OBSERVER
    return SeatKind.VOICE


async def last_activity(db: AsyncSession, commission_id: int) -> dict[int, datetime]:
    """When each person last did something recorded in the commission's audit trail."""
    rows = await db.exec(
        select(AuditEntry.actor_id, func.max(AuditEntry.at))
        .where(AuditEntry.commission_id == commission_id, col(AuditEntry.actor_id).is_not(None))
        .group_by(col(AuditEntry.actor_id))
    )
    return {actor: at for actor, at in rows.all() if actor is not None}


async def _entries(db: AsyncSession, actor: Actor, with_contacts: bool) -> list[tuple[int | None, Entry]]:
    commission_id = actor.commission.id
    assert commission_id is not None
    active = await last_activity(db, commission_id)
    docs = (await db.exec(select(MemberDocument).where(MemberDocument.commission_id == commission_id))).all()
    designations = {d.person_id for d in docs if d.kind is MemberDocumentKind.DESIGNATION}
    integrity = {d.person_id: d.signed_on for d in docs if d.kind is MemberDocumentKind.INTEGRITY}
    rows = await db.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.commission_id == commission_id)
        .order_by(col(Membership.id))
    )
    out = []
    for m, p in rows.all():
        assert m.id is not None and p.id is not None
        entry = Entry(
            membership_id=m.id,
            person_id=p.id,
            name=p.name,
            role=m.role,
            language=p.language,
            reachable=reachable(p),
            last_activity=active.get(p.id),
            designated_at=m.created_at,
            contact=p.telegram_id if with_contacts else None,
            has_designation=p.id in designations,
            integrity_signed_on=integrity.get(p.id),
        )
        out.append((m.seat_id, entry))
    return out


async def confirmations(db: AsyncSession, commission_id: int) -> dict[int, ContactCheck]:
    """Each seat's latest confirmation request."""
    rows = await db.exec(
        select(ContactCheck).where(ContactCheck.commission_id == commission_id).order_by(col(ContactCheck.id))
    )
    return {check.seat_id: check for check in rows.all()}


def _answered(check: ContactCheck | None) -> datetime | None:
    return check.answered_at if check is not None and check.status is not ContactCheckStatus.PENDING else None


def _pending(check: ContactCheck | None) -> date | None:
    return check.due_on if check is not None and check.status is ContactCheckStatus.PENDING else None


async def build_directory(db: AsyncSession, actor: Actor) -> Directory:
    """The whole directory as `actor` may see it (no paging)."""
    with_contacts = actor.may(Action.VIEW_CONTACTS)
    commission_id = actor.commission.id
    assert commission_id is not None
    entries = await _entries(db, actor, with_contacts)
    checks = await confirmations(db, commission_id)
    seats = (
        await db.exec(
            select(Seat, Institution.name)
            .join(Institution, col(Institution.id) == Seat.institution_id)
            .where(Seat.commission_id == commission_id)
            .order_by(col(Institution.name))
        )
    ).all()
    institutions = []
    for seat, name in seats:
        people = [e for seat_id, e in entries if seat_id == seat.id and e.role is not Role.SECRETARY]
        assert seat.id is not None
        institutions.append(
            InstitutionEntry(
                seat_id=seat.id,
                institution=name,
                kind=seat_kind(seat.voting, {e.role for e in people}),
                titulars=tuple(e for e in people if e.role in TITULAR_ROLES),
                alternates=tuple(e for e in people if e.role is Role.ALTERNATE),
                liaisons=tuple(e for e in people if e.role is Role.LIAISON),
                observers=tuple(e for e in people if e.role is Role.OBSERVER),
                confirmed_at=_answered(checks.get(seat.id)),
                pending_due=_pending(checks.get(seat.id)),
            )
        )
    flagged = tuple(i for i in institutions if i.flags)
    ordered = flagged + tuple(i for i in institutions if not i.flags)
    return Directory(
        commission_code=actor.commission.code,
        secretariat=tuple(e for _, e in entries if e.role is Role.SECRETARY),
        others=tuple(e for seat_id, e in entries if seat_id is None and e.role is not Role.SECRETARY),
        institutions=ordered,
        with_contacts=with_contacts,
        flagged=flagged,
        may_manage=actor.may(Action.MANAGE_MEMBERS),
    )


async def read_directory(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    *,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> Directory:
    """One page of the directory; the flags and the secretariat are on every page."""
    actor = await access_commission(db, person, commission_id, Action.VIEW_MEMBERS)
    whole = await build_directory(db, actor)
    pages = max(1, math.ceil(len(whole.institutions) / page_size))
    page = min(max(page, 0), pages - 1)
    return Directory(
        commission_code=whole.commission_code,
        secretariat=whole.secretariat,
        others=whole.others,
        institutions=whole.institutions[page * page_size : (page + 1) * page_size],
        with_contacts=whole.with_contacts,
        page=page,
        pages=pages,
        flagged=whole.flagged,
        may_manage=whole.may_manage,
    )


async def people_to_manage(
    db: AsyncSession, person: Person | None, commission_id: int | None, seat_id: int
) -> tuple[str | None, tuple[Entry, ...]]:
    """The people of one institution (seat 0: those with no institution), for the secretary."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_MEMBERS)
    whole = await build_directory(db, actor)
    if seat_id == 0:
        return None, whole.secretariat + whole.others
    for institution in whole.institutions:
        if institution.seat_id == seat_id:
            return institution.institution, institution.people
    raise NotFound(msg("Esa institución no tiene asiento en esta comisión."))
