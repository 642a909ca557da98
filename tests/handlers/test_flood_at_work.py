"""Flood control with the default settings, as people meet it: a secretary working at one tap a
second through invitations, a roll call and the votes of a 15-seat commission loses nothing; one
person sending ten updates a second is refused, and told so each time."""

from __future__ import annotations

from typing import Any

import time_machine
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flood import FloodMiddleware
from bot.handlers.sessions.ui import PresentCB, SeatVoteCB
from bot.i18n import Catalogs
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.sessions.convocation import convene
from bot.workflows.sessions.forecast import voting_seats
from bot.workflows.sessions.schedule import NewItem, schedule_session
from bot.workflows.sessions.votes import Vote
from db.models import AgendaItem, Commission, Invitation, MeetingVote, Person, Role, SessionKind
from tests.handlers.sessions.test_sessions_chat import START, WED
from tests.harness import ChatUser, Harness, make_harness, plain, replies


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def refused(requests: list[TelegramMethod[Any]]) -> bool:
    toasts = [r.text or "" for r in requests if isinstance(r, AnswerCallbackQuery)]
    return any("Va muy rápido" in text for text in replies(requests) + toasts)


class Paced:
    """The secretary, one update a second, checking that none is refused."""

    def __init__(self, user: ChatUser, clock: Clock) -> None:
        self.user, self.clock, self.updates = user, clock, 0

    def _tick(self) -> None:
        self.clock.now += 1.0
        self.updates += 1

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        self._tick()
        said = await self.user.send(text)
        assert not refused(said), text
        return said

    async def press(self, data: str) -> list[TelegramMethod[Any]]:
        self._tick()
        said = await self.user.press(data)
        assert not refused(said), data
        return said

    async def click(self, label: str) -> list[TelegramMethod[Any]]:
        self._tick()
        said = await self.user.click(label)
        assert not refused(said), label
        return said


async def commission_of_fifteen(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """CUS with 15 voting seats, each held by a member; returns the secretary's invitation."""
    async with sessionmaker() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=WED)
        for n in range(15):
            issued = await issue_invitation(db, cus, Role.MEMBER, now=WED, institution=f"Institución {n:02d}")
            await redeem_invitation(
                db, issued.token, telegram_id=100 + n, telegram_name=f"M{n}", language="es", now=WED
            )
        secretary = await issue_invitation(db, cus, Role.SECRETARY, now=WED, invitee_name="Rosa Mamani")
        return secretary.token


async def test_a_secretary_at_one_tap_a_second_loses_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, db: AsyncSession
) -> None:
    clock = Clock()
    harness = make_harness(sessionmaker, catalogs, flood=FloodMiddleware(clock=clock))
    with time_machine.travel(WED, tick=False):
        token = await commission_of_fifteen(sessionmaker)
        rosa = Paced(harness.user(1, "Rosa"), clock)
        await rosa.send(f"/start {token}")
        await rosa.click("Aceptar")
        await rosa.click("Español")
        for n in range(6):  # six invitations in a row: command, role, institution, name
            await rosa.send("/invitar")
            await rosa.click("Miembro titular")
            await rosa.click("Otra institución")
            await rosa.send(f"Institución nueva {n}")
            await rosa.send(f"Persona {n}")
        invitations = (
            await db.exec(select(Invitation).where(col(Invitation.invitee_name).like("Persona %")))
        ).all()
        assert len(invitations) == 6

        async with sessionmaker() as s, s.begin():
            secretary = (await s.exec(select(Person).where(Person.telegram_id == 1))).one()
            commission_id = (await s.exec(select(Commission.id))).one()
            assert commission_id is not None
            session = await schedule_session(
                s,
                secretary,
                commission_id,
                kind=SessionKind.ORDINARY,
                starts_at=START,
                place="Sala",
                link=None,
                items=[NewItem("Plan anual", needs_decision=True)],
                now=WED,
            )
            await convene(s, secretary, session.id or 0, now=WED)
            seats = [seat.seat_id for seat in await voting_seats(s, commission_id)]
    assert len(seats) == 15

    with time_machine.travel(START, tick=False):
        sid = session.id or 0
        await rosa.send("/sesiones")
        await rosa.click("11/12")
        await rosa.click("Pasar lista")
        for seat in seats:  # fifteen taps in fifteen seconds
            await rosa.press(PresentCB(session_id=sid, seat_id=seat, present=True).pack())
        await rosa.click("Cerrar lista")
        assert "Sesión instalada con 15 presentes" in plain(rosa.user.last)
        await rosa.click("Votaciones")
        await rosa.click("1. Plan anual")
        item = (await db.exec(select(AgendaItem))).one()
        for seat in seats:  # and fifteen votes, seat by seat
            await rosa.press(SeatVoteCB(item_id=item.id or 0, seat_id=seat, vote=Vote.FOR).pack())
        assert "A favor: 15" in plain(rosa.user.last)
    assert len((await db.exec(select(MeetingVote))).all()) == 15
    assert rosa.updates > 60  # in about a minute: the old limit (30 a minute) dropped half


async def test_ten_updates_a_second_are_refused_visibly(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    clock = Clock()
    harness: Harness = make_harness(sessionmaker, catalogs, flood=FloodMiddleware(clock=clock))
    flooder = harness.user(66)
    outcomes = []
    for _ in range(100):  # ten seconds at ten updates a second
        clock.now += 0.1
        outcomes.append(replies(await flooder.send("hola")))
    answered = [said for said in outcomes if said and "Va muy rápido" not in said[0]]
    refusals = [said for said in outcomes if said and "Va muy rápido" in said[0]]
    assert 20 <= len(answered) <= 26  # the burst, then one every 2 s
    assert len(answered) + len(refusals) == 100  # every update got an answer: none in silence
