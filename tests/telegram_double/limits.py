"""Request validation for the Bot API double: the machine-readable spec plus LIMITS.md.

Everything here is stateless (it looks at one request); checks that need the double's state
(unknown chat, unknown message, blocked user, rate limits) live in server.py.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formatting import Entity, EntityParseError, parse_text

JsonDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
MAX_INLINE_BUTTONS = 100
MAX_DESCRIPTION = 512  # setMyDescription
MAX_SHORT_DESCRIPTION = 120  # setMyShortDescription
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
)  # fmt: skip
# Used when no spec is available; with a spec the list comes from InlineKeyboardButton.
BUTTON_ACTIONS = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
_BUTTON_DECOR = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}\Z")
_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?\Z")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}\Z")
_INT_RE = re.compile(r"-?\d+\Z")
_ALWAYS_RE = re.compile(r"(?:must be|always)\s+[“\"]?([a-z_]+)")


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status == error_code, like Telegram."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (an InputFile)."""

    file_name: str
    content_type: str
    data: bytes

    def summary(self) -> JsonDict:
        """What Recorded.params shows instead of the bytes."""
        return {"file_name": self.file_name, "mime_type": self.content_type, "size": len(self.data)}


class _Mismatch(Exception):
    """A value that does not fit the spec; `path` points into nested objects."""

    def __init__(self, path: str, expected: str, *, problem: str | None = None) -> None:
        super().__init__(path, expected)
        self.path = path
        self.problem = problem or f"expected {expected}"

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


class Spec:
    """bot-api-spec.json: method fields and object types, used to validate requests."""

    def __init__(self, data: JsonDict) -> None:
        self.methods: dict[str, JsonDict] = data["methods"]
        self.types: dict[str, JsonDict] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}
        button = self.types.get("InlineKeyboardButton", {})
        names = {f["name"] for f in button.get("fields", [])}
        self.button_actions = frozenset(names - _BUTTON_DECOR) or BUTTON_ACTIONS

    @staticmethod
    @functools.cache
    def load(path: Path) -> Spec:
        # Cached: the file is ~1 MB and every double in a test session reads the same one.
        return Spec(json.loads(path.read_text(encoding="utf-8")))

    def canonical(self, method: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        return self._by_lower.get(method.lower())

    def validate(self, method: str, params: JsonDict) -> JsonDict:
        """Coerce params to the spec's types (form values arrive as strings) or raise 400."""
        fields = {f["name"]: f for f in self.methods[method].get("fields", [])}
        for name in params:
            if name not in fields:
                # Telegram ignores unknown parameters; the double refuses them to catch typos.
                raise bad_request(f"unknown parameter {name}")
        out: JsonDict = {}
        for name, field in fields.items():
            value = params.get(name)
            if value is None:
                if field["required"]:
                    raise bad_request(_missing_message(method, name))
                continue
            try:
                out[name] = self._coerce(value, field["types"], "")
            except _Mismatch as exc:
                raise bad_request(f'can\'t parse parameter "{name}": {exc}') from None
        return out

    def _coerce(self, value: Any, types: list[str], path: str) -> Any:
        best: _Mismatch | None = None
        for type_name in types:
            try:
                return self._coerce_one(value, type_name, path)
            except _Mismatch as exc:
                # Report the alternative that got furthest: its error is the informative one.
                if best is None or len(exc.path) > len(best.path):
                    best = exc
        assert best is not None
        if best.path == path:
            raise _Mismatch(path, " or ".join(types))
        raise best

    def _coerce_one(self, value: Any, type_name: str, path: str) -> Any:
        if type_name.startswith("Array of "):
            value = _json_value(value, list, path, type_name)
            inner = type_name[len("Array of ") :]
            return [self._coerce_one(v, inner, _join(path, i)) for i, v in enumerate(value)]
        scalar = _coerce_scalar(value, type_name, path)
        if scalar is not _NOT_SCALAR:
            return scalar
        spec_type = self.types.get(type_name)
        if spec_type is None:
            return value  # a type the spec does not describe: nothing to check
        if "subtypes" in spec_type:
            return self._coerce(value, self._subtypes_for(value, spec_type), path)
        value = _json_value(value, dict, path, type_name)
        out = dict(value)  # unknown nested fields pass through, as in Telegram
        for field in spec_type.get("fields", []):
            name = field["name"]
            if value.get(name) is None:
                if field["required"]:
                    raise _Mismatch(_join(path, name), name, problem=f"required in {type_name}")
                continue
            out[name] = self._coerce(value[name], field["types"], _join(path, name))
        return out

    def _subtypes_for(self, value: Any, spec_type: JsonDict) -> list[str]:
        """Pick the subtype named by the object's "type"/"source"/"status" discriminator."""
        subtypes: list[str] = spec_type["subtypes"]
        if isinstance(value, dict):
            for sub in subtypes:
                for field in self.types.get(sub, {}).get("fields", []):
                    tag = value.get(field["name"])
                    m = _ALWAYS_RE.search(field["description"])
                    is_tag = field["name"] in ("type", "source", "status")
                    if is_tag and isinstance(tag, str) and m and m.group(1) == tag:
                        return [sub]
        return subtypes


_NOT_SCALAR = object()


def _coerce_scalar(value: Any, type_name: str, path: str) -> Any:
    """Form data carries every value as a string; Telegram converts, and so do we."""
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value)
        raise _Mismatch(path, "Integer")
    if type_name == "Float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _Mismatch(path, "Float")
    if type_name in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise _Mismatch(path, "Boolean")
    if type_name == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise _Mismatch(path, "String")
    if type_name == "InputFile":
        if isinstance(value, Upload):
            return value
        raise _Mismatch(path, "InputFile (a multipart file upload)")
    return _NOT_SCALAR


