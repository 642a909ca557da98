"""Handler-level harness: the real dispatcher, a recording fake Bot API session, chat helpers.

`RecordingSession` answers every Bot API call locally (no network) and records it, checking the
limits Telegram would enforce (text length, callback data size), so handler tests see what a
person would see: which messages, to whom, with which buttons.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    Audio,
    CallbackQuery,
    Chat,
    Document,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
    Video,
    Voice,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import NoPacer, OutboxSender
from bot.dispatcher import build_dispatcher
from bot.handlers.membership.ui import AcceptInvitationCB
from bot.i18n import Catalogs
from bot.middlewares import FloodMiddleware

_UPDATE_IDS = itertools.count(1)
BOT_USER = User(id=42, is_bot=True, first_name="CRA", username="cra_test_bot")


class LimitError(AssertionError):
    """The bot made a request Telegram would refuse with 400."""


def visible_length(text: str, parse_mode: str | None) -> int:
    return len(plain(text)) if parse_mode == ParseMode.HTML else len(text)


def check_limits(method: TelegramMethod[Any], parse_mode: str | None) -> None:
    text = getattr(method, "text", None)
    if text is not None and "Text(msgid=" in text:
        raise LimitError(f"an unrendered translatable text reached the user: {text!r}")
    if isinstance(method, SendMessage | EditMessageText):
        length = visible_length(text or "", parse_mode)
        if not 1 <= length <= 4096:
            raise LimitError(f"message text of {length} characters")
    caption = getattr(method, "caption", None)
    if caption is not None and visible_length(caption, parse_mode) > 1024:
        raise LimitError("caption over 1024 characters")
    markup = getattr(method, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data is not None and not 1 <= len(button.callback_data.encode()) <= 64:
                    raise LimitError(f"callback_data {button.callback_data!r} over 64 bytes")
    if isinstance(method, AnswerCallbackQuery) and method.text and len(method.text) > 200:
        raise LimitError("answerCallbackQuery text over 200 characters")


# The file methods the outbox may call (bot/delivery.py FILE_SENDERS).
SENT_FILES = SendDocument | SendPhoto | SendVoice | SendAudio | SendVideo


class RecordingSession(BaseSession):
    """A Bot API session that records requests and fabricates Telegram's answers."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._message_ids = itertools.count(1000)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        parse_mode = getattr(method, "parse_mode", None)
        if parse_mode is not None and not isinstance(parse_mode, str):
            parse_mode = bot.default.parse_mode
        check_limits(method, parse_mode)
        self.requests.append(method)
        return self._answer(method)  # type: ignore[return-value]

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | EditMessageText | EditMessageReplyMarkup | SENT_FILES):
            chat_id = int(method.chat_id) if method.chat_id is not None else 0
            return Message(
                message_id=getattr(method, "message_id", None) or next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=chat_id, type="private" if chat_id > 0 else "group"),
                from_user=BOT_USER,
                text=getattr(method, "text", None),
                reply_markup=getattr(method, "reply_markup", None),
            )
        return True

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        yield b""


