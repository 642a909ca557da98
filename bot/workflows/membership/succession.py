"""A successor taking over a seat: the invitation's acceptance ends the predecessor's membership.

Called from `redeem_invitation` in the same transaction, so either both happen or neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.audit import audited
from bot.workflows.business_days import lima_date
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.ending import close_membership
from bot.workflows.notices import Notice, Rsvp
from db.models import (
    MeetingSession,
    Membership,
    Person,
    Role,
    SessionInvitee,
    SessionStatus,
    Succession,
)


async def complete_succession(
    db: AsyncSession, invitation_id: int, successor: Person, *, now: datetime
) -> tuple[list[Notice], list[int]]:
    """If the invitation names a predecessor, end their membership today in favour of `successor`.

    Returns the notices and the ids of the people whose menus changed (the predecessor)."""
    succession = (await db.exec(select(Succession).where(Succession.invitation_id == invitation_id))).first()
    if succession is None or succession.completed_at is not None:
        return [], []
    succession.completed_at = now
    succession.successor_id = successor.id
    db.add(succession)
    notices: list[Notice] = []
    changed: list[int] = []
    membership = (
        await db.exec(
            select(Membership).where(
                Membership.person_id == succession.predecessor_id,
                Membership.commission_id == succession.commission_id,
                Membership.role == succession.role,
            )
        )
    ).first()
    if membership is not None and succession.predecessor_id != successor.id:
        ended = await close_membership(
            db,
            membership,
            by=successor,
            reason=succession.reason,
            effective_on=lima_date(now),
            now=now,
            successor_id=successor.id,
        )
        notices.extend(ended.notices)
        changed.append(ended.person_id)
    notices += await convene_successor(db, succession, successor, now=now)
    predecessor = await db.get(Person, succession.predecessor_id)
    await audited(
        db,
        successor,
        succession.commission_id,
        "succession.completed",
        "succession",
        succession.id,
        now=now,
        before={"predecessor_id": succession.predecessor_id},
        after={"successor_id": successor.id, "role": succession.role, "seat_id": succession.seat_id},
    )
    secretaries = (
        await db.exec(
            select(Membership.person_id).where(
                Membership.commission_id == succession.commission_id, Membership.role == Role.SECRETARY
            )
        )
    ).all()
    for secretary in sorted(set(secretaries) - {successor.id}):
        notices.append(
            Notice(
                secretary,
                msg(
                    "{successor} asumió como {role} en reemplazo de {predecessor}.",
                    successor=successor.name,
                    role=ROLE_LABELS[succession.role],
                    predecessor=predecessor.name if predecessor else "—",
                ),
                succession.commission_id,
            )
        )
    return notices, changed


async def convene_successor(
    db: AsyncSession, succession: Succession, successor: Person, *, now: datetime
) -> list[Notice]:
    """The sessions the predecessor was convened to and that are still ahead: the successor is
    convened in their place (the seat's answer counts for the quorum forecast)."""
    rows = await db.exec(
        select(SessionInvitee, MeetingSession)
        .join(MeetingSession, col(MeetingSession.id) == SessionInvitee.session_id)
        .where(
            SessionInvitee.person_id == succession.predecessor_id,
            MeetingSession.commission_id == succession.commission_id,
            MeetingSession.status == SessionStatus.CONVENED,
            col(MeetingSession.starts_at) > now,
        )
    )
    notices = []
    for invitee, session in rows.all():
        assert session.id is not None and successor.id is not None
        already = await db.exec(
            select(SessionInvitee.id).where(
                SessionInvitee.session_id == session.id, SessionInvitee.person_id == successor.id
            )
        )
        if already.first() is not None:
            continue
        db.add(SessionInvitee(session_id=session.id, person_id=successor.id, seat_id=invitee.seat_id))
        text = msg(
            "En reemplazo de su predecesor(a), queda convocado(a) a la sesión del {date}. ¿Asistirá?",
            date=session.starts_at,
        )
        notices.append(Notice(successor.id, text, session.commission_id, buttons=Rsvp(session.id)))
    await db.flush()
    return notices
