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
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
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
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import NoPacer, OutboxSender
from bot.dispatcher import build_dispatcher
from bot.handlers.membership.ui import AcceptInvitationCB
from bot.i18n import Catalogs
from bot.middlewares import FloodMiddleware
from tests.telegram_double.limits import ApiError, Spec
from tests.telegram_double.server import DEFAULT_SPEC_PATH

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


# The file methods the outbox may call (bot/delivery_calls.py FILE_SENDERS).
SENT_FILES = SendDocument | SendPhoto | SendVoice | SendAudio | SendVideo


# The methods of the edit-in-place work (issue 15): checked against bot-api-spec.json as the
# HTTP double checks every call, so a parameter Telegram does not know fails here too.
SPEC_CHECKED = (EditMessageText, EditMessageReplyMarkup, DeleteMessage, AnswerCallbackQuery)


def check_spec(method: TelegramMethod[Any]) -> None:
    if not isinstance(method, SPEC_CHECKED) or not DEFAULT_SPEC_PATH.is_file():
        return
    params = {
        name: value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
        for name, value in method
        if value is not None and not isinstance(value, Default)
    }
    try:
        Spec.load(DEFAULT_SPEC_PATH).validate(method.__api_method__, params)
    except ApiError as refusal:
        raise LimitError(f"{method.__api_method__}: {refusal}") from None


class Shown:
    """A message of the bot as the person sees it now (edits applied)."""

    def __init__(self, chat_id: int, message_id: int, text: str | None, markup: Any, order: int) -> None:
        self.chat_id, self.message_id, self.text, self.reply_markup = chat_id, message_id, text, markup
        self.order = order  # when it was last sent or edited

    def data(self) -> list[str]:
        markup = self.reply_markup
        if not isinstance(markup, InlineKeyboardMarkup):
            return []
        return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data]


class RecordingSession(BaseSession):
    """A Bot API session that records requests and fabricates Telegram's answers, keeping each
    chat's messages as edited, and refusing edits as Telegram does (unchanged, or no message)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._message_ids = itertools.count(1000)
        self._order = itertools.count()
        self.shown: dict[tuple[int, int], Shown] = {}

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
        check_spec(method)
        self.requests.append(method)
        return self._answer(method)  # type: ignore[return-value]

    def _refuse(self, method: TelegramMethod[Any], reason: str) -> None:
        raise TelegramBadRequest(method=method, message=f"Bad Request: {reason}")

    def _target(self, method: Any, verb: str) -> Shown:
        shown = self.shown.get((int(method.chat_id), int(method.message_id)))
        if shown is None:
            self._refuse(method, f"message to {verb} not found")
        assert shown is not None
        return shown

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, DeleteMessage):
            shown = self._target(method, "delete")
            del self.shown[(shown.chat_id, shown.message_id)]
            return True
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            shown = self._target(method, "edit")
            text = getattr(method, "text", shown.text)
            if text == shown.text and method.reply_markup == shown.reply_markup:
                self._refuse(
                    method,
                    "message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            shown.text, shown.reply_markup, shown.order = text, method.reply_markup, next(self._order)
            return self._message(shown.chat_id, shown.message_id, text, method.reply_markup)
        if isinstance(method, SendMessage | SENT_FILES):
            chat_id = int(method.chat_id)
            message_id = next(self._message_ids)
            text = getattr(method, "text", None)
            self.shown[(chat_id, message_id)] = Shown(
                chat_id, message_id, text, method.reply_markup, next(self._order)
            )
            return self._message(chat_id, message_id, text, method.reply_markup)
        return True

    @staticmethod
    def _message(chat_id: int, message_id: int, text: str | None, markup: Any) -> Message:
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private" if chat_id > 0 else "group"),
            from_user=BOT_USER,
            text=text,
            # A Message carries only inline keyboards; a reply keyboard stays on the request.
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )

    def latest(self, chat_id: int) -> list[Shown]:
        """The chat's messages, the most recently sent or edited first."""
        chat = [m for m in self.shown.values() if m.chat_id == chat_id]
        return sorted(chat, key=lambda m: m.order, reverse=True)

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
    transactions: int | None = None,
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
        flood=flood or FloodMiddleware(burst=100_000, tap_burst=100_000),
        transactions=transactions,
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

    def messages_to(self, chat_id: int) -> list[SendMessage | EditMessageText]:
        """What the chat was shown, in order: new messages and texts edited in place."""
        return [
            r
            for r in self.session.requests
            if isinstance(r, SendMessage | EditMessageText) and int(r.chat_id or 0) == chat_id
        ]

    def sends_to(self, chat_id: int) -> list[TelegramMethod[Any]]:
        """New messages to the chat (texts and files), edits left out."""
        return [
            r
            for r in self.session.requests
            if isinstance(r, SendMessage | SendDocument | SendPhoto) and int(r.chat_id) == chat_id
        ]

    def edits_to(self, chat_id: int) -> list[EditMessageText | EditMessageReplyMarkup]:
        return [
            r
            for r in self.session.requests
            if isinstance(r, EditMessageText | EditMessageReplyMarkup) and int(r.chat_id or 0) == chat_id
        ]


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

    async def press(self, data: str, *, message_id: int | None = None) -> list[TelegramMethod[Any]]:
        """Press a button by its raw callback data (forged data included), on the newest message
        that shows it (or on `message_id`; a message the bot never sent when none shows it)."""
        if message_id is None:
            showing = (m for m in self.harness.session.latest(self.user.id) if data in m.data())
            message_id = next((m.message_id for m in showing), 1)
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
        """Press the button whose text contains `label` in the latest keyboard sent to this chat
        (the message most recently sent or edited that has one), on that message."""
        for shown in self.harness.session.latest(self.user.id):
            markup = shown.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        if label in button.text and button.callback_data:
                            return await self.press(button.callback_data, message_id=shown.message_id)
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
    """The texts shown: new messages and messages edited in place."""
    return [r.text for r in requests if isinstance(r, SendMessage | EditMessageText)]


def file_name(request: SendDocument | SendPhoto) -> str:
    """The name of a file the bot sent (a document, or a chart sent as a photo)."""
    sent = request.document if isinstance(request, SendDocument) else request.photo
    return sent if isinstance(sent, str) else sent.filename or ""


def plain(text: str) -> str:
    """Text without HTML markup, as the person reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