def make_bot(session: RecordingSession) -> Bot:
    return Bot("42:TEST-token", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def make_harness(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    storage: BaseStorage | None = None,
    flood: FloodMiddleware | None = None,
) -> Harness:
    """The real dispatcher and the real outbox sender (unpaced), around a recording session.

    Flood control is relaxed unless a test passes its own (tests type faster than people)."""
    session = RecordingSession()
    bot = make_bot(session)
    sender = OutboxSender(bot, sessionmaker, catalogs, pacer=NoPacer(), chat_gaps=False)
    dp = build_dispatcher(
        sessionmaker=sessionmaker,
        catalogs=catalogs,
        bot_username="cra_test_bot",
        storage=storage,
        flood=flood or FloodMiddleware(limit=100_000),
    )
    return Harness(dp, bot, session, sender)


class Harness:
    """Feeds updates through the real dispatcher, drains the outbox, reads what the bot said."""

    def __init__(self, dp: Dispatcher, bot: Bot, session: RecordingSession, sender: OutboxSender) -> None:
        self.dp, self.bot, self.session, self.sender = dp, bot, session, sender
        self._message_ids = itertools.count(1)

    async def feed(self, update: Update) -> list[TelegramMethod[Any]]:
        """Handle one update, then deliver what it queued; returns every request made."""
        before = len(self.session.requests)
        await self.dp.feed_update(self.bot, update)
        await self.sender.drain()
        return self.session.requests[before:]

    def user(self, user_id: int, first_name: str = "Ana", language_code: str | None = "es") -> ChatUser:
        return ChatUser(
            self, User(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)
        )

    def next_update_id(self) -> int:
        # Telegram's update ids grow across restarts; a repeated id is a redelivery and ignored.
        return next(_UPDATE_IDS)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def messages_to(self, chat_id: int) -> list[SendMessage]:
        return [r for r in self.session.requests if isinstance(r, SendMessage) and int(r.chat_id) == chat_id]


class ChatUser:
    """One person in a private chat with the bot."""

    def __init__(self, harness: Harness, user: User) -> None:
        self.harness, self.user = harness, user
        self.chat = Chat(id=user.id, type="private", first_name=user.first_name)

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        entities = None
        if text.startswith("/"):
            entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        message = Message(
            message_id=self.harness.next_message_id(),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
            entities=entities,
        )
        return await self.harness.feed(Update(update_id=self.harness.next_update_id(), message=message))

    async def send_file(
        self, kind: str, file_id: str, *, name: str | None = None, caption: str | None = None
    ) -> list[TelegramMethod[Any]]:
        """A document, photo, voice note, audio or video, as Telegram delivers it (`file_id`)."""
        ids: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": 900}
        content: dict[str, Any] = {
            "document": lambda: Document(**ids, file_name=name, mime_type="application/pdf"),
            "photo": lambda: [PhotoSize(**ids, width=1280, height=720)],
            "voice": lambda: Voice(**ids, duration=12, mime_type="audio/ogg"),
            "audio": lambda: Audio(**ids, duration=60, file_name=name, mime_type="audio/mpeg"),
            "video": lambda: Video(**ids, width=640, height=360, duration=20, file_name=name),
        }
        message = Message(
            message_id=self.harness.next_message_id(),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            caption=caption,
            **{kind: content[kind]()},
        )
        return await self.harness.feed(Update(update_id=self.harness.next_update_id(), message=message))

    async def join(self, token: str) -> list[TelegramMethod[Any]]:
        """Open an invitation link and, if it is offered, accept it (as a person would)."""
        requests = await self.send(f"/start {token}")
        accept = AcceptInvitationCB(accept=True).pack()
        offered = any(
            isinstance(r, SendMessage)
            and isinstance(r.reply_markup, InlineKeyboardMarkup)
            and any(b.callback_data == accept for row in r.reply_markup.inline_keyboard for b in row)
            for r in requests
        )
        return requests + (await self.press(accept) if offered else [])

    async def press(self, data: str, *, message_id: int = 1) -> list[TelegramMethod[Any]]:
        """Press a button by its raw callback data (forged data included)."""
        query = CallbackQuery(
            id=str(self.harness.next_update_id()),
            from_user=self.user,
            chat_instance="test",
            data=data,
            message=Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=self.chat,
                from_user=BOT_USER,
                text="…",
            ),
        )
        return await self.harness.feed(Update(update_id=self.harness.next_update_id(), callback_query=query))

    async def click(self, label: str) -> list[TelegramMethod[Any]]:
        """Press the button whose text contains `label` in the latest keyboard sent to this chat."""
        for request in reversed(self.harness.messages_to(self.user.id)):
            markup = request.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        if label in button.text and button.callback_data:
                            return await self.press(button.callback_data)
                labels = [b.text for row in markup.inline_keyboard for b in row]
                raise AssertionError(f"no button {label!r} in the latest keyboard: {labels}")
        raise AssertionError(f"no keyboard was sent to {self.user.id}")

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.harness.messages_to(self.user.id)]

    @property
    def last(self) -> str:
        texts = self.texts
        assert texts, f"nothing was sent to {self.user.id}"
        return texts[-1]


def replies(requests: list[TelegramMethod[Any]]) -> list[str]:
    return [r.text for r in requests if isinstance(r, SendMessage)]


def plain(text: str) -> str:
    """Text without HTML markup, as the person reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
