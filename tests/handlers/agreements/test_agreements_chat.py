"""Agreements through the real dispatcher: a secretary, two liaisons in Quechua and Aymara, the ladder."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument
from aiogram.types import Chat, Document, Message, PhotoSize, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.agreements import ui
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.change import PERCENT_CHOICES
from bot.workflows.agreements.reminders import agreements_tick
from db.models import Agreement, AgreementEvent, AgreementEventKind, AgreementStatus, EvidenceKind, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import BOT_USER, ChatUser, Harness, make_harness, plain, replies

GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"

# The same choices as /ronda offers (tests/handlers/rounds/test_rounds_chat.py).
PERCENTS = ["10 %", "25 %", "50 %", "75 %", "90 %"]
assert [f"{v} %" for v in PERCENT_CHOICES] == PERCENTS


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


async def join(
    harness: Harness, invite: Invite, uid: int, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(uid, first_name=name)
    await user.join(await invite("CUS", role, org, name))
    await user.click({"es": "Español", "qu": "Runasimi", "ay": "Aymar aru"}[lang])
    return user


async def send_photo(harness: Harness, user: ChatUser, file_id: str) -> list[Any]:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        photo=[
            PhotoSize(file_id=file_id + "-small", file_unique_id="s", width=90, height=90, file_size=900),
            PhotoSize(file_id=file_id, file_unique_id="b", width=1280, height=960, file_size=123456),
        ],
    )
    return await harness.feed(Update(update_id=harness.next_update_id(), message=message))


async def send_document(harness: Harness, user: ChatUser, file_id: str, name: str) -> list[Any]:
    message = Message(
        message_id=harness.next_message_id(),
        date=datetime.now(UTC),
        chat=Chat(id=user.user.id, type="private"),
        from_user=user.user,
        document=Document(
            file_id=file_id, file_unique_id=file_id, file_name=name, mime_type="text/csv", file_size=500
        ),
    )
    return await harness.feed(Update(update_id=harness.next_update_id(), message=message))


async def test_agreement_lifecycle_in_three_languages(
    chat: Harness,
    invite: Invite,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    qu, ay = catalogs.translator("qu"), catalogs.translator("ay")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 700, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 701, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        juana = await join(chat, invite, 702, Role.LIAISON, CORTE, "Juana Mamani", "ay")
        titular = await join(chat, invite, 703, Role.MEMBER, GORE, "Jean Paul", "es")
        observer = await join(chat, invite, 704, Role.OBSERVER, None, "Ana", "es")

        # The secretary creates an agreement with two institutions, fixing a typo on the way.
        await rosa.send("/nuevo_acuerdo")
        assert "entre 3 y 2000" in replies(await rosa.send("no"))[0]
        await rosa.send("Publicar el informe de integridad en el portal de transparencia")
        await rosa.click(GORE)
        await rosa.click(CORTE)
        assert "✅ " + CORTE in [b.text for row in rosa_markup(chat, 700) for b in row]
        await rosa.click("Listo")
        assert "31/12/2026" in replies(await rosa.send("31/02/2026"))[0]  # no such date: asked again
        assert "ya pasó" in replies(await rosa.send("20/11/2026"))[0]
        await rosa.send("15/12/2026")
        said = replies(await rosa.click("Omitir"))
        assert "CUS-2026-001" in said[0] and "2 coordinadores" in said[0]

        # Both liaisons are told, each in their own language, with the date in their locale.
        told_qu = plain(wayta.last)
        assert "CUS-2026-001" in told_qu and "Musuq rimanakuy" in told_qu and GORE in told_qu
        assert qu.date(date(2026, 12, 15)) in told_qu
        told_ay = plain(juana.last)
        assert "CUS-2026-001" in told_ay and "Machaq amtawi" in told_ay and CORTE in told_ay
        assert "Nuevo acuerdo" not in told_qu + told_ay
        aid = (await db.exec(select(Agreement.id))).one()

        # Wayta records 50 % with a photo.
        said = replies(await wayta.send("/avance"))
        assert "CUS-2026-001" in said[0] and qu.gettext("¿Sobre qué acuerdo informa?") in said[0]
        await wayta.click("CUS-2026-001")
        await wayta.press(ui.AvStatusCB(status=AgreementStatus.IN_PROGRESS).pack())
        offered = wayta.harness.messages_to(wayta.user.id)[-1].reply_markup
        assert [b.text for b in offered.inline_keyboard[0]] == PERCENTS  # type: ignore[union-attr]
        await wayta.click("50 %")
        await wayta.send("Informe publicado en la web regional")
        said = replies(await send_photo(chat, wayta, "PHOTO-123"))
        assert "CUS-2026-001" in said[0] and "50 %" in said[0] and qu.gettext("Sulpayki") not in ("",)
        assert any("Wayta Huamán" in t and "50 %" in t for t in rosa.texts)  # the secretary hears

        # Juana chooses a status, then abandons the conversation…
        await juana.send("/avance")
        await juana.click("CUS-2026-001")
        await juana.press(ui.AvStatusCB(status=AgreementStatus.IN_PROGRESS).pack())

    # …the bot restarts (conversation state lost), and later she comes back.
    later = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    restarted = make_harness(sessionmaker, catalogs)
    juana2 = restarted.user(702, first_name="Juana Mamani")
    with time_machine.travel(later, tick=False):
        said = replies(await juana2.send("/avance"))
        assert ay.gettext("Continuar donde lo dejé") in [
            b.text for row in rosa_markup(restarted, 702) for b in row
        ]
        assert "CUS-2026-001" in said[0]
        said = replies(await juana2.click(ay.gettext("Continuar donde lo dejé")))
        assert "0 ukat 100" in said[0]  # the percentage step, in Aymara: the status was kept
        await juana2.send("30")
        await juana2.click(ay.gettext("Omitir"))
        said = replies(await juana2.send("https://csjcusco.gob.pe/integridad"))
        assert "30 %" in said[0]

        # A member (read only) cannot close it, even with a forged button; nothing changes.
        said = replies(await titular.press(ui.AgActCB(agreement_id=aid, do=ui.Act.CLOSE).pack()))
        assert "no permite" in said[0]
        said = replies(await observer.press(ui.AgActCB(agreement_id=aid, do=ui.Act.EDIT).pack()))
        assert "no permite" in said[0]
        # …but sees the register and the detail, with the history.
        said = replies(await titular.send("/acuerdos"))
        assert "CUS-2026-001" in plain(said[0])
        detail = plain(replies(await titular.press(ui.AgOpenCB(agreement_id=aid).pack()))[0])
        assert "Wayta Huamán" in detail and "Juana Mamani" in detail and "evidencia" in detail

    agreement = await db.get(Agreement, aid)
    await db.refresh(agreement)
    assert agreement is not None and (agreement.status, agreement.progress) == (
        AgreementStatus.IN_PROGRESS,
        30,
    )
    events = (
        await db.exec(select(AgreementEvent).where(AgreementEvent.kind == AgreementEventKind.PROGRESS))
    ).all()
    photo = next(e for e in events if e.evidence_kind == EvidenceKind.PHOTO)
    assert (photo.evidence_file_id, photo.evidence_size, photo.progress, photo.note) == (
        "PHOTO-123",
        123456,
        50,
        "Informe publicado en la web regional",
    )
    link = next(e for e in events if e.evidence_kind == EvidenceKind.LINK)
    assert (link.evidence_link, link.progress) == ("https://csjcusco.gob.pe/integridad", 30)

    # The deadline passes and the ladder runs (ticks called with explicit times).
    async def tick(at: datetime) -> None:
        async with sessionmaker() as s, s.begin():
            await enqueue_notices(s, catalogs, await agreements_tick(s, at), now=at)
        with time_machine.travel(at, tick=False):
            await restarted.sender.drain()

    def count(uid: int) -> int:
        return len(restarted.messages_to(uid))

    before = {uid: count(uid) for uid in (700, 701, 702, 703)}
    await tick(datetime(2026, 12, 16, 14, 0, tzinfo=UTC))  # first overdue day, 09:00 in Lima
    assert count(701) == before[701] + 1 and count(702) == before[702] + 1
    assert (
        "/avance" in restarted.messages_to(701)[-1].text
        and "venció" not in restarted.messages_to(701)[-1].text
    )
    assert (count(700), count(703)) == (before[700], before[703])
    await tick(datetime(2026, 12, 16, 20, 0, tzinfo=UTC))  # same day again: nothing new
    assert count(701) == before[701] + 1
    await tick(datetime(2026, 12, 23, 14, 0, tzinfo=UTC))
    assert count(700) == before[700] + 1 and "vencido" in restarted.messages_to(700)[-1].text
    await tick(datetime(2026, 12, 30, 14, 0, tzinfo=UTC))
    assert (
        count(703) == before[703] + 1 and "Gobierno Regional del Cusco" in restarted.messages_to(703)[-1].text
    )
    await tick(datetime(2027, 1, 15, 14, 0, tzinfo=UTC))
    assert "CAN" in restarted.messages_to(700)[-1].text
    await db.refresh(agreement)
    assert agreement.flagged_for_can_at is not None


def rosa_markup(harness: Harness, uid: int) -> list[list[Any]]:
    for message in reversed(harness.messages_to(uid)):
        if message.reply_markup is not None:
            return message.reply_markup.inline_keyboard  # type: ignore[union-attr]
    return []


async def test_csv_export_and_import_from_chat(
    chat: Harness, invite: Invite, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 800, Role.SECRETARY, None, "Rosa Quispe", "es")
        await join(chat, invite, 801, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        liaison = chat.user(801)
        refused = replies(await liaison.send("/exportar_acuerdos"))
        quechua = chat.dp["catalogs"].translator("qu")
        assert refused == [quechua.gettext("Su función en esta comisión no permite esta acción.")]

        files: dict[str, bytes] = {
            "GOOD": (
                b"codigo,texto,instituciones,plazo,estado,avance\n"
                b",Aprobar el plan anual de integridad,Gobierno Regional del Cusco,2027-03-31,pendiente,0\n"
                b",Capacitar a 200 servidores,Gobierno Regional del Cusco,30/06/2027,en curso,10\n"
            ),
            "BAD": (
                b"codigo,texto,instituciones,plazo\n"
                b",Acuerdo bueno,Gobierno Regional del Cusco,2027-03-31\n"
                b",Acuerdo malo,Gobierno Regional del Cusco,2027-03-31\n"
                b",Otro,Municipalidad de Lima,2027-03-31\n"
            ),
        }

        async def download(file: str, *args: Any, **kwargs: Any) -> io.BytesIO:
            return io.BytesIO(files[file])

        monkeypatch.setattr(chat.bot, "download", download)
        await rosa.send("/importar_acuerdos")
        said = replies(await send_document(chat, rosa, "BAD", "plan.csv"))
        assert "Línea 4:" in plain(said[0]) and "Municipalidad de Lima" in plain(said[0])
        assert (await db.exec(select(Agreement))).all() == []
        said = replies(await send_document(chat, rosa, "GOOD", "plan.csv"))  # still waiting for a file
        assert "2 acuerdos nuevos" in said[0]
        assert "Runasimi" not in chat.messages_to(801)[-1].text
        assert "2 musuq rimanakuymi" in chat.messages_to(801)[-1].text

        requests = await rosa.send("/exportar_acuerdos")
        documents = [r for r in requests if isinstance(r, SendDocument)]
        assert len(documents) == 1 and documents[0].chat_id == 800
        data = documents[0].document.data  # type: ignore[union-attr]
        text = data.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("codigo,texto,instituciones,plazo_original,plazo")
        assert "CUS-2026-001,Aprobar el plan anual de integridad" in text
        assert "2 acuerdos" in (documents[0].caption or "")

        # Importing the export changes nothing.
        files["EXPORT"] = data
        await rosa.send("/importar_acuerdos")
        said = replies(await send_document(chat, rosa, "EXPORT", "acuerdos.csv"))
        assert "0 acuerdos nuevos; actualizados: 0; sin cambios: 2" in said[0]
    assert BOT_USER.id == 42


def test_detail_buttons_pack_as_before_their_enum() -> None:
    """Buttons already in chats (packed when `act` was a str) still reach the same handler."""
    packed = {act: ui.AgActCB(agreement_id=5, do=act).pack() for act in ui.Act}
    assert packed[ui.Act.RESCHEDULE] == "aga1:5:resched"
    assert all(ui.AgActCB.unpack(p).do is act for act, p in packed.items())
