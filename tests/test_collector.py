"""The garbage collector once the bot has started (bot/collector.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.collector import YOUNG_THRESHOLD, settle_after_start


class Node:
    def __init__(self) -> None:
        self.peer: Node | None = None


@pytest.fixture
def settled() -> Iterator[None]:
    before = gc.get_threshold()
    settle_after_start()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.usefixtures("settled")
def test_start_up_is_frozen_and_young_objects_wait_longer() -> None:
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


@pytest.mark.usefixtures("settled")
def test_garbage_in_a_cycle_is_still_collected_without_being_asked() -> None:
    a, b = Node(), Node()
    a.peer, b.peer = b, a
    gone = weakref.ref(a)
    del a, b
    assert gone() is not None  # a cycle: reference counting alone never frees it
    keep = [[] for _ in range(3 * YOUNG_THRESHOLD)]  # allocations, as updates make them
    assert gone() is None
    del keep
