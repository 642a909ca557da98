"""The shared pace with Redis away (a proxy in front of the real server, stopped and started):
each process paces itself at a safe fraction of the rate, then shares the pace again by itself."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import make_url

from bot.delivery import LocalPacer, RedisPacer
from bot.shared_state import connection_settings
from tests.tcp_proxy import TcpProxy


@pytest.fixture
async def redis_behind_proxy() -> AsyncIterator[tuple[TcpProxy, Redis]]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    real = make_url(url)
    async with TcpProxy(real.host or "127.0.0.1", real.port or 6379) as proxy:
        client = Redis(port=proxy.port, db=int(real.database or 0), **connection_settings())
        try:
            yield proxy, client
        finally:
            await client.aclose()


async def test_pacing_falls_back_to_a_safe_local_pace_and_recovers(
    redis_behind_proxy: tuple[TcpProxy, Redis], caplog: pytest.LogCaptureFixture
) -> None:
    proxy, client = redis_behind_proxy
    key = f"test:pacer:{uuid.uuid4().hex}"
    pacer = RedisPacer(client, rate=20, key=key, probe_every=0)
    now, slept = [100.0], []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer.fallback = LocalPacer(20 * 0.25, clock=lambda: now[0], sleep=sleep)
    await pacer.wait_turn()
    assert await client.exists(key)  # shared: the slot is in Redis

    await proxy.stop()
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        for _ in range(5):
            await pacer.wait_turn()  # returns: sending goes on without Redis
        assert slept == pytest.approx([0.2] * 4)  # 5/s: a quarter of the 20/s shared rate
        assert sum("pacing this process alone" in r.message for r in caplog.records) == 1

        await proxy.start()
        await client.delete(key)
        await pacer.wait_turn()
        assert await client.exists(key)  # shared again, nothing restarted
        assert any("Redis is back" in r.message for r in caplog.records)
    await client.delete(key)
