"""Files people sent (a photo, a voice note, an audio, a video, a document) go back by file id with
the method of their kind, against the HTTP Bot API double — which, like Telegram, refuses a photo's
file id in sendDocument (issue 14, items 9 and 10)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import NoPacer, OutboxSender
from bot.i18n import Catalogs
from bot.telegram_session import TelegramSession
from bot.workflows.outbox import enqueue_document
from db.models import FileKind, OutboxMessage, OutboxStatus
from tests.conftest import NOW
from tests.telegram_double import BotApiDouble

CHAT = 1


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as running:
        running.add_chat(CHAT)
        yield running


def ticking() -> Callable[[], datetime]:
    """A clock two seconds further at each reading: the chat's 1 s gap between files passes."""
    readings = itertools.count()
    return lambda: NOW + timedelta(seconds=2 * next(readings))


@pytest.fixture
async def sender(
    double: BotApiDouble, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> AsyncIterator[OutboxSender]:
    session = TelegramSession(api=TelegramAPIServer.from_base(double.base_url))
    yield OutboxSender(
        Bot(double.token, session=session), sessionmaker, catalogs, pacer=NoPacer(), clock=ticking()
    )
    await session.close()


MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4"}


async def test_each_kind_of_file_goes_back_with_its_own_method(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = {
        kind: double.user_sends_file(CHAT, kind, f"{kind} bytes".encode(), mime_type=mime)["message"][kind]
        for kind, mime in MIME.items()
    }
    file_ids = {kind: (value[-1] if kind == "photo" else value)["file_id"] for kind, value in ids.items()}
    document = double.user_sends_document(CHAT, "informe.pdf", b"%PDF informe")["message"]["document"]
    file_ids["document"] = document["file_id"]
    async with sessionmaker() as db, db.begin():
        for kind, file_id in file_ids.items():
            await enqueue_document(
                db, CHAT, kind, None, file_id=file_id, kind=FileKind(kind), now=NOW, caption=kind
            )

    assert await sender.drain() == 5
    methods = [(r.method, r.status) for r in double.requests if r.method.startswith("send")]
    assert methods == [
        ("sendPhoto", 200),
        ("sendVoice", 200),
        ("sendAudio", 200),
        ("sendVideo", 200),
        ("sendDocument", 200),
    ]
    received = double.messages_to(CHAT)
    assert received[0]["photo"][-1]["file_id"] == file_ids["photo"]
    assert [m["voice"]["file_id"] for m in received if "voice" in m] == [file_ids["voice"]]
    assert [m["video"]["file_id"] for m in received if "video" in m] == [file_ids["video"]]
    assert double.documents_to(CHAT) == [("informe.pdf", b"%PDF informe", "document")]
    async with sessionmaker() as db:
        statuses = (await db.exec(select(OutboxMessage.status))).all()
    assert set(statuses) == {OutboxStatus.SENT}


async def test_a_photo_sent_as_a_document_is_refused_as_telegram_does(
    double: BotApiDouble, sender: OutboxSender, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Why the kind matters: before it was recorded, every file went with sendDocument and failed."""
    photo = double.user_sends_file(CHAT, "photo", b"jpeg", mime_type="image/jpeg")["message"]["photo"][-1]
    async with sessionmaker() as db, db.begin():
        await enqueue_document(db, CHAT, "foto", None, file_id=photo["file_id"], now=NOW)
    await sender.drain()
    async with sessionmaker() as db:
        row = (await db.exec(select(OutboxMessage))).one()
    assert row.status == OutboxStatus.FAILED and "Photo as Document" in (row.last_error or "")
