"""A fake Telegram Bot API server for end-to-end tests of the bot.

The real bot process talks to it over HTTP (`TELEGRAM_API_URL=<double.base_url>`); tests play the
users (`user_sends`, `user_clicks`, ...), inject failures and read back what the bot sent.  Every
request is validated against the machine-readable Bot API spec and the limits of LIMITS.md, so a
bot bug that Telegram would reject fails here too.  State changes wake waiters through one
broadcast signal (no polling sleeps).

Layout: formatting.py (parse modes) and limits.py (stateless validation of one request);
state.py (what Telegram remembers, simulated users, observation); methods.py (the API methods);
this module (HTTP server, waiting helpers, failure injection, flood limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import http
import json
import logging
import math
import os
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from . import limits
from .limits import ApiError, JsonDict, Spec, Upload
from .methods import BotApiMethods

# Repo root is parents[2]; the shared spec sits beside the repo (BOT_API_SPEC names another copy).
DEFAULT_SPEC_PATH = Path(
    os.environ.get("BOT_API_SPEC")
    or Path(__file__).resolve().parents[2].parent / "shared" / "telegram" / "bot-api-spec.json"
)
SPEC_MISSING = (
    f"the Bot API spec is not at {DEFAULT_SPEC_PATH} (../shared beside the repository, or BOT_API_SPEC): "
    "the test double checks requests loosely, without the spec's parameters and types"
)
STALL_SECONDS = 60.0
_SENDS = ("send", "copy", "forward")  # methods that post a message (rate limits, blocks)
_NOT_FOUND: JsonDict = {"ok": False, "error_code": 404, "description": "Not Found"}


@dataclass(frozen=True)
class Recorded:
    """One API call: params as typed after validation, the answer, and time.monotonic()."""

    method: str
    params: JsonDict
    status: int  # 0 = stalled by fail_next(..., 0)
    response: JsonDict
    at: float


@dataclass
class _Failure:
    method: str
    status: int
    remaining: int
    retry_after: int | None
    description: str | None
    chat_id: int | None

    def error(self) -> ApiError:
        status, retry_after = self.status, self.retry_after
        if status == 429 and retry_after is None:
            retry_after = 1  # aiogram only raises TelegramRetryAfter for a positive value
        default = {
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
        }.get(status)
        if default is None and status >= 500:
            default = "Internal Server Error"
        if default is None:
            try:
                phrase = http.HTTPStatus(status).phrase
            except ValueError:
                phrase = "Error"
            default = f"{phrase}: injected failure"
        return ApiError(status, self.description or default, retry_after=retry_after)


class _Bucket:
    """Token bucket: `rate` per second, at most `burst` tokens; 5 % slack absorbs timer jitter."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.last = burst, time.monotonic()

    def take(self, now: float) -> float:
        """0 if a send may go now (and counts it), else the seconds until it may."""
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 0.95:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class BotApiDouble(BotApiMethods):
    """Fake Bot API on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_id: int = 123456,
        bot_username: str = "cra_test_bot",
        spec_path: Path | None = None,
        global_rate: float | None = None,
        per_chat_rate: bool = False,
    ) -> None:
        super().__init__(token, bot_id, bot_username)
        path = spec_path or DEFAULT_SPEC_PATH
        self.spec: Spec | None = Spec.load(path) if path.is_file() else None
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/...
        self.internal_errors: list[Exception] = []  # bugs of the double itself (answered 500)
        self._failures: list[_Failure] = []
        # A burst of ~200 ms worth is allowed; "30 at once, then wait" is refused (LIMITS.md).
        self._global_bucket = _Bucket(global_rate, max(1.0, global_rate / 5)) if global_rate else None
        self._private_buckets: dict[int, _Bucket] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self._handlers: dict[str, Callable[[JsonDict], Any]] = {
            "getMe": lambda p: self.bot_user(full=True),
            "close": lambda p: True,
            "logOut": lambda p: True,
            "getUpdates": self.api_get_updates,
            "setWebhook": self.api_set_webhook,
            "deleteWebhook": self.api_delete_webhook,
            "getWebhookInfo": self.api_get_webhook_info,
            "sendMessage": self.api_send_message,
            "editMessageText": self.api_edit_message_text,
            "editMessageCaption": self.api_edit_message_caption,
            "editMessageReplyMarkup": self.api_edit_message_reply_markup,
            "deleteMessage": self.api_delete_message,
            "answerCallbackQuery": self.api_answer_callback_query,
            "sendDocument": lambda p: self.api_send_file(p, "document"),
            "sendPhoto": lambda p: self.api_send_file(p, "photo"),
            "sendVoice": lambda p: self.api_send_file(p, "voice"),
            "sendAudio": lambda p: self.api_send_file(p, "audio"),
            "sendVideo": lambda p: self.api_send_file(p, "video"),
            "sendChatAction": self.api_send_chat_action,
            "setMyCommands": self.api_set_my_commands,
            "getMyCommands": self.api_get_my_commands,
            "deleteMyCommands": self.api_delete_my_commands,
            "setMyDescription": self.api_set_my_description,
            "getMyDescription": self.api_get_my_description,
            "setMyShortDescription": self.api_set_my_short_description,
            "getMyShortDescription": self.api_get_my_short_description,
            "getFile": self.api_get_file,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> str:
        app = web.Application(client_max_size=self.max_upload_bytes + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        # Short shutdown_timeout: stop() wakes long polls and stalls before cleaning up anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Our own socket: the port is known at once, and it is loopback only.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        await web.SockSite(self._runner, sock).start()
        self._stopped.clear()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.base_url

    @property
    def bound_address(self) -> tuple[str, int]:
        assert self._socket is not None, "start() first"
        host, port = self._socket.getsockname()[:2]
        return host, port

    async def stop(self) -> None:
        self._stopped.set()  # releases stalled requests
        self._signal.notify()  # returns pending long polls
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[Recorded], bool] | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the test interface
        since: int = 0,
        status: int | None = 200,
    ) -> Recorded:
        """First `method` call answered with `status` (None: any) matching predicate.

        Looks at requests[since:] first (since: an index, e.g. len(double.requests) taken before
        the action), then waits for new calls."""
        deadline = time.monotonic() + timeout
        index = since
        while True:
            for record in self.requests[index:]:
                wanted = record.method == method and status in (None, record.status)
                if wanted and (predicate is None or predicate(record)):
                    return record
            index = len(self.requests)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(r.method, r.status) for r in self.requests[since:]][-20:]
                raise TimeoutError(f"no {method} answered {status} within {timeout}s; last calls: {seen}")
            await self._signal.wait(remaining)

    async def wait_for_poll(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until a getUpdates long poll is parked waiting (the bot is up and idle)."""
        deadline = time.monotonic() + timeout
        while not self._parked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no getUpdates long poll waiting within {timeout}s")
            await self._signal.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the test interface
        after: int = 0,
    ) -> JsonDict:
        """First bot message to chat_id with message_id > after whose text/caption contains it."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages_to(chat_id):
                body = message.get("text") or message.get("caption") or ""
                if message["message_id"] > after and (contains is None or contains in body):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._dump(chat_id, contains, after, timeout))
            await self._signal.wait(remaining)

    def _dump(self, chat_id: int, contains: str | None, after: int, timeout: float) -> str:
        """What the bot did send there, and which calls for that chat failed."""
        sent = self.messages_to(chat_id)
        lines = [
            f"no message to chat {chat_id} with id > {after} containing {contains!r} in {timeout}s;",
            f"the bot sent there ({len(sent)}):",
        ]
        for m in sent:
            body = m.get("text") or m.get("caption") or ("<document>" if "document" in m else "<media>")
            lines.append(f"  #{m['message_id']}: {body[:300]!r}")
        # str(): params of a request that failed validation are still the raw form strings.
        failed = [
            r for r in self.requests if r.status != 200 and str(r.params.get("chat_id")) == str(chat_id)
        ]
        if failed:
            lines.append("failed calls for that chat:")
            lines += [f"  {r.method} -> {r.status} {r.response.get('description')}" for r in failed]
        return "\n".join(lines)

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next `count` valid calls of method (status 0: never answer, a timeout)."""
        self._failures.append(_Failure(method, status, count, retry_after, description, chat_id))

    # ------------------------------------------------------------------ HTTP

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(_NOT_FOUND, status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        file_id = self._paths.get(path)
        if request.match_info["token"] != self.token or file_id is None:
            return web.json_response(_NOT_FOUND, status=404)
        self.downloads.append(path)
        self._signal.notify()
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        name = request.match_info["method"]
        params: JsonDict = {}
        try:
            params = await _read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = self._canonical(name)
            if method is None:
                raise ApiError(404, "Not Found")
            name = method
            params = self.spec.validate(method, params) if self.spec else limits.loose_coerce(params)
            limits.check_limits(method, params, self._button_actions())
            failure = self._take_failure(method, params)
            if failure is not None and failure.status == 0:
                return await self._stall(request, Recorded(method, _shown(params), 0, {}, arrived))
            if failure is not None:
                raise failure.error()
            self._check_blocked(method, params)
            self._check_rate(method, params)
            result = await self._call(method, params)
            status, body = 200, {"ok": True, "result": copy.deepcopy(result)}
        except ApiError as exc:
            status, body = exc.status, exc.envelope()
        except Exception as exc:  # a bug in the double: answer, but make it visible
            logging.getLogger(__name__).exception("telegram double crashed on %s", name)
            self.internal_errors.append(exc)
            status, body = 500, ApiError(500, f"Internal Server Error: double crashed: {exc!r}").envelope()
        self._record(Recorded(name, _shown(params), status, body, arrived))
        return web.json_response(body, status=status)

    def _canonical(self, name: str) -> str | None:
        """Spec name of a method (case-insensitive, like Telegram); None if it does not exist."""
        if self.spec is not None:
            return self.spec.canonical(name)
        return next((m for m in self._handlers if m.lower() == name.lower()), name)

    def _button_actions(self) -> frozenset[str]:
        return self.spec.button_actions if self.spec else limits.BUTTON_ACTIONS

    async def _call(self, method: str, params: JsonDict) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            return True  # a real method the double does not model: accepted and recorded
        result = handler(params)
        return await result if isinstance(result, Awaitable) else result

    async def _stall(self, request: web.Request, record: Recorded) -> web.StreamResponse:
        """Hold the request past the client's timeout, then drop the connection unanswered."""
        self._record(record)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), STALL_SECONDS)
        if request.transport is not None:
            request.transport.close()
        return web.Response()  # never reaches the client: the connection is gone

    def _record(self, record: Recorded) -> None:
        self.requests.append(record)
        self._signal.notify()

    def _take_failure(self, method: str, params: JsonDict) -> _Failure | None:
        for failure in self._failures:
            if failure.method.lower() != method.lower():
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            return failure
        return None

    def _check_blocked(self, method: str, params: JsonDict) -> None:
        if method.startswith((*_SENDS, "edit")) and params.get("chat_id") in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_rate(self, method: str, params: JsonDict) -> None:
        """Flood limits: global token bucket; ~1/s per private chat; 20/min per group."""
        if not method.startswith(_SENDS) or method == "sendChatAction":
            return
        now, chat_id = time.monotonic(), params.get("chat_id")
        waits: list[float] = []
        if self._global_bucket is not None:
            waits.append(self._global_bucket.take(now))
        if self.per_chat_rate and isinstance(chat_id, int) and chat_id > 0:
            waits.append(self._private_buckets.setdefault(chat_id, _Bucket(1.0, 1.0)).take(now))
        elif self.per_chat_rate and isinstance(chat_id, int):
            window = self._group_sends.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= 20:
                waits.append(window[0] + 60.0 - now)
            else:
                window.append(now)
        wait = max(waits, default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


async def _read_params(request: web.Request) -> JsonDict:
    """Query string + JSON, urlencoded or multipart body; attach:// references resolved."""
    params: JsonDict = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text() or "{}")
        except ValueError:
            raise limits.bad_request("can't parse JSON request body") from None
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        if not isinstance(body, dict):
            raise limits.bad_request("JSON object expected as request body")
        params.update(body)
        return params
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    for key, value in form.items():
        if isinstance(value, web.FileField):
            with value.file:  # close aiohttp's temporary file at once
                data = value.file.read()
            params[key] = Upload(value.filename or key, value.content_type, data)
        else:
            params[key] = value
    # aiogram uploads `document=attach://<part>` plus a part of that name: fold it in, and drop
    # every referenced part (also those named inside JSON, e.g. InputMedia) from the params.
    referenced = {ref for v in params.values() if isinstance(v, str) for ref in _attach_refs(v)}
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            part = params.get(value[len("attach://") :])
            if isinstance(part, Upload):
                params[key] = part
    return {k: v for k, v in params.items() if not (k in referenced and isinstance(v, Upload))}


def _attach_refs(value: str) -> list[str]:
    """Part names referenced as attach://name, also inside JSON (InputMedia)."""
    refs = []
    start = value.find("attach://")
    while start != -1:
        end = start + len("attach://")
        while end < len(value) and (value[end].isalnum() or value[end] in "_-"):
            end += 1
        refs.append(value[start + len("attach://") : end])
        start = value.find("attach://", end)
    return refs


def _shown(params: JsonDict) -> JsonDict:
    """Params as Recorded shows them: uploads summarised instead of their bytes."""
    return {k: (v.summary() if isinstance(v, Upload) else v) for k, v in params.items()}
