"""The Bot API methods the double implements, on top of BotApiState.

Each `api_*` method takes params already validated by limits.py and returns the `result` of the
answer or raises `ApiError`, exactly as Telegram would answer that call.
"""

from __future__ import annotations

import copy
import mimetypes
import time
from typing import Any

from . import limits
from .limits import ApiError, JsonDict, Upload, bad_request
from .state import BotApiState, epoch_now, scope_key

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def _set_or_drop(message: JsonDict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


class BotApiMethods(BotApiState):
    """getUpdates, sending, editing, files, commands: the calls the bot makes."""

    # ------------------------------------------------------------------ updates

    def _ensure_no_webhook(self) -> None:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )

    async def api_get_updates(self, params: JsonDict) -> list[JsonDict]:
        self._ensure_no_webhook()
        offset = params.get("offset") or 0
        if offset > 0:  # confirms (forgets) everything before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # keep only the last -offset updates
            self._updates = self._updates[offset:]
        limit = min(max(params.get("limit") or 100, 1), 100)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        deadline = time.monotonic() + max(params.get("timeout") or 0, 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.notify()  # an older long poll still waiting gets its 409 now
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._ensure_no_webhook()
            batch = self._pending_batch(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._stopped.is_set():
                break
            self._parked += 1
            self._signal.notify()  # wait_for_poll(): the bot is now waiting for updates
            try:
                await self._signal.wait(remaining)
            finally:
                self._parked -= 1
        if batch:
            self._last_batch = batch
        return batch

    def api_set_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        keep = ("url", "secret_token", "max_connections", "allowed_updates", "ip_address")
        self.webhook = {k: params[k] for k in keep if k in params} if params["url"] else None
        self._signal.notify()
        return True

    def api_delete_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    def api_get_webhook_info(self, params: JsonDict) -> JsonDict:
        hook = self.webhook or {}
        info: JsonDict = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        info.update({k: hook[k] for k in ("max_connections", "allowed_updates", "ip_address") if k in hook})
        return info

    # ------------------------------------------------------------------ messages

    def _new_bot_message(self, chat_id: int, params: JsonDict, **content: Any) -> JsonDict:
        reply = params.get("reply_parameters")
        target = None
        if reply is not None:
            target = self._messages.get(chat_id, {}).get(reply.get("message_id"))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user(),
            "chat": dict(self._chats[chat_id]),
            "date": epoch_now(),
            **content,
        }
        if target is not None:
            message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        # Only inline keyboards are echoed in Message.reply_markup.
        _set_or_drop(message, "reply_markup", limits.inline_keyboard(params.get("reply_markup")))
        self._messages.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def _target(self, params: JsonDict, verb: str) -> JsonDict:
        """The message an edit/delete call points at."""
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")  # the bot never sends inline messages
        if params.get("chat_id") is None or params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._require_chat(params["chat_id"])
        message = self._messages.get(chat["id"], {}).get(params["message_id"])
        if message is None:
            raise bad_request(f"message to {verb} not found")
        if verb == "edit" and message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    def _edit(self, message: JsonDict, changes: dict[str, Any]) -> JsonDict:
        if all(message.get(k) == (v or None) for k, v in changes.items()):
            raise bad_request(limits.NOT_MODIFIED)
        for key, value in changes.items():
            _set_or_drop(message, key, value)
        message["edit_date"] = epoch_now()
        return message

    def api_send_message(self, params: JsonDict) -> JsonDict:
        chat = self._require_chat(params["chat_id"])
        text, entities = limits.message_text(params)
        extra = {"entities": entities} if entities else {}
        return self._new_bot_message(chat["id"], params, text=text, **extra)

    def api_edit_message_text(self, params: JsonDict) -> JsonDict:
        message = self._target(params, "edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = limits.message_text(params)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = limits.inline_keyboard(params.get("reply_markup"))
        return self._edit(message, {"text": text, "entities": entities, "reply_markup": markup})

    def api_edit_message_caption(self, params: JsonDict) -> JsonDict:
        message = self._target(params, "edit")
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = limits.message_caption(params)
        markup = limits.inline_keyboard(params.get("reply_markup"))
        changes = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        return self._edit(message, changes)

    def api_edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        message = self._target(params, "edit")
        markup = limits.inline_keyboard(params.get("reply_markup"))
        return self._edit(message, {"reply_markup": markup})

    def api_delete_message(self, params: JsonDict) -> bool:
        message = self._target(params, "delete")
        del self._messages[message["chat"]["id"]][message["message_id"]]
        return True

    def api_answer_callback_query(self, params: JsonDict) -> bool:
        if self._callbacks.pop(params["callback_query_id"], None) is None:
            raise bad_request(_QUERY_INVALID)
        self.callback_answers.append(dict(params))
        return True

    def api_send_chat_action(self, params: JsonDict) -> bool:
        self._require_chat(params["chat_id"])
        return True

    # ------------------------------------------------------------------ files

    def api_send_file(self, params: JsonDict, kind: str) -> JsonDict:
        """sendDocument / sendPhoto / sendVoice / sendAudio / sendVideo: a fresh upload or the
        file_id of a known file of that kind (Telegram refuses a photo's file id as a document)."""
        chat = self._require_chat(params["chat_id"])
        value = params[kind]
        if isinstance(value, Upload):
            if len(value.data) > self.max_upload_bytes:
                raise ApiError(413, "Request Entity Too Large")
            if not value.data:
                raise bad_request("file must be non-empty")
            name = value.file_name or kind
            mime = mimetypes.guess_type(name)[0] or value.content_type or "application/octet-stream"
            meta = self.store_file(value.data, name, mime, kind)
        else:
            meta = self._file_meta.get(str(value)) or {}
            if not meta:
                raise bad_request("wrong file identifier/HTTP URL specified")
            if meta["kind"] != kind:
                raise bad_request(f"can't use file of type {meta['kind'].title()} as {kind.title()}")
        caption, entities = limits.message_caption(params)
        content: JsonDict = {kind: self.file_of(meta, kind)}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._new_bot_message(chat["id"], params, **content)

    def api_get_file(self, params: JsonDict) -> JsonDict:
        meta = self._file_meta.get(params["file_id"])
        if meta is None:
            raise bad_request("invalid file_id")
        if meta["file_size"] > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {k: meta[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # ------------------------------------------------------------------ commands

    def _commands_key(self, params: JsonDict) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None and scope.get("type") in _CHAT_SCOPES:
            self._require_chat(scope.get("chat_id"))
        return scope_key(scope), params.get("language_code") or ""

    def api_set_my_commands(self, params: JsonDict) -> bool:
        key = self._commands_key(params)
        commands = [{"command": c["command"], "description": c["description"]} for c in params["commands"]]
        if commands:
            self._commands[key] = commands
        else:  # an empty list deletes, as in Telegram
            self._commands.pop(key, None)
        return True

    def api_get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def api_delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    # ------------------------------------------------------------------ descriptions

    def _set_description(self, params: JsonDict, field: str) -> bool:
        key = (field, params.get("language_code") or "")
        text = params.get(field) or ""
        if text:
            self._descriptions[key] = text
        else:  # an empty string removes the dedicated text, as in Telegram
            self._descriptions.pop(key, None)
        return True

    def _get_description(self, params: JsonDict, field: str) -> JsonDict:
        return {field: self._descriptions.get((field, params.get("language_code") or ""), "")}

    def api_set_my_description(self, params: JsonDict) -> bool:
        return self._set_description(params, "description")

    def api_get_my_description(self, params: JsonDict) -> JsonDict:
        return self._get_description(params, "description")

    def api_set_my_short_description(self, params: JsonDict) -> bool:
        return self._set_description(params, "short_description")

    def api_get_my_short_description(self, params: JsonDict) -> JsonDict:
        return self._get_description(params, "short_description")
