"""Copies of the notices sent to readers of another language: the Spanish rendering is what «Ver en
español» shows (the authoritative text of a convocation, an agreement, a deadline or a personal-
data notice), the message id is what «⚑» reports and what /traducir counts as sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.legal_texts import LEGAL_MSGID_STARTS
from bot.workflows.errors import NotFound
from bot.workflows.notices import AskNewDeadline, Ballot, DeadlineDecision, Notice, Rsvp
from db.models import NoticeCopy, Person

LEGAL_BUTTONS = (Rsvp, Ballot, AskNewDeadline, DeadlineDecision)
UNKNOWN = msg("Ese mensaje ya no está disponible.")


# One row per notice to a reader of another language (a broadcast writes hundreds): straight to the
# table, as the outbox does, without building ORM objects.
_INSERT_COPY = insert(SQLModel.metadata.tables[NoticeCopy.__tablename__]).returning(
    SQLModel.metadata.tables[NoticeCopy.__tablename__].c.id
)


def is_legal(notice: Notice) -> bool:
    """Whether the notice's Spanish text is the authoritative one a reader may ask to see."""
    return isinstance(notice.buttons, LEGAL_BUTTONS) or notice.text.msgid.startswith(LEGAL_MSGID_STARTS)


async def keep_copy(
    db: AsyncSession, *, person_id: int, language: str, msgid: str, spanish: str, legal: bool, now: datetime
) -> int:
    """Store a sent notice's message id and Spanish rendering; the id goes in its buttons."""
    values = {
        "person_id": person_id,
        "language": language,
        "msgid": msgid,
        "spanish": spanish,
        "legal": legal,
        "created_at": now,
    }
    return int((await db.exec(_INSERT_COPY, params=values)).scalar_one())


async def own_copy(db: AsyncSession, person: Person | None, copy_id: int) -> NoticeCopy:
    """The copy of a notice sent to this person (callback data is user input: another person's
    copy is refused exactly as one that does not exist)."""
    copy = await db.get(NoticeCopy, copy_id)
    if copy is None or person is None or copy.person_id != person.id:
        raise NotFound(UNKNOWN)
    return copy


async def sends_by_msgid(db: AsyncSession, language: str) -> dict[str, int]:
    """How many notices of each message id went to readers of `language`."""
    rows = await db.exec(
        select(NoticeCopy.msgid, func.count())
        .where(NoticeCopy.language == language)
        .group_by(col(NoticeCopy.msgid))
    )
    return {msgid: count for msgid, count in rows.all()}


async def forget_copies(db: AsyncSession, *, before: datetime) -> int:
    """Drop the copies of notices sent before `before` (their buttons then say the message is no
    longer available). Returns how many."""
    result = await db.exec(delete(NoticeCopy).where(col(NoticeCopy.created_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
