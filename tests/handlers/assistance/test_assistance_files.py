"""Technical assistance files through the real dispatcher (issue 14, item 10): a CAN analyst opens
the request's attachment, the request buttons name the region and the topic, and an answer can be
a document or a photo that reaches the requester, each sent back with the method of its kind."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument, SendPhoto
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.assistance.ui import AtFileCB
from bot.i18n import Catalogs
from db.models import AssistanceRequest, AssistanceStatus, FileKind, Role
from tests.conftest import NOW
from tests.handlers.assistance.test_assistance_chat import join, send_document
from tests.handlers.conftest import Invite
from tests.harness import Harness, make_harness, plain, replies


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


def documents(requests: list[Any], uid: int) -> list[SendDocument]:
    return [r for r in requests if isinstance(r, SendDocument) and int(r.chat_id) == uid]


def labels(harness: Harness, uid: int) -> list[str]:
    for message in reversed(harness.messages_to(uid)):
        if message.reply_markup is not None:
            return [b.text for row in message.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    return []


async def test_the_can_opens_the_attachment_and_answers_with_a_document(
    chat: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    with time_machine.travel(NOW, tick=False):
        luis = await join(chat, invite, "CAN", 900, Role.CAN_ANALYST, None, "Luis Torres", "es")
        sonia = await join(chat, invite, "CAN", 901, Role.CAN_ANALYST, None, "Sonia Apaza", "ay")
        nina = await join(
            chat, invite, "PUN", 902, Role.LIAISON, "Gobierno Regional de Puno", "Nina Condori", "qu"
        )
        other = await join(chat, invite, "CUS", 903, Role.SECRETARY, None, "Rosa Quispe", "es")
        await nina.send("/asistencia_tecnica")
        await nina.click(qu.gettext("Capacitación"))
        await nina.send("Necesitamos el plan de capacitación revisado por la CAN")
        await send_document(chat, nina, "DOC-PLAN", "plan-capacitacion.pdf")
        async with sessionmaker() as s:
            rid = (await s.exec(select(AssistanceRequest.id))).one()

        # The list's buttons say whose and about what, in the analyst's language.
        await luis.send("/asistencia_tecnica")
        assert labels(chat, 900) == ["AT-PUN-2026-001 · Puno · Capacitación"]
        await sonia.send("/asistencia_tecnica")
        assert labels(chat, 901) == [f"AT-PUN-2026-001 · Puno · {ay.gettext('Capacitación')}"]

        # Opening it offers the file; pressing sends it back by its Telegram file id.
        await luis.click("AT-PUN-2026-001")
        assert "📎 plan-capacitacion.pdf" in labels(chat, 900)
        sent = await luis.click("📎 plan-capacitacion.pdf")
        assert [d.document for d in documents(sent, 900)] == ["DOC-PLAN"]
        assert "Adjunto de la solicitud AT-PUN-2026-001: plan-capacitacion.pdf" in plain(luis.last)
        await sonia.click("AT-PUN-2026-001")
        sent = await sonia.click("📎 plan-capacitacion.pdf")
        assert [d.document for d in documents(sent, 901)] == ["DOC-PLAN"]
        assert "AT-PUN-2026-001" in plain(sonia.last) and "Adjunto de la solicitud" not in sonia.last

        # Someone of another region cannot open it, even with a forged button.
        sent = await other.press(AtFileCB(request_id=rid).pack())
        assert documents(sent, 903) == [] and "Esa solicitud no existe." in replies(sent)

        # The answer is a document (no caption: its name is the text); the requester gets both.
        await luis.click("respondida")
        said = replies(await send_document(chat, luis, "DOC-REVISADO", "plan-revisado.pdf"))
        assert "respondida" in said[0]
        told = [m.text for m in chat.messages_to(902)][-1]
        assert "AT-PUN-2026-001" in told and "plan-revisado.pdf" in told and "Luis Torres" in told
        assert (
            qu.gettext("Su solicitud <b>{code}</b> fue respondida por la CAN ({who}):\n{answer}")[:10] in told
        )
        sent_to_nina = [
            r for r in chat.session.requests if isinstance(r, SendDocument) and int(r.chat_id) == 902
        ]
        assert [d.document for d in sent_to_nina] == ["DOC-REVISADO"]
        async with sessionmaker() as s:
            request = await s.get(AssistanceRequest, rid)
            assert request is not None and request.status == AssistanceStatus.ANSWERED


async def test_a_photo_attachment_opens_as_a_photo_and_the_can_answers_with_a_photo(
    chat: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    """Telegram refuses a photo's file id in sendDocument: the photo goes back with sendPhoto."""
    qu = catalogs.translator("qu")
    with time_machine.travel(NOW, tick=False):
        luis = await join(chat, invite, "CAN", 900, Role.CAN_ANALYST, None, "Luis Torres", "es")
        nina = await join(
            chat, invite, "PUN", 902, Role.LIAISON, "Gobierno Regional de Puno", "Nina Condori", "qu"
        )
        await nina.send("/asistencia_tecnica")
        await nina.click(qu.gettext("Capacitación"))
        await nina.send("Necesitamos que la CAN revise este cronograma fotografiado")
        await nina.send_file("photo", "PHOTO-CRONOGRAMA")
        async with sessionmaker() as s:
            request = (await s.exec(select(AssistanceRequest))).one()
            assert (request.attachment_file_id, request.attachment_kind) == (
                "PHOTO-CRONOGRAMA",
                FileKind.PHOTO,
            )

        await luis.send("/asistencia_tecnica")
        opened = plain(replies(await luis.click("AT-PUN-2026-001"))[0])
        assert "Con adjunto: foto" in opened
        assert "📎 foto" in labels(chat, 900)
        sent = await luis.click("📎 foto")
        assert photos(sent, 900) == ["PHOTO-CRONOGRAMA"] and documents(sent, 900) == []
        assert "Adjunto de la solicitud AT-PUN-2026-001: foto" in plain(luis.last)
        # The requester, reading Quechua, opens her own photo too.
        sent = await nina.press(AtFileCB(request_id=request.id or 0).pack())
        assert photos(sent, 902) == ["PHOTO-CRONOGRAMA"]
        assert qu.gettext("foto") in plain(nina.last)

        # The answer is a photo with a caption: the caption is the text, the photo goes with it.
        await luis.click("respondida")
        await luis.send_file("photo", "PHOTO-CORREGIDO", caption="Cronograma corregido, ver fechas")
        told = [m.text for m in chat.messages_to(902)][-1]
        assert "Cronograma corregido, ver fechas" in told and "Luis Torres" in told
        assert photos(chat.session.requests, 902)[-1] == "PHOTO-CORREGIDO"
        async with sessionmaker() as s:
            answered = await s.get(AssistanceRequest, request.id)
            assert answered is not None and answered.status == AssistanceStatus.ANSWERED
            assert answered.answer == "Cronograma corregido, ver fechas"


def photos(requests: list[Any], uid: int) -> list[str]:
    return [str(r.photo) for r in requests if isinstance(r, SendPhoto) and int(r.chat_id) == uid]
