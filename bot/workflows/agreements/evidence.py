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

# Telegram has no name for a photo or a voice note: they are sent under these.
DEFAULT_NAMES = {EvidenceKind.PHOTO: "foto.jpg", EvidenceKind.VOICE: "nota-de-voz.ogg"}


async def open_evidence(db: AsyncSession, person: Person | None, event_id: int) -> Notice:
    """The file of one history entry, for the person asking, if they may see its agreement."""
    event = await db.get(AgreementEvent, event_id)
    if event is None:
        raise UserError(msg("Esa evidencia no existe."))
    actor, agreement = await access_agreement(db, person, event.agreement_id, Action.VIEW_AGREEMENTS)
    if not event.evidence_file_id or event.evidence_kind is None:
        raise UserError(msg("Esa evidencia no existe."))
    name = event.evidence_name or DEFAULT_NAMES.get(event.evidence_kind, "evidencia")
    assert actor.person.id is not None
    caption = msg("Evidencia del acuerdo <b>{code}</b>: {name}", code=agreement.code, name=name)
    return Notice(
        actor.person.id,
        caption,
        agreement.commission_id,
        attachments=(Attachment(name, file_id=event.evidence_file_id),),
    )
