"""The Bot API double against the real aiogram client and raw HTTP (what Telegram would do)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.telegram_double import BotApiDouble, Recorded
from tests.telegram_double.formatting import parse_html
from tests.telegram_double.server import SPEC_MISSING

USER = 1001
GROUP = -100500


class FastSession(AiohttpSession):
    """aiogram's session without the 250 ms grace sleep of close(): keeps the suite fast."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(double: BotApiDouble, *, timeout: float = 5.0) -> Bot:
    session = FastSession(api=TelegramAPIServer.from_base(double.base_url), timeout=timeout)
    return Bot(double.token, session=session)


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as d:
        yield d


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    bot = make_bot(double)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession,
    double: BotApiDouble,
    method: str,
    *,
    json: dict[str, Any] | None = None,
    data: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """A request the way any client may send it (JSON or form), bypassing aiogram's checks."""
    url = f"{double.base_url}/bot{token or double.token}/{method}"
    async with http.post(url, json=json, data=data) as resp:
        return resp.status, await resp.json()


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=d, callback_data=d) for d in datas]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


# ---------------------------------------------------------------------------- aiogram round trip


async def test_aiogram_calls_parse_and_change_state(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "/start")
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (double.bot_id, True, "cra_test_bot")

    sent = await bot.send_message(
        USER, "<b>Hola</b> &amp; bienvenida", parse_mode="HTML", reply_markup=keyboard("a:1")
    )
    assert sent.text == "Hola & bienvenida"  # tags stripped, entities decoded, like Telegram
    assert sent.entities is not None and (sent.entities[0].type, sent.entities[0].length) == ("bold", 4)
    assert sent.message_id == 2  # the user's /start was message 1 of this chat
    assert sent.from_user is not None and sent.from_user.id == double.bot_id

    edited = await bot.edit_message_text("Adiós", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.text == "Adiós" and edited.edit_date is not None
    [stored] = double.messages_to(USER)
    assert stored["text"] == "Adiós" and "reply_markup" not in stored  # an edit drops the keyboard

    doc = await bot.send_document(
        USER, BufferedInputFile(b"%PDF-1.7 acta", filename="acta.pdf"), caption="Acta"
    )
    assert doc.document is not None and doc.document.file_name == "acta.pdf"
    assert doc.document.mime_type == "application/pdf" and doc.document.file_size == 13
    assert double.documents_to(USER) == [("acta.pdf", b"%PDF-1.7 acta", "Acta")]
    assert double.files[doc.document.file_id] == b"%PDF-1.7 acta"
    # Re-sending by file_id works without an upload.
    again = await bot.send_document(USER, doc.document.file_id)
    assert again.document is not None and again.document.file_id == doc.document.file_id

    scope = BotCommandScopeChat(chat_id=USER)
    assert await bot.set_my_commands(
        [BotCommand(command="start", description="Inicio")], scope=scope, language_code="es"
    )
    expected = [{"command": "start", "description": "Inicio"}]
    assert double.commands_for({"type": "chat", "chat_id": USER}, "es") == expected
    assert double.commands_for({"type": "chat", "chat_id": USER}) == []  # other language: separate
    assert double.commands_for() == []  # default scope untouched
    fetched = await bot.get_my_commands(scope=scope, language_code="es")
    assert [(c.command, c.description) for c in fetched] == [("start", "Inicio")]

    methods = [r.method for r in double.requests]
    assert methods[:3] == ["getMe", "sendMessage", "editMessageText"]
    upload = next(r for r in double.requests if r.method == "sendDocument")
    assert upload.params["document"]["file_name"] == "acta.pdf" and upload.params["chat_id"] == USER


async def test_real_dispatcher_polls_the_double(double: BotApiDouble, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "/start")
    async def start(message: Message) -> None:
        await message.answer("Hola <b>Ana</b>", parse_mode="HTML", reply_markup=keyboard("ok"))

    @dp.callback_query(F.data == "ok")
    async def ok(query: CallbackQuery) -> None:
        await query.answer("Listo")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Hecho")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        await double.wait_for_poll(timeout=5)
        double.user_sends(USER, "/start")
        sent = await double.wait_for_message(USER, contains="Hola Ana", timeout=5)
        double.user_clicks(USER, sent["message_id"], "ok")
        await double.wait_for_message(USER, contains="Hecho", timeout=5)
        assert [a["text"] for a in double.callback_answers] == ["Listo"]
    finally:
        await dp.stop_polling()
        await double.stop()  # releases the parked long poll at once
        await asyncio.wait_for(polling, timeout=5)
    polls = [r for r in double.requests if r.method == "getUpdates"]
    assert polls[-1].params["allowed_updates"] == ["callback_query", "message"]
    assert double.internal_errors == []


async def test_user_document_can_be_downloaded(double: BotApiDouble, bot: Bot) -> None:
    update = double.user_sends_document(USER, "informe.pdf", b"%PDF data", caption="Informe")
    file_id = update["message"]["document"]["file_id"]
    file = await bot.get_file(file_id)
    assert file.file_path is not None
    assert (await bot.download_file(file.file_path)).read() == b"%PDF data"  # type: ignore[union-attr]
    assert double.downloads == [file.file_path]
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_callback_query_must_be_answered_once(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "/menu")
    sent = await bot.send_message(USER, "Elige", reply_markup=keyboard("pick:1", "pick:2"))
    update = double.user_clicks(USER, sent.message_id, "pick:2")
    query = update["callback_query"]
    assert query["data"] == "pick:2" and query["message"]["message_id"] == sent.message_id
    with pytest.raises(ValueError, match="no button"):
        double.user_clicks(USER, sent.message_id, "pick:9")
    with pytest.raises(ValueError, match="404"):
        double.user_clicks(USER, 999, "pick:1")

    assert await bot.answer_callback_query(query["id"], text="Listo")
    assert double.callback_answers == [{"callback_query_id": query["id"], "text": "Listo"}]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345")


async def test_edits_and_deletes_follow_telegram(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "nadie me escribió")
    sent = await bot.send_message(USER, "Texto", reply_markup=keyboard("x"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Texto", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("x")
        )
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("y"))
    assert double.messages_to(USER)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "y"
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("?", chat_id=USER, message_id=99)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("?", chat_id=USER, message_id=1)  # the user's own message
    assert await bot.delete_message(USER, sent.message_id)
    assert double.messages_to(USER) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


# ---------------------------------------------------------------------------- getUpdates


async def test_unconfirmed_updates_come_again_confirmed_ones_do_not(double: BotApiDouble, bot: Bot) -> None:
    first = double.user_sends(USER, "uno")
    second = double.user_sends(USER, "dos")
    assert (first["update_id"], second["update_id"]) == (1, 2)

    batch = await bot.get_updates()
    assert [u.update_id for u in batch] == [1, 2]
    assert [u.update_id for u in await bot.get_updates()] == [1, 2]  # not confirmed: again
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]  # confirms 1 only
    assert await bot.get_updates(offset=3) == []  # confirms 2
    assert await bot.get_updates() == []  # forgotten for good
    third = double.user_sends(USER, "tres")
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [third["update_id"]]


