"""The report process: where charts, workbooks and on-demand reports are built.

A separate process (spawned: nothing inherited), kept for the bot's life: matplotlib holds the GIL
for seconds, and from a thread it still delayed replies ~1 s. It runs at a lower priority, so on a
busy machine the bot's event loop gets the CPU first and a render waits instead of a reply.

`use_database(url)` (the composition root) lets the process read the database itself, so an
on-demand report's data step leaves the bot process too; without it (tests on a private schema),
the data step runs in the bot process.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

LOWER_PRIORITY = 10  # nice increment

_database: list[str] = []


def use_database(url: str | None) -> None:
    """The database the report process reads on-demand reports from (None: read in the bot)."""
    _database[:] = [url] if url else []


def database_url() -> str | None:
    return _database[0] if _database else None


@functools.cache
def report_process() -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_lower_priority)


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(LOWER_PRIORITY)
