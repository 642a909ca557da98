"""Edits through the outbox, against the HTTP Bot API double (every request validated against
bot-api-spec.json): in place, in order, coalesced, retried; unchanged is success, gone is sent anew."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import OutboxSender
from bot.workflows.outbox import enqueue_document, enqueue_text
from bot.workflows.outbox.edits import enqueue_delete, enqueue_edit, enqueue_markup_edit
from bot.workflows.screens import is_stale
from db.models import OutboxMessage, OutboxStatus
from tests.conftest import NOW
from tests.delivery.test_sender import Clock, texts_to
from tests.telegram_double import BotApiDouble

KEYBOARD = {"inline_keyboard": [[{"text": "Siguiente", "callback_data": "next"}]]}


async def settle(sender: OutboxSender, clock: Clock) -> None:
    """Send everything queued: a chat's next row waits 1 s after the previous one."""
    for _ in range(8):
        await sender.drain()
        clock.advance(1)


async def sent_id(sessionmaker: async_sessionmaker[AsyncSession], text: str) -> int:
    async with sessionmaker() as db:
        row = (
            await db.exec(select(OutboxMessage).where(col(OutboxMessage.payload)["text"].as_string() == text))
        ).one()
        assert row.telegram_message_id is not None
        return row.telegram_message_id


async def statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboxStatus]:
    async with sessionmaker() as db:
        return [
            r.status for r in (await db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        ]


async def test_a_screen_is_edited_in_place_and_its_screen_recorded(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 1, "Página 1", now=NOW, reply_markup=KEYBOARD, screen="list")
    await settle(sender, clock)
    first = await sent_id(sessionmaker, "Página 1")
    async with sessionmaker() as db, db.begin():
        await enqueue_edit(db, 1, first, "Página 2", now=NOW, screen="list")
        await enqueue_text(db, 1, "después", now=NOW)
    await settle(sender, clock)
    shown = double.messages_to(1)
    assert [m["text"] for m in shown] == ["Página 2", "después"]  # one message, edited; then the next
    assert "reply_markup" not in shown[0]  # an edit without a keyboard removes it
    assert [r.method for r in double.requests if r.method != "getMe"][-2:] == [
        "editMessageText",
        "sendMessage",
    ]
    async with sessionmaker() as db:
        assert not await is_stale(db, 1, first, "list")
        assert await is_stale(db, 1, first + 5, "list")  # an older message showing the same screen
        assert not await is_stale(db, 1, first + 5, "other")  # a screen never recorded here


async def test_unchanged_is_success_and_a_gone_message_is_sent_anew(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 1, "Tally: 1", now=NOW)
    await settle(sender, clock)
    first = await sent_id(sessionmaker, "Tally: 1")
    async with sessionmaker() as db, db.begin():
        await enqueue_edit(db, 1, first, "Tally: 1", now=NOW)  # the same: Telegram says not modified
        await enqueue_edit(db, 1, 999, "Tally: 2", now=NOW, screen="tally")  # no such message
    await settle(sender, clock)
    assert await statuses(sessionmaker) == [OutboxStatus.SENT] * 3
    assert texts_to(double, 1) == ["Tally: 1", "Tally: 2"]
    replacement = await sent_id(sessionmaker, "Tally: 2")
    async with sessionmaker() as db:
        assert not await is_stale(db, 1, replacement, "tally")  # the new message is the live one


async def test_many_refreshes_of_one_screen_leave_one_pending_edit(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 1, "A favor: 0", now=NOW)
    await settle(sender, clock)
    first = await sent_id(sessionmaker, "A favor: 0")
    async with sessionmaker() as db, db.begin():
        for votes in range(1, 6):
            await enqueue_edit(db, 1, first, f"A favor: {votes}", now=NOW, coalesce_key="tally:1")
    await settle(sender, clock)
    edits = [r for r in double.requests if r.method == "editMessageText"]
    assert [e.params["text"] for e in edits] == ["A favor: 5"]
    assert texts_to(double, 1) == ["A favor: 5"]


async def test_edits_are_retried_like_messages(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 1, "uno", now=NOW, reply_markup=KEYBOARD)
    await settle(sender, clock)
    first = await sent_id(sessionmaker, "uno")
    async with sessionmaker() as db, db.begin():
        await enqueue_edit(db, 1, first, "dos", now=NOW, reply_markup=KEYBOARD)
    double.fail_next("editMessageText", 500, chat_id=1)
    await settle(sender, clock)  # the backoff after one failure is at most 2 s
    assert texts_to(double, 1) == ["dos"]
    edits = [r.status for r in double.requests if r.method == "editMessageText"]
    assert edits == [500, 200]


async def test_keyboards_removed_and_messages_deleted(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        await enqueue_text(db, 1, "viejo", now=NOW, reply_markup=KEYBOARD)
        await enqueue_text(db, 1, "borrar", now=NOW)
    await settle(sender, clock)
    old, gone = await sent_id(sessionmaker, "viejo"), await sent_id(sessionmaker, "borrar")
    async with sessionmaker() as db, db.begin():
        await enqueue_markup_edit(db, 1, old, now=NOW)
        await enqueue_delete(db, 1, gone, now=NOW)
        await enqueue_delete(db, 1, gone, now=NOW)  # already gone: nothing more to do
        await enqueue_markup_edit(db, 1, 777, now=NOW)  # no such message: nothing to do either
    await settle(sender, clock)
    assert [m["text"] for m in double.messages_to(1)] == ["viejo"]
    assert "reply_markup" not in double.messages_to(1)[0]
    assert await statuses(sessionmaker) == [OutboxStatus.SENT] * 6


async def test_a_chart_goes_as_a_photo_and_a_workbook_as_a_document(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (60, 90), "white").save(png, format="PNG")
    async with sessionmaker() as db, db.begin():
        await enqueue_document(db, 1, "informe.png", png.getvalue(), now=NOW, caption="Informe\ndel 1 al 30")
        await enqueue_document(db, 1, "informe.xlsx", b"PK\x03\x04", now=NOW, caption="Informe\ndel 1 al 30")
    await settle(sender, clock)
    assert [(r.method, r.status) for r in double.requests if r.method.startswith("send")] == [
        ("sendPhoto", 200),
        ("sendDocument", 200),
    ]
    assert [m.get("caption") for m in double.messages_to(1)] == ["Informe\ndel 1 al 30"] * 2


async def test_a_status_message_is_edited_to_the_result_by_its_row(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessionmaker() as db, db.begin():
        [status] = await enqueue_text(db, 1, "⏳ Preparando", now=NOW)
        await enqueue_edit(db, 1, None, "✅ Listo", now=NOW, of_row=status)  # its id unknown yet
        [lost] = await enqueue_text(db, 2, "⏳ Preparando", now=NOW)
    double.fail_next("sendMessage", 400, description="Bad Request: chat not found", chat_id=2)
    async with sessionmaker() as db, db.begin():
        await enqueue_edit(db, 2, None, "✅ Listo", now=NOW, of_row=lost)
    await settle(sender, clock)
    assert texts_to(double, 1) == ["✅ Listo"]  # one message, edited
    assert texts_to(double, 2) == ["✅ Listo"]  # the status never arrived: the result is sent anew
