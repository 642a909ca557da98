"""Opening a piece of evidence: the file a liaison sent with a progress report, sent back by
Telegram file id to whoever may see the agreement (the same gate as the detail)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.agreements.create import access_agreement
from bot.workflows.errors import UserError
from bot.workflows.labels import EVIDENCE_LABELS
from bot.workflows.notices import Attachment, Notice
from db.models import AgreementEvent, EvidenceKind, FileKind, Person

# How each kind of evidence goes back: Telegram takes a photo's file id only in sendPhoto, a voice
# note's only in sendVoice, and so on (a link has no file).
FILE_KIND = {
    EvidenceKind.DOCUMENT: FileKind.DOCUMENT,
    EvidenceKind.PHOTO: FileKind.PHOTO,
    EvidenceKind.VOICE: FileKind.VOICE,
    EvidenceKind.AUDIO: FileKind.AUDIO,
    EvidenceKind.VIDEO: FileKind.VIDEO,
}


def openable(kind: EvidenceKind | None, file_id: str | None) -> bool:
    return kind in FILE_KIND and bool(file_id)


async def open_evidence(db: AsyncSession, person: Person | None, event_id: int) -> Notice:
    """The file of one history entry, for the person asking, if they may see its agreement."""
    event = await db.get(AgreementEvent, event_id)
    if event is None:
        raise UserError(msg("Esa evidencia no existe."))
    actor, agreement = await access_agreement(db, person, event.agreement_id, Action.VIEW_AGREEMENTS)
    if not openable(event.evidence_kind, event.evidence_file_id):
        raise UserError(msg("Esa evidencia no existe."))
    assert event.evidence_file_id is not None and event.evidence_kind is not None
    kind = event.evidence_kind
    name = event.evidence_name or EVIDENCE_LABELS[kind]
    assert actor.person.id is not None
    caption = msg("Evidencia del acuerdo <b>{code}</b>: {name}", code=agreement.code, name=name)
    file = Attachment(event.evidence_name or kind.value, file_id=event.evidence_file_id, kind=FILE_KIND[kind])
    return Notice(actor.person.id, caption, agreement.commission_id, attachments=(file,))