async def test_long_poll_returns_as_soon_as_an_update_arrives(double: BotApiDouble, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await double.wait_for_poll(timeout=2)  # the request is parked server-side
    double.user_sends(USER, "despierta")
    updates = await asyncio.wait_for(poll, timeout=2)
    assert [u.message.text for u in updates if u.message] == ["despierta"]
    assert time.monotonic() - started < 2


async def test_long_poll_times_out_empty_and_stop_releases_it(double: BotApiDouble, bot: Bot) -> None:
    raw = await asyncio.wait_for(bot.get_updates(timeout=1), timeout=3)
    assert raw == []
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await double.wait_for_poll(timeout=2)
    started = time.monotonic()
    await double.stop()
    assert await asyncio.wait_for(poll, timeout=2) == []
    assert time.monotonic() - started < 1.5


async def test_newer_get_updates_terminates_the_older(double: BotApiDouble, bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=30))
    await double.wait_for_poll(timeout=2)
    newer = asyncio.create_task(bot.get_updates(timeout=30))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(older, timeout=2)
    double.user_sends(USER, "hola")
    assert len(await asyncio.wait_for(newer, timeout=2)) == 1


async def test_webhook_excludes_get_updates(double: BotApiDouble, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL"):
        await bot.set_webhook("http://example.org/hook")
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://example.org/hook", secret_token="bad secret!")
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cr3t_-")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_allowed_updates_and_redeliver(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "/start")
    sent = await bot.send_message(USER, "Menú", reply_markup=keyboard("go"))
    double.user_clicks(USER, sent.message_id, "go")
    only_queries = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in only_queries] == [True]
    everything = await bot.get_updates(allowed_updates=[])
    assert [u.update_id for u in everything] == [1, 2]
    assert await bot.get_updates(offset=3) == []
    double.redeliver()  # Telegram may send a confirmed update again
    assert [u.update_id for u in await bot.get_updates(offset=3)] == [1, 2]
    assert await bot.get_updates(offset=3) == []


