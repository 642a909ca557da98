"""Progress rounds: who is asked, the window on business days, chasing once, resume, summary."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.change import cancel_agreement
from bot.workflows.agreements.create import create_agreement
from bot.workflows.agreements.progress import Evidence
from bot.workflows.business_days import LIMA
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.rounds.answers import (
    Choice,
    answer_blocker,
    answer_evidence,
    answer_note,
    answer_percent,
    answer_status,
    pending_rounds,
    resume,
)
from bot.workflows.rounds.chase import due_round_notices, due_scheduled_rounds, rounds_tick
from bot.workflows.rounds.opening import current_summary, set_schedule, start_round, window_end
from db.models import (
    AgreementEvent,
    AgreementStatus,
    AuditEntry,
    EvidenceKind,
    OutboxMessage,
    Person,
    ProgressRound,
    RoundSchedule,
    RoundStatus,
    RoundTarget,
)
from tests.conftest import NOW
from tests.workflows.world import CONTRALORIA, CORTE, GORE, World, make_world


def lima(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour, tzinfo=LIMA)


async def _agreements(db: AsyncSession, w: World) -> list[int]:
    ids = []
    for text, seats in [
        ("Publicar el informe de integridad", [w.gore.id or 0, w.corte.id or 0]),
        ("Capacitar a los funcionarios en ética", [w.gore.id or 0]),
        ("Auditar las compras de emergencia", [w.control.id or 0]),
        ("Acuerdo que se cancela", [w.corte.id or 0]),
    ]:
        created = await create_agreement(
            db, w.secretary, w.cus.id or 0, text=text, seat_ids=seats, deadline=date(2026, 12, 31), now=NOW
        )
        ids.append(created.agreement.id or 0)
    await cancel_agreement(db, w.secretary, ids[3], reason="Ya no corresponde", now=NOW)
    await db.commit()
    return ids


async def test_round_covers_institutions_with_open_agreements_and_names_those_without_liaison(
    db: AsyncSession,
) -> None:
    w = await make_world(db)
    a1, a2, a3, _ = await _agreements(db, w)
    with pytest.raises(AccessDenied):
        await start_round(db, w.gore_liaison, w.cus.id or 0, now=NOW)
    with pytest.raises(UserError):
        await start_round(db, w.secretary, w.cus.id or 0, now=NOW, window_days=0)
    opened = await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    by_seat = {t.seat_id: t for t in opened.targets}
    assert set(by_seat) == {w.gore.id, w.corte.id, w.control.id}  # not Puno's seat
    assert by_seat[w.gore.id or 0].agreement_ids == [a1, a2]
    assert by_seat[w.corte.id or 0].agreement_ids == [a1]  # the cancelled one is not asked
    assert by_seat[w.control.id or 0].person_id is None
    assert opened.without_liaison == [CONTRALORIA]
    assert opened.round.window_end == date(2026, 11, 30)
    assert sorted(n.person_id for n in opened.notices) == sorted([w.gore_liaison.id, w.corte_liaison.id])
    gore_notice = next(n for n in opened.notices if n.person_id == w.gore_liaison.id)
    assert gore_notice.text.n == 2 and gore_notice.text.params["institution"] == GORE
    assert a3 in by_seat[w.control.id or 0].agreement_ids
    with pytest.raises(UserError):
        await start_round(db, w.secretary, w.cus.id or 0, now=NOW)  # one open round at a time
    audit = (await db.exec(select(AuditEntry.action).where(AuditEntry.action == "rounds.opened"))).all()
    assert len(audit) == 1


def test_window_ends_on_business_days() -> None:
    assert window_end(NOW, 5) == date(2026, 11, 30)  # Monday → next Monday
    assert window_end(lima(2026, 12, 4), 3) == date(2026, 12, 11)  # 8 and 9 Dec are holidays
    assert window_end(lima(2026, 12, 24), 1) == date(2026, 12, 28)  # Christmas, then the weekend


async def test_reminders_half_way_and_last_day_then_escalation_once_each(db: AsyncSession) -> None:
    w = await make_world(db)
    await _agreements(db, w)
    await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    await db.commit()
    assert await due_round_notices(db, lima(2026, 11, 24)) == []  # too early
    half = await due_round_notices(db, lima(2026, 11, 25))
    assert sorted(n.person_id for n in half) == sorted([w.gore_liaison.id, w.corte_liaison.id])
    assert await due_round_notices(db, lima(2026, 11, 25, 15)) == []  # nobody twice
    assert await due_round_notices(db, lima(2026, 11, 27)) == []
    last = await due_round_notices(db, lima(2026, 11, 30))
    assert sorted(n.person_id for n in last) == sorted([w.gore_liaison.id, w.corte_liaison.id])
    assert "Hoy vence" in last[0].text.msgid
    assert await due_round_notices(db, lima(2026, 11, 30, 16)) == []
    closing = await due_round_notices(db, lima(2026, 12, 1))
    escalated = [n for n in closing if "no terminó de responder" in n.text.msgid]
    # GORE: its titular member and the secretary; Corte (no titular): the secretary.
    assert sorted(n.person_id for n in escalated) == sorted(
        [w.gore_member.id, w.secretary.id, w.secretary.id]
    )
    summaries = [n for n in closing if "Tasa de respuesta" in n.text.msgid]
    assert [n.person_id for n in summaries] == [w.secretary.id]
    assert summaries[0].text.params["rate"] == 0
    rnd = (await db.exec(select(ProgressRound))).one()
    assert rnd.status == RoundStatus.CLOSED
    assert await due_round_notices(db, lima(2026, 12, 2)) == []


async def test_round_reminders_decline_the_count_of_agreements_left(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    """Issue 14, item 6: "Faltan 1 de 1 acuerdos" was a count without ngettext."""
    w = await make_world(db)
    await _agreements(db, w)
    await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    await db.commit()
    es, qu = catalogs.translator("es"), catalogs.translator("qu")
    half = {n.person_id: n for n in await due_round_notices(db, lima(2026, 11, 25))}
    corte, gore = half[w.corte_liaison.id], half[w.gore_liaison.id]  # 1 and 2 agreements to answer
    assert "Falta 1 acuerdo por responder (de 1)." in es.render(corte.text)
    assert "Faltan 2 acuerdos por responder (de 2)." in es.render(gore.text)
    assert "1 rimanakuymi kutichinaraq (1-manta)" in qu.render(corte.text)
    last = {n.person_id: n for n in await due_round_notices(db, lima(2026, 11, 30))}
    assert "Hoy vence" in es.render(last[w.corte_liaison.id].text)
    assert "Falta 1 acuerdo por responder (de 1)." in es.render(last[w.corte_liaison.id].text)
    closing = await due_round_notices(db, lima(2026, 12, 1))
    escalated = [es.render(n.text) for n in closing if "no terminó de responder" in n.text.msgid]
    assert any("(0 de 1 acuerdo)." in text for text in escalated)
    assert any("(0 de 2 acuerdos)." in text for text in escalated)


async def test_answers_are_register_updates_resume_after_restart_and_summary_figures(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    w = await make_world(db)
    a1, a2, _, _ = await _agreements(db, w)
    await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    await db.commit()
    gore_id, corte_id = w.gore_liaison.id, w.corte_liaison.id
    (pending,) = await pending_rounds(db, w.gore_liaison)
    tid = pending.target.id or 0
    # Another liaison may not answer for GORE.
    with pytest.raises(AccessDenied):
        await answer_status(db, w.corte_liaison, tid, Choice.NO_CHANGE, now=NOW)
    step = await resume(db, w.gore_liaison, tid, now=NOW)
    assert step.question is not None and step.question.agreement.id == a1 and step.question.index == 1
    await answer_status(db, w.gore_liaison, tid, Choice.IN_PROGRESS, now=NOW)
    with pytest.raises(UserError):
        await answer_percent(db, w.gore_liaison, tid, 140, now=NOW)
    await answer_percent(db, w.gore_liaison, tid, 60, now=NOW)
    await db.commit()

    # "Restart": a new session, days later, continues at the note of the first agreement.
    later = lima(2026, 11, 26)
    async with sessionmaker() as db2:
        liaison = await db2.get(Person, gore_id)
        step = await resume(db2, liaison, tid, now=later)
        assert step.question is not None and step.question.step == "note"
        assert step.question.agreement.id == a1
        await answer_note(db2, liaison, tid, "Informe en revisión", now=later)
        await answer_blocker(db2, liaison, tid, "Falta presupuesto", now=later)
        step = await answer_evidence(
            db2, liaison, tid, Evidence(EvidenceKind.LINK, link="https://gob.pe/informe"), now=later
        )
        assert step.question is not None and step.question.agreement.id == a2
        step = await answer_status(db2, liaison, tid, Choice.NO_CHANGE, now=later)
        assert step.question is None
        assert [n.person_id for n in step.notices] == [w.secretary.id]
        await db2.commit()
        # The answer is a progress update of the register, with its evidence.
        event = (
            await db2.exec(
                select(AgreementEvent)
                .where(AgreementEvent.agreement_id == a1)
                .order_by(AgreementEvent.id.desc())
            )  # type: ignore[union-attr]
        ).first()
        assert event is not None and (event.progress, event.note, event.evidence_link) == (
            60,
            "Informe en revisión",
            "https://gob.pe/informe",
        )
        assert event.status == AgreementStatus.IN_PROGRESS
        assert await pending_rounds(db2, liaison) == []
        # Corte's liaison starts but does not finish.
        corte = await db2.get(Person, corte_id)
        (cp,) = await pending_rounds(db2, corte)
        await resume(db2, corte, cp.target.id or 0, now=later)
        await answer_status(db2, corte, cp.target.id or 0, Choice.DONE, now=later)
        summary = await current_summary(db2, await db2.get(Person, w.secretary.id), w.cus.id or 0, now=later)
        assert summary is not None
        assert (summary.finished, summary.partial, summary.silent) == ([GORE], [CORTE], [])
        assert summary.without_liaison == [CONTRALORIA]
        assert summary.rate == 50
        assert [(c.code, c.before, c.after) for c in summary.changes] == [("CUS-2026-001", 0, 60)]
        assert [(b.code, b.text) for b in summary.blockers] == [("CUS-2026-001", "Falta presupuesto")]
        assert summary.evidence == 1
        with pytest.raises(AccessDenied):
            await current_summary(db2, corte, w.cus.id or 0, now=later)


async def test_monthly_round_opens_once_on_its_day_and_tick_queues_in_each_language(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    w = await make_world(db)
    await _agreements(db, w)
    with pytest.raises(AccessDenied):
        await set_schedule(db, w.gore_liaison, w.cus.id or 0, day_of_month=25, now=NOW)
    with pytest.raises(UserError):
        await set_schedule(db, w.secretary, w.cus.id or 0, day_of_month=31, now=NOW)
    await set_schedule(db, w.secretary, w.cus.id or 0, day_of_month=25, window_days=3, now=NOW)
    await db.commit()
    assert await due_scheduled_rounds(db, lima(2026, 11, 24)) == []
    tick = lima(2026, 11, 25)
    queued = await enqueue_notices(db, catalogs, await rounds_tick(db, tick), now=tick)
    # Two liaisons asked; the secretary hears of the institution without a liaison.
    assert queued == 3
    rnd = (await db.exec(select(ProgressRound))).one()
    assert rnd.window_end == date(2026, 11, 30)
    assert await due_scheduled_rounds(db, lima(2026, 11, 26)) == []
    targets = (await db.exec(select(RoundTarget))).all()
    assert len(targets) == 3
    chats = {m.chat_id for m in (await db.exec(select(OutboxMessage))).all()}
    assert chats == {w.gore_liaison.telegram_id, w.corte_liaison.telegram_id, w.secretary.telegram_id}


async def test_assistance_request_reaches_can_analysts_and_each_change_reaches_the_requester(
    db: AsyncSession,
) -> None:
    from bot.workflows.assistance.requests import change_status, open_requests, request_assistance
    from bot.workflows.membership.commissions import create_commission
    from db.models import AssistanceEvent, AssistanceStatus, AssistanceTopic, Role
    from tests.workflows.world import person

    w = await make_world(db)
    can, _ = await create_commission(db, "CAN", now=NOW)
    luis = await person(db, "Luis Torres", "es", can, Role.CAN_ANALYST, None, 2001)
    ana = await person(db, "Ana Condori", "ay", can, Role.CAN_ANALYST, None, 2002)
    with pytest.raises(UserError):
        await request_assistance(
            db, w.other_secretary, w.pun.id or 0, topic=AssistanceTopic.RULES, text="ayuda", now=NOW
        )
    with pytest.raises(AccessDenied):  # not a member of Cusco
        await request_assistance(
            db, w.other_secretary, w.cus.id or 0, topic=AssistanceTopic.RULES, text="x" * 20, now=NOW
        )
    filed = await request_assistance(
        db,
        w.other_secretary,
        w.pun.id or 0,
        topic=AssistanceTopic.RULES,
        text="¿Cómo se acredita a un miembro alterno?",
        attachment_file_id="DOC-1",
        now=NOW,
    )
    rid = filed.request.id or 0
    assert filed.request.code == "AT-PUN-2026-001"
    assert sorted(n.person_id for n in filed.notices) == sorted([luis.id, ana.id])
    assert [r.id for r in await open_requests(db, luis)] == [rid]
    with pytest.raises(AccessDenied):
        await open_requests(db, w.secretary)
    with pytest.raises(AccessDenied):
        await change_status(db, w.other_secretary, rid, AssistanceStatus.CLOSED, now=NOW)
    step = await change_status(db, luis, rid, AssistanceStatus.IN_PROGRESS, now=NOW)
    assert [n.person_id for n in step.notices] == [w.other_secretary.id]
    with pytest.raises(UserError):
        await change_status(db, luis, rid, AssistanceStatus.ANSWERED, now=NOW)  # no answer text
    step = await change_status(
        db, ana, rid, AssistanceStatus.ANSWERED, answer="Con una carta del titular.", now=NOW
    )
    assert step.notices[0].text.params["answer"] == "Con una carta del titular."
    await change_status(db, luis, rid, AssistanceStatus.CLOSED, now=NOW)
    with pytest.raises(UserError):
        await change_status(db, luis, rid, AssistanceStatus.IN_PROGRESS, now=NOW)
    history = (await db.exec(select(AssistanceEvent.status).where(AssistanceEvent.request_id == rid))).all()
    assert list(history) == ["received", "in_progress", "answered", "closed"]
    second = await request_assistance(
        db, w.secretary, w.cus.id or 0, topic=AssistanceTopic.OTHER, text="Capacitación en actas", now=NOW
    )
    assert second.request.code == "AT-CUS-2026-001"


async def test_good_practice_is_shared_with_the_can_and_listed_for_the_digest(db: AsyncSession) -> None:
    from datetime import timedelta

    from bot.workflows.agreements.progress import record_progress
    from bot.workflows.membership.commissions import create_commission
    from bot.workflows.rounds.practices import good_practices, mark_good_practice
    from db.models import Role
    from tests.workflows.world import person

    w = await make_world(db)
    a1, *_ = await _agreements(db, w)
    can, _ = await create_commission(db, "CAN", now=NOW)
    luis = await person(db, "Luis Torres", "qu", can, Role.CAN_ANALYST, None, 2001)
    await record_progress(
        db, w.gore_liaison, a1, status=AgreementStatus.IN_PROGRESS, progress=70, note="Portal piloto", now=NOW
    )
    await db.flush()
    event = (await db.exec(select(AgreementEvent).where(AgreementEvent.progress == 70))).one()
    with pytest.raises(AccessDenied):
        await mark_good_practice(db, w.gore_liaison, event.id or 0, now=NOW)
    notices = await mark_good_practice(db, w.secretary, event.id or 0, now=NOW)
    assert [n.person_id for n in notices] == [luis.id]
    with pytest.raises(UserError):
        await mark_good_practice(db, w.secretary, event.id or 0, now=NOW)
    listed = await good_practices(db, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert [(p.agreement_code, p.institution, p.progress) for p in listed] == [("CUS-2026-001", GORE, 70)]
    assert await good_practices(db, NOW + timedelta(days=1), NOW + timedelta(days=2)) == []


async def test_a_day_already_past_waits_for_next_month_and_schedule_can_stop(db: AsyncSession) -> None:
    w = await make_world(db)
    await _agreements(db, w)
    await set_schedule(db, w.secretary, w.cus.id or 0, day_of_month=5, now=NOW)  # 23 Nov: already past
    assert await due_scheduled_rounds(db, lima(2026, 11, 24)) == []
    assert len(await due_scheduled_rounds(db, lima(2026, 12, 5))) == 3  # 2 liaisons, the secretary
    assert await set_schedule(db, w.secretary, w.cus.id or 0, day_of_month=None, now=NOW) is None
    assert (await db.exec(select(RoundSchedule))).all() == []


async def test_a_liaison_of_two_commissions_answers_each_round_separately(db: AsyncSession) -> None:
    from db.models import Membership, Role

    w = await make_world(db)
    await _agreements(db, w)
    db.add(
        Membership(
            person_id=w.gore_liaison.id or 0,
            commission_id=w.pun.id or 0,
            role=Role.LIAISON,
            seat_id=w.pun_seat.id,
            created_at=NOW,
        )
    )
    await create_agreement(
        db,
        w.other_secretary,
        w.pun.id or 0,
        text="Instalar la mesa de integridad",
        seat_ids=[w.pun_seat.id or 0],
        deadline=date(2026, 12, 31),
        now=NOW,
    )
    await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    await start_round(db, w.other_secretary, w.pun.id or 0, now=NOW)
    pending = await pending_rounds(db, w.gore_liaison)
    assert [(p.commission.code, p.institution, len(p.target.agreement_ids)) for p in pending] == [
        ("CUS", GORE, 2),
        ("PUN", "Gobierno Regional de Puno", 1),
    ]
    puno = pending[1].target.id or 0
    step = await answer_status(db, w.gore_liaison, puno, Choice.SKIP, now=NOW)
    assert step.question is None and [n.person_id for n in step.notices] == [w.other_secretary.id]
    left = await pending_rounds(db, w.gore_liaison)
    assert [p.commission.code for p in left] == ["CUS"]
