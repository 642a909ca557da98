"""Evidence that is a photo, a voice note or a video opens (issue 14, item 9): Telegram refuses a
photo's or a voice note's file id in sendDocument, so each file goes back with the method of its
kind — the fake session records a sendPhoto / sendVoice / sendVideo carrying the liaison's file id."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument, SendPhoto, SendVideo, SendVoice
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.agreements import ui
from bot.i18n import Catalogs
from db.models import Agreement, AgreementEvent, AgreementStatus, EvidenceKind, OutboxMessage, Role
from tests.conftest import NOW
from tests.handlers.agreements.test_agreements_chat import GORE, join
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, make_harness, plain, replies


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


def sent_files(requests: list[Any], uid: int) -> list[tuple[str, str]]:
    """(Bot API method, file id) of every file sent to that chat."""
    fields = {SendPhoto: "photo", SendVoice: "voice", SendVideo: "video", SendDocument: "document"}
    return [
        (r.__api_method__, str(getattr(r, field)))
        for r in requests
        for kind, field in fields.items()
        if isinstance(r, kind) and int(r.chat_id) == uid
    ]


def evidence_buttons(harness: Harness, uid: int) -> list[tuple[str, str]]:
    """(label, callback data) of the 📎 buttons of the latest keyboard sent to that chat."""
    for message in reversed(harness.messages_to(uid)):
        if message.reply_markup is not None:
            rows = message.reply_markup.inline_keyboard  # type: ignore[union-attr]
            return [(b.text, b.callback_data or "") for row in rows for b in row if b.text.startswith("📎")]
    return []


async def report(liaison: ChatUser, skip: str, kind: str, file_id: str, *, name: str | None = None) -> None:
    """A progress report through /avance whose evidence is a file of that kind."""
    await liaison.send("/avance")
    await liaison.click("CUS-2026-001")
    await liaison.press(ui.AvStatusCB(status=AgreementStatus.IN_PROGRESS).pack())
    await liaison.click("50 %")
    await liaison.click(skip)
    await liaison.send_file(kind, file_id, name=name)


async def test_photo_voice_and_video_evidence_open_with_their_own_method(
    chat: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 700, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 701, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        await rosa.send("/nuevo_acuerdo")
        await rosa.send("Publicar el mapa de riesgos de corrupción")
        await rosa.click(GORE)
        await rosa.click("Listo")
        await rosa.send("15/12/2026")
        await rosa.click("Omitir")
        aid = (await db.exec(select(Agreement.id))).one()

        skip = qu.gettext("Omitir")
        await report(wayta, skip, "photo", "PHOTO-TALLER")
        await report(wayta, skip, "voice", "VOICE-ACTA")
        await report(wayta, skip, "video", "VIDEO-FERIA", name="feria.mp4")
        kinds = (
            await db.exec(select(AgreementEvent.evidence_kind).where(AgreementEvent.agreement_id == aid))
        ).all()
        assert {EvidenceKind.PHOTO, EvidenceKind.VOICE, EvidenceKind.VIDEO} <= set(kinds)

        # The secretary sees one button per file, named by what it is when it has no name.
        detail = await rosa.press(ui.AgOpenCB(agreement_id=aid).pack())
        history = plain(replies(detail)[0])
        assert "evidencia: foto" in history and "evidencia: nota de voz" in history
        assert "evidencia: feria.mp4" in history
        photo, voice, video = evidence_buttons(chat, 700)
        assert [photo[0], voice[0], video[0]] == [
            "📎 foto del 23/11/26",
            "📎 nota de voz del 23/11/26",
            "📎 feria.mp4",
        ]

        sent = await rosa.press(photo[1])
        assert sent_files(sent, 700) == [("sendPhoto", "PHOTO-TALLER")]
        assert "Evidencia del acuerdo CUS-2026-001: foto" in plain(rosa.last)
        sent = await rosa.press(voice[1])
        assert sent_files(sent, 700) == [("sendVoice", "VOICE-ACTA")]
        assert "Evidencia del acuerdo CUS-2026-001: nota de voz" in plain(rosa.last)
        sent = await rosa.press(video[1])
        assert sent_files(sent, 700) == [("sendVideo", "VIDEO-FERIA")]

        # The liaison, reading Quechua, opens the photo too; the caption names it in Quechua.
        await wayta.press(ui.AgOpenCB(agreement_id=aid).pack())
        label, data = evidence_buttons(chat, 701)[0]
        assert label == "📎 23/11/26 p'unchawpa " + qu.gettext("foto")
        sent = await wayta.press(data)
        assert sent_files(sent, 701) == [("sendPhoto", "PHOTO-TALLER")]
        caption = qu.gettext(
            "Evidencia del acuerdo <b>{code}</b>: {name}", code="CUS-2026-001", name=qu.gettext("foto")
        )
        assert plain(wayta.last) == plain(caption)

    # The outbox rows carry the method of each kind: nothing goes as a document.
    methods = (await db.exec(select(OutboxMessage.method).where(OutboxMessage.chat_id == 700))).all()
    assert {"sendPhoto", "sendVoice", "sendVideo"} <= set(methods) and "sendDocument" not in methods
