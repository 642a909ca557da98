"""Readers' reports of a wrong translation, and the reviewer's queue and decisions.

A correction is a `TranslationChange` row: the trail of who changed what, from what to what, and —
its newest correction per string — the overlay every Translator renders with (`load_corrections`),
so the next message uses it without a restart (bot/handlers/translations/overlay.py reloads it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import CatalogEntry, msg
from bot.workflows.errors import UserError
from bot.workflows.translations.copies import sends_by_msgid
from bot.workflows.translations.reviewers import Reviewer
from db.models import NoticeCopy, Person, TranslationChange, TranslationReport

PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?[a-z]+(?: [^<>]*)?>")
LONE_AMPERSAND = re.compile(r"&(?!(?:[a-z]+|#\d+);)")
SUGGESTION_MAX = 2000
CORRECTED, APPROVED = "corrected", "approved"


def string_key(msgid: str) -> str:
    """A short, stable name of a string for callback data (a message id may be 1,000 characters)."""
    return hashlib.sha256(msgid.encode()).hexdigest()[:10]


async def report_translation(
    db: AsyncSession, person: Person, copy: NoticeCopy, suggestion: str, *, shown: str, now: datetime
) -> TranslationReport:
    """A reader says the translation of `copy`'s message is wrong and how it should read."""
    suggestion = suggestion.strip()
    if not 2 <= len(suggestion) <= SUGGESTION_MAX:
        raise UserError(msg("Escriba cómo debería decirse (entre 2 y 2000 caracteres)."))
    report = TranslationReport(
        language=copy.language,
        msgid=copy.msgid,
        shown=shown,
        suggestion=suggestion,
        reporter_id=person.id,
        created_at=now,
    )
    db.add(report)
    await db.flush()
    return report


@dataclass(frozen=True)
class QueueItem:
    entry: CatalogEntry
    translation: str  # the one readers get now (a correction, else the catalog's)
    sends: int
    reports: tuple[str, ...]  # readers' suggestions, oldest first

    @property
    def key(self) -> str:
        return string_key(self.entry.key)


async def review_queue(
    db: AsyncSession, reviewer: Reviewer, entries: Mapping[str, CatalogEntry], corrections: Mapping[str, str]
) -> list[QueueItem]:
    """The strings to review: reported ones first, then drafts most sent first. A string a
    reviewer already decided on leaves the queue until a reader reports it again."""
    language = reviewer.language
    reports: dict[str, list[str]] = {}
    for report in (
        await db.exec(
            select(TranslationReport)
            .where(TranslationReport.language == language, col(TranslationReport.resolved_at).is_(None))
            .order_by(col(TranslationReport.id))
        )
    ).all():
        reports.setdefault(report.msgid, []).append(report.suggestion)
    decided = set(
        (await db.exec(select(TranslationChange.msgid).where(TranslationChange.language == language))).all()
    )
    sends = await sends_by_msgid(db, language)
    items = [
        QueueItem(
            entry,
            corrections.get(msgid, entry.translation),
            sends.get(msgid, 0),
            tuple(reports.get(msgid, ())),
        )
        for msgid, entry in entries.items()  # msgid: the entry's catalog_key (with its msgctxt)
        if msgid in reports or (entry.status == "draft" and msgid not in decided)
    ]
    items.sort(key=lambda i: (-len(i.reports), -i.sends, i.entry.msgid))
    return items


def check_placeholders(entry: CatalogEntry, text: str) -> None:
    expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.plural or ""))
    if set(PLACEHOLDER.findall(text)) != expected:
        shown = " ".join(f"{{{p}}}" for p in sorted(expected)) or "—"
        raise UserError(
            msg("La traducción debe llevar los mismos marcadores que el español: {markers}", markers=shown)
        )


def as_markup(entry: CatalogEntry, text: str) -> str:
    """A typed correction as the catalog's HTML: the same tags as the Spanish (<b>…</b>), and any
    other «<», «>» or «&» escaped, so Telegram never refuses the message."""
    tags = TAG.findall(text)
    if sorted(tags) != sorted(TAG.findall(f"{entry.msgid}{entry.plural or ''}")):
        shown = " ".join(sorted(set(TAG.findall(entry.msgid)))) or "—"
        raise UserError(msg("La traducción debe llevar las mismas marcas que el español: {tags}", tags=shown))
    parts = TAG.split(text)
    escaped = [LONE_AMPERSAND.sub("&amp;", p).replace("<", "&lt;").replace(">", "&gt;") for p in parts]
    return "".join(part + (tags[i] if i < len(tags) else "") for i, part in enumerate(escaped))


async def decide_string(
    db: AsyncSession,
    reviewer: Reviewer,
    entry: CatalogEntry,
    *,
    current: str,
    correction: str | None,
    now: datetime,
) -> TranslationChange:
    """Approve the current translation (`correction` None) or replace it; closes the string's
    open reports. The row records who decided, when, from what to what."""
    if correction is not None:
        correction = correction.strip()
        if not correction:
            raise UserError(msg("Escriba la traducción corregida."))
        check_placeholders(entry, correction)
        correction = as_markup(entry, correction)
    change = TranslationChange(
        language=reviewer.language,
        msgid=entry.key,
        action=APPROVED if correction is None else CORRECTED,
        before=current,
        after=current if correction is None else correction,
        reviewer_id=reviewer.person.id,
        reviewer_label=reviewer.person.name,
        at=now,
    )
    db.add(change)
    await db.exec(
        update(TranslationReport)
        .where(
            col(TranslationReport.language) == reviewer.language,
            col(TranslationReport.msgid) == entry.key,
            col(TranslationReport.resolved_at).is_(None),
        )
        .values(resolved_at=now)
    )
    await db.flush()
    return change


async def load_corrections(db: AsyncSession) -> dict[str, dict[str, str]]:
    """Language → msgid → the newest correction: what readers get instead of the catalog."""
    rows = await db.exec(
        select(TranslationChange.language, TranslationChange.msgid, TranslationChange.after)
        .where(TranslationChange.action == CORRECTED)
        .order_by(col(TranslationChange.id))
    )
    found: dict[str, dict[str, str]] = {}
    for language, msgid, after in rows.all():
        found.setdefault(language, {})[msgid] = after
    return found


async def string_history(db: AsyncSession, language: str, msgid: str) -> list[TranslationChange]:
    rows = await db.exec(
        select(TranslationChange)
        .where(TranslationChange.language == language, TranslationChange.msgid == msgid)
        .order_by(col(TranslationChange.id))
    )
    return list(rows.all())
