"""The web side under test: the real aiohttp app on a real database (SQLite and PostgreSQL), a
small national data set, and a client per role that logs in the way people do (a /panel link)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.web.app import build_app
from bot.web.security import RateLimiter
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import hash_token
from bot.workflows.portal.login import issue_login_link
from db.models import (
    Agreement,
    AgreementSeat,
    AgreementStatus,
    AssistanceRequest,
    AssistanceStatus,
    AssistanceTopic,
    Institution,
    InstitutionCategory,
    MeetingAttendance,
    MeetingSession,
    Membership,
    Person,
    PlannedSession,
    Role,
    Seat,
    SessionKind,
    SessionStatus,
    WebToken,
)
from tests.conftest import NOW

CONTRALORIA = "Contraloría: Gerencia Regional de Control del Cusco"
CORTE = "Corte Superior de Justicia del Cusco"
GORE = "Gobierno Regional del Cusco"
PHONE = "+51 984 000 111"  # a liaison's contact: must never appear on a page
XSS = '<script>alert("x")</script> Plan de integridad'


def utc(y: int, m: int, d: int, h: int = 15) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@dataclass
class Data:
    people: dict[str, int]  # role label -> person id
    cus: int
    pun: int
    can: int


async def _seat(db: AsyncSession, commission_id: int, name: str) -> int:
    institution = Institution(name=name, category=InstitutionCategory.OTHER, created_at=NOW)
    db.add(institution)
    await db.flush()
    assert institution.id is not None
    seat = Seat(commission_id=commission_id, institution_id=institution.id, created_at=NOW)
    db.add(seat)
    await db.flush()
    assert seat.id is not None
    return seat.id


async def _person(
    db: AsyncSession, name: str, commission_id: int, role: Role, tg: int, seat: int | None = None
) -> int:
    p = Person(name=name, telegram_id=tg, created_at=NOW, active_commission_id=commission_id)
    db.add(p)
    await db.flush()
    assert p.id is not None
    db.add(Membership(person_id=p.id, commission_id=commission_id, role=role, seat_id=seat, created_at=NOW))
    await db.flush()
    return p.id


async def _session(db: AsyncSession, cid: int, at: datetime, status: SessionStatus, kind: SessionKind) -> int:
    s = MeetingSession(commission_id=cid, kind=kind, starts_at=at, status=status, created_at=NOW)
    db.add(s)
    await db.flush()
    assert s.id is not None
    return s.id


async def _agreement(
    db: AsyncSession,
    cid: int,
    code: str,
    seq: int,
    text: str,
    deadline: date,
    status: AgreementStatus,
    seats: list[int],
    progress: int = 0,
) -> None:
    a = Agreement(
        commission_id=cid,
        code=f"{code}-2026-{seq:03d}",
        year=2026,
        seq=seq,
        text=text,
        status=status,
        progress=progress,
        original_deadline=date(2026, 6, 30),
        deadline=deadline,
        created_at=utc(2026, 3, 1),
        updated_at=utc(2026, 3, 1),
    )
    db.add(a)
    await db.flush()
    assert a.id is not None
    for seat in seats:
        db.add(AgreementSeat(agreement_id=a.id, seat_id=seat))
    await db.flush()


async def build_data(db: AsyncSession) -> Data:
    """CUS: sessions, attendance (one unjustified absence), agreements (one overdue); PUN: one
    agreement; CAN with an analyst. People of every role the web cares about."""
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    can, _ = await create_commission(db, "CAN", now=NOW)
    assert cus.id and pun.id and can.id
    control, corte, gore = [await _seat(db, cus.id, n) for n in (CONTRALORIA, CORTE, GORE)]
    puno = await _seat(db, pun.id, "Gobierno Regional de Puno")
    people = {
        "secretary": await _person(db, "Rosa Mamani", cus.id, Role.SECRETARY, 101),
        "president": await _person(db, "Juan Quispe", cus.id, Role.PRESIDENT, 102, gore),
        "member": await _person(db, "Ana Huamán", cus.id, Role.MEMBER, 103, corte),
        "liaison": await _person(db, f"Luis Condori {PHONE}", cus.id, Role.LIAISON, 104, control),
        "analyst": await _person(db, "Luis Torres", can.id, Role.CAN_ANALYST, 105),
        "pun_secretary": await _person(db, "Eva Apaza", pun.id, Role.SECRETARY, 106),
    }
    held = await _session(db, cus.id, utc(2026, 3, 10), SessionStatus.HELD, SessionKind.ORDINARY)
    failed = await _session(
        db, cus.id, utc(2026, 6, 9), SessionStatus.FAILED_QUORUM, SessionKind.EXTRAORDINARY
    )
    await _session(db, cus.id, utc(2026, 7, 9), SessionStatus.CANCELLED, SessionKind.ORDINARY)  # never met
    for session_id, seat, present, justified in (
        (held, control, True, False),
        (held, corte, False, True),
        (held, gore, True, False),
        (failed, control, False, False),
        (failed, corte, True, False),
        (failed, gore, False, True),
    ):
        db.add(
            MeetingAttendance(
                session_id=session_id, seat_id=seat, present=present, justified=justified, recorded_at=NOW
            )
        )
    db.add(PlannedSession(commission_id=cus.id, planned_on=date(2026, 3, 10)))
    await _agreement(db, cus.id, "CUS", 1, XSS, date(2026, 11, 30), AgreementStatus.IN_PROGRESS, [gore], 40)
    await _agreement(
        db,
        cus.id,
        "CUS",
        2,
        "Auditoría de obras viales",
        date(2026, 9, 30),
        AgreementStatus.PENDING,
        [control, corte],
    )
    await _agreement(
        db, cus.id, "CUS", 3, "Portal de transparencia", date(2026, 8, 31), AgreementStatus.DONE, [gore], 100
    )
    await _agreement(
        db, pun.id, "PUN", 1, "Mesa de integridad de Puno", date(2026, 10, 1), AgreementStatus.PENDING, [puno]
    )
    for seq, status, filed in (
        (1, AssistanceStatus.RECEIVED, utc(2026, 11, 2)),
        (2, AssistanceStatus.CLOSED, utc(2026, 5, 2)),
    ):
        db.add(
            AssistanceRequest(
                code=f"AT-CUS-2026-{seq:03d}",
                commission_id=cus.id,
                year=2026,
                seq=seq,
                requester_id=people["secretary"],
                topic=AssistanceTopic.AGREEMENTS,
                text="¿Cómo medimos el avance?",
                status=status,
                created_at=filed,
                updated_at=filed,
            )
        )
    await db.commit()
    return Data(people, cus.id, pun.id, can.id)


@pytest.fixture
async def data(db: AsyncSession) -> Data:
    return await build_data(db)


async def link_for(db: AsyncSession, person_id: int) -> str:
    """A login link for anyone: through `/panel`'s workflow when the gate allows it, else written
    directly (as if their role changed after the link was sent), so the views' own gate is tested."""
    person = await db.get(Person, person_id)
    try:
        return (await issue_login_link(db, person, now=NOW)).token
    except AccessDenied:
        token = secrets.token_urlsafe(24)
        db.add(
            WebToken(
                token_hash=hash_token(token),
                kind="link",
                person_id=person_id,
                created_at=NOW,
                expires_at=NOW + timedelta(minutes=5),
            )
        )
        return token


Login = Callable[[str | None], Awaitable[TestClient]]


@pytest.fixture
async def web(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, data: Data
) -> AsyncIterator[Login]:
    """`await web(role)`: a client signed in as that person (None: the public, no cookie)."""
    clients: list[TestClient] = []
    app = build_app(
        sessionmaker,
        base_url="http://127.0.0.1",
        catalogs=catalogs,
        clock=lambda: NOW,
        limiter=RateLimiter(burst=10_000),
    )
    server = TestServer(app)
    await server.start_server()

    async def login(role: str | None) -> TestClient:
        client = TestClient(server, cookie_jar=CookieJar(unsafe=True))
        await client.start_server()
        clients.append(client)
        if role is not None:
            async with sessionmaker() as db, db.begin():
                token = await link_for(db, data.people[role])
            response = await client.post(f"/entrar/{token}", allow_redirects=False)
            assert response.status == 303, await response.text()
        return client

    yield login
    for client in clients:
        await client.close()
    await server.close()
