"""The presidency's one-year term and the reminders before it ends (art. 40.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.presidency import presidency_tick, set_presidency_term, term_end
from tests.conftest import NOW
from tests.workflows.world import make_world


def lima(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h + 5, tzinfo=UTC)


def test_a_term_lasts_one_year() -> None:
    assert term_end(date(2027, 1, 1)) == date(2027, 12, 31)
    assert term_end(date(2028, 2, 29)) == date(2029, 2, 28)


async def test_members_are_reminded_30_and_7_days_before_the_term_ends(db: AsyncSession) -> None:
    w = await make_world(db)
    with pytest.raises(AccessDenied):
        await set_presidency_term(db, w.gore_member, w.cus.id, date(2026, 1, 1), now=NOW)
    with pytest.raises(UserError):
        await set_presidency_term(db, w.secretary, w.cus.id, date(2020, 1, 1), now=NOW)
    assert await set_presidency_term(db, w.secretary, w.cus.id, date(2026, 1, 1), now=NOW) == date(
        2026, 12, 31
    )
    assert await presidency_tick(db, lima(2026, 11, 30)) == []
    first = await presidency_tick(db, lima(2026, 12, 1))
    everyone = {w.secretary.id, w.gore_liaison.id, w.corte_liaison.id, w.gore_member.id, w.observer.id}
    assert {n.person_id for n in first} == everyone  # Puno's secretary is not told
    assert first[0].text.n == 30 and "40.1" in first[0].text.msgid
    assert await presidency_tick(db, lima(2026, 12, 2)) == []
    last = await presidency_tick(db, lima(2026, 12, 24))
    assert {n.person_id for n in last} == everyone and last[0].text.n == 7
    assert await presidency_tick(db, lima(2026, 12, 30)) == []
    assert await presidency_tick(db, lima(2027, 1, 2)) == []  # over: the directory shows it
