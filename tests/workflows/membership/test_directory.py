"""The directory and the membership lifecycle (issue 16), against a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.access import Action, access_commission
from bot.workflows.errors import AccessDenied, NotFound, UserError
from bot.workflows.membership.changes import change_role, designate_successor, end_membership
from bot.workflows.membership.commissions import ensure_seat
from bot.workflows.membership.directory import Flag, SeatKind, read_directory
from bot.workflows.membership.invitations import redeem_invitation
from bot.workflows.sessions.forecast import voting_seats
from db.models import (
    AuditEntry,
    EndReason,
    Membership,
    MembershipEnd,
    Person,
    ProgressRound,
    Role,
    RoundTarget,
)
from tests.conftest import NOW
from tests.workflows.world import CONTRALORIA, CORTE, GORE, make_world

TODAY = date(2026, 11, 23)  # NOW in Lima


async def membership_of(db: AsyncSession, person: Person, role: Role) -> Membership:
    return (
        await db.exec(select(Membership).where(Membership.person_id == person.id, Membership.role == role))
    ).one()


async def test_the_directory_lists_each_institution_with_flags_first(db: AsyncSession) -> None:
    w = await make_world(db)
    d = await read_directory(db, w.gore_member, w.cus.id)
    names = [i.institution for i in d.institutions]
    # Contraloría (nobody) and Corte (a liaison, no titular) need attention; the GORE is complete.
    assert names == [CONTRALORIA, CORTE, GORE]
    flags = {i.institution: i.flags for i in d.institutions}
    assert flags == {
        CONTRALORIA: (Flag.NO_TITULAR, Flag.NO_LIAISON),
        CORTE: (Flag.NO_TITULAR,),
        GORE: (),
    }
    gore = d.institutions[2]
    assert gore.kind is SeatKind.VOTING
    assert [e.name for e in gore.titulars] == ["Jean Paul Benavente"]
    assert [(e.name, e.language) for e in gore.liaisons] == [("Wayta Huamán", "qu")]
    assert [e.name for e in d.secretariat] == ["Rosa Quispe"]
    assert [e.name for e in d.others] == ["Ana Defensoría"]
    # A member reads no contact details; the secretariat and the president do.
    assert all(e.contact is None for e in gore.people)
    assert not d.may_manage
    d = await read_directory(db, w.secretary, w.cus.id)
    assert {e.contact for e in d.institutions[2].people} == {1002, 1004}
    assert d.may_manage


async def test_unreachable_people_are_flagged(db: AsyncSession) -> None:
    w = await make_world(db)
    w.gore_liaison.unreachable_at = NOW
    db.add(w.gore_liaison)
    await db.flush()
    d = await read_directory(db, w.secretary, w.cus.id)
    gore = next(i for i in d.institutions if i.institution == GORE)
    assert gore.flags == (Flag.UNREACHABLE,)
    assert [e.reachable for e in gore.liaisons] == [False]


async def test_the_directory_paginates_past_15_institutions(db: AsyncSession) -> None:
    w = await make_world(db)
    for n in range(20):
        await ensure_seat(db, w.cus, f"Colegio Profesional número {n:02d}", now=NOW)
    first = await read_directory(db, w.secretary, w.cus.id)
    second = await read_directory(db, w.secretary, w.cus.id, page=1)
    assert (first.pages, len(first.institutions), len(second.institutions)) == (2, 15, 8)
    assert len(first.flagged) == len(second.flagged) == 22  # the flags are on every page
    far = await read_directory(db, w.secretary, w.cus.id, page=99)
    assert far.page == 1


async def test_strangers_and_other_commissions_cannot_read_the_directory(db: AsyncSession) -> None:
    w = await make_world(db)
    with pytest.raises(AccessDenied):
        await read_directory(db, w.other_secretary, w.cus.id)
    with pytest.raises(AccessDenied):
        await read_directory(db, None, w.cus.id)


async def test_ending_a_membership_removes_every_right_and_tells_the_person_once(db: AsyncSession) -> None:
    w = await make_world(db)
    m = await membership_of(db, w.corte_liaison, Role.LIAISON)
    assert m.id is not None
    ended = await end_membership(db, w.secretary, w.cus.id, m.id, EndReason.RESIGNED, TODAY, now=NOW)
    assert [n.person_id for n in ended.notices] == [w.corte_liaison.id]
    assert "renuncia" in ended.notices[0].text.params["reason"].msgid  # type: ignore[union-attr]
    record = (await db.exec(select(MembershipEnd))).one()
    assert (record.person_id, record.role, record.reason, record.effective_on) == (
        w.corte_liaison.id,
        Role.LIAISON,
        EndReason.RESIGNED,
        TODAY,
    )
    # Every action is refused now (forged buttons included: they all pass the gate).
    for action in Action:
        with pytest.raises(AccessDenied):
            await access_commission(db, w.corte_liaison, w.cus.id, action)
    assert (await db.exec(select(AuditEntry).where(AuditEntry.action == "membership.ended"))).one()
    d = await read_directory(db, w.secretary, w.cus.id)
    corte = next(i for i in d.institutions if i.institution == CORTE)
    assert corte.flags == (Flag.NO_TITULAR, Flag.NO_LIAISON)
    # The id no longer names a membership: a second end is refused.
    with pytest.raises(NotFound):
        await end_membership(db, w.secretary, w.cus.id, m.id, EndReason.OTHER, TODAY, now=NOW)


async def test_only_the_secretary_ends_memberships_and_only_in_their_commission(db: AsyncSession) -> None:
    w = await make_world(db)
    m = await membership_of(db, w.gore_member, Role.MEMBER)
    assert m.id is not None
    for who in (w.gore_member, w.gore_liaison, w.other_secretary):
        with pytest.raises(AccessDenied):
            await end_membership(db, who, w.cus.id, m.id, EndReason.OTHER, TODAY, now=NOW)
    pun_m = await membership_of(db, w.other_secretary, Role.SECRETARY)
    assert pun_m.id is not None
    with pytest.raises(NotFound):  # a membership of Puno, asked for from Cusco
        await end_membership(db, w.secretary, w.cus.id, pun_m.id, EndReason.OTHER, TODAY, now=NOW)


async def test_dates_and_the_secretarys_own_membership_are_checked(db: AsyncSession) -> None:
    w = await make_world(db)
    own = await membership_of(db, w.secretary, Role.SECRETARY)
    member = await membership_of(db, w.gore_member, Role.MEMBER)
    assert own.id is not None and member.id is not None
    with pytest.raises(UserError, match="sucede"):
        await end_membership(db, w.secretary, w.cus.id, own.id, EndReason.TERM_ENDED, TODAY, now=NOW)
    with pytest.raises(UserError, match="futura"):
        await end_membership(
            db, w.secretary, w.cus.id, member.id, EndReason.OTHER, TODAY + timedelta(days=1), now=NOW
        )
    with pytest.raises(UserError, match="anterior"):
        await end_membership(
            db, w.secretary, w.cus.id, member.id, EndReason.OTHER, TODAY - timedelta(days=1), now=NOW
        )
    # Designating a successor is the way out of one's own secretariat.
    issued = await designate_successor(db, w.secretary, w.cus.id, own.id, now=NOW, invitee_name="Nueva ST")
    done = await redeem_invitation(
        db, issued.token, telegram_id=7001, telegram_name="N", language="es", now=NOW + timedelta(days=1)
    )
    assert done.menus_changed == [w.secretary.id]
    with pytest.raises(AccessDenied):
        await access_commission(db, w.secretary, w.cus.id, Action.VIEW_MEMBERS)
    assert (
        await access_commission(db, done.person, w.cus.id, Action.MANAGE_MEMBERS)
    ).person.name == "Nueva ST"


async def test_a_successor_takes_the_seat_and_its_open_round_questions(
    db: AsyncSession,
) -> None:
    w = await make_world(db)
    liaison = await membership_of(db, w.gore_liaison, Role.LIAISON)
    assert liaison.id is not None and w.gore.id is not None and w.cus.id is not None
    rnd = ProgressRound(commission_id=w.cus.id, opened_at=NOW, window_end=TODAY + timedelta(days=7))
    db.add(rnd)
    await db.flush()
    assert rnd.id is not None
    target = RoundTarget(round_id=rnd.id, seat_id=w.gore.id, person_id=w.gore_liaison.id, agreement_ids=[1])
    db.add(target)
    await db.flush()
    issued = await designate_successor(
        db,
        w.secretary,
        w.cus.id,
        liaison.id,
        now=NOW,
        reason=EndReason.TERM_ENDED,
        invitee_name="Killa Ccori",
        valid_days=60,
    )
    later = NOW + timedelta(days=40)
    done = await redeem_invitation(
        db, issued.token, telegram_id=7002, telegram_name="K", language="qu", now=later
    )
    record = (await db.exec(select(MembershipEnd))).one()
    assert (record.person_id, record.successor_id, record.reason, record.effective_on) == (
        w.gore_liaison.id,
        done.person.id,
        EndReason.TERM_ENDED,
        date(2027, 1, 2),
    )
    await db.refresh(target)
    assert target.person_id == done.person.id
    told = {n.person_id for n in done.notices}
    assert told == {w.gore_liaison.id, w.secretary.id}
    d = await read_directory(db, w.secretary, w.cus.id)
    gore = next(i for i in d.institutions if i.institution == GORE)
    assert [e.name for e in gore.liaisons] == ["Killa Ccori"]


async def test_quorum_counts_only_current_voting_seats(db: AsyncSession) -> None:
    w = await make_world(db)
    assert w.cus.id is not None
    assert [s.institution for s in await voting_seats(db, w.cus.id)] == [GORE]
    member = await membership_of(db, w.gore_member, Role.MEMBER)
    assert member.id is not None
    await end_membership(db, w.secretary, w.cus.id, member.id, EndReason.TERM_ENDED, TODAY, now=NOW)
    assert await voting_seats(db, w.cus.id) == []


async def test_changing_a_role_is_audited_and_told(db: AsyncSession) -> None:
    w = await make_world(db)
    m = await membership_of(db, w.corte_liaison, Role.LIAISON)
    assert m.id is not None
    change = await change_role(db, w.secretary, w.cus.id, m.id, Role.MEMBER, now=NOW)
    assert [n.person_id for n in change.notices] == [w.corte_liaison.id]
    assert await access_commission(db, w.corte_liaison, w.cus.id, Action.CAST_VOTE)
    with pytest.raises(AccessDenied):
        await access_commission(db, w.corte_liaison, w.cus.id, Action.REPORT_PROGRESS)
    entry = (await db.exec(select(AuditEntry).where(AuditEntry.action == "membership.role_changed"))).one()
    assert (entry.before or {})["role"] == "liaison" and (entry.after or {})["role"] == "member"
    with pytest.raises(UserError):
        await change_role(db, w.secretary, w.cus.id, m.id, Role.MEMBER, now=NOW)
    own = await membership_of(db, w.secretary, Role.SECRETARY)
    assert own.id is not None
    with pytest.raises(UserError, match="sucede"):
        await change_role(db, w.secretary, w.cus.id, own.id, Role.MEMBER, now=NOW)