# ---------------------------------------------------------------------------- limits and validation


async def test_text_length_counts_visible_characters(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)
    assert (await bot.send_message(USER, "a" * 4096)).text == "a" * 4096
    html_text = "<b>" + "a" * 4000 + "</b>" + "&lt;" * 96  # 4096 visible, far longer raw
    assert len((await bot.send_message(USER, html_text, parse_mode="HTML")).text or "") == 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, html_text + "&amp;", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER, BufferedInputFile(b"x", filename="a.txt"), caption="c" * 1025)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>sin cerrar", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>salto", 'Unsupported start tag "br"'),
        ("<b><i>cruzado</b></i>", "Unmatched end tag"),
        ("1 < 2", "Unclosed start tag|Unsupported start tag|Empty tag name"),
    ],
)
async def test_malformed_html_cannot_be_parsed(double: BotApiDouble, bot: Bot, html: str, error: str) -> None:
    double.user_sends(USER, "hola")
    with pytest.raises(TelegramBadRequest, match=f"can't parse entities: ({error})"):
        await bot.send_message(USER, html, parse_mode="HTML")


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html('😀 <b>negrita <i>y</i></b> <pre><code class="language-py">x</code></pre>')
    assert text == "😀 negrita y x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},  # the emoji counts 2 UTF-16 units
        {"type": "italic", "offset": 11, "length": 1},
        {"type": "pre", "language": "py", "offset": 13, "length": 1},
    ]


async def test_markdown_v2_reserved_characters(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(USER, "Fin.", parse_mode="MarkdownV2")
    assert (await bot.send_message(USER, "*Fin*\\.", parse_mode="MarkdownV2")).text == "Fin."


async def test_callback_data_is_limited_to_64_bytes(
    double: BotApiDouble, http: aiohttp.ClientSession
) -> None:
    double.user_sends(USER, "hola")

    def markup(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "ok", "callback_data": data}]]}

    ok = {"chat_id": USER, "text": "x", "reply_markup": markup("é" * 32)}  # 64 bytes
    assert (await raw_call(http, double, "sendMessage", json=ok))[0] == 200
    too_long = {"chat_id": USER, "text": "x", "reply_markup": markup("é" * 33)}  # 33 chars, 66 bytes
    assert await raw_call(http, double, "sendMessage", json=too_long) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: BUTTON_DATA_INVALID"},
    )
    no_action = {"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "t"}]]}}
    status, body = await raw_call(http, double, "sendMessage", json=no_action)
    assert status == 400 and "text buttons are unallowed" in body["description"]


async def test_bot_commands_are_validated(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand(command="start", description="d" * 257)])
    with pytest.raises(TelegramBadRequest, match="invalid language code"):
        await bot.set_my_commands([BotCommand(command="start", description="x")], language_code="spa")
    too_many = [BotCommand(command=f"c{i}", description="x") for i in range(101)]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands(too_many)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands(
            [BotCommand(command="start", description="x")], scope=BotCommandScopeChat(chat_id=5)
        )


