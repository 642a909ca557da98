"""Flood control: how many updates one person may send, and what they hear beyond that."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User

from bot.i18n import Translator

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FloodMiddleware(BaseMiddleware):
    """At most `limit` updates per person per `window` seconds; beyond that, one polite warning
    and the rest are ignored until the window clears (per process: a flood is a local thing).

    It remembers only the people who wrote within the last window: once a window, those quiet for
    a whole window are forgotten, so a long-running process does not keep everyone it ever saw."""

    def __init__(
        self, limit: int = 30, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._swept = clock()

    @property
    def remembered(self) -> int:
        """How many people it holds a record for (bounded by who wrote within the last window)."""
        return len(self._seen.keys() | self._warned.keys())

    def _forget_quiet(self, now: float) -> None:
        horizon = now - self.window
        self._seen = {who: seen for who, seen in self._seen.items() if seen and seen[-1] > horizon}
        self._warned = {who: at for who, at in self._warned.items() if at > horizon}
        self._swept = now

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = self.clock()
        if now - self._swept >= self.window:
            self._forget_quiet(now)
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
