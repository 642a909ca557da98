"""100 people accept their invitations at once, through the real dispatcher on PostgreSQL.

A third of them meet a real deadlock error from PostgreSQL (SQLSTATE 40P01, raised by the server
after their whole acceptance was written), so the middleware's retry runs on the driver's own
exception: everyone is welcomed exactly once and the audit chain verifies. PostgreSQL only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Message, MessageEntity, Update
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.handlers.start as start
from bot.handlers.membership.ui import AcceptInvitationCB
from bot.i18n import Catalogs
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation
from db.models import Membership, Role
from tests.conftest import NOW
from tests.handlers.test_retry import BUSY, retry_without_sleeping
from tests.harness import BOT_USER, ChatUser, Harness, make_harness
from tests.workflows.test_concurrency_pg import assert_chain_whole, audit_count, pooled_pg

PEOPLE = 100
INJECT_DEADLOCK = "DO $$ BEGIN RAISE EXCEPTION 'injected deadlock' USING ERRCODE = '40P01'; END $$"


@pytest.fixture
async def pg(pg_ready: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with pooled_pg(pg_ready) as sessionmaker:
        yield sessionmaker


def start_with(user: ChatUser, token: str) -> Update:
    text_ = f"/start {token}"
    message = Message(
        message_id=user.harness.next_message_id(),
        date=datetime.now(UTC),
        chat=user.chat,
        from_user=user.user,
        text=text_,
        entities=[MessageEntity(type="bot_command", offset=0, length=len("/start"))],
    )
    return Update(update_id=user.harness.next_update_id(), message=message)


def press_accept(user: ChatUser) -> Update:
    query = CallbackQuery(
        id=f"q{user.user.id}",
        from_user=user.user,
        chat_instance="test",
        data=AcceptInvitationCB(accept=True).pack(),
        message=Message(message_id=1, date=datetime.now(UTC), chat=user.chat, from_user=BOT_USER, text="…"),
    )
    return Update(update_id=user.harness.next_update_id(), callback_query=query)


async def all_at_once(harness: Harness, updates: list[Update]) -> None:
    await asyncio.gather(*(harness.dp.feed_update(harness.bot, u) for u in updates))


async def test_100_acceptances_at_once_through_the_dispatcher_welcome_everyone_once(
    pg: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    issued = datetime.now(UTC)
    async with pg() as db, db.begin():
        cus, _ = await create_commission(db, "CUS", now=NOW)
        tokens = [
            # Issued now: the handlers redeem on the wall clock, and NOW's invitations expired on 7 Dec.
            (
                await issue_invitation(db, cus, Role.OBSERVER, now=issued, invitee_name=f"Persona {n:03d}")
            ).token
            for n in range(PEOPLE)
        ]
    before = await audit_count(pg)
    harness = make_harness(pg, catalogs)
    retry_without_sleeping(harness)
    real_redeem = start.redeem_invitation
    tries: dict[int, int] = {}

    async def a_third_deadlock_once(db: AsyncSession, token: str, **kwargs: object) -> start.Redemption:
        telegram_id = int(kwargs["telegram_id"])  # type: ignore[call-overload]
        tries[telegram_id] = tries.get(telegram_id, 0) + 1
        redemption = await real_redeem(db, token, **kwargs)  # type: ignore[arg-type]
        if telegram_id % 3 == 0 and tries[telegram_id] == 1:
            await db.exec(text(INJECT_DEADLOCK))  # type: ignore[call-overload]
        return redemption

    monkeypatch.setattr(start, "redeem_invitation", a_third_deadlock_once)
    people = [harness.user(9000 + n, first_name=f"P{n}") for n in range(PEOPLE)]

    await all_at_once(harness, [start_with(p, t) for p, t in zip(people, tokens, strict=True)])
    with caplog.at_level(logging.WARNING, logger="bot.middlewares"):
        await all_at_once(harness, [press_accept(p) for p in people])
    await harness.sender.drain()

    deadlocked = [p.user.id for p in people if p.user.id % 3 == 0]
    assert {i: n for i, n in tries.items() if n != 1} == dict.fromkeys(deadlocked, 2)
    for n, person in enumerate(people):
        said = person.texts
        assert len([t for t in said if t.startswith(f"Bienvenido(a), Persona {n:03d}")]) == 1, said
        assert BUSY not in said
    answers = [r.callback_query_id for r in harness.session.requests if isinstance(r, AnswerCallbackQuery)]
    assert sorted(answers) == sorted(f"q{p.user.id}" for p in people)  # each answered once
    retried = [r.getMessage() for r in caplog.records if r.name == "bot.middlewares"]
    assert len(retried) == len(deadlocked) and all("running it again" in m for m in retried)
    async with pg() as db:
        memberships = (await db.exec(select(Membership).where(Membership.commission_id == cus.id))).all()
        assert len(memberships) == PEOPLE
    await assert_chain_whole(pg, before + PEOPLE)
