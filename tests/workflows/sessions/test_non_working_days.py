"""Ordinary sessions on non-working days (issue 14, item 1) at workflow level: the annual
calendar (`plan_session`) and a postponement (`postpone_session`) refuse them naming the next
business day; when the commission's rules allow them, they ask for a reason (`ReasonNeeded`),
record it and audit it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.errors import ReasonNeeded, UserError
from bot.workflows.sessions.changes import postpone_session
from bot.workflows.sessions.rules import CommissionRules
from bot.workflows.sessions.settings import plan_session, set_rules
from db.models import AuditEntry, PlannedSession
from tests.workflows.sessions.test_sessions import WED, lima, make_cra, scheduled

SATURDAY = date(2026, 12, 12)
FAIR = "Feria regional de integridad"


async def test_plan_session_on_a_saturday_needs_the_rule_and_a_reason(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    cra = await make_cra(db)
    es, ay = catalogs.translator("es"), catalogs.translator("ay")
    with pytest.raises(UserError) as refused:
        await plan_session(db, cra.secretary, cra.commission_id, SATURDAY, now=WED, reason=FAIR)
    assert not isinstance(refused.value, ReasonNeeded)  # without the rule a reason does not help
    assert "14 de diciembre de 2026" in es.render(refused.value.text)

    await set_rules(
        db, cra.secretary, cra.commission_id, CommissionRules(ordinary_on_non_business_days=True), now=WED
    )
    for missing in (None, "  ", "ok"):
        with pytest.raises(ReasonNeeded) as asked:
            await plan_session(db, cra.secretary, cra.commission_id, SATURDAY, now=WED, reason=missing)
    text = ay.render(asked.value.text)
    assert text != es.render(asked.value.text) and "2026" in text
    assert ay.render(asked.value.prompt) == ay.gettext(
        "Escriba el motivo para sesionar en día no hábil, o escriba otra fecha."
    )

    row = await plan_session(db, cra.secretary, cra.commission_id, SATURDAY, now=WED, reason=f"  {FAIR} ")
    business = await plan_session(
        db, cra.secretary, cra.commission_id, date(2026, 12, 15), now=WED, reason=FAIR
    )
    assert (row.reason, business.reason) == (FAIR, None)  # a business day has nothing to justify
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.planned"))).all()
    assert [(a.after or {})["reason"] for a in audit] == [FAIR, None]
    assert len((await db.exec(select(PlannedSession))).all()) == 2


async def test_postponing_to_a_saturday_asks_for_its_own_reason(db: AsyncSession, catalogs: Catalogs) -> None:
    cra = await make_cra(db)
    session = await scheduled(db, cra)
    assert session.id is not None
    with pytest.raises(UserError) as refused:
        await postpone_session(db, cra.secretary, session.id, lima(2026, 12, 19), "Visita de la CAN", now=WED)
    assert not isinstance(refused.value, ReasonNeeded)
    assert "21 de diciembre de 2026" in catalogs.translator("es").render(refused.value.text)

    await set_rules(
        db, cra.secretary, cra.commission_id, CommissionRules(ordinary_on_non_business_days=True), now=WED
    )
    with pytest.raises(ReasonNeeded):
        await postpone_session(db, cra.secretary, session.id, lima(2026, 12, 19), "Visita de la CAN", now=WED)
    moved, _ = await postpone_session(
        db, cra.secretary, session.id, lima(2026, 12, 19), "Visita de la CAN", now=WED, override_reason=FAIR
    )
    assert moved.notice_override_reason == FAIR and moved.status_reason == "Visita de la CAN"
    audit = (await db.exec(select(AuditEntry).where(AuditEntry.action == "sessions.postponed"))).one()
    assert audit.before and audit.before["notice_override_reason"] is None
    assert audit.after and audit.after["notice_override_reason"] == FAIR

    # Moved again to a business day: the old day's reason does not follow the session.
    moved, _ = await postpone_session(db, cra.secretary, session.id, lima(2026, 12, 21), "Otra vez", now=WED)
    assert moved.notice_override_reason is None
