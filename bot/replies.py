"""Replies to the person who wrote: queued in the update's transaction, sent after commit.

A handler says `await say(text, reply_markup=...)`; if the update is rolled back, nothing is sent,
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.workflows.outbox import enqueue_document, enqueue_text
from db.models import Priority

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaterFile:
    file_name: str
    render: Callable[[], bytes]
    caption: str | None
    tr: Translator  # for the apology if the render fails


class Built(Protocol):
    """What a later build gives: texts, then files with one caption (e.g. a BuiltReport)."""

    @property
    def texts(self) -> list[str]: ...
    @property
    def files(self) -> list[tuple[str, bytes]]: ...
    @property
    def caption(self) -> str: ...


Build = Callable[[async_sessionmaker[AsyncSession]], Awaitable[Built]]


@dataclass(frozen=True)
class LaterBuild:
    build: Build  # reads through sessions of its own: it runs after the update's commit
    tr: Translator


class Replies:
    def __init__(self, db: AsyncSession, chat_id: int | None, now: datetime) -> None:
        self.db, self.chat_id, self.now = db, chat_id, now
        self.later: list[LaterFile | LaterBuild] = []

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

    def build_later(self, tr: Translator, build: Build) -> None:
        """Texts and files that take long to build (a report: its data step too), built after
        the update commits, wherever `build` puts the work, then queued."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to reply to")
        self.later.append(LaterBuild(build, tr))

    async def send_later(self, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        """After the commit: render the files in a worker thread (or build them), then queue them.
        A render that fails is logged and apologised for; returns whether anything was queued."""
        if not self.later or self.chat_id is None:
            return False
        out: list[str | tuple[str, bytes, str | None]] = []
        for item in self.later:
            out += await self._render(item, sessionmaker)
        self.later = []
        try:
            async with sessionmaker() as db, db.begin():
                replies = Replies(db, self.chat_id, self.now)
                for reply in out:
                    if isinstance(reply, str):
                        await replies(reply)
                    else:
                        await replies.document(*reply)
        except Exception:
            log.exception("could not queue the rendered files for chat %s", self.chat_id)
            return False
        return True

    async def _render(
        self, item: LaterFile | LaterBuild, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> list[str | tuple[str, bytes, str | None]]:
        try:
            if isinstance(item, LaterFile):
                return [(item.file_name, await asyncio.to_thread(item.render), item.caption)]
            built = await item.build(sessionmaker)
            return [*built.texts, *((name, content, built.caption) for name, content in built.files)]
        except Exception:
            what = item.file_name if isinstance(item, LaterFile) else "a report"
            log.exception("could not render %s for chat %s", what, self.chat_id)
            return [
                item.tr.gettext(
                    "Lo siento, algo falló de nuestro lado y no se guardó nada. "
                    "Ya quedó registrado; intente de nuevo en unos minutos."
                )
            ]
