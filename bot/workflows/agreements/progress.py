"""Progress from the liaisons: status, percentage, a short text and evidence, for their own
institution's agreements (or the secretary's, for any).

Each report is an `AgreementEvent` of kind progress and an audit entry, in the same transaction,
like every other change (change.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import button_labels as buttons
from bot.i18n import msg
from bot.workflows.access import Action, Actor
from bot.workflows.agreements.change import (
    NOTE_MAX,
    STATUS_TEXT,
    Changed,
    add_event,
    audit_change,
    check_percent,
    check_transition,
)
from bot.workflows.agreements.create import (
    AUDITED_FIELDS,
    access_agreement,
    agreement_seat_ids,
    clean_optional,
    secretaries,
)
from bot.workflows.audit import snapshot
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.commissions import seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEventKind,
    AgreementStatus,
    EvidenceKind,
    Membership,
    Person,
    ProgressDraft,
    Role,
)

# What a liaison may report (closing for good and cancelling are the secretary's).
LIAISON_STATUSES = (AgreementStatus.IN_PROGRESS, AgreementStatus.DONE)


@dataclass(frozen=True)
class Evidence:
    """A Telegram file (by file id, with its metadata) or a link."""

    kind: EvidenceKind
    file_id: str | None = None
    name: str | None = None
    mime: str | None = None
    size: int | None = None
    link: str | None = None


async def liaison_seat_ids(db: AsyncSession, person_id: int, commission_id: int) -> list[int]:
    rows = await db.exec(
        select(Membership.seat_id).where(
            Membership.person_id == person_id,
            Membership.commission_id == commission_id,
            Membership.role == Role.LIAISON,
        )
    )
    return [s for s in rows.all() if s is not None]


async def reporting_seat(db: AsyncSession, actor: Actor, agreement: Agreement) -> int | None:
    """The seat a progress report is given for; a liaison only for its own institution's agreements."""
    assert agreement.id is not None and actor.person.id is not None
    responsible = await agreement_seat_ids(db, agreement.id)
    own = [
        s for s in await liaison_seat_ids(db, actor.person.id, agreement.commission_id) if s in responsible
    ]
    if own:
        return own[0]
    if Role.SECRETARY in actor.roles:
        return None
    raise AccessDenied(
        msg("Ese acuerdo no está a cargo de su institución: solo puede informar sobre los suyos.")
    )


async def record_progress(
    db: AsyncSession,
    person: Person | None,
    agreement_id: int,
    *,
    status: AgreementStatus,
    progress: int,
    note: str | None,
    now: datetime,
    evidence: Evidence | None = None,
) -> Changed:
    """A liaison (or the secretary) reports status, percentage, a short text and evidence."""
    actor, agreement = await access_agreement(db, person, agreement_id, Action.REPORT_PROGRESS)
    seat_id = await reporting_seat(db, actor, agreement)
    if status not in LIAISON_STATUSES:
        raise UserError(
            msg(
                "Como avance puede informar «{in_progress}» o «{done}».",
                in_progress=buttons.IN_PROGRESS,
                done=buttons.FULFILLED,
            )
        )
    check_transition(agreement.status, status)
    progress = 100 if status == AgreementStatus.DONE else check_percent(progress)
    cleaned = clean_optional(note, NOTE_MAX)
    if evidence is not None and evidence.link is not None:
        link = evidence.link.strip()
        if not link.startswith(("http://", "https://")) or len(link) > 500:
            raise UserError(msg("El enlace debe empezar con http:// o https:// (máximo 500 caracteres)."))
    before = snapshot(agreement, *AUDITED_FIELDS)
    agreement.status, agreement.progress, agreement.updated_at = status, progress, now
    if status == AgreementStatus.DONE:
        agreement.closed_at = now
    db.add(agreement)
    event = await add_event(
        db,
        agreement,
        actor.person,
        AgreementEventKind.PROGRESS,
        now,
        seat_id=seat_id,
        status=status,
        progress=progress,
        note=cleaned,
    )
    if evidence is not None:
        event.evidence_kind = evidence.kind
        event.evidence_file_id = evidence.file_id
        event.evidence_name = (evidence.name or "")[:200] or None
        event.evidence_mime = (evidence.mime or "")[:100] or None
        event.evidence_size = evidence.size
        event.evidence_link = evidence.link.strip() if evidence.link else None
    await audit_change(db, actor, agreement, "progress", before | {"seat_id": seat_id}, now)
    assert actor.person.id is not None
    await db.exec(
        delete(ProgressDraft).where(
            col(ProgressDraft.person_id) == actor.person.id, col(ProgressDraft.agreement_id) == agreement_id
        )
    )
    names = await seat_names(db, [seat_id] if seat_id else [])
    notices = [
        Notice(
            p,
            msg(
                "{who} ({institution}) informó avance del acuerdo <b>{code}</b>: {status}, {progress} %.",
                who=actor.person.name,
                institution=names.get(seat_id, "") if seat_id else "",
                code=agreement.code,
                status=STATUS_TEXT[status],
                progress=progress,
            ),
            agreement.commission_id,
        )
        for p in await secretaries(db, agreement.commission_id)
        if p != actor.person.id
    ]
    return Changed(agreement, notices)
