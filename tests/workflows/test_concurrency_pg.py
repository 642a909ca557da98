"""Many people at once on PostgreSQL: every change lands, the commission's audit chain stays whole.

Each person's change runs in its own session and transaction, all started together (as the bot's
concurrent updates do), with the pool sized from the default settings. Before the chain lock was an
advisory lock, 100 acceptances deadlocked on the commission row (issue 19). PostgreSQL only: SQLite
lets one writer in at a time anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs
from bot.notify import enqueue_notices
from bot.workflows.agreements.create import create_agreement
from bot.workflows.agreements.progress import record_progress
from bot.workflows.audit import verify_chain
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.sessions.convocation import Answered, answer_convocation, convene
from bot.workflows.sessions.schedule import NewItem, schedule_session
from db.engine import make_engine, make_sessionmaker
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    Answer,
    AuditEntry,
    Membership,
    Person,
    Role,
    SessionInvitee,
    SessionKind,
    SessionReminder,
)
from tests.conftest import PG_SCHEMA, PG_TABLES

WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Lima
FRIDAY_11 = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)  # the earliest ordinary session after WED
T = TypeVar("T")


@asynccontextmanager
async def pooled_pg(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """An emptied PostgreSQL test schema behind the pool the bot gets from its default settings."""
    pool = Settings(_env_file=None).database_pool()
    engine = make_engine(url, connect_args={"server_settings": {"search_path": PG_SCHEMA}}, **pool)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {PG_TABLES} RESTART IDENTITY CASCADE"))
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def pg(pg_ready: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with pooled_pg(pg_ready) as sessionmaker:
        yield sessionmaker


async def all_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], work: list[Callable[[AsyncSession], Awaitable[T]]]
) -> list[T]:
    """Run each piece of work in its own transaction, all concurrently; every failure is raised."""

    async def one(step: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with sessionmaker() as db, db.begin():
            return await step(db)

    results = await asyncio.gather(*(one(step) for step in work), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} of {len(work)} failed, first: {failures[0]!r}"
    return results  # type: ignore[return-value]


async def assert_chain_whole(sessionmaker: async_sessionmaker[AsyncSession], entries: int) -> None:
    async with sessionmaker() as db:
        assert await verify_chain(db) == (entries, [])
        seqs = (await db.exec(select(AuditEntry.seq).order_by(AuditEntry.seq))).all()  # type: ignore[arg-type]
        assert list(seqs) == list(range(1, entries + 1))


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    return int((await db.exec(select(func.count()).select_from(model).where(*where))).one())


async def audit_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as db:
        return await count(db, AuditEntry)


async def join_all(
    sessionmaker: async_sessionmaker[AsyncSession], role: Role, people: int, org: str | None = "Institución"
) -> tuple[int, list[Person]]:
    """A commission whose `people` members joined one after another (the setup, not under test)."""
    joined = []
    async with sessionmaker() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=WED)
        assert cus.id is not None
        secretary = await issue_invitation(db, cus, Role.SECRETARY, now=WED)
        joined.append(
            (
                await redeem_invitation(
                    db, secretary.token, telegram_id=1, telegram_name="Rosa", language="es", now=WED
                )
            ).person
        )
        for n in range(people):
            issued = await issue_invitation(
                db, cus, role, now=WED, institution=f"{org} {n:03d}" if org else None, invitee_name=f"P{n}"
            )
            redeemed = await redeem_invitation(
                db, issued.token, telegram_id=100 + n, telegram_name=f"P{n}", language="qu", now=WED
            )
            joined.append(redeemed.person)
    return cus.id, joined


async def test_100_invitations_accepted_at_once_all_join(pg: async_sessionmaker[AsyncSession]) -> None:
    async with pg() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=WED)
        issued = [
            await issue_invitation(db, cus, Role.MEMBER, now=WED, institution=f"Institución {n:03d}")
            for n in range(100)
        ]
    before = await audit_count(pg)

    def accept(n: int, token: str) -> Callable[[AsyncSession], Awaitable[object]]:
        return lambda db: redeem_invitation(
            db, token, telegram_id=5000 + n, telegram_name=f"Persona {n}", language="ay", now=WED
        )

    await all_at_once(pg, [accept(n, i.token) for n, i in enumerate(issued)])

    async with pg() as db:
        assert await count(db, Membership, Membership.commission_id == cus.id) == 100
        assert await count(db, Person) == 100
        redeemed = await count(db, AuditEntry, AuditEntry.action == "invitation.redeemed")
        assert redeemed == 100
    await assert_chain_whole(pg, before + 100)


async def test_100_rsvps_to_one_session_at_once_all_count(
    pg: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    commission_id, people = await join_all(pg, Role.MEMBER, 100)
    secretary, members = people[0], people[1:]
    async with pg() as db, db.begin():
        session = await schedule_session(
            db,
            secretary,
            commission_id,
            kind=SessionKind.ORDINARY,
            starts_at=FRIDAY_11,
            place="Sala de sesiones",
            link=None,
            items=[NewItem("Informe de la secretaría")],
            now=WED,
        )
        assert session.id is not None
        session_id = session.id
        done = await convene(db, secretary, session_id, now=WED)
        await enqueue_notices(db, catalogs, done.notices, now=WED)  # as the middleware does
    before = await audit_count(pg)

    def rsvp(n: int, member: Person) -> Callable[[AsyncSession], Awaitable[Answered]]:
        # 60 of 100 justify their absence: quorum becomes impossible, which is told exactly once.
        if n < 60:
            return lambda db: answer_convocation(
                db, member, session_id, Answer.ABSENT, now=WED, justification=f"Comisión de servicio {n}"
            )
        return lambda db: answer_convocation(db, member, session_id, Answer.ATTENDING, now=WED)

    answered = await all_at_once(pg, [rsvp(n, m) for n, m in enumerate(members)])

    async with pg() as db:
        answers = (
            await db.exec(select(SessionInvitee.answer).where(SessionInvitee.session_id == session_id))
        ).all()
        assert sorted(answers) == sorted([Answer.ABSENT] * 60 + [Answer.ATTENDING] * 40)
        impossible = col(SessionReminder.key).endswith(":impossible")
        assert await count(db, SessionReminder, impossible) == 1
    assert len([a for a in answered if a.notices]) == 1  # told once, by whichever answer tipped it
    await assert_chain_whole(pg, before + 100)


async def test_50_progress_reports_at_once_all_recorded(pg: async_sessionmaker[AsyncSession]) -> None:
    commission_id, people = await join_all(pg, Role.LIAISON, 50)
    secretary, liaisons = people[0], people[1:]
    async with pg() as db, db.begin():
        seats = [
            (await db.exec(select(Membership.seat_id).where(Membership.person_id == p.id))).one()
            for p in liaisons
        ]
        agreements = []
        for n in range(10):  # five institutions answer for each agreement: five reports per row
            created = await create_agreement(
                db,
                secretary,
                commission_id,
                text=f"Acuerdo número {n}",
                seat_ids=[s for s in seats[n * 5 : n * 5 + 5] if s is not None],
                deadline=date(2027, 3, 31),
                now=WED,
            )
            agreements.append(created.agreement.id)
    before = await audit_count(pg)

    def report(n: int, liaison: Person) -> Callable[[AsyncSession], Awaitable[object]]:
        agreement_id = agreements[n // 5]
        assert agreement_id is not None
        return lambda db: record_progress(
            db,
            liaison,
            agreement_id,
            status=AgreementStatus.IN_PROGRESS,
            progress=10 + n,
            note=f"Avance de la institución {n}",
            now=WED,
        )

    await all_at_once(pg, [report(n, p) for n, p in enumerate(liaisons)])

    async with pg() as db:
        notes = (await db.exec(select(AgreementEvent.note).where(AgreementEvent.progress >= 10))).all()  # type: ignore[operator]
        assert sorted(notes) == sorted(f"Avance de la institución {n}" for n in range(50))  # type: ignore[type-var]
        statuses = (await db.exec(select(Agreement.status))).all()
        assert set(statuses) == {AgreementStatus.IN_PROGRESS}
        assert await count(db, AuditEntry, AuditEntry.action == "agreement.progress") == 50
    await assert_chain_whole(pg, before + 50)
