"""Commission isolation through the real dispatcher: a secretary of Puno forging buttons for a
Cusco session or agreement is refused, the refusal is logged, and nothing changes."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import time_machine
from aiogram.methods import AnswerCallbackQuery
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.agreements.ui import Act, AgActCB, AgOpenCB
from bot.handlers.sessions.ui import Do, SessionCB
from bot.workflows.agreements.create import create_agreement
from bot.workflows.sessions.schedule import NewItem, schedule_session
from db.models import (
    Agreement,
    AgreementStatus,
    MeetingSession,
    Person,
    Role,
    Seat,
    SessionKind,
    SessionStatus,
)
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.harness import Harness, replies


@time_machine.travel(NOW, tick=False)
async def test_forged_buttons_for_another_commission_are_refused_and_logged(
    harness: Harness, invite: Invite, db: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    cusco = harness.user(1)
    await cusco.join(await invite("CUS", Role.SECRETARY, "Gobierno Regional del Cusco"))
    puno = harness.user(2)
    await puno.join(await invite("PUN", Role.SECRETARY, "Gobierno Regional de Puno"))
    await puno.click("Español")

    secretary = (await db.exec(select(Person).where(Person.telegram_id == 1))).one()
    cus_id = secretary.active_commission_id or 0
    seat = (await db.exec(select(Seat).where(Seat.commission_id == cus_id))).first()
    assert seat is not None and seat.id is not None
    created = await create_agreement(
        db,
        secretary,
        cus_id,
        text="Publicar la asistencia",
        seat_ids=[seat.id],
        deadline=date(2026, 12, 31),
        now=NOW,
    )
    session = await schedule_session(
        db,
        secretary,
        cus_id,
        kind=SessionKind.ORDINARY,
        starts_at=NOW + timedelta(days=14),
        place="Sala de sesiones",
        link=None,
        items=[NewItem("Plan anual")],
        now=NOW,
    )
    await db.commit()
    agreement_id, session_id = created.agreement.id or 0, session.id or 0

    caplog.set_level(logging.INFO, logger="bot.middlewares")
    for forged in (
        AgOpenCB(agreement_id=agreement_id),
        AgActCB(agreement_id=agreement_id, do=Act.CLOSE),
        AgActCB(agreement_id=agreement_id, do=Act.CANCEL),
        SessionCB(session_id=session_id, do=Do.VIEW),
        SessionCB(session_id=session_id, do=Do.CONVENE),
        SessionCB(session_id=session_id, do=Do.CANCEL),
    ):
        requests = await puno.press(forged.pack())
        assert any(isinstance(r, AnswerCallbackQuery) for r in requests), forged
        said = replies(requests)
        assert said and ("No forma parte" in said[0] or "no existe" in said[0].lower()), (forged, said)
        assert "Publicar la asistencia" not in " ".join(said)  # nothing of Cusco's leaks
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) >= 6

    db.expire_all()
    agreement = await db.get(Agreement, agreement_id)
    meeting = await db.get(MeetingSession, session_id)
    assert agreement is not None and agreement.status is AgreementStatus.PENDING
    assert meeting is not None and meeting.status is SessionStatus.PLANNED
