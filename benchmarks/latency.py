"""Reply latency of the real bot process: idle, during a broadcast, during a national report.

    .venv/bin/python benchmarks/latency.py [--updates 40] [--broadcast 1500]

The bot (`cra-bot run`, on SQLite, the sender at the default pace) long-polls the Bot API
test double on 127.0.0.1, which also enforces the global rate. 20 registered people send `/ayuda`
at 2 updates/s; latency is from the update entering the double to the bot's reply reaching it (the
double's own clock for both). Three phases of `--updates` each:

- idle;
- while a broadcast of `--broadcast` notices (queued in the outbox, as a convocation or a CAN
  announcement is) drains — 50 s at 30/s, longer than the phase;
- while a CAN analyst asks for the national report (26 regions; seconds of matplotlib) every 4 s.

Prints p50/p95 per phase and as ratios to idle. Goals: p95 during the broadcast ≤ 2 × idle p95 and
< 1.5 s; no reply delayed more than 0.5 s by a report render (its latency minus the idle median).
Every wait is bounded; everything is on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.national_dataset import generate  # noqa: E402
from bot.workflows.membership.commissions import create_commission  # noqa: E402
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation  # noqa: E402
from bot.workflows.outbox import enqueue_text  # noqa: E402
from bot.workflows.reports.digests import record_digest, reports_tick  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Role  # noqa: E402
from tests.telegram_double import BotApiDouble  # noqa: E402

PEOPLE = 20
FIRST_PERSON = 70_001
ANALYST = 69_999
RATE = 2.0  # updates per second
REPORT_EVERY = 4.0  # seconds between national reports in the third phase
WAIT_LIMIT = 120.0


async def prepare(url: str) -> None:
    """The national data set (26 regions), 20 observers in Cusco's CRA, a CAN analyst."""
    upgrade(url)
    await generate(url, scale=1)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    now = datetime.now(UTC)
    async with sessionmaker() as db, db.begin():
        can, _ = await create_commission(db, "CAN", now=now)
        cus, _ = await create_commission(db, "CUS", now=now)
        members = [(FIRST_PERSON + n, cus, Role.OBSERVER) for n in range(PEOPLE)]
        for telegram_id, commission, role in [*members, (ANALYST, can, Role.CAN_ANALYST)]:
            issued = await issue_invitation(db, commission, role, now=now)
            await redeem_invitation(
                db,
                issued.token,
                telegram_id=telegram_id,
                telegram_name=f"P{telegram_id}",
                language="es",
                now=now,
            )
        for item in await reports_tick(db, now):  # digests already sent: none renders during the run
            await record_digest(db, item, now=now)
    await engine.dispose()


async def broadcast(url: str, count: int) -> None:
    """Queue `count` notices to as many chats, as bot/notify.py queues a convocation."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with make_sessionmaker(engine)() as db, db.begin():
        for chat in range(1, count + 1):
            await enqueue_text(db, chat, f"Comunicado de la CAN, aviso {chat}", now=now)
    await engine.dispose()


def first_reply_after(double: BotApiDouble, chat_id: int, since: float) -> float | None:
    for record in double.requests:
        wanted = record.method == "sendMessage" and record.status == 200
        if wanted and record.at > since and record.params.get("chat_id") == chat_id:
            return record.at
    return None


async def measure(
    double: BotApiDouble, updates: int, *, during: asyncio.Task[None] | None = None
) -> list[float]:
    """`updates` /ayuda at RATE per second from the people in turn; their reply latencies."""
    sent: list[tuple[int, float]] = []
    started = time.monotonic()
    for n in range(updates):
        await asyncio.sleep(max(0.0, started + n / RATE - time.monotonic()))
        chat = FIRST_PERSON + n % PEOPLE
        sent.append((chat, time.monotonic()))
        double.user_sends(chat, "/ayuda")
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        replies = [first_reply_after(double, chat, at) for chat, at in sent]
        if all(r is not None for r in replies):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sum(r is None for r in replies)} replies missing after {WAIT_LIMIT}s")
        await asyncio.sleep(0.1)
    if during is not None:
        during.cancel()
    return [reply - at for reply, (_, at) in zip(replies, sent, strict=True) if reply is not None]


async def reports(double: BotApiDouble) -> None:
    """The analyst asks for the national report every REPORT_EVERY seconds (until cancelled)."""
    for _ in range(1000):
        double.user_sends(ANALYST, "/informe nacional")
        await asyncio.sleep(REPORT_EVERY)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def sent_to(double: BotApiDouble, chats: range) -> int:
    return sum(1 for r in double.requests if r.method == "sendMessage" and r.params.get("chat_id") in chats)


async def main(updates: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await prepare(url)
        async with BotApiDouble(global_rate=30.0) as double:
            for chat in range(1, count + 1):
                double.add_chat(chat)
            env = {
                **os.environ,
                "BOT_TOKEN": double.token,
                "TELEGRAM_API_URL": double.base_url,
                "DATABASE_URL": url,
                "LOG_LEVEL": "WARNING",
            }
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
            )
            try:
                await double.wait_for_poll(timeout=WAIT_LIMIT)
                await measure(double, PEOPLE)  # warm-up: one each
                idle = await measure(double, updates)

                await broadcast(url, count)
                first_notice = time.monotonic()
                during_broadcast = await measure(double, updates)
                drained = sent_to(double, range(1, count + 1))
                deadline = time.monotonic() + WAIT_LIMIT
                while sent_to(double, range(1, count + 1)) < count and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.5)  # another process's progress, polled (bounded)
                drain_seconds = time.monotonic() - first_notice

                renders_before = sum(1 for r in double.requests if r.method == "sendDocument")
                during_report = await measure(double, updates, during=asyncio.create_task(reports(double)))
                charts = sum(1 for r in double.requests if r.method == "sendDocument") - renders_before
                refused = sum(1 for r in double.requests if r.status == 429)  # the double's 30/s
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 60)
    base50, base95 = statistics.median(idle), p95(idle)
    print(f"{updates} × /ayuda from {PEOPLE} people at {RATE:g}/s per phase (shared, noisy machine)")
    print(f"{'phase':<28}{'p50 s':>8}{'p95 s':>8}{'p50 ×':>8}{'p95 ×':>8}{'max s':>8}")
    for name, values in (
        ("idle", idle),
        ("during broadcast", during_broadcast),
        ("during national report", during_report),
    ):
        v50, v95 = statistics.median(values), p95(values)
        print(f"{name:<28}{v50:8.3f}{v95:8.3f}{v50 / base50:8.2f}{v95 / base95:8.2f}{max(values):8.3f}")
    print(
        f"broadcast: {drained} of {count} notices sent while measuring (still draining), "
        f"all {count} in {drain_seconds:.1f} s; {refused} requests refused with 429"
    )
    worst = max(during_report) - base50
    print(f"report: {charts} files sent; worst delay over the idle median {worst:.3f} s (goal ≤ 0.5)")
    print(
        f"goal p95 during broadcast ≤ 2 × idle and < 1.5 s: "
        f"{'met' if p95(during_broadcast) <= 2 * base95 and p95(during_broadcast) < 1.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=40, help="per phase")
    parser.add_argument("--broadcast", type=int, default=1500)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.broadcast))
