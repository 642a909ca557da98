"""The flood counter remembers only recent writers, so a long-running process does not grow."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User

from bot.middlewares import FloodMiddleware


async def handled(event: TelegramObject, data: dict[str, Any]) -> str:
    return "handled"


async def write(flood: FloodMiddleware, person: int) -> Any:
    user = User(id=person, is_bot=False, first_name="Rosa")
    return await flood(handled, TelegramObject(), {"event_from_user": user})


async def test_people_quiet_for_a_window_are_forgotten_and_the_limit_still_holds() -> None:
    now = [0.0]
    flood = FloodMiddleware(limit=2, window=60, clock=lambda: now[0])
    for person in range(10_000):  # ten thousand people, one update each, over 10 minutes
        now[0] = person * 0.06
        assert await write(flood, person) == "handled"
    # Only the people who wrote in the last minute (or so, it sweeps once a window) are kept.
    assert flood.remembered <= 2 * 60 / 0.06 + 1
    assert flood.remembered < 10_000 / 4

    # Forgetting the quiet does not forget the active: a third update within the window is ignored.
    now[0] = 700.0
    assert await write(flood, 42) == "handled"
    assert await write(flood, 42) == "handled"
    now[0] = 730.0
    assert await write(flood, 42) != "handled"
    now[0] = 2_000.0  # everyone quiet for a long while: nobody kept
    assert await write(flood, 7) == "handled"
    assert flood.remembered == 1
