"""Replies to the person who wrote: queued in the update's transaction, sent after commit.

A handler says `await say(text, reply_markup=...)`; if the update is rolled back, nothing is sent,
and a redelivered update (already committed) sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.outbox import enqueue_document, enqueue_text


class Replies:
    def __init__(self, db: AsyncSession, chat_id: int | None, now: datetime) -> None:
        self.db, self.chat_id, self.now = db, chat_id, now

    async def __call__(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        markup = reply_markup.model_dump(mode="json", exclude_none=True) if reply_markup else None
        await enqueue_text(
            self.db, self.chat_id, text, now=self.now, reply_markup=markup, report_failure=False
        )

    async def document(self, file_name: str, content: bytes, caption: str | None = None) -> None:
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        await enqueue_document(self.db, self.chat_id, file_name, content, now=self.now, caption=caption)
