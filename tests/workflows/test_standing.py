"""The person and their roles read in one query, trusted only until the transaction writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.access import Action, access_commission
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.membership.people import access_active, active_actor_and_count, switch_commission
from bot.workflows.standing import find_person
from db.models import Membership, Role
from tests.conftest import NOW


@contextmanager
def statements(db: AsyncSession) -> Iterator[list[str]]:
    """The SQL statements `db` sends while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _member(db: AsyncSession, telegram_id: int, code: str, role: Role) -> int:
    commission, _ = await create_commission(db, code, now=NOW)
    issued = await issue_invitation(db, commission, role, now=NOW)
    await redeem_invitation(
        db, issued.token, telegram_id=telegram_id, telegram_name="Ana", language="ay", now=NOW
    )
    assert commission.id is not None
    return commission.id


async def test_the_gate_after_find_person_needs_no_query_and_sees_the_same_roles(db: AsyncSession) -> None:
    cus = await _member(db, 21, "CUS", Role.SECRETARY)
    await db.commit()
    with statements(db) as sent:
        person = await find_person(db, 21)
        assert person is not None and person.language == "ay"
        actor = await access_active(db, person, Action.INVITE)
        named = await access_commission(db, person, cus, Action.MANAGE_SESSIONS)
        _, count = await active_actor_and_count(db, person)
    assert len(sent) == 1  # the person, their commissions and roles: one SELECT
    assert actor.commission.code == "CUS" and actor.roles == {Role.SECRETARY}
    assert named.roles == {Role.SECRETARY} and count == 1


async def test_a_stranger_and_a_person_without_commissions_are_told_apart(db: AsyncSession) -> None:
    assert await find_person(db, 999) is None
    await _member(db, 22, "PUN", Role.OBSERVER)
    await db.exec(update(Membership).values(role=Role.OBSERVER))  # a write: nothing remembered
    person = await find_person(db, 22)
    assert person is not None
    with pytest.raises(AccessDenied):
        await access_active(db, person, Action.INVITE)


async def test_an_invitation_redeemed_in_the_same_transaction_is_seen_by_the_gate(db: AsyncSession) -> None:
    await _member(db, 23, "CUS", Role.OBSERVER)
    person = await find_person(db, 23)
    assert person is not None
    pun, _ = await create_commission(db, "PUN", now=NOW)
    issued = await issue_invitation(db, pun, Role.SECRETARY, now=NOW)
    await redeem_invitation(db, issued.token, telegram_id=23, telegram_name="Ana", language="ay", now=NOW)
    actor = await access_active(db, person, Action.INVITE)  # PUN is now active, as secretary
    assert actor.commission.code == "PUN" and actor.roles == {Role.SECRETARY}
    _, count = await active_actor_and_count(db, person)
    assert count == 2


async def test_a_role_changed_by_a_statement_is_read_again(db: AsyncSession) -> None:
    cus = await _member(db, 24, "CUS", Role.SECRETARY)
    person = await find_person(db, 24)
    assert person is not None
    await db.exec(update(Membership).where(col(Membership.person_id) == person.id).values(role=Role.OBSERVER))
    with pytest.raises(AccessDenied):
        await access_commission(db, person, cus, Action.INVITE)


async def test_switching_commission_is_seen_at_once(db: AsyncSession) -> None:
    cus = await _member(db, 25, "CUS", Role.SECRETARY)
    pun = await _member(db, 25, "PUN", Role.OBSERVER)
    person = await find_person(db, 25)
    assert person is not None and person.active_commission_id == pun
    await switch_commission(db, person, cus)
    assert (await access_active(db, person, Action.INVITE)).commission.id == cus


async def test_what_was_read_for_one_person_is_not_used_for_another(db: AsyncSession) -> None:
    await _member(db, 26, "CUS", Role.SECRETARY)
    other_commission = await _member(db, 27, "PUN", Role.OBSERVER)
    first = await find_person(db, 26)
    assert first is not None
    await db.commit()
    second = await find_person(db, 27)  # the only one remembered now
    assert second is not None
    actor = await access_active(db, first, Action.VIEW_PROFILE)
    assert actor.commission.code == "CUS"
    assert (await access_active(db, second, Action.VIEW_PROFILE)).commission.id == other_commission
