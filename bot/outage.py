"""Telegram outages in the log: the first 5xx/timeout of an outage is logged at once, then a
summary at most once per interval while it lasts, and one line when delivery works again.

Without it, an operator would see an outage only when the sender gives up on a message (after
DELIVERY_GIVE_UP_MINUTES). State is per sender and bounded by the messages failing at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

log = logging.getLogger("bot.delivery")

SUMMARY_EVERY = timedelta(minutes=1)


class OutageLog:
    def __init__(self, every: timedelta = SUMMARY_EVERY) -> None:
        self.every = every
        self.failing: dict[int, datetime] = {}  # outbox row id → its first failure in this outage
        self._since: datetime | None = None
        self._last_summary: datetime | None = None

    def failed(self, row_id: int, error: str, *, now: datetime) -> None:
        """A send failed with a 5xx, a timeout or a network error (it will be retried)."""
        self.failing.setdefault(row_id, now)
        if self._since is None:
            self._since = self._last_summary = now
            log.warning(
                "Telegram is failing (%s); retrying with backoff, a summary at most every %.0f s",
                error,
                self.every.total_seconds(),
            )
            return
        assert self._last_summary is not None
        if now - self._last_summary >= self.every:
            self._last_summary = now
            log.warning(
                "Telegram still failing: %d messages failing, oldest since %s (last error: %s)",
                len(self.failing),
                min(self.failing.values()).isoformat(timespec="seconds"),
                error,
            )

    def settled(self, row_id: int, *, now: datetime) -> None:
        """A row was sent or given up: it fails no more; the outage ends when none does."""
        if self.failing.pop(row_id, None) is None or self.failing:
            return
        assert self._since is not None
        log.info(
            "Telegram delivering again after failures since %s (%s)",
            self._since.isoformat(timespec="seconds"),
            now - self._since,
        )
        self._since = self._last_summary = None

    def forget(self, row_id: int) -> None:
        """A failing row was given up: no longer counted (a new failure starts a new outage)."""
        self.failing.pop(row_id, None)
        if not self.failing:
            self._since = self._last_summary = None
