"""A process runs for months: a scheduler tick must keep nothing alive once it returns (issue 14,
item 12: a `functools.cache` on the async reminders job kept every tick's database session)."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.scheduler import Ticker
from bot.workflows.agreements import reminders
from bot.workflows.agreements.create import create_agreement
from db.models import OutboxMessage
from tests.conftest import NOW
from tests.workflows.world import make_world


class AlwaysLeader:
    is_leader = True

    async def refresh(self) -> bool:
        return True


async def test_scheduler_ticks_hold_no_session_across_calls(
    db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    w = await make_world(db)
    await create_agreement(
        db,
        w.secretary,
        w.cus.id or 0,
        text="Publicar el plan",
        seat_ids=[w.gore.id or 0],
        deadline=date(2026, 12, 15),
        now=NOW,
    )
    await db.commit()
    opened: list[weakref.ref[AsyncSession]] = []

    def recording() -> AsyncSession:
        session = sessionmaker()
        opened.append(weakref.ref(session))
        return session

    clock = [NOW]
    ticker = Ticker(recording, AlwaysLeader(), catalogs, clock=lambda: clock[0])  # type: ignore[arg-type]
    for day in (16, 23, 30):  # the ladder climbs: each tick does real work
        clock[0] = datetime(2026, 12, day, 14, tzinfo=UTC)
        assert await ticker.tick() == len(ticker.jobs) + len(ticker.staged)
    gc.collect()
    assert len(opened) >= 3 * (len(ticker.jobs) + len(ticker.staged))  # staged jobs open their own
    assert [ref for ref in opened if ref() is not None] == []
    assert (await db.exec(select(func.count()).select_from(OutboxMessage))).one() >= 3
    # No memoising decorator on any of the module's coroutines (what kept the sessions alive).
    cached = [name for name, f in vars(reminders).items() if callable(f) and hasattr(f, "cache_info")]
    assert cached == []
