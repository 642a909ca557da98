"""Per-update context: one database transaction, the person, their language.

Middlewares only prepare context data and close the transaction; rules live in bot/workflows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StateType
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.flood import FloodMiddleware as FloodMiddleware
from bot.i18n import Catalogs, Translator
from bot.notify import enqueue_notices
from bot.replies import Replies
from bot.workflows.errors import UserError
from bot.workflows.notices import Notice
from bot.workflows.outbox import mark_reachable
from bot.workflows.processed_updates import first_time_seen
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


# Deadlock detected, serialization failure: PostgreSQL aborted the transaction, not the work.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


# The connection was lost: killed (57P01), the server shutting down or starting (57P0x), or a
# connection exception (08xxx). The pool reconnects; whatever was cut off was either rolled back
# or committed with the update id, which the next try then finds (so it does not act twice).
LOST_CONNECTION_SQLSTATES = ("08", "57P")


def is_transient(error: DBAPIError) -> bool:
    """A failure the same update, run again in a new transaction, will most likely not meet."""
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "pgcode", None) or getattr(error.orig, "sqlstate", None)
    if code is not None and code.startswith(LOST_CONNECTION_SQLSTATES):
        return True
    return code in TRANSIENT_SQLSTATES or "database is locked" in str(error.orig)  # SQLite


@dataclass(frozen=True)
class RetryPolicy:
    """How often an update that met a transient database failure is run again, and how long apart
    (doubling from `first_delay`, jittered so that the transactions that collided do not collide
    again in step)."""

    attempts: int = 4
    first_delay: float = 0.1
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delay(self, failed: int) -> float:
        return self.first_delay * 2 ** (failed - 1) * random.uniform(0.5, 1.5)


RETRY = RetryPolicy()

# The callback queries this update answered: a re-run handler answers again, which Telegram refuses.
_answered_queries: ContextVar[set[str] | None] = ContextVar("answered_queries", default=None)


async def answer_callback_once(
    make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
) -> Any:
    """Bot API request middleware: within an update, a callback query is answered only once."""
    answered = _answered_queries.get()
    if answered is None or not isinstance(method, AnswerCallbackQuery):
        return await make_request(bot, method)
    if method.callback_query_id in answered:
        return True
    result = await make_request(bot, method)
    answered.add(method.callback_query_id)
    return result


async def _answer_unanswered(update: Update) -> None:
    """Every press is answered, or the person's button keeps spinning: a handler that said
    nothing to the press (no toast) gets a plain answer here."""
    query = update.callback_query
    answered = _answered_queries.get()
    if query is None or answered is None or query.id in answered:
        return
    try:
        await query.answer()
    except TelegramAPIError:
        log.warning("could not answer the callback query of update %s", update.update_id)


def pressed_message_id(update: Update, chat_id: int | None) -> int | None:
    """The bot's message whose button was pressed (edited in place by `say.screen`)."""
    query = update.callback_query
    if query is None or query.message is None or query.message.chat.id != chat_id:
        return None
    return query.message.message_id


