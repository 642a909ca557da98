"""Per-update context: one database transaction, the person, their language.

Middlewares only prepare context data and close the transaction; rules live in bot/workflows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.notify import enqueue_notices
from bot.replies import Replies
from bot.workflows.errors import UserError
from bot.workflows.notices import Notice
from bot.workflows.outbox import first_time_seen, mark_reachable
from bot.workflows.standing import find_person

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InFlight:
    """Counts updates being handled, so shutdown can wait for them to finish."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109 (a bounded shutdown wait)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class TransactionMiddleware(BaseMiddleware):
    """Each update: once only, in one transaction, its replies and notices queued in it (the notices
    a handler puts in `outbox` go to the one exit for messages, bot/notify.py, before the commit).

    A refusal (UserError) rolls back the handler's changes with the whole transaction; the update
    id and the refusal are then committed on their own, so a redelivered refused update is not
    answered twice. (Cheaper than a savepoint around every handler for what is the rare case.)
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        on_commit: Callable[[], None],
        in_flight: InFlight,
    ) -> None:
        self.sessionmaker, self.catalogs = sessionmaker, catalogs
        self.on_commit, self.in_flight = on_commit, in_flight

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        now = datetime.now(UTC)
        chat: Chat | None = data.get("event_chat")
        chat_id = chat.id if chat else None
        notices: list[Notice] = []
        self.in_flight.enter()
        try:
            try:
                async with self.sessionmaker() as db, db.begin():
                    if not await first_time_seen(db, event.update_id, now=now):
                        log.info("update %s was already handled; ignored", event.update_id)
                        return UNHANDLED
                    data.update(db=db, outbox=notices, now=now, say=Replies(db, chat_id, now))
                    result = await handler(event, data)
                    await enqueue_notices(db, self.catalogs, notices, now=now)
            except UserError as refusal:
                result = None
                async with self.sessionmaker() as db, db.begin():
                    if await first_time_seen(db, event.update_id, now=now):
                        data.update(db=db, say=Replies(db, chat_id, now))
                        await self._refuse(event, data, refusal)
            self.on_commit()
            return result
        finally:
            self.in_flight.leave()

    async def _refuse(self, update: Update, data: dict[str, Any], refusal: UserError) -> None:
        log.info("update %s refused: %s", update.update_id, refusal.text.msgid)
        tr: Translator = data.get("tr") or self.catalogs.translator(None)
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramAPIError:
                log.warning("could not answer refused callback query of update %s", update.update_id)
        if data.get("event_chat") is not None:
            await data["say"](tr.render(refusal.text))


class PersonMiddleware(BaseMiddleware):
    """Who is writing, and the translator for their stored language (Spanish for strangers)."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        person = await find_person(data["db"], user.id) if user else None
        if person is not None and isinstance(event, Update) and event.my_chat_member is None:
            await mark_reachable(data["db"], person)  # they wrote, so Telegram delivers again
        data["person"] = person
        data["tr"] = self.catalogs.translator(person.language if person else None)
        return await handler(event, data)


class FloodMiddleware(BaseMiddleware):
    """At most `limit` updates per person per `window` seconds; beyond that, one polite warning
    and the rest are ignored until the window clears (per process: a flood is a local thing)."""

    def __init__(
        self, limit: int = 30, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = self.clock()
        seen = self._seen.setdefault(user.id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            return await handler(event, data)
        log.warning("flood control: update %s from %s ignored", getattr(event, "update_id", "?"), user.id)
        if self._warned.get(user.id, -self.window) <= now - self.window and data.get("event_chat"):
            self._warned[user.id] = now
            tr: Translator = data["tr"]
            await data["say"](tr.gettext("Va muy rápido. Espere un minuto y vuelva a intentarlo."))
        if isinstance(event, Update) and event.callback_query is not None:
            with contextlib.suppress(TelegramAPIError):
                await event.callback_query.answer()
        return UNHANDLED


class FileSizeMiddleware(BaseMiddleware):
    """Refuse files the bot could not download anyway (Bot API: 20 MB), before any handler runs."""

    def __init__(self, limit_bytes: int = 20 * 1024 * 1024) -> None:
        self.limit_bytes = limit_bytes

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        if message is not None:
            media = (message.document, message.video, message.audio, message.voice)
            sizes = [f.file_size or 0 for f in media if f is not None]
            sizes += [p.file_size or 0 for p in message.photo or []]
            size = max(sizes, default=0)
            if size > self.limit_bytes:
                tr: Translator = data["tr"]
                await data["say"](
                    tr.gettext(
                        "Ese archivo pesa {size} MB y el máximo es {limit} MB. "
                        "Envíe uno más liviano o un enlace.",
                        size=math.ceil(size / 1024 / 1024),
                        limit=self.limit_bytes // (1024 * 1024),
                    )
                )
                return UNHANDLED
        return await handler(event, data)
