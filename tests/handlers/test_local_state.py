"""Conversation state and per-person locks in memory hold only what is in use: a process that has
seen 100,000 people keeps nothing for those who are not in a conversation (benchmarks/soak.py)."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey

from bot.local_state import LocalIsolation, LocalStorage
from tests.harness import Harness, replies


async def test_people_who_wrote_once_leave_nothing_behind(harness: Harness) -> None:
    storage, isolation = harness.dp.fsm.storage, harness.dp.fsm.events_isolation
    assert isinstance(storage, LocalStorage) and isinstance(isolation, LocalIsolation)
    for n in range(30):
        answer = replies(await harness.user(90_000 + n).send("/ayuda"))
        assert answer and "invitación" in answer[0]  # strangers are told how to join
    assert storage.storage == {}
    assert isolation.held == 0


async def test_a_conversation_keeps_its_record_until_it_ends() -> None:
    storage = LocalStorage()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    assert await storage.get_state(key) is None and await storage.get_data(key) == {}
    assert await storage.get_value(key, "step", "none") == "none" and storage.storage == {}
    await storage.set_state(key, "Agreement:title")
    await storage.update_data(key, {"title": "Plan"})
    assert await storage.get_state(key) == "Agreement:title"
    assert await storage.get_value(key, "title") == "Plan"
    await storage.set_state(key, None)
    assert len(storage.storage) == 1  # its data is still there
    await storage.set_data(key, {})
    assert storage.storage == {}


async def test_one_persons_updates_run_one_at_a_time_and_the_lock_goes_with_them() -> None:
    isolation = LocalIsolation()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    order: list[str] = []

    async def update(name: str) -> None:
        async with isolation.lock(key):
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(update("a"), update("b"), update("c"))
    assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert isolation.held == 0