class UndoableState(FSMContext):
    """The conversation state as one update's handler sees it, able to undo what the handler wrote
    (state lives in memory or Redis, outside the transaction). Costs no extra read but for a
    `set_data` that is the update's first data write."""

    _UNCHANGED: Any = object()

    def __init__(self, state: FSMContext, raw_state: str | None) -> None:
        super().__init__(storage=state.storage, key=state.key)
        self._raw_state = raw_state  # as the update found it (aiogram's FSM middleware read it)
        self._state_before: Any = self._UNCHANGED
        self._data_before: Any = self._UNCHANGED

    async def set_state(self, state: StateType = None) -> None:
        if self._state_before is self._UNCHANGED:
            self._state_before = self._raw_state
        await super().set_state(state)

    async def set_data(self, data: Mapping[str, Any]) -> None:
        if self._data_before is self._UNCHANGED:
            self._data_before = await self.get_data()
        await super().set_data(data)

    async def update_data(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        current = await self.get_data()  # what the storage's own update_data reads first anyway
        if self._data_before is self._UNCHANGED:
            self._data_before = dict(current)
        if data:
            kwargs.update(data)
        current.update(kwargs)
        await super().set_data(current)
        return current.copy()

    async def undo(self) -> None:
        if self._state_before is not self._UNCHANGED:
            await super().set_state(self._state_before)
        if self._data_before is not self._UNCHANGED:
            await super().set_data(self._data_before)
        self._state_before = self._data_before = self._UNCHANGED


class TransactionMiddleware(BaseMiddleware):
    """Each update: once only, in one transaction, its replies and notices queued in it (the notices
    a handler puts in `outbox` go to the one exit for messages, bot/notify.py, before the commit).

    A refusal (UserError) rolls back the handler's changes with the whole transaction; the update
    id and the refusal are then committed on their own, so a redelivered refused update is not
    answered twice. (Cheaper than a savepoint around every handler for what is the rare case.)

    A transient database failure (deadlock, serialization failure, SQLite busy, a connection lost)
    rolls everything
    back, the update id included, and the same update runs again in a new transaction, its
    conversation state restored: replies and notices are outbox rows of the transaction, so only
    the committed try sends anything. After `retry.attempts` tries the person is told that nothing
    was saved and to try again.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        on_commit: Callable[[], None],
        in_flight: InFlight,
        retry: RetryPolicy | None = None,
        transactions: int | None = None,
    ) -> None:
        self.sessionmaker, self.catalogs = sessionmaker, catalogs
        self.on_commit, self.in_flight = on_commit, in_flight
        self.retry = retry or RETRY
        # At most `transactions` updates hold (or queue for) a connection; the others wait here, so
        # the sender's next turn on the pool comes after a few transactions, not after a flood.
        self.turns: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Semaphore(transactions) if transactions else contextlib.nullcontext()
        )

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        now = datetime.now(UTC)
        chat: Chat | None = data.get("event_chat")
        chat_id = chat.id if chat else None
        bot: Bot | None = data.get("bot")
        if bot is not None and answer_callback_once not in bot.session.middleware:
            bot.session.middleware(answer_callback_once)
        state = None
        if "state" in data:
            state = data["state"] = UndoableState(data["state"], data.get("raw_state"))
        answered = _answered_queries.set(set())
        self.in_flight.enter()
        try:
            try:
                for failed in range(self.retry.attempts):
                    if failed:
                        await self.retry.sleep(self.retry.delay(failed))
                        if state is not None:
                            await state.undo()
                    try:
                        return await self._handle(handler, event, data, now, chat_id)
                    except DBAPIError as error:
                        if not is_transient(error):
                            raise
                        if not failed:
                            log.warning("update %s: %s; running it again", event.update_id, error.orig)
                log.error("update %s failed %d times; nothing saved", event.update_id, self.retry.attempts)
                via_outbox = True
            except PoolTimeout:  # it waited DATABASE_POOL_TIMEOUT for a connection already
                log.error("update %s found no free database connection; nothing saved", event.update_id)
                via_outbox = False
            if state is not None:
                await state.undo()  # so that pressing the same button again works
            await self._give_up(event, data, chat_id, now, via_outbox=via_outbox)
            return UNHANDLED
        finally:
            await _answer_unanswered(event)
            _answered_queries.reset(answered)
            self.in_flight.leave()

    async def _handle(
        self, handler: Handler, event: Update, data: dict[str, Any], now: datetime, chat_id: int | None
    ) -> Any:
        """One try of the update, in its own transaction."""
        notices: list[Notice] = []
        say: Replies | None = None
        try:
            async with self.turns, self.sessionmaker() as db, db.begin():
                if not await first_time_seen(db, event.update_id, now=now):
                    log.info("update %s was already handled; ignored", event.update_id)
                    return UNHANDLED
                say = Replies(db, chat_id, now, pressed_message_id(event, chat_id))
                data.update(db=db, outbox=notices, now=now, say=say)
                result = await handler(event, data)
                await enqueue_notices(db, self.catalogs, notices, now=now)
        except UserError as refusal:
            result, say = None, None
            async with self.turns, self.sessionmaker() as db, db.begin():
                if await first_time_seen(db, event.update_id, now=now):
                    data.update(db=db, say=Replies(db, chat_id, now))
                    await self._refuse(event, data, refusal)
            metrics.UPDATES_REFUSED.inc()
        else:
            metrics.UPDATES_HANDLED.inc()
        self.on_commit()
        later = say.send_later(self.sessionmaker, wake=self.on_commit, bot=data.get("bot")) if say else None
        if later is not None and await later:  # heavy files, rendered now
            self.on_commit()
        return result

    async def _give_up(
        self,
        update: Update,
        data: dict[str, Any],
        chat_id: int | None,
        now: datetime,
        via_outbox: bool = True,
    ) -> None:
        """Nothing of the update was saved and it is not marked handled: say so, in their language
        (through the outbox, or directly when the database cannot take even that)."""
        tr: Translator = data.get("tr") or self.catalogs.translator(None)
        text = tr.gettext(
            "Muchas personas escriben a la vez y no pude guardar lo que hizo: no se guardó nada. "
            "Vuelva a intentarlo en un minuto."
        )
        if update.callback_query is not None:
            with contextlib.suppress(TelegramAPIError):
                await update.callback_query.answer()
        if chat_id is None:
            return
        if via_outbox:
            try:
                async with self.sessionmaker() as db, db.begin():
                    await Replies(db, chat_id, now)(text)
                self.on_commit()
                return
            except SQLAlchemyError:
                log.warning("update %s: could not queue the apology; sending it directly", update.update_id)
        with contextlib.suppress(TelegramAPIError):
            await data["bot"].send_message(chat_id, text)

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
