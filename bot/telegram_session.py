"""The HTTP session to the Bot API: aiogram's, with the response models it builds kept alive.

aiogram reads every reply into `Response[T]`, T being the method's result type. pydantic caches a
parametrised generic only weakly, and nothing else holds `Response[Message]`, so the garbage
collector frees it and the next call builds the class and its validator again: measured here,
0.3 ms a call with aiogram's types built at import, 8–11 ms with them built on first use
(bot/lazy_types.py). That was most of the sender's cost per message and of each poll. Holding one
reference per result type makes pydantic's own cache hit (a few µs).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot


@functools.cache
def response_model(result_type: Any) -> type[Response[Any]]:
    """`Response[result_type]`, built once per process and never collected."""
    return Response[result_type]


class TelegramSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        response_model(method.__returning__)  # keeps the class aiogram is about to look up alive
        return super().check_response(bot, method, status_code, content)
