"""What a message carries as evidence of progress (a photo, a document, a voice note, an audio, a
video or a link), read the same way by /avance and by a progress round's last step. The kind is
kept: it decides how the file is sent back (a photo's file id only goes with sendPhoto)."""

from __future__ import annotations

from aiogram.types import Message

from bot.i18n import msg
from bot.workflows.agreements.evidence import FILE_KIND
from bot.workflows.agreements.progress import Evidence
from bot.workflows.errors import UserError
from bot.workflows.notices import Attachment
from db.models import EvidenceKind

# Files that carry their own name and type; a photo and a voice note carry neither.
_NAMED_FILES = (
    ("document", EvidenceKind.DOCUMENT),
    ("audio", EvidenceKind.AUDIO),
    ("video", EvidenceKind.VIDEO),
)


def evidence_in(message: Message) -> Evidence | None:
    if message.photo:
        photo = message.photo[-1]
        return Evidence(EvidenceKind.PHOTO, file_id=photo.file_id, mime="image/jpeg", size=photo.file_size)
    if message.voice:
        voice = message.voice
        return Evidence(EvidenceKind.VOICE, file_id=voice.file_id, mime=voice.mime_type, size=voice.file_size)
    for attribute, kind in _NAMED_FILES:
        if file := getattr(message, attribute):
            return Evidence(
                kind, file_id=file.file_id, name=file.file_name, mime=file.mime_type, size=file.file_size
            )
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


def attached_file(message: Message) -> Attachment | None:
    """The Telegram file a message carries (a document, photo, voice note, audio or video), kept
    by file id and sent back later with the method of its kind; `file_name` is empty if it has none."""
    evidence = evidence_in(message)
    if evidence is None or evidence.file_id is None:
        return None
    return Attachment(evidence.name or "", file_id=evidence.file_id, kind=FILE_KIND[evidence.kind])
