"""Rounds through the real dispatcher: three liaisons in es, qu, ay; chasing; summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from aiogram.types import Document, Message, Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.button_labels import SKIP
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.create import create_agreement
from bot.workflows.business_days import LIMA
from bot.workflows.rounds.chase import rounds_tick
from db.models import (
    AgreementEvent,
    Institution,
    Person,
    Role,
    RoundTarget,
    Seat,
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


async def seat_id(db: AsyncSession, name: str) -> int:
    row = (
        await db.exec(
            select(Seat.id)
            .join(Institution, Institution.id == Seat.institution_id)
            .where(Institution.name == name)
        )  # type: ignore[arg-type]
    ).one()
    assert row is not None
    return row


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


async def test_round_with_three_liaisons_resume_escalation_and_summary(
    chat: Harness,
    invite: Invite,
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
) -> None:
    qu, ay, es = catalogs.translator("qu"), catalogs.translator("ay"), catalogs.translator("es")
    with time_machine.travel(NOW, tick=False):
        rosa = await join(chat, invite, "CUS", 800, Role.SECRETARY, None, "Rosa Quispe", "es")
        pres = await join(chat, invite, "CUS", 801, Role.PRESIDENT, GORE, "Hugo Pari", "es")
        wayta = await join(chat, invite, "CUS", 802, Role.LIAISON, GORE, "Wayta Huamán", "qu")
        juana = await join(chat, invite, "CUS", 803, Role.LIAISON, CORTE, "Juana Mamani", "ay")
        pedro = await join(chat, invite, "CUS", 804, Role.LIAISON, CONTROL, "Pedro Ruiz", "es")
        titular = await join(chat, invite, "CUS", 805, Role.MEMBER, CONTROL, "Marta Titular", "es")
        await join(chat, invite, "CAN", 806, Role.CAN_ANALYST, None, "Luis Torres", "qu")
        async with sessionmaker() as db, db.begin():
            secretary = (await db.exec(select(Person).where(Person.telegram_id == 800))).one()
            gore, corte, control = [await seat_id(db, n) for n in (GORE, CORTE, CONTROL)]
            for text, seats in [
                ("Publicar el informe de integridad", [gore, corte]),
                ("Capacitar a los funcionarios en ética", [gore]),
                ("Firmar el convenio con la Corte", [corte]),
                ("Auditar las compras de emergencia", [control]),
            ]:
                await create_agreement(
                    db,
                    secretary,
                    secretary.active_commission_id or 0,
                    text=text,
                    seat_ids=seats,
                    deadline=date(2026, 12, 31),
                    now=NOW,
                )

        # A liaison cannot open a round; the secretary opens one with a 5-business-day window.
        assert replies(await wayta.send("/ronda"))[0] == qu.gettext(
            "No tiene rondas de avances por responder."
        )
        said = replies(await rosa.send("/ronda"))
        assert "¿Abrir una ronda" in said[0]
        said = replies(await rosa.click("5 días hábiles"))
        assert "3 coordinadores de enlace" in said[0] and es.date(date(2026, 11, 30)) in said[0]
        # Each liaison is asked once, in their own language, with the date in their locale.
        assert " 2 " in plain(wayta.last) and GORE in plain(wayta.last)
        assert qu.date(date(2026, 11, 30)) in plain(wayta.last)
        assert " 2 " in plain(juana.last) and ay.date(date(2026, 11, 30)) in plain(juana.last)
        assert "1 acuerdo " in plain(pedro.last) and CONTROL in plain(pedro.last)

        # Wayta (Quechua) answers everything: 50 % with a note, a blocker and a link; then "no change".
        said = replies(await wayta.send("/ronda"))
        assert "1 / 2" in plain(said[0]) and "CUS-2026-001" in plain(said[0])
        await wayta.click(qu.gettext("En curso"))
        assert wayta.last == qu.gettext(
            "¿Qué porcentaje de avance tiene <b>{code}</b>? Elija o escriba un número de 0 a 100.",
            code="CUS-2026-001",
        )
        offered = wayta.harness.messages_to(wayta.user.id)[-1].reply_markup
        # The same choices as /avance offers (tests/handlers/agreements/test_agreements_chat.py).
        assert [b.text for b in offered.inline_keyboard[0]] == ["10 %", "25 %", "50 %", "75 %", "90 %"]  # type: ignore[union-attr]
        await wayta.click("50 %")
        await wayta.send("Informe en la web regional")
        await wayta.send("Falta presupuesto para la imprenta")
        said = replies(await wayta.send("https://regioncusco.gob.pe/integridad"))
        assert "2 / 2" in plain(said[0]) and "CUS-2026-002" in plain(said[0])
        said = replies(await wayta.click(qu.gettext("Sin cambios")))
        assert qu.gettext("Gracias: respondió todos los acuerdos de esta ronda.") in said[0]
        assert any("Wayta Huamán" in plain(t) and "terminó" in plain(t) for t in rosa.texts)

        # Juana (Aymara) answers the first agreement half-way and stops at the note.
        await juana.send("/ronda")
        await juana.click(ay.gettext("En curso"))
        await juana.send("30")
        assert (
            ay.gettext("Escriba un texto breve sobre el avance, o toque «{button}».", button=SKIP)
            in juana.last
        )

    # Next day, after a restart (conversation state lost): /ronda resumes at the note.
    restarted = make_harness(sessionmaker, catalogs)
    juana2 = restarted.user(803, first_name="Juana Mamani")
    rosa2 = restarted.user(800, first_name="Rosa Quispe")
    with time_machine.travel(lima(2026, 11, 24), tick=False):
        said = replies(await juana2.send("/ronda"))
        assert (
            ay.gettext("Escriba un texto breve sobre el avance, o toque «{button}».", button=SKIP) in said[0]
        )
        await juana2.click(ay.gettext("Omitir"))
        await juana2.click(ay.gettext("Ninguna"))
        said = replies(await juana2.click(ay.gettext("Omitir")))
        assert "2 / 2" in plain(said[0]) and "CUS-2026-003" in plain(said[0])
        await juana2.click(ay.gettext("Cumplido"))
        await juana2.click(ay.gettext("Omitir"))
        await juana2.send("Esperamos la firma del presidente de la Corte")
        said = replies(await send_document(restarted, juana2, "PDF-9", "convenio.pdf"))
        assert ay.gettext("Gracias: respondió todos los acuerdos de esta ronda.") in said[0]

        # While the round is open, /ronda shows the secretary the summary so far.
        said = plain(replies(await rosa2.send("/ronda"))[0])
        assert "Tasa de respuesta: 67 %" in said
        assert f"No respondieron: {CONTROL}" in said
        # The secretary marks Wayta's update as a good practice: the CAN analyst hears (in Quechua).
        await rosa2.click("⭐ Buena práctica: CUS-2026-001")
        shared = plain(restarted.messages_to(806)[-1].text)
        assert "CUS-2026-001" in shared and GORE in shared and "Informe en la web regional" in shared
        assert "allin ruray" in shared.lower() or "Buena práctica" in shared
        said = replies(await rosa2.send("/ronda mensual 40"))
        assert "entre 1 y 28" in said[0]
        said = replies(await rosa2.send("/ronda mensual 5 3"))
        assert "el día 5 de cada mes" in said[0] and "3 días hábiles" in said[0]

    async def tick(at: datetime) -> None:
        async with sessionmaker() as s, s.begin():
            await enqueue_notices(s, catalogs, await rounds_tick(s, at), now=at)
        with time_machine.travel(at, tick=False):
            await restarted.sender.drain()

    def count(uid: int) -> int:
        return len(restarted.messages_to(uid))

    # Pedro never answers: reminded half-way and on the last day, once each, then escalated.
    before = {uid: count(uid) for uid in (800, 802, 803)}
    await tick(lima(2026, 11, 25))
    await tick(lima(2026, 11, 25, 15))
    assert count(804) == 1 and "Recordatorio" in plain(restarted.messages_to(804)[0].text)
    assert count(802) == before[802] and count(803) == before[803]  # those who finished: left alone
    await tick(lima(2026, 11, 30))
    await tick(lima(2026, 11, 30, 16))
    assert count(804) == 2 and "Hoy vence" in plain(restarted.messages_to(804)[-1].text)
    await tick(lima(2026, 12, 1))
    await tick(lima(2026, 12, 2))
    marta = [plain(m.text) for m in restarted.messages_to(805)]
    assert len(marta) == 1 and CONTROL in marta[0] and "no terminó de responder" in marta[0]
    assert count(804) == 2
    rosa_texts = [plain(m.text) for m in restarted.messages_to(800)[before[800] :]]
    assert sum("no terminó de responder" in t for t in rosa_texts) == 1
    summaries = [t for t in rosa_texts if "Tasa de respuesta" in t]
    assert len(summaries) == 1
    summary = summaries[0]
    assert "Tasa de respuesta: 67 %" in summary
    assert (
        f"Respondieron todo: {CORTE}, {GORE}" in summary or f"Respondieron todo: {GORE}, {CORTE}" in summary
    )
    assert f"No respondieron: {CONTROL}" in summary
    assert "CUS-2026-001 (Gobierno Regional del Cusco): 0 % → 50 %" in summary
    assert "CUS-2026-001 (Corte Superior de Justicia del Cusco): 50 % → 30 %" in summary
    assert "CUS-2026-003 (Corte Superior de Justicia del Cusco): 0 % → 100 %" in summary
    assert "Falta presupuesto para la imprenta" in summary and "Esperamos la firma" in summary
    assert "Evidencias recibidas: 2" in summary
    assert [plain(m.text) for m in restarted.messages_to(801)] == [summary]  # the president too
    _ = pres, titular

    # The answers are updates of the agreements register, with their evidence.
    async with sessionmaker() as s:
        events = (await s.exec(select(AgreementEvent).where(AgreementEvent.evidence_kind.is_not(None)))).all()  # type: ignore[union-attr]
        assert sorted(e.evidence_link or e.evidence_file_id or "" for e in events) == [
            "PDF-9",
            "https://regioncusco.gob.pe/integridad",
        ]
        targets = (await s.exec(select(RoundTarget))).all()
        assert sum(t.finished_at is not None for t in targets) == 2
