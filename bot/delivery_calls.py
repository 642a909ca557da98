"""One outbox row → one Bot API request, by its kind (a message, a file, an edit, a deletion),
for the sender (bot/delivery.py), which paces them and settles the outcome."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.keyboards import Markup, markup_of
from bot.workflows.outbox.edits import DELETE, EDIT_MARKUP, EDIT_TEXT
from db.models import OutboxMessage

log = logging.getLogger(__name__)

# A queued file's method (db/models/delivery.py SEND_FILE) → the Bot call that sends it.
FILE_SENDERS = {
    "sendDocument": "send_document",
    "sendPhoto": "send_photo",
    "sendVoice": "send_voice",
    "sendAudio": "send_audio",
    "sendVideo": "send_video",
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

    async def send_message(self, row: OutboxMessage, payload: dict[str, Any], keyboard: Markup) -> int:
        message = await self.bot.send_message(
            row.chat_id, payload["text"], reply_markup=keyboard, request_timeout=self.request_timeout
        )
        return message.message_id

    async def send_file(self, row: OutboxMessage, payload: dict[str, Any], keyboard: Markup) -> int:
        """Our own bytes, or a file Telegram holds (`file_id`), by the call of the row's method."""
        document: str | BufferedInputFile = payload.get("file_id") or BufferedInputFile(
            row.attachment or b"", filename=payload["file_name"]
        )
        send = getattr(self.bot, FILE_SENDERS[row.method])  # send_document, send_photo
        message = await send(
            row.chat_id,
            document,
            caption=payload.get("caption"),
            reply_markup=keyboard,
            request_timeout=self.request_timeout,
        )
        return int(message.message_id)

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
            await self.bot.edit_message_text(
                payload["text"],
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=keyboard,
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
            await self.bot.edit_message_reply_markup(
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=keyboard,
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
