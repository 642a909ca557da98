"""The outbox rules against a real database: order, leases, idempotency, unreachable people."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, msg
from bot.notify import enqueue_notices
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.notices import Notice
from bot.workflows.outbox import (
    OUTBOX,
    backoff,
    chat_unreachable,
    claim_due,
    count_open,
    enqueue_text,
    give_up,
    mark_sent,
    release,
    space_next,
    split_text,
)
from bot.workflows.processed_updates import first_time_seen
from db.models import OutboxMessage, OutboxStatus, Person, Priority, Role
from tests.conftest import NOW

LEASE = timedelta(seconds=30)


def test_split_text_cuts_at_line_boundaries_under_the_limit() -> None:
    lines = [f"{i:04d} " + "x" * 95 for i in range(100)]  # 100 lines of 100 characters
    parts = split_text("\n".join(lines), limit=4096)
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, no line cut
    assert len(parts) == 3
    assert split_text("short") == ["short"]
    huge = split_text("word " * 2000, limit=4096)
    assert all(len(p) <= 4096 for p in huge) and "".join(huge).count("word") == 2000


def test_backoff_grows_with_attempts_and_stays_jittered_within_the_cap() -> None:
    rng = random.Random(7)
    delays = [backoff(n, rng=rng).total_seconds() for n in range(1, 12)]
    assert all(1.0 <= d <= 300.0 for d in delays)
    assert max(backoff(1, rng=random.Random(i)).total_seconds() for i in range(50)) <= 2.0
    assert max(backoff(10, rng=random.Random(i)).total_seconds() for i in range(50)) > 100


async def test_a_long_text_becomes_ordered_parts_with_the_keyboard_on_the_last(db: AsyncSession) -> None:
    text = "\n".join("línea " + "z" * 90 for _ in range(100))
    ids = await enqueue_text(db, 10, text, now=NOW, reply_markup={"inline_keyboard": []})
    rows = [await db.get(OutboxMessage, i) for i in ids]
    assert len(rows) == 3 and all(r is not None and r.chat_id == 10 for r in rows)
    assert "\n".join(r.payload["text"] for r in rows if r) == text  # in order, nothing lost
    assert [("reply_markup" in r.payload) for r in rows] == [False, False, True]


async def test_one_chat_at_a_time_in_order_and_leases_expire(db: AsyncSession) -> None:
    await enqueue_text(db, 1, "a1", now=NOW)
    await enqueue_text(db, 1, "a2", now=NOW)
    await enqueue_text(db, 2, "b1", now=NOW)
    first = await claim_due(db, now=NOW, lease=LEASE)
    assert [r.payload["text"] for r in first] == ["a1", "b1"]  # a2 waits behind a1
    assert await claim_due(db, now=NOW, lease=LEASE) == []  # nothing else while they are in flight
    assert first[0].id is not None
    await mark_sent(db, first[0].id, now=NOW, message_id=99)
    # b1's sender died: its lease runs out and it is claimed again, a2 is next for chat 1.
    later = await claim_due(db, now=NOW + LEASE, lease=LEASE)
    assert sorted(r.payload["text"] for r in later) == ["a2", "b1"]
    assert next(r for r in later if r.payload["text"] == "b1").attempts == 2


async def test_rows_wait_for_their_time(db: AsyncSession) -> None:
    [row_id] = await enqueue_text(db, 3, "later", now=NOW + timedelta(minutes=5))
    assert await claim_due(db, now=NOW, lease=LEASE) == []
    assert [r.id for r in await claim_due(db, now=NOW + timedelta(minutes=5), lease=LEASE)] == [row_id]


async def test_an_update_id_takes_effect_once(db: AsyncSession) -> None:
    assert await first_time_seen(db, 777, now=NOW)
    assert not await first_time_seen(db, 777, now=NOW)
    assert await first_time_seen(db, 778, now=NOW)


async def _commission_with(db: AsyncSession, *people: tuple[int, Role, str]) -> dict[int, Person]:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    found = {}
    for telegram_id, role, language in people:
        issued = await issue_invitation(db, cus, role, now=NOW, institution="Gobierno Regional del Cusco")
        done = await redeem_invitation(
            db,
            issued.token,
            telegram_id=telegram_id,
            telegram_name=f"P{telegram_id}",
            language=language,
            now=NOW,
        )
        found[telegram_id] = done.person
    return found


async def test_a_blocked_chat_is_dropped_and_each_secretary_told_in_their_language(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    people = await _commission_with(db, (1, Role.SECRETARY, "ay"), (2, Role.LIAISON, "qu"))
    await enqueue_text(db, 2, "uno", now=NOW)
    await enqueue_text(db, 2, "dos", now=NOW)
    notices = await chat_unreachable(db, 2, now=NOW, error="403")
    assert [n.person_id for n in notices] == [people[1].id]
    assert await chat_unreachable(db, 2, now=NOW, error="403") == []  # told once
    assert people[2].unreachable_at == NOW
    statuses = (await db.exec(select(OutboxMessage.status).where(OutboxMessage.chat_id == 2))).all()
    assert set(statuses) == {OutboxStatus.DROPPED}
    await enqueue_notices(db, catalogs, notices, now=NOW)
    [told] = (await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 1))).all()
    aymara = catalogs.translator("ay")
    assert told.payload["text"].startswith("P2 (")
    assert "janiw yatiyawinakax katuqxiti" in told.payload["text"]
    assert aymara.code == "ay"
    # Notices to an unreachable person are not queued at all.
    assert await enqueue_notices(db, catalogs, [Notice(people[2].id or 0, msg("Hola"))], now=NOW) == 0


async def test_giving_up_tells_the_commissions_secretariat(db: AsyncSession) -> None:
    people = await _commission_with(db, (1, Role.SECRETARY, "es"), (2, Role.MEMBER, "es"))
    cus_id = people[2].active_commission_id
    [row_id] = await enqueue_text(
        db, 2, "convocatoria", now=NOW, person_id=people[2].id, commission_id=cus_id
    )
    row = await db.get(OutboxMessage, row_id)
    assert row is not None and row.commission_id == cus_id and row.status == OutboxStatus.PENDING
    settled = await give_up(db, row, now=NOW, error="502 Bad Gateway")
    assert row.status == OutboxStatus.FAILED and row.last_error == "502 Bad Gateway"
    assert [n.person_id for n in settled.notices] == [people[1].id]
    assert settled.notices[0].text.params["name"] == "P2"
    [quiet_id] = await enqueue_text(db, 1, "aviso", now=NOW, report_failure=False)
    quiet = await db.get(OutboxMessage, quiet_id)
    assert quiet is not None
    assert (await give_up(db, quiet, now=NOW, error="502")).notices == []


async def test_concurrent_senders_never_claim_the_same_row(
    sessionmaker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    async with sessionmaker() as setup, setup.begin():
        for chat in range(1, 61):
            await enqueue_text(setup, chat, f"m{chat}", now=NOW)

    async def sender() -> list[int]:
        claimed: list[int] = []
        while True:
            async with sessionmaker() as session, session.begin():
                rows = await claim_due(session, now=NOW, lease=LEASE, limit=7)
                for row in rows:
                    assert row.id is not None
                    await mark_sent(session, row.id, now=NOW, message_id=1)
            if not rows:
                return claimed
            claimed += [r.id for r in rows if r.id is not None]

    results = await asyncio.gather(sender(), sender(), sender())
    everything = [i for r in results for i in r]
    assert len(everything) == len(set(everything)) == 60
    assert await count_open(db) == 0
    sent = (await db.exec(select(OutboxMessage).where(col(OutboxMessage.status) == OutboxStatus.SENT))).all()
    assert len(sent) == 60


@pytest.mark.parametrize(("chat_id", "queued_after"), [(5, False), (-100, False), (5, True), (-100, True)])
async def test_next_message_to_the_same_chat_waits_one_second_or_more_in_groups(
    db: AsyncSession, chat_id: int, queued_after: bool
) -> None:
    """Whether the next message was queued before the send or just after it (a reply 31 ms later)."""
    await enqueue_text(db, chat_id, "one", now=NOW)
    if not queued_after:
        [two_id] = await enqueue_text(db, chat_id, "two", now=NOW)
    [first] = await claim_due(db, now=NOW, lease=LEASE)
    assert first.id is not None
    await mark_sent(db, first.id, now=NOW, message_id=1)
    await space_next(db, chat_id, now=NOW)
    if queued_after:
        [two_id] = await enqueue_text(db, chat_id, "two", now=NOW + timedelta(milliseconds=31))
    gap = timedelta(seconds=1 if chat_id > 0 else 3.5)
    assert await claim_due(db, now=NOW + gap - timedelta(milliseconds=1), lease=LEASE) == []
    assert [r.id for r in await claim_due(db, now=NOW + gap, lease=LEASE)] == [two_id]


async def test_a_released_row_is_claimable_at_once_with_its_attempt_given_back(db: AsyncSession) -> None:
    [row_id] = await enqueue_text(db, 7, "uno", now=NOW)
    [claimed] = await claim_due(db, now=NOW, lease=LEASE)
    assert (claimed.id, claimed.attempts) == (row_id, 1)
    await release(db, claimed)  # shutting down before sending it: no waiting for the lease
    [again] = await claim_due(db, now=NOW, lease=LEASE)
    assert (again.id, again.attempts, again.status) == (row_id, 1, OutboxStatus.SENDING)
    await mark_sent(db, row_id, now=NOW, message_id=1)
    await release(db, again)  # a row already settled is left alone
    status = (await db.exec(select(OutboxMessage.status).where(OutboxMessage.id == row_id))).one()
    assert status is OutboxStatus.SENT


async def test_a_reply_queued_after_a_broadcast_is_claimed_first_and_each_chat_keeps_its_order(
    db: AsyncSession,
) -> None:
    """A convocation to 600 people is queued, then a secretary's reply: the reply goes in the next
    claim. A chat that had a broadcast row before its reply still gets them in order."""
    await db.exec(
        insert(OUTBOX),
        params=[
            {
                "chat_id": chat,
                "method": "sendMessage",
                "payload": {"text": f"convocatoria {chat}"},
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "report_failure": True,
                "not_before": NOW,
                "created_at": NOW,
            }
            for chat in range(1, 601)
        ],
    )
    [reply_id] = await enqueue_text(db, 9000, "respuesta", now=NOW, priority=Priority.REPLY)
    [behind_id] = await enqueue_text(
        db, 7, "respuesta a quien ya tenía aviso", now=NOW, priority=Priority.REPLY
    )

    first = await claim_due(db, now=NOW, lease=LEASE, limit=20)
    assert first[0].id == reply_id  # ahead of 600 older notices
    assert [r.priority for r in first[1:]] == [Priority.NOTICE] * 19
    assert [r.chat_id for r in first[1:]] == list(range(1, 20))  # then the notices, oldest first
    assert behind_id not in [r.id for r in first]  # chat 7's notice is still ahead of it
    only_replies = await claim_due(db, now=NOW, lease=LEASE, max_priority=Priority.REPLY)
    assert only_replies == []  # chat 7's notice is in flight: its reply waits for it
    for row in first:
        assert row.id is not None
        await mark_sent(db, row.id, now=NOW, message_id=1)
    [next_reply] = await claim_due(db, now=NOW, lease=LEASE, max_priority=Priority.REPLY)
    assert next_reply.id == behind_id
    assert await count_open(db) == 602 - 20  # nothing else taken, nothing lost
