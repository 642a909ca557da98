"""The documents of a designation, kept by the secretariat: the oficio that designates the person
and, for the titular, the signed integrity commitment with its date (art. 37.g, Anexo B).

Files stay in Telegram (their file id); the secretariat and the president get them back as
documents.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.access import Action, access_commission
from bot.workflows.audit import audited
from bot.workflows.business_days import lima_date
from bot.workflows.errors import NotFound, UserError
from bot.workflows.membership.changes import access_membership
from bot.workflows.notices import Attachment, Notice
from db.models import MemberDocument, MemberDocumentKind, Membership, Person

DOCUMENT_LABELS: dict[MemberDocumentKind, Text] = {
    MemberDocumentKind.DESIGNATION: msg("Oficio de designación"),
    MemberDocumentKind.INTEGRITY: msg("Compromiso de integridad"),
}


async def attach_document(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    membership_id: int,
    kind: MemberDocumentKind,
    *,
    file_id: str,
    file_name: str,
    now: datetime,
    signed_on: date | None = None,
) -> MemberDocument:
    """Keep (or replace) one document of a person's designation; audited."""
    actor, held = await access_membership(db, person, commission_id, membership_id)
    if signed_on is not None and signed_on > lima_date(now):
        raise UserError(msg("La fecha de firma no puede ser futura."))
    assert actor.commission.id is not None and held.person.id is not None
    found = (
        await db.exec(
            select(MemberDocument).where(
                MemberDocument.commission_id == actor.commission.id,
                MemberDocument.person_id == held.person.id,
                MemberDocument.kind == kind,
            )
        )
    ).first()
    before = {"file_name": found.file_name, "signed_on": found.signed_on} if found else None
    doc = found or MemberDocument(
        commission_id=actor.commission.id, person_id=held.person.id, kind=kind, file_id=file_id,
        file_name=file_name, added_at=now,
    )  # fmt: skip
    doc.file_id, doc.file_name, doc.signed_on = file_id, file_name[:200], signed_on
    doc.added_by_id, doc.added_at = actor.person.id, now
    db.add(doc)
    await db.flush()
    await audited(
        db, actor, actor.commission.id, "member_document.attached", "member_document", doc.id, now=now,
        before=before, after={"person_id": held.person.id, "kind": kind, "file_name": doc.file_name,
                              "signed_on": signed_on},
    )  # fmt: skip
    return doc


async def documents_of(
    db: AsyncSession, person: Person | None, commission_id: int | None, membership_id: int
) -> list[Notice]:
    """The person's designation documents, sent to whoever asks (secretariat or president)."""
    actor = await access_commission(db, person, commission_id, Action.VIEW_CONTACTS)
    membership = await db.get(Membership, membership_id)
    if membership is None or membership.commission_id != actor.commission.id:
        raise NotFound(msg("Esa membresía no existe o ya terminó."))
    docs = (
        await db.exec(
            select(MemberDocument).where(
                MemberDocument.commission_id == actor.commission.id,
                MemberDocument.person_id == membership.person_id,
            )
        )
    ).all()
    if not docs:
        raise NotFound(msg("Todavía no hay documentos de esta designación."))
    attachments = tuple(
        Attachment(d.file_name, file_id=d.file_id, caption=DOCUMENT_LABELS[d.kind]) for d in docs
    )
    text = msg("Documentos de la designación:")
    return [Notice(actor.person.id, text, actor.commission.id, attachments=attachments)]
