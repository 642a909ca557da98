"""`/mis_datos` (Ley 29733, issue 14 item 17): the JSON holds every row that refers to the person,
RSVP answers with their justification, progress reports, drafts and assistance requests included;
and no table can refer to a person without being listed."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import db.models  # noqa: F401  (registers every table)
from bot.workflows.membership.privacy import PERSONAL_ROWS, my_data
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementStatus,
    Answer,
    AssistanceRequest,
    AssistanceTopic,
    MeetingSession,
    ProgressDraft,
    SessionInvitee,
    SessionKind,
)
from tests.conftest import NOW
from tests.workflows.world import make_world


async def test_my_data_holds_answers_justifications_reports_drafts_and_requests(db: AsyncSession) -> None:
    world = await make_world(db)
    juana = world.corte_liaison
    assert juana.id and world.cus.id and world.corte.id
    session = MeetingSession(commission_id=world.cus.id, kind=SessionKind.ORDINARY, starts_at=NOW)
    agreement = Agreement(
        commission_id=world.cus.id,
        code="CUS-2026-001",
        year=2026,
        seq=1,
        text="Publicar el plan",
        original_deadline=date(2026, 12, 31),
        deadline=date(2026, 12, 31),
    )
    db.add_all([session, agreement])
    await db.flush()
    assert session.id and agreement.id
    db.add_all(
        [
            SessionInvitee(
                session_id=session.id,
                person_id=juana.id,
                seat_id=world.corte.id,
                answer=Answer.ABSENT,
                justification="Audiencia programada en Juliaca",
                answered_at=NOW,
            ),
            AgreementEvent(
                agreement_id=agreement.id,
                at=NOW,
                actor_id=juana.id,
                kind=AgreementEventKind.PROGRESS,
                progress=40,
                note="Borrador del plan enviado a la gerencia",
                evidence_name="plan-borrador.pdf",
            ),
            ProgressDraft(
                person_id=juana.id,
                commission_id=world.cus.id,
                agreement_id=agreement.id,
                step="note",
                status=AgreementStatus.IN_PROGRESS,
                progress=60,
                updated_at=NOW + timedelta(days=1),
            ),
            AssistanceRequest(
                code="AT-CUS-2026-001",
                commission_id=world.cus.id,
                year=2026,
                seq=1,
                requester_id=juana.id,
                topic=AssistanceTopic.OTHER,
                text="Necesitamos un modelo de directiva",
                attachment_name="plan-capacitacion.pdf",
                created_at=NOW,
                updated_at=NOW,
            ),
        ]
    )
    await db.commit()

    data = await my_data(db, juana)
    dumped = json.dumps(data, ensure_ascii=False)  # as /mis_datos sends it
    rows = data["stored_rows"]
    [answer] = rows["session_answers"]
    assert answer["answer"] == "absent" and answer["justification"] == "Audiencia programada en Juliaca"
    [report] = rows["agreement_history_entries"]
    assert report["note"] == "Borrador del plan enviado a la gerencia" and report["progress"] == 40
    assert rows["progress_drafts"][0]["progress"] == 60
    assert rows["assistance_requests"][0]["text"] == "Necesitamos un modelo de directiva"
    assert "plan-capacitacion.pdf" in dumped and "plan-borrador.pdf" in dumped
    assert rows["memberships_rows"][0]["seat_id"] == world.corte.id
    # Someone else's data is not in it.
    other = await my_data(db, world.gore_liaison)
    assert "Juliaca" not in json.dumps(other, ensure_ascii=False)


def test_every_reference_to_a_person_is_in_my_data() -> None:
    listed = {
        (model.__tablename__, column) for model, columns in PERSONAL_ROWS.values() for column in columns
    }  # type: ignore[attr-defined]
    referring = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == "person"
    }
    assert referring - listed == set(), "add these to PERSONAL_ROWS (bot/workflows/membership/privacy.py)"
