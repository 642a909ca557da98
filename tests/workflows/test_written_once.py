"""Security-relevant code written once: one `access_*` per object, one CAN analyst check, one
run-once guard. Each test shows the one behaviour every caller now gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.create import access_agreement, create_agreement
from bot.workflows.agreements.progress import record_progress
from bot.workflows.assistance.requests import access_request, open_requests, request_assistance
from bot.workflows.audit import audited, verify_chain
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.commissions import create_commission, is_can_analyst
from bot.workflows.once import claim_once
from bot.workflows.reports.requests import request_report
from bot.workflows.rounds.answers import access_target
from bot.workflows.rounds.opening import start_round
from bot.workflows.rounds.practices import access_progress
from bot.workflows.sessions.schedule import NewItem, access_item, access_session, schedule_session
from db.models import (
    AgendaItem,
    AgreementEvent,
    AgreementEventKind,
    AgreementReminder,
    AgreementStatus,
    AssistanceTopic,
    Person,
    Role,
    RoundReminder,
    SessionKind,
    SessionReminder,
)
from tests.conftest import NOW
from tests.workflows.world import make_world, person

MISSING = 10_000  # an id no fixture reaches

Access = Callable[[Person | None, int], Awaitable[object]]


async def refusal(fetch: Access, who: Person | None, object_id: int) -> tuple[type, str]:
    with pytest.raises(UserError) as refused:
        await fetch(who, object_id)
    return type(refused.value), refused.value.text.msgid


async def test_every_access_function_refuses_a_foreign_object_exactly_like_a_missing_one(
    db: AsyncSession,
) -> None:
    w = await make_world(db)
    cus = w.cus.id or 0
    created = await create_agreement(
        db,
        w.secretary,
        cus,
        text="Publicar el informe",
        seat_ids=[w.gore.id or 0],
        deadline=date(2026, 12, 31),
        now=NOW,
    )
    agreement_id = created.agreement.id or 0
    await record_progress(
        db,
        w.gore_liaison,
        agreement_id,
        status=AgreementStatus.IN_PROGRESS,
        progress=40,
        note="Borrador",
        now=NOW,
    )
    progress = select(AgreementEvent.id).where(AgreementEvent.kind == AgreementEventKind.PROGRESS)
    event_id = (await db.exec(progress)).one() or 0
    session = await schedule_session(
        db,
        w.secretary,
        cus,
        kind=SessionKind.ORDINARY,
        starts_at=NOW + timedelta(days=14),
        place="Sala de sesiones",
        link=None,
        items=[NewItem("Plan anual")],
        now=NOW,
    )
    item_id = (await db.exec(select(AgendaItem.id).where(AgendaItem.session_id == session.id))).one() or 0
    opened = await start_round(db, w.secretary, cus, now=NOW)
    target_id = opened.targets[0].id or 0
    filed = await request_assistance(
        db, w.secretary, cus, topic=AssistanceTopic.RULES, text="¿Cómo se acredita un alterno?", now=NOW
    )
    await db.commit()

    fetches: dict[str, tuple[Access, int]] = {
        "session": (lambda p, i: access_session(db, p, i, Action.VIEW_SESSIONS), session.id or 0),
        "agenda item": (lambda p, i: access_item(db, p, i, Action.VIEW_SESSIONS), item_id),
        "agreement": (lambda p, i: access_agreement(db, p, i, Action.VIEW_AGREEMENTS), agreement_id),
        "progress update": (lambda p, i: access_progress(db, p, i, Action.MANAGE_AGREEMENTS), event_id),
        "round target": (lambda p, i: access_target(db, p, i), target_id),
        "assistance request": (lambda p, i: access_request(db, p, i), filed.request.id or 0),
    }
    for name, (fetch, real_id) in fetches.items():
        foreign = await refusal(fetch, w.other_secretary, real_id)  # Puno's secretary, a forged id
        missing = await refusal(fetch, w.other_secretary, real_id + MISSING)
        assert foreign == missing, name
        assert foreign[0] is AccessDenied and "no existe" in foreign[1], name
        assert await refusal(fetch, None, real_id) == await refusal(fetch, None, real_id + MISSING), name


async def test_a_non_analyst_is_refused_alike_by_assistance_and_by_the_national_report(
    db: AsyncSession,
) -> None:
    w = await make_world(db)
    can, _ = await create_commission(db, "CAN", now=NOW)
    analyst = await person(db, "Luis Torres", "es", can, Role.CAN_ANALYST, None, 2001)
    can_secretary = await person(db, "Carmen Díaz", "es", can, Role.SECRETARY, None, 2002)
    await db.commit()

    for who in (can_secretary, w.secretary, None):
        assert not await is_can_analyst(db, who)
        with pytest.raises(AccessDenied):
            await open_requests(db, who)
        with pytest.raises(AccessDenied):
            await request_report(db, who, "nacional", now=NOW)
    assert await is_can_analyst(db, analyst)
    assert await open_requests(db, analyst) == []
    national = await request_report(db, analyst, "nacional", now=NOW)
    assert national.commission is None


async def test_the_run_once_guard_claims_each_key_once_for_every_feature(db: AsyncSession) -> None:
    w = await make_world(db)
    created = await create_agreement(
        db,
        w.secretary,
        w.cus.id or 0,
        text="Publicar el informe",
        seat_ids=[w.gore.id or 0],
        deadline=date(2026, 12, 31),
        now=NOW,
    )
    opened = await start_round(db, w.secretary, w.cus.id or 0, now=NOW)
    agreement_id, target_id = created.agreement.id or 0, opened.targets[0].id or 0

    def rows(step: str) -> list[SQLModel]:
        return [
            AgreementReminder(
                agreement_id=agreement_id, deadline=date(2026, 12, 31), step=step, person_id=1, sent_at=NOW
            ),
            RoundReminder(target_id=target_id, step=step, person_id=1, sent_at=NOW),
            SessionReminder(commission_id=w.cus.id or 0, key=f"c1:{step}", sent_at=NOW),
        ]

    assert [await claim_once(db, r) for r in rows("half")] == [True, True, True]
    assert [await claim_once(db, r) for r in rows("half")] == [False, False, False]
    await db.commit()
    assert [await claim_once(db, r) for r in rows("half")] == [False, False, False]
    assert [await claim_once(db, r) for r in rows("last")] == [True, True, True]


async def test_an_audited_change_names_the_same_person_whether_given_the_actor_or_the_person(
    db: AsyncSession,
) -> None:
    w = await make_world(db)
    cus = w.cus.id or 0
    actor = await access_commission(db, w.secretary, cus, Action.MANAGE_AGREEMENTS)
    by_actor = await audited(db, actor, cus, "agreement.exported", "commission", cus, now=NOW, after={"n": 1})
    by_person = await audited(db, w.secretary, cus, "agreement.exported", "commission", cus, now=NOW)
    by_system = await audited(db, None, cus, "rounds.closed", "progress_round", 7, now=NOW)
    assert (by_actor.actor_id, by_actor.actor_label) == (w.secretary.id, "Rosa Quispe")
    assert (by_person.actor_id, by_person.actor_label) == (w.secretary.id, "Rosa Quispe")
    assert (by_system.actor_id, by_system.actor_label) == (None, "system")
    assert by_actor.after == {"n": 1} and by_system.entity_id == "7"
    assert [by_actor.seq, by_person.seq, by_system.seq] == [by_actor.seq, by_actor.seq + 1, by_actor.seq + 2]
    checked, broken = await verify_chain(db)
    assert checked >= 3 and broken == []
