"""Opening a piece of evidence: the file a liaison sent with a progress report, sent back by
Telegram file id to whoever may see the agreement (the same gate as the detail)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.agreements.create import access_agreement
from bot.workflows.errors import UserError
from bot.workflows.notices import Attachment, Notice
from db.models import AgreementEvent, EvidenceKind, Person

# The outbox resends files with sendDocument, and Telegram does not resend a photo's or a voice
# note's file id as a document: only documents open for now (photos and voice notes need
# sendPhoto/sendVoice in the sender).
OPENABLE = (EvidenceKind.DOCUMENT,)


def openable(kind: EvidenceKind | None, file_id: str | None) -> bool:
    return kind in OPENABLE and bool(file_id)


async def open_evidence(db: AsyncSession, person: Person | None, event_id: int) -> Notice:
    """The file of one history entry, for the person asking, if they may see its agreement."""
    event = await db.get(AgreementEvent, event_id)
    if event is None:
        raise UserError(msg("Esa evidencia no existe."))
    actor, agreement = await access_agreement(db, person, event.agreement_id, Action.VIEW_AGREEMENTS)
    if not openable(event.evidence_kind, event.evidence_file_id):
        raise UserError(msg("Esa evidencia no existe."))
    assert event.evidence_file_id is not None
    name = event.evidence_name or "evidencia"
    assert actor.person.id is not None
    caption = msg("Evidencia del acuerdo <b>{code}</b>: {name}", code=agreement.code, name=name)
    return Notice(
        actor.person.id,
        caption,
        agreement.commission_id,
        attachments=(Attachment(name, file_id=event.evidence_file_id),),
    )
