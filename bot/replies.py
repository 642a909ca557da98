"""Replies to the person who wrote: queued in the update's transaction, sent after commit.

A handler says `await say(text, reply_markup=...)` for a new message, or `await say.screen(...)` for a
screen that changes (a roll call, a page of a list): after a button press it edits the message whose
button was pressed, else it sends one. If the update is rolled back, nothing is sent,
and a redelivered update (already committed) sends nothing twice. Replies are claimed before
notices (`Priority.REPLY`): the person who just wrote never waits behind a broadcast.

Files that take seconds to build (a national chart, a workbook) are rendered after the update
commits (`say.render_later`), in a worker thread: the render holds neither the event loop nor the
update's database connection (the only one, on SQLite), so no other update waits behind it. They are
queued then, in a transaction of their own, after everything the update queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.workflows.outbox import enqueue_document, enqueue_text
from bot.workflows.outbox.edits import enqueue_edit, enqueue_text_once
from db.models import Priority

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaterFile:
    file_name: str
    render: Callable[[], bytes]
    caption: str | None
    tr: Translator  # for the apology if the render fails


class Replies:
    def __init__(
        self, db: AsyncSession, chat_id: int | None, now: datetime, origin_message_id: int | None = None
    ) -> None:
        self.db, self.chat_id, self.now = db, chat_id, now
        self.origin = origin_message_id  # the message whose button was pressed, if any
        self.later: list[LaterFile] = []

    async def __call__(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        markup = reply_markup.model_dump(mode="json", exclude_none=True) if reply_markup else None
        await enqueue_text(
            self.db,
            self.chat_id,
            text,
            now=self.now,
            reply_markup=markup,
            report_failure=False,
            priority=Priority.REPLY,
        )

    async def screen(
        self, text: str, reply_markup: InlineKeyboardMarkup | None = None, *, key: str | None = None
    ) -> None:
        """Show a screen in place: the pressed message is edited (once per update; a second screen
        is a new message), or without a press a new message is sent. `key` names the screen, so
        that the newest message showing it is the live one (bot/workflows/screens.py)."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        markup = reply_markup.model_dump(mode="json", exclude_none=True) if reply_markup else None
        if self.origin is None:
            await enqueue_text(
                self.db,
                self.chat_id,
                text,
                now=self.now,
                reply_markup=markup,
                report_failure=False,
                priority=Priority.REPLY,
                screen=key,
            )
            return
        origin, self.origin = self.origin, None
        await enqueue_edit(self.db, self.chat_id, origin, text, now=self.now, reply_markup=markup, screen=key)

    async def once(self, text: str, *, key: str) -> None:
        """A reply that supersedes its own copy still waiting to be sent (`key`)."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        await enqueue_text_once(self.db, self.chat_id, text, now=self.now, key=key)

    async def document(self, file_name: str, content: bytes, caption: str | None = None) -> None:
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        await enqueue_document(
            self.db, self.chat_id, file_name, content, now=self.now, caption=caption, priority=Priority.REPLY
        )

    def render_later(
        self, tr: Translator, file_name: str, render: Callable[[], bytes], caption: str | None = None
    ) -> None:
        """A file whose `render()` takes long: built and queued after the update commits."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        self.later.append(LaterFile(file_name, render, caption, tr))

    async def send_later(self, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        """After the commit: render the files in a worker thread, then queue them. A render that
        fails is logged and apologised for; returns whether anything was queued."""
        if not self.later or self.chat_id is None:
            return False
        files: list[tuple[str, bytes | None, str | None, Translator]] = []
        for item in self.later:
            try:
                content: bytes | None = await asyncio.to_thread(item.render)
            except Exception:
                log.exception("could not render %s for chat %s", item.file_name, self.chat_id)
                content = None
            files.append((item.file_name, content, item.caption, item.tr))
        self.later = []
        try:
            async with sessionmaker() as db, db.begin():
                replies = Replies(db, self.chat_id, self.now)
                for file_name, content, caption, tr in files:
                    if content is not None:
                        await replies.document(file_name, content, caption)
                    else:
                        await replies(
                            tr.gettext(
                                "Lo siento, algo falló de nuestro lado y no se guardó nada. "
                                "Ya quedó registrado; intente de nuevo en unos minutos."
                            )
                        )
        except Exception:
            log.exception("could not queue the rendered files for chat %s", self.chat_id)
            return False
        return True
