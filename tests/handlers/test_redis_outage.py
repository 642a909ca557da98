"""Redis away for a while (a proxy in front of the real server, stopped and started again): the
bot keeps answering, someone mid-flow is told it lost its place, and it recovers by itself."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.shared_state import SharedIsolation, SharedStateStorage, connection_settings
from db.models import Invitation, Role
from tests.handlers.conftest import Invite
from tests.harness import make_harness, plain, replies
from tests.tcp_proxy import TcpProxy

LOST = "Perdí el hilo de la conversación"


@pytest.fixture
async def redis_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    real = make_url(url)
    async with TcpProxy(real.host or "127.0.0.1", real.port or 6379) as proxy:
        yield proxy, f"redis://127.0.0.1:{proxy.port}/{real.database or 0}"


async def test_the_bot_answers_without_redis_and_recovers(
    sessionmaker: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    redis_proxy: tuple[TcpProxy, str],
    invite: Invite,
    db: AsyncSession,
) -> None:
    proxy, url = redis_proxy
    redis = RedisStorage.from_url(
        url,
        key_builder=DefaultKeyBuilder(prefix=f"outage{os.getpid()}"),
        connection_kwargs=connection_settings(),
    )
    storage = SharedStateStorage(redis, probe_every=0)  # try Redis at every call: no waiting here
    harness = make_harness(sessionmaker, catalogs, storage=storage)
    harness.dp.fsm.events_isolation = SharedIsolation(redis.create_isolation(), probe_every=0)
    sec = harness.user(78)
    await sec.join(await invite("PUN", Role.SECRETARY, "Gobierno Regional de Puno"))
    await sec.click("Español")
    await sec.send("/invitar")
    await sec.click("Miembro titular")
    await sec.click("Otra institución")

    await proxy.stop()  # Redis goes away while she is asked for the institution's name
    started = time.monotonic()
    said = replies(await sec.send("Junta de Fiscales Superiores de Puno"))
    assert len(said) == 1 and LOST in said[0]  # told, not misread as free text
    assert "/perfil" in plain(replies(await sec.send("/ayuda"))[-1])  # commands still answered
    assert LOST in replies(await sec.send("Carmen Apaza"))[0]
    assert time.monotonic() - started < 5  # each update answered promptly, not after long waits

    await proxy.start()  # Redis is back: the same flow works again, with nothing restarted
    await sec.send("/invitar")
    await sec.click("Miembro titular")
    await sec.click("Otra institución")
    await sec.send("Junta de Fiscales Superiores de Puno")
    said = replies(await sec.send("Carmen Apaza"))
    assert "Carmen Apaza" in plain(said[0]) and "Miembro titular" in plain(said[0])
    await storage.close()
    roles = [i.role for i in (await db.exec(select(Invitation))).all()]
    assert roles.count(Role.MEMBER) == 1
