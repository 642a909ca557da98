"""Technical assistance through the real dispatcher: a region in qu asks, CAN analysts in es and ay answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from aiogram.types import Document, Message, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.assistance.ui import AtStatusCB
from bot.i18n import Catalogs
from bot.workflows.business_days import LIMA
from db.models import (
    AssistanceRequest,
    AssistanceStatus,
    Role,
)
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, make_harness, plain, replies

GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"
CONTROL = "Contraloría Gerencia Regional de Control del Cusco"
LANG = {"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


def lima(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour, tzinfo=LIMA)


async def join(
    harness: Harness, invite: Invite, code: str, uid: int, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(uid, first_name=name)
    await user.join(await invite(code, role, org, name))
    await user.click(LANG[lang])
    return user


async def send_document(harness: Harness, user: ChatUser, file_id: str, name: str) -> list[object]:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        document=Document(
            file_id=file_id,
            file_unique_id=file_id,
            file_name=name,
            mime_type="application/pdf",
            file_size=900,
        ),
    )
    return await harness.feed(Update(update_id=harness.next_update_id(), message=message))


async def test_technical_assistance_from_puno_to_the_can_and_back(
    chat: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    with time_machine.travel(NOW, tick=False):
        luis = await join(chat, invite, "CAN", 900, Role.CAN_ANALYST, None, "Luis Torres", "es")
        sonia = await join(chat, invite, "CAN", 901, Role.CAN_ANALYST, None, "Sonia Apaza", "ay")
        nina = await join(
            chat, invite, "PUN", 902, Role.LIAISON, "Gobierno Regional de Puno", "Nina Condori", "qu"
        )

        said = replies(await nina.send("/asistencia_tecnica"))
        assert qu.gettext("¿Sobre qué tema necesita asistencia técnica de la CAN?") in said[0]
        await nina.click(qu.gettext("Sesiones y actas"))
        assert "10" in replies(await nina.send("ayuda"))[0]  # too short: asked again, nothing lost
        await nina.send("¿Cómo redactamos el acta cuando no hubo quórum?")
        said = replies(await send_document(chat, nina, "DOC-ACTA", "borrador_acta.pdf"))
        assert "AT-PUN-2026-001" in said[0]
        # Both analysts hear, each in their own language.
        assert "AT-PUN-2026-001" in plain(luis.last) and "¿Cómo redactamos el acta" in plain(luis.last)
        assert "Nina Condori" in plain(sonia.last) and ay.gettext("Sesiones y actas") in plain(sonia.last)
        async with sessionmaker() as s:
            request = (await s.exec(select(AssistanceRequest))).one()
            assert (request.attachment_file_id, request.attachment_name) == ("DOC-ACTA", "borrador_acta.pdf")
        rid = request.id or 0

        # The requester cannot move it on; forged data is refused.
        said = replies(await nina.press(AtStatusCB(request_id=rid, status=AssistanceStatus.CLOSED).pack()))
        only_analysts = qu.gettext(
            "Solo los analistas de la CAN atienden las solicitudes de asistencia técnica."
        )
        assert only_analysts != "Solo los analistas de la CAN atienden las solicitudes de asistencia técnica."
        assert only_analysts in said

        said = replies(await luis.send("/asistencia_tecnica"))
        assert "AT-PUN-2026-001" in said[0]
        said = replies(await luis.click("AT-PUN-2026-001"))
        assert "borrador_acta.pdf" in said[0]
        await luis.click("en atención")
        told = plain(nina.last)
        assert "AT-PUN-2026-001" in told and qu.gettext("en atención") in told
        await luis.click("respondida")
        said = replies(await luis.send("Use el modelo de acta de sesión no instalada del anexo 3."))
        assert "respondida" in said[0]
        told = plain(nina.last)
        assert "Use el modelo de acta" in told and "Luis Torres" in told
        await luis.click("cerrada")
        assert qu.gettext("cerrada") in plain(nina.last)
        said = replies(await nina.send("/asistencia_tecnica"))
        assert "AT-PUN-2026-001" in plain(said[0]) and qu.gettext("cerrada") in plain(said[0])
        async with sessionmaker() as s:
            done = await s.get(AssistanceRequest, rid)
            assert done is not None and done.status == AssistanceStatus.CLOSED
