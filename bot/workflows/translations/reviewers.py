"""Translators: a role per language, granted by the administrator (`cra-bot translator add`). It is
no commission role and grants no commission action (tests/workflows/test_permissions.py): it opens
/traducir for its language and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import SOURCE_LANGUAGE, msg
from bot.workflows.errors import AccessDenied, UserError
from db.models import Person, TranslatorGrant


@dataclass(frozen=True)
class Reviewer:
    """A person reviewing one language."""

    person: Person
    language: str


async def grant_translator(
    db: AsyncSession,
    telegram_id: int,
    language: str,
    *,
    languages: set[str],
    now: datetime,
    name: str | None = None,
) -> tuple[Person, bool]:
    """Let the person with this Telegram id review `language` (one of `languages`, not Spanish);
    someone the bot does not know yet is added, reading that language. Returns (person, new grant)."""
    if language not in languages or language == SOURCE_LANGUAGE:
        raise UserError(msg("Ese idioma no tiene un catálogo que revisar."))
    person = (await db.exec(select(Person).where(Person.telegram_id == telegram_id))).first()
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            name=name or f"Traductor {telegram_id}",
            language=language,
            created_at=now,
        )
        db.add(person)
        await db.flush()
    assert person.id is not None
    found = (
        await db.exec(
            select(TranslatorGrant).where(
                TranslatorGrant.person_id == person.id, TranslatorGrant.language == language
            )
        )
    ).first()
    if found is None:
        db.add(TranslatorGrant(person_id=person.id, language=language, granted_at=now))
        await db.flush()
    return person, found is None


async def reviewer_languages(db: AsyncSession, person: Person | None) -> list[str]:
    if person is None or person.id is None:
        return []
    rows = await db.exec(
        select(TranslatorGrant.language)
        .where(TranslatorGrant.person_id == person.id)
        .order_by(TranslatorGrant.language)
    )
    return list(rows.all())


async def access_review(db: AsyncSession, person: Person | None, language: str | None = None) -> Reviewer:
    """The gate of /traducir: the person must hold the translator role for that language (the
    first they hold, when none is named)."""
    held = await reviewer_languages(db, person)
    if person is None or not held or (language is not None and language not in held):
        raise AccessDenied(msg("Solo una persona traductora de ese idioma puede revisar sus traducciones."))
    return Reviewer(person, language or held[0])
