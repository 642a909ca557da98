"""What a message carries as evidence of progress (a photo, a document, a voice note or a link),
read the same way by /avance and by a progress round's last step."""

from __future__ import annotations

from aiogram.types import Message

from bot.i18n import msg
from bot.workflows.agreements.progress import Evidence
from bot.workflows.errors import UserError
from db.models import EvidenceKind


def evidence_in(message: Message) -> Evidence | None:
    if message.photo:
        photo = message.photo[-1]
        return Evidence(EvidenceKind.PHOTO, file_id=photo.file_id, mime="image/jpeg", size=photo.file_size)
    if message.document:
        doc = message.document
        return Evidence(
            EvidenceKind.DOCUMENT,
            file_id=doc.file_id,
            name=doc.file_name,
            mime=doc.mime_type,
            size=doc.file_size,
        )
    if message.voice:
        voice = message.voice
        return Evidence(EvidenceKind.VOICE, file_id=voice.file_id, mime=voice.mime_type, size=voice.file_size)
    if message.text and message.text.strip().startswith(("http://", "https://")):
        return Evidence(EvidenceKind.LINK, link=message.text.strip())
    return None


def required_evidence(message: Message) -> Evidence:
    """The message's evidence, or a refusal saying what counts as one."""
    evidence = evidence_in(message)
    if evidence is None:
        raise UserError(
            msg(
                "Eso no es una evidencia. Envíe una foto, un documento, una nota de voz "
                "o un enlace que empiece con https://."
            )
        )
    return evidence
