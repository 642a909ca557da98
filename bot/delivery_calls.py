"""One outbox row → one Bot API request, by its kind (a message, a file, an edit, a deletion),
for the sender (bot/delivery.py), which paces them and settles the outcome."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, MessageId
from pydantic import ConfigDict

from bot.keyboards import Markup, markup_of
from bot.workflows.outbox.edits import DELETE, EDIT_MARKUP, EDIT_TEXT
from db.models import OutboxMessage

log = logging.getLogger(__name__)


Request = TypeVar("Request", bound=TelegramMethod[Any])


def _read_back_as_id(request: type[Request], returning: Any = MessageId) -> type[Request]:
    """aiogram's own request, its answer read as a MessageId.

    Telegram answers a send or an edit with the whole Message, and the sender keeps only its id:
    validating the whole Message took a validator for every type a message can hold, built once per
    result type (~3 MB each in the bot process), and more time per message than the rest of reading
    the answer. The request's own validator is built when first used, not at import (~3 MB more)."""
    namespace = {
        "__module__": __name__,
        "__returning__": returning,
        "model_config": ConfigDict(**request.model_config, defer_build=True),
    }
    return type(request.__name__, (request,), namespace)


_SendMessage = _read_back_as_id(SendMessage)
# An edit of an inline message answers `true`.
_EditMessageText = _read_back_as_id(EditMessageText, MessageId | bool)
_EditMessageReplyMarkup = _read_back_as_id(EditMessageReplyMarkup, MessageId | bool)

# A queued file's method (db/models/delivery.py SEND_FILE) → its request, and the field for the file.
FILE_SENDERS: dict[str, tuple[type[TelegramMethod[Any]], str]] = {
    "sendDocument": (_read_back_as_id(SendDocument), "document"),
    "sendPhoto": (_read_back_as_id(SendPhoto), "photo"),
    "sendVoice": (_read_back_as_id(SendVoice), "voice"),
    "sendAudio": (_read_back_as_id(SendAudio), "audio"),
    "sendVideo": (_read_back_as_id(SendVideo), "video"),
}

# Telegram's 400s that say an edit or a deletion has nothing to do ("unchanged") or no message
# to act on any more ("gone"); anything else is a refusal like any other.
_UNCHANGED = ("message is not modified",)
_GONE = (
    "message to edit not found",
    "message to delete not found",
    "message can't be edited",
    "message can't be deleted",
    "there is no text in the message to edit",
    "message_id_invalid",
)


def edit_outcome(exc: TelegramBadRequest) -> str | None:
    """ "unchanged", "gone" or None for a 400 answered to an edit or a deletion."""
    text = exc.message.lower()
    if any(reason in text for reason in _UNCHANGED):
        return "unchanged"
    if any(reason in text for reason in _GONE):
        return "gone"
    return None


class RowCalls:
    """The request for each kind of row; `message_of` finds the message an earlier row sent."""

    def __init__(
        self, bot: Bot, request_timeout: int, message_of: Callable[[int], Awaitable[int | None]]
    ) -> None:
        self.bot, self.request_timeout, self.message_of = bot, request_timeout, message_of

    async def call(self, row: OutboxMessage) -> int | None:
        """One request for the row, by its kind; returns the id of the message it sent or changed."""
        payload = dict(row.payload)
        payload.pop("screen", None)
        markup = payload.pop("reply_markup", None)
        keyboard = markup_of(markup)  # inline buttons, or a liaison's persistent reply keyboard
        if row.method in FILE_SENDERS:
            return await self.send_file(row, payload, keyboard)
        if row.method not in (EDIT_TEXT, EDIT_MARKUP, DELETE):
            return await self.send_message(row, payload, keyboard)
        inline = keyboard if isinstance(keyboard, InlineKeyboardMarkup) else None  # edits: inline only
        edit = {EDIT_TEXT: self.edit_text, EDIT_MARKUP: self.edit_markup, DELETE: self.delete}[row.method]
        return await edit(row, payload, inline)

    async def _sent_id(self, request: TelegramMethod[Any]) -> int:
        sent: MessageId = await self.bot(request, request_timeout=self.request_timeout)
        return sent.message_id

    async def send_message(self, row: OutboxMessage, payload: dict[str, Any], keyboard: Markup) -> int:
        request = _SendMessage(chat_id=row.chat_id, text=payload["text"], reply_markup=keyboard)
        return await self._sent_id(request)

    async def send_file(self, row: OutboxMessage, payload: dict[str, Any], keyboard: Markup) -> int:
        """Our own bytes, or a file Telegram holds (`file_id`), by the call of the row's method."""
        document: str | BufferedInputFile = payload.get("file_id") or BufferedInputFile(
            row.attachment or b"", filename=payload["file_name"]
        )
        request, field = FILE_SENDERS[row.method]
        return await self._sent_id(
            request(
                chat_id=row.chat_id,
                caption=payload.get("caption"),
                reply_markup=keyboard,
                **{field: document},
            )
        )

    async def edit_text(
        self, row: OutboxMessage, payload: dict[str, Any], keyboard: InlineKeyboardMarkup | None
    ) -> int:
        """Unchanged content is success; a message that cannot be edited any more (deleted, too
        old, not text) gets the text as a new message, so the reader still sees it; so does the edit
        of a message an earlier row was to send and did not."""
        message_id = payload.get("message_id") or await self.message_of(int(payload["of_row"]))
        if message_id is None:
            return await self.send_message(row, payload, keyboard)
        try:
            await self.bot(
                _EditMessageText(
                    text=payload["text"], chat_id=row.chat_id, message_id=message_id, reply_markup=keyboard
                ),
                request_timeout=self.request_timeout,
            )
        except TelegramBadRequest as exc:
            if edit_outcome(exc) == "unchanged":
                return message_id
            if edit_outcome(exc) != "gone":
                raise
            log.info(
                "outbox row %s: message %s not editable (%s); sent anew", row.id, message_id, exc.message
            )
            return await self.send_message(row, payload, keyboard)
        return message_id

    async def edit_markup(
        self, row: OutboxMessage, payload: dict[str, Any], keyboard: InlineKeyboardMarkup | None
    ) -> int:
        """A keyboard already so, or on a message that is gone, needs nothing more."""
        message_id = int(payload["message_id"])
        try:
            await self.bot(
                _EditMessageReplyMarkup(chat_id=row.chat_id, message_id=message_id, reply_markup=keyboard),
                request_timeout=self.request_timeout,
            )
        except TelegramBadRequest as exc:
            if edit_outcome(exc) is None:
                raise
        return message_id

    async def delete(
        self, row: OutboxMessage, payload: dict[str, Any], keyboard: InlineKeyboardMarkup | None
    ) -> int:
        """A message already gone (or too old to delete: Telegram keeps it) needs nothing more."""
        message_id = int(payload["message_id"])
        try:
            await self.bot.delete_message(row.chat_id, message_id, request_timeout=self.request_timeout)
        except TelegramBadRequest as exc:
            if edit_outcome(exc) is None:
                raise
        return message_id
