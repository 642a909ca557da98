"""Following an agreement up through the real dispatcher (issue 14, items 8, 9, 11 and 13): the
evidence opens, the overdue ladder leaves dated lines in the history, liaisons ask for a new
deadline which the secretary refuses or accepts, and /acuerdos shows the original deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from aiogram.methods import SendDocument
from aiogram.types import Document, Message, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.agreements import ui
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.reminders import agreements_tick
from db.models import Agreement, AgreementEvent, AgreementEventKind, AgreementStatus, AuditEntry, Role
from tests.conftest import NOW
from tests.handlers.agreements.test_agreements_chat import CORTE, GORE, join
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, make_harness, plain, replies


@pytest.fixture
def chat(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs) -> Harness:
    return make_harness(sessionmaker, catalogs)


async def send_file(harness: Harness, user: ChatUser, file_id: str, name: str) -> list[Any]:
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


def buttons(harness: Harness, uid: int) -> list[str]:
    """The labels of the latest keyboard sent to that chat."""
    for message in reversed(harness.messages_to(uid)):
        if message.reply_markup is not None:
            return [b.text for row in message.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    return []


async def click_earlier(harness: Harness, user: ChatUser, label: str) -> list[Any]:
    """Press a button of an older message (the overdue notice), as a person scrolling up would."""
    for message in reversed(harness.messages_to(user.user.id)):
        for row in getattr(message.reply_markup, "inline_keyboard", []):
            for button in row:
                if button.text == label and button.callback_data:
                    return await user.press(button.callback_data)
    raise AssertionError(f"no button {label!r} was sent to {user.user.id}")


def documents(requests: list[Any], uid: int) -> list[SendDocument]:
    return [r for r in requests if isinstance(r, SendDocument) and int(r.chat_id) == uid]


async def test_evidence_opens_for_whoever_may_see_the_agreement(
    chat: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 700, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 701, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        titular = await join(chat, invite, 703, Role.MEMBER, GORE, "Jean Paul", "es")
        stranger = chat.user(799, first_name="Pedro")
        await stranger.join(await invite("PUN", Role.SECRETARY, None, "Pedro"))
        await stranger.click("Español")
        await rosa.send("/nuevo_acuerdo")
        await rosa.send("Publicar el mapa de riesgos de corrupción")
        await rosa.click(GORE)
        await rosa.click("Listo")
        await rosa.send("15/12/2026")
        await rosa.click("Omitir")
        aid = (await db.exec(select(Agreement.id))).one()

        await wayta.send("/avance")
        await wayta.click("CUS-2026-001")
        await wayta.press(ui.AvStatusCB(status=AgreementStatus.IN_PROGRESS).pack())
        await wayta.click("50 %")
        await wayta.click(qu.gettext("Omitir"))
        await send_file(chat, wayta, "DOC-RIESGOS", "informe-riesgos.pdf")

        # A titular member (read only) sees the evidence as a button and gets the file back.
        detail = await titular.press(ui.AgOpenCB(agreement_id=aid).pack())
        assert "evidencia: informe-riesgos.pdf" in plain(replies(detail)[0])
        assert "📎 informe-riesgos.pdf" in buttons(chat, 703)
        sent = await titular.click("📎 informe-riesgos.pdf")
        (doc,) = documents(sent, 703)
        assert doc.document == "DOC-RIESGOS"
        assert "Evidencia del acuerdo CUS-2026-001: informe-riesgos.pdf" in plain(titular.last)

        # The liaison, in Quechua, too.
        await wayta.press(ui.AgOpenCB(agreement_id=aid).pack())
        sent = await wayta.click("📎 informe-riesgos.pdf")
        assert [d.document for d in documents(sent, 701)] == ["DOC-RIESGOS"]
        assert "rimanakuypa rikuchiynin: informe-riesgos.pdf" in plain(wayta.last)

        # Someone of another commission pressing a forged button gets nothing.
        event_id = (
            await db.exec(select(AgreementEvent.id).where(col(AgreementEvent.evidence_file_id).is_not(None)))
        ).one()
        sent = await stranger.press(ui.EvidenceCB(event_id=event_id).pack())
        assert documents(sent, 799) == []
        assert "Ese acuerdo no existe." in replies(sent)


async def test_overdue_ladder_history_and_asking_for_a_new_deadline(
    chat: Harness,
    invite: Invite,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    es, qu, ay = catalogs.translator("es"), catalogs.translator("qu"), catalogs.translator("ay")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, 700, Role.SECRETARY, None, "Rosa Quispe", "es")
        wayta = await join(chat, invite, 701, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        juana = await join(chat, invite, 702, Role.LIAISON, CORTE, "Juana Mamani", "ay")
        titular = await join(chat, invite, 703, Role.MEMBER, GORE, "Jean Paul", "es")
        await rosa.send("/nuevo_acuerdo")
        await rosa.send("Publicar el informe de integridad en el portal")
        await rosa.click(GORE)
        await rosa.click(CORTE)
        await rosa.click("Listo")
        await rosa.send("15/12/2026")
        await rosa.click("Omitir")
        aid = (await db.exec(select(Agreement.id))).one()

    async def tick(at: datetime) -> None:
        async with sessionmaker() as s, s.begin():
            await enqueue_notices(s, catalogs, await agreements_tick(s, at), now=at)
        with time_machine.travel(at, tick=False):
            await chat.sender.drain()

    # The whole ladder: liaisons (16/12), secretary (23/12), titular (30/12), CAN flag (15/01).
    for day in (16, 23, 30):
        await tick(datetime(2026, 12, day, 14, tzinfo=UTC))
    assert qu.gettext("📅 Pedir un nuevo plazo") in buttons(chat, 701)
    assert ay.gettext("📅 Pedir un nuevo plazo") in buttons(chat, 702)
    await tick(datetime(2027, 1, 15, 14, tzinfo=UTC))

    later = datetime(2027, 1, 15, 15, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        # Each step is in the history, dated, in the reader's language.
        detail = plain(replies(await rosa.press(ui.AgOpenCB(agreement_id=aid).pack()))[0])
        steps = [
            ("vencido: se recordó a los coordinadores de enlace", datetime(2026, 12, 16, 14, tzinfo=UTC)),
            ("vencido: se avisó a la secretaría técnica", datetime(2026, 12, 23, 14, tzinfo=UTC)),
            (
                "vencido: se avisó a los miembros titulares de las instituciones",
                datetime(2026, 12, 30, 14, tzinfo=UTC),
            ),
            ("vencido: marcado para el reporte a la CAN", datetime(2027, 1, 15, 14, tzinfo=UTC)),
        ]
        for text, at in steps:
            assert f"{es.datetime(at, 'short')} · 🤖: {text}" in detail
        detail_qu = plain(replies(await wayta.press(ui.AgOpenCB(agreement_id=aid).pack()))[0])
        for text, at in steps:
            assert f"{qu.datetime(at, 'short')} · 🤖: {qu.gettext(text)}" in detail_qu

        # A titular member may not ask; a liaison may not ask for another institution's agreement.
        refused = replies(await titular.press(ui.AskDeadlineCB(agreement_id=aid).pack()))
        assert "Su función en esta comisión no permite esta acción." in refused

        # Wayta asks (from the overdue notice's button), the secretary refuses; Wayta hears, in Quechua.
        await click_earlier(chat, wayta, qu.gettext("📅 Pedir un nuevo plazo"))
        assert "CUS-2026-001" in wayta.last and "31/12/2026" in wayta.last
        past = qu.gettext(
            "El plazo {deadline} ya pasó. Indique una fecha desde hoy en adelante.",
            deadline=date(2027, 1, 10),
        )
        assert replies(await wayta.send("10/01/2027")) == [past]  # asked again, nothing lost
        await wayta.send("28/02/2027")
        said = replies(await wayta.send("Falta la transferencia del MEF"))
        assert "Qillqaq kamayuqmanmi mañakuy apachikun" in said[0]
        asked = plain(rosa.last)
        assert "Wayta Huamán (Gobierno Regional del Cusco) pide un nuevo plazo" in asked
        assert "Falta la transferencia del MEF" in asked
        assert buttons(chat, 700) == ["Aceptar el nuevo plazo", "No aceptar"]
        said = replies(await rosa.click("No aceptar"))
        assert "sigue siendo" in said[0]
        assert "manam chaskirqanchu <b>CUS-2026-001</b>" in wayta.last
        assert "Ese pedido ya fue atendido." in replies(await rosa.click("Aceptar el nuevo plazo"))

        # Juana asks, in Aymara; the secretary accepts: rescheduled through the usual workflow.
        await click_earlier(chat, juana, ay.gettext("📅 Pedir un nuevo plazo"))
        await juana.send("31/03/2027")
        await juana.send("El presupuesto llega en marzo")
        await rosa.click("Aceptar el nuevo plazo")
        assert "Qillqiriw mayiwim katuqi: <b>CUS-2026-001</b>" in juana.last
        assert "<b>CUS-2026-001</b> rimanakuypa puchukana p'unchawninqa" in wayta.last  # the other liaison

    agreement = await db.get(Agreement, aid)
    assert agreement is not None
    await db.refresh(agreement)
    assert (agreement.deadline, agreement.original_deadline) == (date(2027, 3, 31), date(2026, 12, 15))
    actions = (await db.exec(select(AuditEntry.action).order_by(col(AuditEntry.id)))).all()
    assert actions[-4:] == [
        "agreement.deadline_requested",
        "agreement.deadline_refused",
        "agreement.deadline_requested",
        "agreement.rescheduled",
    ]
    kinds = (
        await db.exec(
            select(AgreementEvent.kind)
            .where(AgreementEvent.agreement_id == aid)
            .order_by(col(AgreementEvent.id))
        )
    ).all()
    assert kinds[-4:] == [
        AgreementEventKind.DEADLINE_ASKED,
        AgreementEventKind.DEADLINE_REFUSED,
        AgreementEventKind.DEADLINE_ASKED,
        AgreementEventKind.RESCHEDULED,
    ]

    # /acuerdos shows the original deadline next to the current one (es and ay).
    with time_machine.travel(later, tick=False):
        row = plain(replies(await rosa.send("/acuerdos"))[0])
        current, original = es.date(date(2027, 3, 31)), es.date(date(2026, 12, 15))
        assert f"plazo {current} (original: {original})" in row
        row_ay = plain(replies(await juana.send("/acuerdos"))[0])
        assert f"{ay.date(date(2027, 3, 31))} (qalltana: {ay.date(date(2026, 12, 15))})" in row_ay
