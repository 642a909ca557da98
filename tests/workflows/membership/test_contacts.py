"""Contact-point confirmation (issue 16): asked every quarter and in January, answered, chased."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied, NotFound, UserError
from bot.workflows.membership.contacts import (
    confirm_entry,
    contacts_tick,
    due_period,
    set_confirm_every,
    unconfirmed_by_commission,
)
from bot.workflows.membership.directory import read_directory
from bot.workflows.membership.handover import name_new_person
from bot.workflows.membership.invitations import redeem_invitation
from bot.workflows.notices import Attachment, ContactConfirm
from db.models import ContactCheck, ContactCheckStatus, MembershipEnd, Role, Succession
from tests.conftest import NOW
from tests.workflows.world import CORTE, GORE, make_world


def lima(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h + 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "months", "period"),
    [
        (date(2027, 1, 4), 3, "2027-01"),
        (date(2027, 1, 14), 0, "2027-01"),  # January always, even when the commission chose "never"
        (date(2027, 1, 15), 3, None),  # after the first two weeks
        (date(2027, 4, 1), 3, "2027-04"),
        (date(2027, 2, 1), 3, None),
        (date(2027, 7, 5), 6, "2027-07"),
        (date(2027, 4, 1), 0, None),
    ],
)
def test_the_request_is_due_in_january_and_every_few_months(
    today: date, months: int, period: str | None
) -> None:
    assert due_period(today, months) == period


async def test_the_january_tick_asks_each_institution_once_with_buttons(db: AsyncSession) -> None:
    w = await make_world(db)
    assert await contacts_tick(db, lima(2026, 12, 31)) == []
    notices = await contacts_tick(db, lima(2027, 1, 4))
    asked = {n.person_id for n in notices if isinstance(n.buttons, ContactConfirm)}
    # The Contraloría has nobody to ask (the directory flags it); the observer is not asked.
    assert asked == {w.gore_member.id, w.gore_liaison.id, w.corte_liaison.id}
    summaries = [n for n in notices if n.buttons is None]
    assert [n.person_id for n in summaries] == [w.secretary.id]
    assert summaries[0].text.n == 2
    checks = (await db.exec(select(ContactCheck))).all()
    assert {c.due_on for c in checks} == {date(2027, 1, 11)}  # 5 business days
    assert await contacts_tick(db, lima(2027, 1, 4, 15)) == []  # once per period


async def test_confirming_is_recorded_told_and_shown(db: AsyncSession) -> None:
    w = await make_world(db)
    notices = await contacts_tick(db, lima(2027, 1, 4))
    gore_check = next(
        n.buttons.check_id
        for n in notices
        if isinstance(n.buttons, ContactConfirm) and n.person_id == w.gore_liaison.id
    )
    with pytest.raises(NotFound):  # another institution's liaison, or a forged id
        await confirm_entry(db, w.corte_liaison, gore_check, now=lima(2027, 1, 5))
    with pytest.raises(NotFound):
        await confirm_entry(db, w.gore_liaison, gore_check + 100, now=lima(2027, 1, 5))
    done = await confirm_entry(db, w.gore_liaison, gore_check, now=lima(2027, 1, 5))
    assert done.institution == GORE and [n.person_id for n in done.notices] == [w.secretary.id]
    again = await confirm_entry(db, w.gore_member, gore_check, now=lima(2027, 1, 5))
    assert again.notices == []
    d = await read_directory(db, w.secretary, w.cus.id)
    by_name = {i.institution: i for i in d.institutions}
    assert by_name[GORE].confirmed_at == lima(2027, 1, 5) and by_name[GORE].pending_due is None
    assert by_name[CORTE].pending_due == date(2027, 1, 11)


async def test_an_unanswered_request_is_chased_then_escalated_and_counted(db: AsyncSession) -> None:
    w = await make_world(db)
    await contacts_tick(db, lima(2027, 1, 4))
    half = await contacts_tick(db, lima(2027, 1, 6))
    assert {n.person_id for n in half} == {w.gore_member.id, w.gore_liaison.id, w.corte_liaison.id}
    assert await contacts_tick(db, lima(2027, 1, 6, 15)) == []
    last = await contacts_tick(db, lima(2027, 1, 11))
    assert len(last) == 3 and all(isinstance(n.buttons, ContactConfirm) for n in last)
    escalated = await contacts_tick(db, lima(2027, 1, 12))
    assert [n.person_id for n in escalated] == [w.secretary.id]
    assert CORTE in str(escalated[0].text.params["institutions"])
    assert await contacts_tick(db, lima(2027, 1, 13)) == []
    assert await unconfirmed_by_commission(db, lima(2027, 1, 12)) == {w.cus.id: 2}


async def test_naming_a_new_titular_makes_a_succession_with_the_oficio(db: AsyncSession) -> None:
    w = await make_world(db)
    notices = await contacts_tick(db, lima(2027, 1, 4))
    check_id = next(
        n.buttons.check_id
        for n in notices
        if isinstance(n.buttons, ContactConfirm) and n.person_id == w.gore_liaison.id
    )
    oficio = Attachment("oficio-001.pdf", file_id="FILE-1")
    with pytest.raises(UserError):
        await name_new_person(db, w.gore_liaison, check_id, Role.SECRETARY, "X Y", now=lima(2027, 1, 5))
    done = await name_new_person(
        db, w.gore_liaison, check_id, Role.MEMBER, "Edgar Quispe", now=lima(2027, 1, 5), oficio=oficio
    )
    assert done.predecessor == "Jean Paul Benavente"
    assert [(n.person_id, n.attachments) for n in done.notices] == [(w.secretary.id, (oficio,))]
    assert (await db.exec(select(Succession))).one().predecessor_id == w.gore_member.id
    assert (await db.get(ContactCheck, check_id)).status is ContactCheckStatus.CHANGED  # type: ignore[union-attr]
    new = await redeem_invitation(
        db, done.issued.token, telegram_id=8001, telegram_name="E", language="qu", now=lima(2027, 1, 6)
    )
    ended = (await db.exec(select(MembershipEnd))).one()
    assert (ended.person_id, ended.successor_id) == (w.gore_member.id, new.person.id)


async def test_only_the_secretary_sets_how_often(db: AsyncSession) -> None:
    w = await make_world(db)
    with pytest.raises(AccessDenied):
        await set_confirm_every(db, w.gore_liaison, w.cus.id, 6, now=NOW)
    with pytest.raises(UserError):
        await set_confirm_every(db, w.secretary, w.cus.id, 13, now=NOW)
    assert await set_confirm_every(db, w.secretary, w.cus.id, 0, now=NOW) == 0
    assert await contacts_tick(db, lima(2027, 4, 1)) == []
    assert await contacts_tick(db, lima(2028, 1, 3))  # January still