async def test_requests_are_checked_against_the_spec(
    double: BotApiDouble, http: aiohttp.ClientSession
) -> None:
    if double.spec is None:
        pytest.skip(SPEC_MISSING)
    double.user_sends(USER, "hola")
    form = {"chat_id": str(USER), "text": "hola", "parse_mod": "HTML"}  # a typo
    assert await raw_call(http, double, "sendMessage", data=form) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: unknown parameter parse_mod"},
    )
    status, body = await raw_call(http, double, "sendMessage", data={"text": "hola"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is required")
    status, body = await raw_call(
        http, double, "deleteMessage", data={"chat_id": str(USER), "message_id": "uno"}
    )
    assert status == 400 and 'parameter "message_id"' in body["description"]
    status, body = await raw_call(
        http, double, "sendMessage", json={"chat_id": USER, "text": "x", "reply_markup": "[1"}
    )
    assert status == 400 and "reply_markup" in body["description"]
    # Form values are strings; they are typed by the spec before the double uses them.
    status, body = await raw_call(http, double, "sendMessage", data={"chat_id": str(USER), "text": "hola"})
    assert status == 200 and body["result"]["chat"]["id"] == USER
    assert double.requests[-1].params == {"chat_id": USER, "text": "hola"}
    # A real method the double does not model is accepted; a made-up one is not.
    assert await raw_call(http, double, "getChat", data={"chat_id": str(USER)}) == (
        200,
        {"ok": True, "result": True},
    )
    assert (await raw_call(http, double, "sendTelepathy", data={}))[0] == 404
    # Method names are case-insensitive in Telegram, and query-string parameters count too.
    assert (await raw_call(http, double, "getme"))[0] == 200
    async with http.get(f"{double.base_url}/bot{double.token}/sendMessage?chat_id={USER}&text=q") as resp:
        assert resp.status == 200 and (await resp.json())["result"]["text"] == "q"


async def test_wrong_token_is_unauthorized(double: BotApiDouble, http: aiohttp.ClientSession) -> None:
    assert await raw_call(http, double, "getMe", token="1:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    bot = Bot("1:wrong", session=FastSession(api=TelegramAPIServer.from_base(double.base_url)))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()


async def test_documents_over_50_mb_are_refused(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    double.max_upload_bytes = 1024  # the 50 MB rule, scaled down to keep the test fast
    with pytest.raises(TelegramEntityTooLarge, match="Request Entity Too Large"):
        await bot.send_document(USER, BufferedInputFile(b"x" * 1025, filename="big.pdf"))
    assert double.requests[-1].status == 413
    assert (await bot.send_document(USER, BufferedInputFile(b"x" * 1024, filename="ok.pdf"))).document


# ---------------------------------------------------------------------------- failure injection


async def test_injected_failures_map_to_aiogram_errors(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    double.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(USER, "uno")
    assert retry.value.retry_after == 7
    double.fail_next("sendMessage", 403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "dos")
    double.fail_next("sendMessage", 500, count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(USER, "tres")
    assert (await bot.send_message(USER, "cuatro")).text == "cuatro"
    assert [r.status for r in double.requests if r.method == "sendMessage"] == [429, 403, 500, 500, 200]
    assert double.requests[0].response["parameters"] == {"retry_after": 7}


async def test_failure_for_one_chat_only(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    double.user_sends(USER + 1, "hola")
    double.fail_next("sendMessage", 403, chat_id=USER + 1)
    assert (await bot.send_message(USER, "a")).text == "a"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER + 1, "b")


async def test_block_and_unblock(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    await bot.get_updates(offset=2)  # confirm the message
    double.block(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "¿sigues ahí?")
    [update] = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert update.my_chat_member is not None and update.my_chat_member.new_chat_member.status == "kicked"
    double.unblock(USER)
    assert (await bot.send_message(USER, "de vuelta")).text == "de vuelta"


async def test_stalled_request_times_out_the_client(double: BotApiDouble) -> None:
    double.user_sends(USER, "hola")
    bot = make_bot(double, timeout=0.3)
    try:
        double.fail_next("sendMessage", 0)
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(USER, "perdido")
        assert (await bot.send_message(USER, "llega")).text == "llega"
        assert [r.status for r in double.requests if r.method == "sendMessage"] == [0, 200]
    finally:
        await bot.session.close()


async def test_stop_releases_a_stalled_request(double: BotApiDouble) -> None:
    double.user_sends(USER, "hola")
    bot = make_bot(double, timeout=30)
    try:
        double.fail_next("sendMessage", 0)
        stalled = asyncio.create_task(bot.send_message(USER, "colgado"))
        await double.wait_for_request("sendMessage", status=0, timeout=2)
        started = time.monotonic()
        await double.stop()  # must not wait for the 60 s stall
        with pytest.raises(TelegramNetworkError):
            await asyncio.wait_for(stalled, timeout=2)
        assert time.monotonic() - started < 1.5
    finally:
        await bot.session.close()


async def test_flood_limits(bot: Bot) -> None:
    async with BotApiDouble(per_chat_rate=True) as double:
        double.user_sends(USER, "hola")
        double.user_sends(USER, "hola", chat_id=GROUP, chat_type="group")
        paced = make_bot(double)
        try:
            await paced.send_message(USER, "1")
            with pytest.raises(TelegramRetryAfter) as caught:
                await paced.send_message(USER, "2")  # ~1 message per second per private chat
            assert caught.value.retry_after == 1
            for i in range(20):
                await paced.send_message(GROUP, str(i))
            with pytest.raises(TelegramRetryAfter):
                await paced.send_message(GROUP, "21")  # 20 per minute per group
        finally:
            await paced.session.close()
    async with BotApiDouble(global_rate=5) as double:
        for user in (1, 2):
            double.user_sends(user, "hola")
        paced = make_bot(double)
        try:
            await paced.send_message(1, "a")
            with pytest.raises(TelegramRetryAfter):
                await paced.send_message(2, "b")  # a burst above 5/s overall
        finally:
            await paced.session.close()


# ---------------------------------------------------------------------------- observation helpers


async def test_wait_helpers(double: BotApiDouble, bot: Bot) -> None:
    double.user_sends(USER, "hola")
    waiter = asyncio.create_task(double.wait_for_message(USER, contains="listo", timeout=2))
    await bot.send_message(USER, "procesando")
    await bot.send_message(USER, "todo listo")
    assert (await waiter)["text"] == "todo listo"
    recorded = await double.wait_for_request("sendMessage", lambda r: r.params["text"] == "procesando")
    assert isinstance(recorded, Recorded) and recorded.status == 200
    with pytest.raises(TimeoutError, match="'procesando'") as caught:
        await double.wait_for_message(USER, contains="nunca", timeout=0.05)
    assert "todo listo" in str(caught.value)
    with pytest.raises(TimeoutError):
        await double.wait_for_request("sendMessage", since=len(double.requests), timeout=0.05)


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux routing all of 127/8 to lo")
async def test_binds_loopback_only(double: BotApiDouble) -> None:
    host, port = double.bound_address
    assert host == "127.0.0.1" and double.base_url == f"http://127.0.0.1:{port}"
    # Another loopback address reaches a 0.0.0.0 listener, but not one bound to 127.0.0.1.
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.2", port)
