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
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.workflows.outbox import enqueue_document, enqueue_text
from bot.workflows.outbox.edits import enqueue_edit, enqueue_text_once
from db.models import Priority

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaterFiles:
    name: str  # for the log
    render: Callable[[], Sequence[tuple[str, bytes, str | None]]]  # (file name, content, caption)
    tr: Translator  # for the apology if the render fails


class Replies:
    def __init__(
        self, db: AsyncSession, chat_id: int | None, now: datetime, origin_message_id: int | None = None
    ) -> None:
        self.db, self.chat_id, self.now = db, chat_id, now
        self.origin = origin_message_id  # the message whose button was pressed, if any
        self.later: list[LaterFiles] = []

    async def __call__(
        self, text: str, reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
    ) -> None:
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
        self.render_files_later(tr, lambda: [(file_name, render(), caption)], name=file_name)

    def render_files_later(
        self,
        tr: Translator,
        render: Callable[[], Sequence[tuple[str, bytes, str | None]]],
        *,
        name: str = "charts",
    ) -> None:
        """Several files from one long `render()` (e.g. a report's charts), queued in order."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        self.later.append(LaterFiles(name, render, tr))

    async def send_later(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        wake: Callable[[], None] | None = None,
        bot: Bot | None = None,
    ) -> bool:
        """After the commit: say the files are on their way (a status message, and Telegram's
        «sending a file…» while they render), render them in a worker thread, then edit the status
        to the result and queue the files. A render that fails is logged and apologised for;
        returns whether anything was queued."""
        if not self.later or self.chat_id is None:
            return False
        chat_id, tr, later = self.chat_id, self.later[0].tr, self.later
        self.later = []
        status = await self._queue_status(sessionmaker, tr)
        if wake is not None:
            wake()
        acting = asyncio.create_task(_keep_acting(bot, chat_id)) if bot is not None else None
        try:
            files = [file for item in later for file in await _render(item, chat_id)]
        finally:
            if acting is not None:
                acting.cancel()
        try:
            async with sessionmaker() as db, db.begin():
                replies = Replies(db, chat_id, self.now)
                failed = any(content is None for _, content, _ in files)
                if status is not None:
                    done = tr.ngettext(
                        "✅ Listo: {n} archivo a continuación.",
                        "✅ Listo: {n} archivos a continuación.",
                        len(files),
                    )
                    text = _apology(tr) if failed else done
                    await enqueue_edit(db, chat_id, None, text, now=self.now, of_row=status)
                for file_name, content, caption in files:
                    if content is not None:
                        await replies.document(file_name, content, caption)
                    elif status is None:
                        await replies(_apology(tr))
        except Exception:
            log.exception("could not queue the rendered files for chat %s", chat_id)
            return False
        return True

    async def _queue_status(
        self, sessionmaker: async_sessionmaker[AsyncSession], tr: Translator
    ) -> int | None:
        """The message edited to the result once the files are ready (None if it cannot be queued:
        the files still follow)."""
        assert self.chat_id is not None
        try:
            async with sessionmaker() as db, db.begin():
                text = tr.gettext("⏳ Preparando los archivos; tardan unos segundos.")
                [row_id] = await enqueue_text(db, self.chat_id, text, now=self.now, priority=Priority.REPLY)
                return row_id
        except Exception:
            log.exception("could not queue the status message for chat %s", self.chat_id)
            return None


async def _render(item: LaterFiles, chat_id: int) -> list[tuple[str, bytes | None, str | None]]:
    """The item's files, or one failed file (content None) if its render raised."""
    try:
        return list(await asyncio.to_thread(item.render))
    except Exception:
        log.exception("could not render %s for chat %s", item.name, chat_id)
        return [(item.name, None, None)]


async def _keep_acting(bot: Bot, chat_id: int) -> None:
    """Telegram's «sending a file…» at the top of the chat, renewed while the files render (it
    fades after 5 s)."""
    while True:
        with contextlib.suppress(TelegramAPIError):
            await bot.send_chat_action(chat_id, "upload_document")
        await asyncio.sleep(4)


def _apology(tr: Translator) -> str:
    return tr.gettext(
        "Lo siento, algo falló de nuestro lado y no se guardó nada. "
        "Ya quedó registrado; intente de nuevo en unos minutos."
    )
