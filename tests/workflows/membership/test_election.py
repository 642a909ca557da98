"""The presidency's election recorded from a session: half + 1 of the voting seats (art. 40.1);
the elected titular becomes president, the previous one goes back to member, the term follows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied, NotFound, UserError
from bot.workflows.membership.commissions import ensure_seat
from bot.workflows.membership.election import election_choices, record_election, votes_needed
from db.models import (
    AuditEntry,
    DirectorySettings,
    MeetingSession,
    Membership,
    Person,
    Role,
    SessionKind,
    SessionStatus,
)
from tests.conftest import NOW
from tests.workflows.world import World, make_world, person

SESSION_AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Friday 20 November, 10:00 in Lima


async def meeting(db: AsyncSession, w: World, status: SessionStatus) -> int:
    s = MeetingSession(commission_id=w.cus.id, kind=SessionKind.ORDINARY, starts_at=SESSION_AT, status=status)
    db.add(s)
    await db.flush()
    assert s.id is not None
    return s.id


async def membership_of(db: AsyncSession, p: Person) -> Membership:
    return (await db.exec(select(Membership).where(Membership.person_id == p.id))).one()


def test_half_plus_one_of_the_seats() -> None:
    assert [votes_needed(n) for n in (1, 2, 3, 4, 17)] == [1, 2, 2, 3, 9]


async def test_the_election_needs_half_plus_one_and_moves_the_presidency(db: AsyncSession) -> None:
    w = await make_world(db)
    old = await person(db, "Corte Presidente", "ay", w.cus, Role.PRESIDENT, w.corte, 1010)
    held = await meeting(db, w, SessionStatus.HELD)
    planned = await meeting(db, w, SessionStatus.PLANNED)
    elected = await membership_of(db, w.gore_member)
    assert elected.id is not None
    choices = await election_choices(db, w.secretary, w.cus.id)
    assert [s.id for s in choices.sessions] == [held] and choices.seats == 3 and choices.needed == 2
    assert {c.name for c in choices.candidates} == {"Jean Paul Benavente", "Corte Presidente"}

    with pytest.raises(AccessDenied):
        await record_election(db, w.gore_member, w.cus.id, held, elected.id, 3, now=NOW)
    with pytest.raises(NotFound):  # a session that never met
        await record_election(db, w.secretary, w.cus.id, planned, elected.id, 3, now=NOW)
    liaison = await membership_of(db, w.gore_liaison)
    assert liaison.id is not None
    with pytest.raises(NotFound):  # only a voting seat's titular
        await record_election(db, w.secretary, w.cus.id, held, liaison.id, 3, now=NOW)
    with pytest.raises(UserError) as short:
        await record_election(db, w.secretary, w.cus.id, held, elected.id, 1, now=NOW)
    assert short.value.text.n == 2 and short.value.text.params["seats"] == 3
    with pytest.raises(UserError):  # more votes than voting members
        await record_election(db, w.secretary, w.cus.id, held, elected.id, 4, now=NOW)
    assert (await membership_of(db, w.gore_member)).role is Role.MEMBER

    done = await record_election(db, w.secretary, w.cus.id, held, elected.id, 2, now=NOW)
    assert (await membership_of(db, w.gore_member)).role is Role.PRESIDENT
    assert (await membership_of(db, old)).role is Role.MEMBER
    assert (await membership_of(db, old)).seat_id == w.corte.id
    assert set(done.changed) == {w.gore_member.id, old.id}
    settings = await db.get(DirectorySettings, w.cus.id)
    assert settings is not None
    assert (settings.presidency_starts_on, settings.presidency_ends_on) == (
        date(2026, 11, 20),
        date(2027, 11, 19),
    )
    told = [n for n in done.notices if "asume la presidencia" in n.text.msgid]
    everyone = {
        w.secretary.id,
        w.gore_liaison.id,
        w.corte_liaison.id,
        w.gore_member.id,
        w.observer.id,
        old.id,
    }
    assert {n.person_id for n in told} == everyone and told[0].text.n == 2
    assert [n.person_id for n in done.notices if n not in told] == [old.id]  # "your role changed"
    actions = (await db.exec(select(AuditEntry.action))).all()
    assert {"presidency.elected", "presidency.term", "membership.role_changed"} <= set(actions)


async def test_a_reelection_keeps_the_role_and_renews_the_term(db: AsyncSession) -> None:
    w = await make_world(db)
    installed = await meeting(db, w, SessionStatus.INSTALLED)
    m = await membership_of(db, w.gore_member)
    m.role = Role.PRESIDENT
    db.add(m)
    await db.flush()
    assert m.id is not None
    done = await record_election(db, w.secretary, w.cus.id, installed, m.id, 3, now=NOW)
    assert (await membership_of(db, w.gore_member)).role is Role.PRESIDENT and done.ends_on == date(
        2027, 11, 19
    )


async def test_only_a_public_entity_presides(db: AsyncSession) -> None:
    """Art. 38: a civil-society or private-sector titular may vote but is neither offered nor elected."""
    w = await make_world(db)
    held = await meeting(db, w, SessionStatus.HELD)
    society = await ensure_seat(db, w.cus, "Sociedad civil: Colegio de Abogados del Cusco", now=NOW)
    assert society.voting
    lawyer = await person(db, "Ana Colegio", "es", w.cus, Role.MEMBER, society, 1020)
    choices = await election_choices(db, w.secretary, w.cus.id)
    assert "Ana Colegio" not in {c.name for c in choices.candidates}
    assert "Jean Paul Benavente" in {c.name for c in choices.candidates}
    chosen = await membership_of(db, lawyer)
    assert chosen.id is not None
    with pytest.raises(NotFound) as refused:
        await record_election(db, w.secretary, w.cus.id, held, chosen.id, 4, now=NOW)
    assert "entidad pública" in refused.value.text.msgid
    assert (await membership_of(db, lawyer)).role is Role.MEMBER
