"""The acta names who attended for each institution, the absences with their written reasons and
the voice-only members; after a successor takes a seat, the acta keeps who held it then."""

from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.membership.changes import designate_successor
from bot.workflows.membership.invitations import redeem_invitation
from bot.workflows.notices import Rsvp
from bot.workflows.sessions.acta import build_acta
from bot.workflows.sessions.convocation import answer_convocation
from bot.workflows.sessions.forecast import forecast
from bot.workflows.sessions.meeting import cast_vote, close_session, close_vote
from bot.workflows.sessions.rollcall import close_roll_call, mark_attendance
from bot.workflows.sessions.schedule import agenda
from bot.workflows.sessions.votes import Vote
from db.models import Answer, Membership
from tests.workflows.sessions.test_sessions import WED, held_session, lima, make_cra

CORTE = "Corte Superior de Justicia del Cusco"
CONTRALORIA = "Contraloría - Gerencia Regional de Control Cusco"
DEFENSORIA = "Defensoría del Pueblo - Oficina Cusco"


async def test_the_acta_names_the_people_and_keeps_them_after_a_succession(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await held_session(db, cra, catalogs, lima(2026, 12, 11))
    assert session.id is not None
    start = session.starts_at
    corte, contraloria = cra.members[1], cra.members[2]  # Miembro 0, Miembro 1
    await answer_convocation(
        db, corte, session.id, Answer.ABSENT, now=WED, justification="Audiencia programada"
    )
    await answer_convocation(db, cra.observer, session.id, Answer.ATTENDING, now=WED)
    for person in (cra.president, contraloria, cra.members[3]):
        await mark_attendance(db, cra.secretary, session.id, cra.seats[person.name], True, now=start)
    await mark_attendance(db, cra.secretary, session.id, cra.seats[corte.name], False, now=start)
    assert (await close_roll_call(db, cra.secretary, session.id, now=start)).result.installed
    item = (await agenda(db, session.id))[0]
    assert item.id is not None
    await cast_vote(db, cra.president, item.id, Vote.FOR, now=start)
    await cast_vote(db, contraloria, item.id, Vote.FOR, now=start)
    await close_vote(db, cra.secretary, item.id, now=start, deadline=date(2027, 3, 31))
    await close_session(db, cra.secretary, session.id, now=start + timedelta(hours=2))

    # In January the Contraloría's member is replaced; the acta is written afterwards.
    m = (await db.exec(select(Membership).where(Membership.person_id == contraloria.id))).one()
    assert m.id is not None
    issued = await designate_successor(db, cra.secretary, cra.commission_id, m.id, now=start, valid_days=40)
    later = lima(2027, 1, 4)
    await redeem_invitation(
        db, issued.token, telegram_id=901, telegram_name="Nueva", language="es", now=later
    )
    acta = await build_acta(db, cra.secretary, session.id, now=later)

    written = Document(io.BytesIO(acta.content))
    rows = [tuple(c.text for c in r.cells) for t in written.tables for r in t.rows]
    assert rows[0] == ("Institución", "Personas", "Asistencia")
    assert (CONTRALORIA, "Miembro 1", "Presente") in rows
    assert (CORTE, "Miembro 0", "Ausente con justificación: Audiencia programada") in rows
    paragraphs = [p.text for p in written.paragraphs]
    assert "Observadores y miembros con voz, sin voto:" in paragraphs
    assert f"Defensora ({DEFENSORIA}): confirmó su asistencia" in paragraphs
    assert f"{CONTRALORIA} (Miembro 1): a favor" in paragraphs
    assert not any("Nueva" in p for p in paragraphs)


async def test_a_successor_is_convened_to_the_sessions_ahead_and_answers_for_the_seat(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    session = await held_session(db, cra, catalogs, lima(2026, 12, 11))
    assert session.id is not None
    corte = cra.members[1]
    m = (await db.exec(select(Membership).where(Membership.person_id == corte.id))).one()
    assert m.id is not None
    issued = await designate_successor(db, cra.secretary, cra.commission_id, m.id, now=WED)
    done = await redeem_invitation(
        db, issued.token, telegram_id=902, telegram_name="Nuevo", language="qu", now=lima(2026, 12, 4)
    )
    rsvp = [n for n in done.notices if n.person_id == done.person.id]
    assert len(rsvp) == 1 and isinstance(rsvp[0].buttons, Rsvp) and rsvp[0].buttons.session_id == session.id
    await answer_convocation(db, done.person, session.id, Answer.ATTENDING, now=lima(2026, 12, 4))
    seats = {s.institution: s.answer for s in (await forecast(db, session)).seats}
    assert seats[CORTE] is Answer.ATTENDING
