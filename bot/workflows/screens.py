"""Live screens: messages that show something which changes (a roll call, a vote tally, a page of
a list) and are edited in place rather than sent again.

The sender records which screen a message shows once Telegram has it (the outbox row names the
screen; the message id is known only then). In a chat, only the newest message of a screen is live:
a button pressed on an older one is stale — its keyboard shows a state that moved on — and acts on
nothing. Every statement that writes the `live_screen` table lives here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import LiveScreen, Person

# Screens older than this are not refreshed any more (and forgotten by housekeeping).
LIVE_FOR = timedelta(days=2)


async def record_screen(db: AsyncSession, chat_id: int, message_id: int, key: str, *, now: datetime) -> None:
    """Message `message_id` of the chat now shows screen `key` (and nothing else does there)."""
    await db.exec(
        delete(LiveScreen).where(
            col(LiveScreen.chat_id) == chat_id,
            or_(col(LiveScreen.message_id) == message_id, col(LiveScreen.screen_key) == key),
        )
    )
    db.add(LiveScreen(chat_id=chat_id, message_id=message_id, screen_key=key, updated_at=now))
    await db.flush()


async def is_stale(db: AsyncSession, chat_id: int, message_id: int | None, key: str) -> bool:
    """Whether a button of screen `key` pressed on `message_id` comes from an outdated message:
    the screen is live in this chat on another message (a message the bot never recorded, e.g.
    one sent before screens were kept, is not stale)."""
    rows = await db.exec(
        select(LiveScreen.message_id).where(
            col(LiveScreen.chat_id) == chat_id, col(LiveScreen.screen_key) == key
        )
    )
    live = set(rows.all())
    return bool(live) and message_id not in live


async def screens_showing(
    db: AsyncSession, key: str, *, now: datetime
) -> list[tuple[int, int, Person | None]]:
    """The live messages showing screen `key` in any chat, with who reads each (a private chat's
    person), updated within `LIVE_FOR`: (chat id, message id, person)."""
    rows = await db.exec(
        select(LiveScreen, Person)
        .join(Person, col(Person.telegram_id) == col(LiveScreen.chat_id), isouter=True)
        .where(col(LiveScreen.screen_key) == key, col(LiveScreen.updated_at) >= now - LIVE_FOR)
    )
    return [(screen.chat_id, screen.message_id, person) for screen, person in rows.all()]


async def forget_screens(db: AsyncSession, *, before: datetime) -> int:
    """Drop the screens nobody will refresh any more."""
    result = await db.exec(delete(LiveScreen).where(col(LiveScreen.updated_at) < before))
    return int(result.rowcount or 0)


async def forget_chat_screens(db: AsyncSession, chat_id: int) -> None:
    """Drop what the bot knows of a chat's screens (a person's data erased)."""
    await db.exec(delete(LiveScreen).where(col(LiveScreen.chat_id) == chat_id))