def _json_value(value: Any, kind: type, path: str, type_name: str) -> Any:
    # Complex values arrive JSON-serialized in form data and query strings.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _Mismatch(path, f"JSON-serialized {type_name}") from None
    if not isinstance(value, kind):
        raise _Mismatch(path, type_name)
    return value


# Without a spec file the double still needs typed values for the fields its handlers read.
_LOOSE_GROUPS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("chat_id",): ("Integer", "String"),
    ("message_id", "offset", "limit", "timeout", "cache_time"): ("Integer",),
    ("show_alert", "drop_pending_updates"): ("Boolean",),
    ("reply_markup", "scope", "reply_parameters", "link_preview_options"): ("Object",),
    ("commands", "allowed_updates", "entities", "caption_entities"): ("Array",),
}
_LOOSE_TYPES = {name: types for names, types in _LOOSE_GROUPS.items() for name in names}


def loose_coerce(params: JsonDict) -> JsonDict:
    """Best-effort typing used only when no spec file is available (no validation)."""
    out: JsonDict = {}
    for name, value in params.items():
        types = _LOOSE_TYPES.get(name, ())
        try:
            if types == ("Object",):
                value = _json_value(value, dict, name, "Object")
            elif types == ("Array",):
                value = _json_value(value, list, name, "Array")
            elif types:
                value = next(v for t in types if (v := _try_scalar(value, t, name)) is not _NOT_SCALAR)
        except (_Mismatch, StopIteration):
            pass  # leave it as sent
        out[name] = value
    return out


def _try_scalar(value: Any, type_name: str, path: str) -> Any:
    try:
        return _coerce_scalar(value, type_name, path)
    except _Mismatch:
        return _NOT_SCALAR


def _missing_message(method: str, name: str) -> str:
    if name == "text" and method == "sendMessage":
        return "message text is empty"  # Telegram's wording for a missing text
    return f"{name} is required"


# ---------------------------------------------------------------------------- LIMITS.md


def render(text: str, parse_mode: str | None, entities: list[Entity] | None) -> tuple[str, list[Entity]]:
    """Visible text + entities the way Telegram stores them, or 400 "can't parse entities"."""
    if entities is not None:
        return text, list(entities)  # explicit entities replace parse_mode
    try:
        return parse_text(text, parse_mode)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    except ValueError:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}") from None


def message_text(params: JsonDict) -> tuple[str, list[Entity]]:
    """The 1-4096 visible characters rule for `text` (sendMessage, editMessageText)."""
    if params.get("text") is None:
        raise bad_request("message text is empty")
    text, entities = render(params["text"], params.get("parse_mode"), params.get("entities"))
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def message_caption(params: JsonDict) -> tuple[str | None, list[Entity]]:
    """The 0-1024 visible characters rule for `caption`."""
    if params.get("caption") is None:
        return None, []
    caption, entities = render(params["caption"], params.get("parse_mode"), params.get("caption_entities"))
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return (caption or None), entities


def inline_keyboard(markup: Any) -> JsonDict | None:
    """The InlineKeyboardMarkup part of reply_markup (the only kind a Message echoes back)."""
    if isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
        return markup
    return None


def check_reply_markup(markup: Any, button_actions: frozenset[str]) -> None:
    keyboard = inline_keyboard(markup)
    if keyboard is None:
        return
    buttons = [b for row in keyboard["inline_keyboard"] for b in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        actions = [k for k in button_actions if button.get(k) is not None]
        if not actions:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad_request(
                f"can't parse inline keyboard button: exactly one of {sorted(actions)} may be used"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


def check_language_code(params: JsonDict) -> None:
    if not _LANGUAGE_RE.match(str(params.get("language_code", ""))):
        raise bad_request("invalid language code")


def check_scope(params: JsonDict) -> None:
    scope = params.get("scope")
    if scope is not None and scope.get("type") not in SCOPE_TYPES:
        raise bad_request("wrong scope type specified")


def check_commands(params: JsonDict) -> None:
    commands: list[JsonDict] = params["commands"]
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not _COMMAND_RE.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def check_webhook(params: JsonDict) -> None:
    url = params["url"]
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")


_DESCRIPTION_METHODS = frozenset(
    {"setMyDescription", "getMyDescription", "setMyShortDescription", "getMyShortDescription"}
)


def check_limits(method: str, params: JsonDict, button_actions: frozenset[str]) -> None:
    """Every stateless LIMITS.md rule for one (already type-checked) request."""
    if method in ("sendMessage", "editMessageText"):
        message_text(params)
    if "caption" in params:
        message_caption(params)
    if "reply_markup" in params:
        check_reply_markup(params["reply_markup"], button_actions)
    if method == "answerCallbackQuery" and len(params.get("text") or "") > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
        check_language_code(params)
        check_scope(params)
    if method in _DESCRIPTION_METHODS:
        check_language_code(params)
    if method == "setMyDescription" and len(params.get("description") or "") > MAX_DESCRIPTION:
        raise bad_request("BOT_DESCRIPTION_INVALID")
    if (
        method == "setMyShortDescription"
        and len(params.get("short_description") or "") > MAX_SHORT_DESCRIPTION
    ):
        raise bad_request("BOT_SHORT_DESCRIPTION_INVALID")
    if method == "setMyCommands":
        check_commands(params)
    if method == "setWebhook":
        check_webhook(params)
    if method == "sendChatAction" and params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
