"""The message filters the routers share, evaluated on the event loop.

aiogram runs any plain callable filter — an `F.…` magic filter included — through
`asyncio.to_thread`: a worker-thread round trip and an extra event-loop wake-up for what is an
attribute lookup. A typed answer passes a dozen routers' `private chat` checks before it finds its
handler, so those round trips were a large share of an update's cost (benchmarks/updates.py).
Wrapped in a `Filter`, the same magic filter is awaited directly. tests/test_architecture.py checks
that no router registers a callable aiogram would send to a thread.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from bot.i18n import Catalogs, Text


class OnLoop(Filter):
    """A magic filter resolved inline; its result (a bool, or a dict such as `F.text.as_(…)`'s
    injected values) is the filter's result, exactly as aiogram would use it."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)

    def __str__(self) -> str:
        return f"OnLoop({self.magic!r})"


PRIVATE = OnLoop(F.chat.type == "private")
GROUP = OnLoop(F.chat.type.in_({"group", "supergroup"}))
TEXT = OnLoop(F.text.as_("text"))  # the handler receives it as `text`
NOT_COMMAND = OnLoop(~F.text.startswith("/"))
COMMAND_LIKE = OnLoop(F.text.startswith("/"))
DOCUMENT = OnLoop(F.document)
FILE = OnLoop(F.document | F.photo | F.voice | F.audio | F.video)  # any file sent back by file id
# A cheap first look for the /start router, which comes early: aiogram's CommandStart parses the
# command and fails by exception, twice, for every message that is not a /start.
STARTS_WITH_START = OnLoop(F.func(lambda m: (m.text or m.caption or "").startswith("/start")))


class ButtonLabel(Filter):
    """A reply-keyboard button's text, as sent back in any of the shipped languages: the person
    may have changed language since the keyboard was sent."""

    def __init__(self, label: Text) -> None:
        self.label = label
        self._labels: frozenset[str] | None = None

    async def __call__(self, message: Message, catalogs: Catalogs) -> bool:
        if self._labels is None:
            self._labels = frozenset(
                catalogs.translator(code).render(self.label) for code in catalogs.languages
            )
        return (message.text or "").strip() in self._labels
