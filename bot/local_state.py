"""Conversation state and per-person locks in this process, holding only what is in use.

aiogram's MemoryStorage creates a record on every read (a defaultdict), and SimpleEventIsolation a
lock for every key it ever locked: one of each per person who ever wrote, kept for the process's
life (the soak, benchmarks/soak.py, saw 100 MB per 100,000 people). These keep a record only while a
conversation is under way (a state or data set) and a lock only while someone holds or awaits it.
"""

from __future__ import annotations

from asyncio import Lock
from collections.abc import AsyncGenerator, Hashable, Mapping
from contextlib import asynccontextmanager
from copy import copy
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage


class LocalStorage(MemoryStorage):
    """MemoryStorage whose reads create nothing and whose emptied records are dropped."""

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await super().set_state(key, state)
        self._drop_if_empty(key)

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.storage.get(key)
        return record.state if record is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await super().set_data(key, data)
        self._drop_if_empty(key)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.storage.get(key)
        return record.data.copy() if record is not None else {}

    async def get_value(self, storage_key: StorageKey, dict_key: str, default: Any | None = None) -> Any:
        record = self.storage.get(storage_key)
        return copy(record.data.get(dict_key, default)) if record is not None else default

    def _drop_if_empty(self, key: StorageKey) -> None:
        record = self.storage.get(key)
        if record is not None and record.state is None and not record.data:
            del self.storage[key]


class LocalIsolation(BaseEventIsolation):
    """One person's updates one at a time; a key's lock lives while it is held or awaited."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[Lock, int]] = {}  # the lock, and how many hold or await it

    @property
    def held(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key) or (Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def close(self) -> None:
        self._locks.clear()
