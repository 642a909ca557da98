"""Prometheus metrics of the bot process, served at `/metrics` (bot/health.py).

Counters are bumped where things happen (an increment is a lock and an add: negligible per update);
the outbox backlog is measured in the database when `/metrics` is scraped, not on every update.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_HANDLED = Counter("cra_updates_handled", "Telegram updates handled (committed)", registry=REGISTRY)
UPDATES_REFUSED = Counter(
    "cra_updates_refused",
    "Telegram updates refused with an explanation (not allowed, invalid)",
    registry=REGISTRY,
)
SENDS = Counter(
    "cra_sends",
    "Outbox send attempts by result: ok, 429, 5xx (and timeouts), 403, 400",
    ["result"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "cra_outbox_backlog", "Messages waiting in the outbox (pending or being sent)", registry=REGISTRY
)
OUTBOX_OLDEST_AGE = Gauge(
    "cra_outbox_oldest_due_age_seconds", "How long the oldest waiting message has waited", registry=REGISTRY
)
SCHEDULER_TICKS = Counter(
    "cra_scheduler_ticks", "Scheduler ticks run by this process as leader", registry=REGISTRY
)
SCHEDULER_LAG = Gauge(
    "cra_scheduler_lag_seconds",
    "How much later than its interval the last scheduler tick started",
    registry=REGISTRY,
)
DIGEST_RUNS = Counter("cra_digest_runs", "Scheduled digest runs that queued digests", registry=REGISTRY)

for _result in ("ok", "429", "5xx", "403", "400", "error"):
    SENDS.labels(_result)  # every result shows from the start, at 0


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of a sample (tests, and the admin alerts)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
