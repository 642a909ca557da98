"""Personal data (Ley 29733): a person sees everything stored about them, and can have it erased.

Erasure removes what identifies the person (name, Telegram account, language, messages queued or
sent to them) while votes, attendance, agreements and actas keep their legal value: they point to
the seat and institution, and the person's row stays, renamed after it. The audit trail is a legal
record too and is not rewritten (it would break its hash chain); it keeps the name it had.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.audit import audited, jsonable
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.people import list_memberships
from bot.workflows.notices import Notice
from bot.workflows.outbox import forget_chat
from db.models import AuditEntry, Invitation, Membership, OutboxMessage, Person, Role

ERASED_NAME = "(datos retirados)"


async def my_data(db: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything stored about `person`, as plain data (shown, and sent as a JSON file)."""
    memberships = await list_memberships(db, person)
    invitations = (await db.exec(select(Invitation).where(Invitation.used_by_id == person.id))).all()
    acted = await db.exec(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == person.id)
    )
    messages = await db.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == person.telegram_id)
    )
    return jsonable(
        {
            "person": {
                "name": person.name,
                "telegram_id": person.telegram_id,
                "language": person.language,
                "registered_at": person.created_at,
                "unreachable_since": person.unreachable_at,
            },
            "memberships": [
                {
                    "commission": m.commission_code,
                    "commission_name": m.commission_name,
                    "role": m.role,
                    "institution": m.institution,
                }
                for m in memberships
            ],
            "invitations_accepted": [
                {
                    "commission_id": i.commission_id,
                    "role": i.role,
                    "name_given": i.invitee_name,
                    "used_at": i.used_at,
                }
                for i in invitations
            ],
            "changes_you_made_in_the_audit_trail": int(acted.one()),
            "messages_kept_in_the_outbox": int(messages.one()),
        }
    )


async def erase_person(db: AsyncSession, person: Person, *, now: datetime) -> list[Notice]:
    """Erase the person's personal data; their secretariats are told (to update their records)."""
    memberships = (await db.exec(select(Membership).where(Membership.person_id == person.id))).all()
    views = {(m.commission_id, m.role): m for m in await list_memberships(db, person)}
    former_name = person.name
    chat_id = person.telegram_id
    institution = next((m.institution for m in views.values() if m.institution), None)
    person.name = f"{ERASED_NAME} {institution}" if institution else ERASED_NAME
    person.telegram_id = None
    person.language = "es"
    person.language_chosen = False
    person.erased_at = now
    db.add(person)
    await db.exec(update(Invitation).where(col(Invitation.used_by_id) == person.id).values(invitee_name=None))
    if chat_id is not None:
        await forget_chat(db, chat_id)
    await db.flush()
    notices: list[Notice] = []
    commissions = {m.commission_id: m.role for m in memberships}
    for commission_id, role in sorted(commissions.items()):  # chains in ascending order (see record)
        await audited(
            db,
            person,
            commission_id,
            "person.erased",
            "person",
            person.id,
            now=now,
            after={"role": role, "erased_at": now},
            actor_label=ERASED_NAME,
        )
        secretaries = await db.exec(
            select(Membership.person_id).where(
                Membership.commission_id == commission_id, Membership.role == Role.SECRETARY
            )
        )
        for secretary_id in secretaries.all():
            if secretary_id != person.id:
                notices.append(
                    Notice(
                        secretary_id,
                        msg(
                            "{name} ({role}) pidió retirar sus datos personales (Ley 29733) y ya no "
                            "usará el bot. Su asiento, asistencias y votos se conservan.",
                            name=former_name,
                            role=ROLE_LABELS[role],
                        ),
                        commission_id,
                    )
                )
    return notices
