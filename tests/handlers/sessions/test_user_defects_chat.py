"""Defects found by playing whole session cycles as real users (issue 14, items 1-7), each through
the real dispatcher, read in Spanish and in Quechua or Aymara."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import time_machine
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import LanguageCB
from bot.handlers.sessions.ui import Do, ItemCB, ItemDo, PresentCB, RsvpCB, SessionCB, VoteCB
from bot.i18n import Catalogs, msg
from bot.workflows.errors import UserError
from bot.workflows.sessions.rollcall import own_seat
from bot.workflows.sessions.schedule import check_session_date
from bot.workflows.sessions.votes import Vote
from db.models import (
    AgendaItem,
    Agreement,
    Answer,
    AuditEntry,
    Commission,
    MeetingSession,
    Person,
    Role,
    SessionKind,
)
from tests.handlers.conftest import Invite
from tests.harness import ChatUser, Harness, plain, replies

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima
EVENING = datetime(2026, 12, 12, 0, 30, tzinfo=UTC)  # Friday 11 December, 19:30 in Lima
GORE = "Gobierno Regional del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"
DEFENSORIA = "Defensoría del Pueblo - Oficina Cusco"
REASON = "Audiencia programada en la Sala Penal"


async def join(
    harness: Harness, invite: Invite, tg: int, role: Role, org: str | None, name: str, lang: str
) -> ChatUser:
    user = harness.user(tg, first_name=name.split()[0])
    await user.join(await invite("CUS", role, org, name))
    await user.press(LanguageCB(code=lang).pack())
    return user


async def schedule(sec: ChatUser, when: str) -> list[str]:
    """The secretary (reading Spanish) schedules an ordinary session with one voted point."""
    await sec.send("/nueva_sesion")
    await sec.click("Cambiar lugar")
    await sec.send("Sala de sesiones del Gobierno Regional")
    await sec.click("Cambiar fecha")
    said = replies(await sec.send(when))
    await sec.send("Plan anual de trabajo 2027")
    await sec.click("Requiere votación")
    await sec.click("Corte Superior")
    await sec.click("Programar")
    return said


async def session_id(db: AsyncSession) -> int:
    db.expire_all()
    session = (await db.exec(select(MeetingSession).order_by(col(MeetingSession.id).desc()))).first()
    assert session is not None and session.id is not None
    return session.id


def documents_to(harness: Harness, chat_id: int) -> list[SendDocument]:
    return [r for r in harness.session.requests if isinstance(r, SendDocument) and int(r.chat_id) == chat_id]


# --- 1. ordinary sessions fall on business days -----------------------------------------------------


async def test_an_ordinary_session_on_a_saturday_or_holiday_is_refused_naming_the_next_business_day(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        await join(harness, invite, 2, Role.PRESIDENT, GORE, "Wilfredo Quispe", "qu")
        await sec.send("/nueva_sesion")
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.click("Cambiar fecha")
        saturday = replies(await sec.send("12/12 10:00"))  # after the earliest date (11/12), a Saturday
        assert len(saturday) == 1 and "Programar" not in saturday[0]
        assert "el sábado 12 de diciembre de 2026 no lo es" in plain(saturday[0])
        assert "es el lunes 14 de diciembre de 2026." in plain(saturday[0])
        christmas = plain(replies(await sec.send("25/12 10:00"))[0])  # a Friday, and a national holiday
        assert "25 de diciembre de 2026" in christmas and "28 de diciembre de 2026" in christmas
        assert "Programar" in replies(await sec.send("11/12 10:00"))[0]

        # The same refusal, as a Quechua-reading secretary reads it.
        commission_id = (await db.exec(select(Commission.id))).one()
        saturday_10 = datetime(2026, 12, 12, 15, tzinfo=UTC)
        try:
            await check_session_date(db, commission_id, SessionKind.ORDINARY, saturday_10, now=WED)
        except UserError as refusal:
            text = qu.render(refusal.text)
        else:
            raise AssertionError("a Saturday ordinary session was accepted")
        expected = msg(
            "Las sesiones ordinarias se realizan en días hábiles y el {day} no lo es. El "
            "siguiente día hábil es el {next}. Escriba otra fecha.",
            day=date(2026, 12, 12),
            next=date(2026, 12, 14),
        )
        assert text == qu.render(expected) != catalogs.translator("es").render(expected)

        # A commission whose rules allow it: the reason is asked, recorded and audited.
        changed = plain(replies(await sec.send("/reglas ordinaria_dia_inhabil sí"))[0])
        assert changed.startswith("Listo") and changed.endswith("= sí.")
        await sec.send("/nueva_sesion")  # the abandoned card's place is not a session's: asked again
        await sec.send("Sala de sesiones del Gobierno Regional")
        await sec.click("Cambiar fecha")
        asked = plain(replies(await sec.send("12/12 10:00"))[0])
        assert "14 de diciembre de 2026" in asked and "motivo" in asked
        card = plain(replies(await sec.send("Feria regional: única fecha posible"))[0])
        assert "Motivo: Feria regional: única fecha posible" in card and "Programar" in card
        await sec.send("Plan anual de trabajo 2027")
        await sec.click("Informativo")
        await sec.click("Sin institución")
        assert "Sesión programada" in replies(await sec.click("Programar"))[0]
        session = (await db.exec(select(MeetingSession))).one()
        assert session.notice_override_reason == "Feria regional: única fecha posible"
        audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.scheduled"))).one()
        assert audit.after and audit.after["notice_override_reason"] == "Feria regional: única fecha posible"


# --- 2, 3, 5, 6, 7: an evening session, from the answers to the acta -----------------------------


async def evening_session(
    harness: Harness, invite: Invite, db: AsyncSession
) -> tuple[ChatUser, ChatUser, ChatUser, ChatUser, int]:
    """Secretary (es), president (qu), the Corte (ay) who justifies her absence, and the
    voice-only Defensoría (es) who never answers; the session is Friday 11/12 at 19:30 Lima."""
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        pres = await join(harness, invite, 2, Role.PRESIDENT, GORE, "Wilfredo Quispe", "qu")
        corte = await join(harness, invite, 3, Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        defen = await join(harness, invite, 4, Role.MEMBER, DEFENSORIA, "Juana Ccori", "es")
        await schedule(sec, "11/12 19:30")
        sid = await session_id(db)
        await sec.click("Convocar")
        await pres.press(RsvpCB(session_id=sid, answer=Answer.ATTENDING).pack())
        await corte.press(RsvpCB(session_id=sid, answer=Answer.ABSENT).pack())
        await corte.send(REASON)
    return sec, pres, corte, defen, sid


async def test_the_detail_lists_each_persons_answer_with_the_reason_for_the_secretary_and_president(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    sec, pres, _, _, sid = await evening_session(harness, invite, db)
    with time_machine.travel(WED, tick=False):
        await sec.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        detail = plain(sec.last)
        assert f"✅ Wilfredo Quispe ({GORE}): asistirá" in detail
        assert f"❌ Aurelia Condori ({CORTE}): no asistirá. Justificación: «{REASON}»" in detail
        assert f"❔ Juana Ccori ({DEFENSORIA}): sin respuesta" in detail
        # The silent come first: those are the ones to phone.
        assert detail.index("Juana Ccori") < detail.index("Aurelia Condori") < detail.index("Wilfredo")

        # In Quechua: the secretary reads the reason; the president only that she justified
        # (members are told the reason goes to the technical secretariat).
        who = msg("{name} ({institution})", name="Aurelia Condori", institution=CORTE)
        await sec.press(LanguageCB(code="qu").pack())
        await sec.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        line = qu.gettext("❌ {who}: no asistirá. Justificación: «{reason}»", who=who, reason=REASON)
        assert line in sec.last and "no asistirá" not in sec.last
        await pres.press(SessionCB(session_id=sid, do=Do.VIEW).pack())
        assert REASON not in pres.last
        assert qu.gettext("❌ {who}: no asistirá (justificó su inasistencia)", who=who) in pres.last
        assert qu.gettext(
            "❔ {who}: sin respuesta",
            who=msg("{name} ({institution})", name="Juana Ccori", institution=DEFENSORIA),
        ) in plain(pres.last)


async def install(harness: Harness, db: AsyncSession, sec: ChatUser, sid: int) -> tuple[int, list[str]]:
    """Roll call at 19:30 Lima with only the president's seat present: the agenda item's id and
    what the secretary was told on closing the list."""
    president = (await db.exec(select(Person).where(Person.telegram_id == 2))).one()
    seat = await own_seat(db, president, (await db.exec(select(Commission.id))).one()) or 0
    item = (await db.exec(select(AgendaItem))).one()
    assert item.id is not None
    await sec.press(SessionCB(session_id=sid, do=Do.ROLL).pack())
    await sec.press(PresentCB(session_id=sid, seat_id=seat, present=True).pack())
    return item.id, replies(await sec.press(SessionCB(session_id=sid, do=Do.CLOSE_ROLL).pack()))


async def approve(sec: ChatUser, pres: ChatUser, item_id: int, deadline: str) -> list[str]:
    await sec.press(ItemCB(item_id=item_id, do=ItemDo.OPEN).pack())
    await pres.press(VoteCB(item_id=item_id, vote=Vote.FOR).pack())
    await sec.press(ItemCB(item_id=item_id, do=ItemDo.CLOSE).pack())
    return replies(await sec.send(deadline))


async def test_one_present_is_said_in_the_singular(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    sec, pres, _, _, sid = await evening_session(harness, invite, db)
    with time_machine.travel(EVENING, tick=False):
        # The Corte's justified absence leaves a quorum of 1: one present installs the session.
        item_id, said = await install(harness, db, sec, sid)
        assert plain(said[0]) == "✅ Sesión instalada con 1 presente (quórum: 1)."
        # The vote's result, read in Quechua: counts as labels, never "1 abstenciones".
        await sec.press(LanguageCB(code="qu").pack())
        said = await approve(sec, pres, item_id, "31/03/2027")
        counts = {"n": 1, "yes": 1, "no": 0, "abstain": 0}
        approved = qu.gettext(
            "Punto {n} APROBADO. A favor: {yes}; en contra: {no}; abstenciones: {abstain}.", **counts
        )
        assert said[0].startswith(approved) and "CUS-2026-001" in said[0] and "A favor" not in approved


async def test_opening_an_open_vote_again_sends_no_new_ballots(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    sec, pres, _, _, sid = await evening_session(harness, invite, db)
    with time_machine.travel(EVENING, tick=False):
        item_id, _ = await install(harness, db, sec, sid)
        open_vote = ItemCB(item_id=item_id, do=ItemDo.OPEN).pack()
        await sec.press(open_vote)
        ballot = qu.gettext(
            "🗳 Votación: «{item}». ¿Cuál es el voto de {institution}?",
            item="Plan anual de trabajo 2027",
            institution=GORE,
        )
        assert pres.texts.count(ballot) == 1 and "Votación" not in ballot
        said = replies(await sec.press(open_vote))
        assert "A favor: 0" in said[0] and pres.texts.count(ballot) == 1
        await pres.press(VoteCB(item_id=item_id, vote=Vote.FOR).pack())
        await sec.press(open_vote)
        assert "A favor: 1" in sec.last and pres.texts.count(ballot) == 1


async def test_a_session_at_1930_lima_takes_a_deadline_the_next_day_and_is_dated_in_lima(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    qu = catalogs.translator("qu")
    sec, pres, _, _, sid = await evening_session(harness, invite, db)
    with time_machine.travel(EVENING, tick=False):
        # 11 December in Lima is already the 12th in UTC: a deadline of the 12th comes after it.
        item_id, _ = await install(harness, db, sec, sid)
        await sec.press(LanguageCB(code="qu").pack())
        said = await approve(sec, pres, item_id, "12/12/2026")
        registered = qu.gettext("Acuerdo {code} registrado.", code="CUS-2026-001")
        assert registered in said[0] and "registrado" not in registered
        agreement = (await db.exec(select(Agreement))).one()
        assert agreement.origin_label == "Sesión del 2026-12-11, punto 1"
        assert agreement.deadline == date(2026, 12, 12)


async def test_the_acta_and_attendance_file_show_register_codes_owners_deadlines_and_reasons(
    harness: Harness, invite: Invite, db: AsyncSession
) -> None:
    sec, pres, _, _, sid = await evening_session(harness, invite, db)
    with time_machine.travel(EVENING, tick=False):
        item_id, _ = await install(harness, db, sec, sid)
        said = await approve(sec, pres, item_id, "31/03/2027")
        assert "CUS-2026-001" in said[0]
        await sec.press(SessionCB(session_id=sid, do=Do.CLOSE).pack())
        await sec.press(SessionCB(session_id=sid, do=Do.CSV).pack())
    acta, attendance = documents_to(harness, 1)[-2:]
    assert isinstance(acta.document, BufferedInputFile) and isinstance(attendance.document, BufferedInputFile)
    assert acta.document.filename == "acta-CUS-2026-12-11.docx"
    from docx import Document

    written = Document(io.BytesIO(acta.document.data))
    paragraphs = [p.text for p in written.paragraphs]
    assert (
        f"Acuerdo CUS-2026-001: Plan anual de trabajo 2027. Responsable: {CORTE}. Plazo: 31/03/2027."
        in paragraphs
    )
    assert not any(p.startswith("Acuerdo 1:") for p in paragraphs)
    cells = [c.text for t in written.tables for r in t.rows for c in r.cells]
    assert f"Ausente con justificación: {REASON}" in cells
    rows = list(csv.reader(io.StringIO(attendance.document.data.decode())))
    assert rows[0] == ["comision", "fecha", "institucion", "asistencia", "justificacion"]
    assert ["CUS", "2026-12-11", CORTE, "ausente_justificado", REASON] in rows


# --- 4. a stale RSVP button refuses before asking anything -----------------------------------------


async def test_a_closed_sessions_old_rsvp_buttons_refuse_before_asking_for_a_reason(
    harness: Harness, invite: Invite, db: AsyncSession, catalogs: Catalogs
) -> None:
    ay = catalogs.translator("ay")
    with time_machine.travel(WED, tick=False):
        sec = await join(harness, invite, 1, Role.SECRETARY, None, "Rosa Mamani", "es")
        corte = await join(harness, invite, 3, Role.MEMBER, CORTE, "Aurelia Condori", "ay")
        contra = await join(harness, invite, 4, Role.MEMBER, "Contraloría - Cusco", "Luis Torres", "es")
        await schedule(sec, "11/12 10:00")
        sid = await session_id(db)
        await sec.click("Convocar")
        await sec.click("Cancelar sesión")
        await sec.send("Coincide con la visita de la Contraloría General")
        assert "cancelada" in sec.last

        said = replies(await corte.press(RsvpCB(session_id=sid, answer=Answer.ABSENT).pack()))
        assert (
            said
            == [ay.gettext("Esta sesión ya no recibe respuestas.")]
            != ["Esta sesión ya no recibe respuestas."]
        )
        said = replies(await contra.press(RsvpCB(session_id=sid, answer=Answer.ALTERNATE).pack()))
        assert said == ["Esta sesión ya no recibe respuestas."]
        # Nothing is waiting for a reason or a name: what they type next is not taken as one.
        assert not any("Gracias" in t for t in replies(await contra.send("Carmen Rojas")))
