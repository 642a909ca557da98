"""The report process, where charts are drawn.

A separate process (spawned: nothing inherited), kept for the bot's life: matplotlib holds the GIL
for seconds, and from a thread it still delayed replies ~1 s. It runs at a lower priority, so on a
busy machine the bot's event loop gets the CPU first and a render waits instead of a reply.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

LOWER_PRIORITY = 10  # nice increment


@functools.cache
def report_process() -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_lower_priority)


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(LOWER_PRIORITY)
