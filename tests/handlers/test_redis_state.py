"""With REDIS_URL, a half-finished conversation survives a restart of the bot process."""

from __future__ import annotations

import os

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from db.models import Invitation, Role
from tests.handlers.conftest import Invite
from tests.harness import Harness, make_harness, plain, replies


@pytest.fixture
async def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    storage = RedisStorage.from_url(url)
    try:
        await storage.redis.ping()
    except OSError as exc:
        pytest.skip(f"Redis tests skipped: cannot reach TEST_REDIS_URL ({exc})")
    finally:
        await storage.close()
    return url


def process(sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, redis_url: str) -> Harness:
    """A fresh dispatcher, as a newly started process would build it."""
    # A prefix of this run's own: other runs may share the server.
    keys = DefaultKeyBuilder(prefix=f"test{os.getpid()}")
    return make_harness(sessionmaker, catalogs, storage=RedisStorage.from_url(redis_url, key_builder=keys))


async def test_invite_flow_resumes_after_a_restart(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    redis_url: str,
    invite: Invite,
    db: AsyncSession,
) -> None:
    first = process(sessionmaker, catalogs, redis_url)
    sec = first.user(77)
    await sec.join(await invite("PUN", Role.SECRETARY, "Gobierno Regional de Puno"))
    await sec.click("Español")
    await sec.send("/invitar")
    await sec.click("Miembro titular")
    await sec.click("Otra institución")
    await first.dp.storage.close()

    second = process(sessionmaker, catalogs, redis_url)  # the bot restarted
    again = second.user(77)
    await again.send("Junta de Fiscales Superiores de Puno")
    said = replies(await again.send("Carmen Apaza"))
    assert "Carmen Apaza" in plain(said[0]) and "Miembro titular" in plain(said[0])
    assert said[-1].startswith("https://t.me/cra_test_bot?start=")
    await second.dp.storage.close()
    roles = [i.role for i in (await db.exec(select(Invitation))).all()]
    assert roles.count(Role.MEMBER) == 1
