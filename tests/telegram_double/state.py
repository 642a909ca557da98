"""What the fake Telegram remembers: chats, messages, files, updates, commands, users.

`BotApiState` also simulates the people on the other side (`user_sends`, `user_clicks`, ...) and
answers the tests' questions about what the bot sent (`messages_to`, `documents_to`, ...).
methods.py implements the Bot API methods on top of it; server.py serves them over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import time
from typing import Any

from .limits import JsonDict, bad_request

# Left out unless asked for explicitly (Telegram's default for an empty allowed_updates).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Broadcast wake-up: waiters take the current Event, notify() sets it and arms a new one."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wake-up
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))


def update_kind(update: JsonDict) -> str:
    return next((k for k in update if k != "update_id"), "")


def scope_key(scope: JsonDict | None) -> str:
    """Canonical form of a BotCommandScope (None = default) for the commands table."""
    scope = dict(scope or {"type": "default"})
    for key in ("chat_id", "user_id"):
        value = scope.get(key)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            scope[key] = int(value)
    return json.dumps(scope, sort_keys=True)


def epoch_now() -> int:
    """Telegram dates are integer Unix times."""
    return int(time.time())


class BotApiState:
    """Everything the fake Telegram remembers, and the simulated users."""

    def __init__(self, token: str, bot_id: int, bot_username: str) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = "CRA Test Bot"
        self.max_upload_bytes = 50 * 1024 * 1024  # documents via the public Bot API
        self.callback_answers: list[JsonDict] = []
        self.files: dict[str, bytes] = {}  # file_id -> content
        self.webhook: JsonDict | None = None
        self._updates: list[JsonDict] = []  # not yet confirmed, ascending update_id
        self._next_update_id = 1
        self._last_batch: list[JsonDict] = []
        self._forced: list[JsonDict] = []  # see redeliver()
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._parked = 0  # long polls currently waiting for an update
        self._chats: dict[int, JsonDict] = {}
        self._users: dict[int, JsonDict] = {}
        self._messages: dict[int, dict[int, JsonDict]] = {}  # chat -> message_id -> Message
        self._last_message_id: dict[int, int] = {}
        self._file_meta: dict[str, JsonDict] = {}
        self._paths: dict[str, str] = {}  # file_path -> file_id
        self._callbacks: dict[str, JsonDict] = {}  # unanswered callback queries
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}  # (field, language_code) -> text
        self._blocked: set[int] = set()
        self._ids = itertools.count(1)
        self._signal = Signal()
        self._stopped = asyncio.Event()

    # ------------------------------------------------------------------ updates

    def push_update(self, update: JsonDict) -> JsonDict:
        """Enqueue a raw update (update_id assigned if missing); chats in it become known."""
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._learn(update)
        self._updates.append(update)
        self._updates.sort(key=lambda u: u["update_id"])
        self._signal.notify()
        return copy.deepcopy(update)

    def redeliver(self) -> None:
        """Hand the last delivered batch out once more, even if the bot confirmed it.

        Unconfirmed updates come again by themselves (offset semantics); this simulates Telegram
        sending an already confirmed update_id again, to test idempotent handling."""
        pending = {u["update_id"] for u in self._updates}
        self._forced = [copy.deepcopy(u) for u in self._last_batch if u["update_id"] not in pending]
        self._signal.notify()

    def _learn(self, update: JsonDict) -> None:
        """Chats, users and user messages an update reveals (the bot may then write there)."""
        for kind, payload in update.items():
            if not isinstance(payload, dict):
                continue
            if isinstance(payload.get("from"), dict):
                self._users[payload["from"]["id"]] = dict(payload["from"])
            holder = payload.get("message") if kind == "callback_query" else payload
            chat = holder.get("chat") if isinstance(holder, dict) else None
            if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
                continue
            self._chats[chat["id"]] = dict(chat)
            if kind == "my_chat_member" and chat.get("type") == "private":
                status = payload.get("new_chat_member", {}).get("status")
                if status == "kicked":
                    self._blocked.add(chat["id"])
                elif status == "member":
                    self._blocked.discard(chat["id"])
            if kind in ("message", "channel_post") and isinstance(payload.get("message_id"), int):
                self._messages.setdefault(chat["id"], {})[payload["message_id"]] = copy.deepcopy(payload)
                last = self._last_message_id.get(chat["id"], 0)
                self._last_message_id[chat["id"]] = max(last, payload["message_id"])

    def _wanted(self, update: JsonDict) -> bool:
        kind = update_kind(update)
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    def _pending_batch(self, limit: int) -> list[JsonDict]:
        batch, self._forced = self._forced[:limit], self._forced[limit:]
        for update in self._updates:
            if len(batch) >= limit:
                break
            if self._wanted(update):
                batch.append(update)
        return copy.deepcopy(batch)

    # ------------------------------------------------------------------ chats and messages

    def bot_user(self, *, full: bool = False) -> JsonDict:
        user: JsonDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }
        if full:  # getMe also reports the bot's capabilities
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return user

    def _require_chat(self, chat_id: Any) -> JsonDict:
        """Telegram only lets a bot write where a user/group reached it first."""
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        # One counter per chat shared by the users' and the bot's messages, like a private chat.
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    # ------------------------------------------------------------------ files

    def store_file(self, data: bytes, file_name: str, mime_type: str, kind: str) -> JsonDict:
        n = next(self._ids)
        prefix = "BQACAgIAAxkBAAI" if kind == "document" else "AgACAgIAAxkBAAI"
        suffix = mimetypes.guess_extension(mime_type) or ""
        meta: JsonDict = {
            "kind": kind,
            "file_id": f"{prefix}{n:08d}",
            "file_unique_id": f"AgAD{n:08d}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
            "file_path": f"{kind}s/file_{n}{suffix}",
        }
        self.files[meta["file_id"]] = data
        self._file_meta[meta["file_id"]] = meta
        self._paths[meta["file_path"]] = meta["file_id"]
        return meta

    @staticmethod
    def document_of(meta: JsonDict) -> JsonDict:
        keys = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
        return {k: meta[k] for k in keys}

    def file_of(self, meta: JsonDict, kind: str) -> Any:
        """A message's field for a file of that kind, shaped as Telegram shapes it."""
        if kind == "document":
            return self.document_of(meta)
        base = {k: meta[k] for k in ("file_id", "file_unique_id", "file_size")}
        if kind == "photo":
            return [base | {"width": 1280, "height": 720}]  # the double does not decode images
        return base | {"duration": 1} | ({"width": 640, "height": 360} if kind == "video" else {})

    # ------------------------------------------------------------------ simulated users

    def _user(self, user_id: int, first_name: str, language_code: str | None) -> JsonDict:
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _chat_for(self, user: JsonDict, chat_id: int | None, chat_type: str) -> JsonDict:
        if chat_type == "private":
            cid = user["id"] if chat_id is None else chat_id
            return {"id": cid, "type": "private", "first_name": user["first_name"]}
        if chat_id is None:
            raise ValueError(f"chat_id is required for a {chat_type} chat")
        return self._chats.get(chat_id) or {"id": chat_id, "type": chat_type, "title": "Test group"}

    def _user_message(self, user: JsonDict, chat: JsonDict, **content: Any) -> JsonDict:
        message_id = self._next_message_id(chat["id"])
        return {"message_id": message_id, "from": user, "chat": chat, "date": epoch_now(), **content}

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ana",
        language_code: str | None = "es",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JsonDict:
        """A text message from a user; a leading /command gets its bot_command entity."""
        user = self._user(user_id, first_name, language_code)
        message = self._user_message(user, self._chat_for(user, chat_id, chat_type), text=text)
        command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
        if len(command) > 1:
            length = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push_update({"message": message})

    def user_sends_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "application/pdf",
    ) -> JsonDict:
        """A document from a user in their private chat; getFile + download will serve it."""
        user = self._users.get(user_id) or self._user(user_id, "Ana", "es")
        meta = self.store_file(content, file_name, mime_type, "document")
        extra: JsonDict = {"caption": caption} if caption else {}
        chat = self._chat_for(user, None, "private")
        message = self._user_message(user, chat, document=self.document_of(meta), **extra)
        return self.push_update({"message": message})

    def user_sends_file(
        self, user_id: int, kind: str, content: bytes, *, mime_type: str, caption: str | None = None
    ) -> JsonDict:
        """A photo, voice note, audio or video from a user in their private chat."""
        user = self._users.get(user_id) or self._user(user_id, "Ana", "es")
        meta = self.store_file(content, kind, mime_type, kind)
        extra: JsonDict = {"caption": caption} if caption else {}
        chat = self._chat_for(user, None, "private")
        message = self._user_message(user, chat, **{kind: self.file_of(meta, kind)}, **extra)
        return self.push_update({"message": message})

    def user_clicks(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        first_name: str = "Ana",
        language_code: str | None = "es",
        check_button: bool = True,
    ) -> JsonDict:
        """A press on an inline button of a bot message; like a client, only existing buttons."""
        chat_id = user_id if chat_id is None else chat_id
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None or message["from"]["id"] != self.bot_id:
            raise ValueError(f"404: no bot message {message_id} in chat {chat_id}")
        if check_button:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            datas = [button.get("callback_data") for row in rows for button in row]
            if data not in datas:
                raise ValueError(f"message {message_id} has no button {data!r}; it has {datas}")
        query_id = str(10**15 + next(self._ids))
        query: JsonDict = {
            "id": query_id,
            "from": self._user(user_id, first_name, language_code),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat_id) * 7919 + 13),
            "data": data,
        }
        self._callbacks[query_id] = query
        return self.push_update({"callback_query": query})

    def add_chat(self, chat_id: int, *, chat_type: str | None = None, title: str = "Test group") -> JsonDict:
        """Make a chat known without an update (e.g. a group the bot was added to earlier)."""
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        name = {"first_name": title} if kind == "private" else {"title": title}
        self._chats[chat_id] = {"id": chat_id, "type": kind, **name}
        return dict(self._chats[chat_id])

    # ------------------------------------------------------------------ observation

    def messages_to(self, chat_id: int) -> list[JsonDict]:
        """Messages the bot sent to chat_id and did not delete, with edits applied."""
        messages = self._messages.get(chat_id, {}).values()
        return [copy.deepcopy(m) for m in messages if m["from"]["id"] == self.bot_id]

    def documents_to(self, chat_id: int) -> list[tuple[str, bytes, str | None]]:
        """(file_name, bytes, caption) of every document the bot sent to chat_id."""
        return [
            (m["document"]["file_name"], self.files[m["document"]["file_id"]], m.get("caption"))
            for m in self.messages_to(chat_id)
            if "document" in m
        ]

    def commands_for(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        return copy.deepcopy(self._commands.get((scope_key(scope), language_code), []))

    def description_for(self, language_code: str = "", *, short: bool = False) -> str | None:
        """The bot's (short) description set for language_code ("" = the default), None if unset."""
        return self._descriptions.get(("short_description" if short else "description", language_code))

    # ------------------------------------------------------------------ users blocking the bot

    def block(self, chat_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends -> 403; a known private chat gets my_chat_member."""
        self._blocked.add(chat_id)
        if notify:
            self._push_member_update(chat_id, "member", "kicked")

    def unblock(self, chat_id: int, *, notify: bool = True) -> None:
        self._blocked.discard(chat_id)
        if notify:
            self._push_member_update(chat_id, "kicked", "member")

    def _push_member_update(self, chat_id: int, old: str, new: str) -> None:
        chat, user = self._chats.get(chat_id), self._users.get(chat_id)
        if chat is None or user is None or chat["type"] != "private":
            return

        def member(status: str) -> JsonDict:
            kicked = {"until_date": 0} if status == "kicked" else {}
            return {"status": status, "user": self.bot_user(), **kicked}

        change = {"old_chat_member": member(old), "new_chat_member": member(new)}
        self.push_update({"my_chat_member": {"chat": chat, "from": user, "date": epoch_now(), **change}})
