"""Live screens as the handlers use them (the table: bot/workflows/screens.py).

- A button pressed on an older message of a screen that moved on (a roll call shown again further
  down, an earlier page of a list) is answered with a toast and does nothing: its keyboard shows a
  state that is no longer true.
- A screen someone else is looking at is refreshed when what it shows changes (the secretary's
  vote tally when a member votes from their phone): an edit queued with a key, so that the votes
  arriving while it waits its turn (a chat gets a message a second at most) leave one pending edit,
  the newest. It is not held back on purpose: a reply queued after it in that chat would wait too.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.workflows.outbox.edits import enqueue_edit
from bot.workflows.screens import is_stale
from db.models import Priority


async def stale_press(query: CallbackQuery, db: AsyncSession, key: str, tr: Translator) -> bool:
    """Whether the press came from an outdated message of screen `key`; if so it is answered with
    a toast saying where the current one is."""
    message = query.message
    if message is None or not await is_stale(db, message.chat.id, message.message_id, key):
        return False
    await query.answer(tr.gettext("Esta pantalla ya cambió: use el mensaje más reciente."), show_alert=False)
    return True


async def refresh_screen(
    db: AsyncSession,
    chat_id: int,
    message_id: int,
    key: str,
    text: str,
    reply_markup: InlineKeyboardMarkup | None,
    *,
    now: datetime,
) -> None:
    """Queue the new content of a screen shown in another chat; superseded while it waits."""
    markup = reply_markup.model_dump(mode="json", exclude_none=True) if reply_markup else None
    await enqueue_edit(
        db,
        chat_id,
        message_id,
        text,
        now=now,
        reply_markup=markup,
        screen=key,
        priority=Priority.NOTICE,
        coalesce_key=f"{key}@{message_id}",
    )
