"""Soak: the real bot process over a bounded run, to show that its memory does not grow.

    .venv/bin/python benchmarks/soak.py [--minutes 5] [--updates 100000] [--replies 20000] [--every 30]
    .venv/bin/python benchmarks/soak.py --database postgresql+asyncpg://...   # an EMPTY database

Not part of the test suite. The bot long-polls a Bot API test double on 127.0.0.1 and is fed updates
from ever new people (the flood counter, per process, once kept a record for everyone it ever saw):
one in `--updates / --replies` is /ayuda in a private chat, answered (a sent message), the rest plain
text in a group, which the bot handles in a transaction and leaves unanswered. Updates are fed in
batches as the bot keeps up (at most `BACKLOG` waiting), so the run measures steady state.

It ends when `--updates` are handled or `--minutes` have passed, whichever comes first (the issue's
100,000 updates take ~10 minutes on a quiet machine: `--minutes 15`), then waits at most `DRAIN`
seconds for the replies to go out. Every `--every` seconds it prints a line: updates handled and
their rate, resident memory (VmRSS), the outbox backlog (messages waiting) and the errors so far
(ERROR lines in the bot's log, refused requests at the double). At the end: resident memory after
the run ÷ after the first `BASELINE_AT` updates (goal ≤ 1.05: no growth), the peak, and the totals.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: E402
from sqlmodel import select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from bot.workflows.monitoring import measure_backlog  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import ProcessedUpdate  # noqa: E402
from tests.telegram_double import BotApiDouble  # noqa: E402

FIRST_PERSON = 1_000_001
GROUP = -1_001_234_567
BATCH = 500
BACKLOG = 1_000  # updates fed and not yet handled, at most
BASELINE_AT = 10_000  # or the first progress line, in a run shorter than that
DRAIN = 60.0  # seconds to wait for the last replies after the feeding stops


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def feed(double: BotApiDouble, start: int, count: int, reply_every: int) -> None:
    """Updates number start .. start+count-1, each from a new person; every `reply_every`-th
    is an /ayuda in private (answered), the others text in a group (not answered)."""
    for n in range(start, start + count):
        person = FIRST_PERSON + n
        if n % reply_every == 0:
            double.user_sends(person, "/ayuda", first_name=f"P{n}")
        else:
            text = f"mensaje {n}"
            double.user_sends(person, text, first_name=f"P{n}", chat_id=GROUP, chat_type="supergroup")


class Watch:
    """What the progress lines report, read from the database, the double, /proc and the log."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], double: BotApiDouble, pid: int, log: Path
    ) -> None:
        self.sessionmaker, self.double, self.pid, self.log = sessionmaker, double, pid, log
        self.started = time.monotonic()

    async def handled(self) -> int:
        async with self.sessionmaker() as db:
            return int((await db.exec(select(func.count()).select_from(ProcessedUpdate))).one())

    async def backlog(self) -> int:
        async with self.sessionmaker() as db:
            return (await measure_backlog(db)).count

    def sent(self) -> int:
        return sum(1 for r in self.double.requests if r.method == "sendMessage" and r.status == 200)

    def errors(self) -> tuple[int, int]:
        """ERROR lines the bot logged; requests the double refused (not 200)."""
        logged = sum(1 for line in self.log.read_text(errors="replace").splitlines() if " ERROR " in line)
        return logged, sum(1 for r in self.double.requests if r.status != 200)

    async def line(self, done: int, rate: float) -> str:
        logged, refused = self.errors()
        return (
            f"{time.monotonic() - self.started:6.0f} {done:>9,} {rate:8.0f} {resident_mb(self.pid):8.1f} "
            f"{await self.backlog():8,} {self.sent():8,} {logged:6} {refused:7}"
        )


HEADER = (
    f"{'s':>6} {'handled':>9} {'upd/s':>8} {'RSS MB':>8} {'outbox':>8} {'sent':>8} "
    f"{'errors':>6} {'refused':>7}"
)


async def soak(watch: Watch, updates: int, replies: int, minutes: float, every: float) -> dict[str, float]:
    """Feed and watch until `updates` are handled or `minutes` pass; then let the replies drain."""
    deadline = watch.started + minutes * 60
    fed, baseline, peak, last_at, last_done = 0, 0.0, 0.0, watch.started, 0
    reply_every = max(1, updates // replies)
    print(HEADER, flush=True)
    while True:
        done = await watch.handled()
        peak = max(peak, resident_mb(watch.pid))
        clock = time.monotonic()
        if not baseline and done >= min(BASELINE_AT, updates):
            baseline = resident_mb(watch.pid)
            print(f"baseline after {done:,} updates: {baseline:.1f} MB resident", flush=True)
        if clock - last_at >= every:
            print(await watch.line(done, (done - last_done) / (clock - last_at)), flush=True)
            last_at, last_done = clock, done
            baseline = baseline or resident_mb(watch.pid)  # a short run: its first line
        if done >= updates or clock > deadline:
            break
        if fed < updates and fed - done < BACKLOG:
            count = min(BATCH, updates - fed)
            feed(watch.double, fed, count, reply_every)
            fed += count
        else:
            await asyncio.sleep(0.2)  # polling another process's progress, bounded by the deadline
    elapsed = time.monotonic() - watch.started
    expected = len(range(0, done, reply_every))  # the answered ones among those handled
    drain_until = time.monotonic() + DRAIN
    while watch.sent() < expected and time.monotonic() < drain_until:  # noqa: ASYNC110
        await asyncio.sleep(1)
    print(await watch.line(await watch.handled(), 0.0), flush=True)
    return {
        "done": done,
        "elapsed": elapsed,
        "baseline": baseline or resident_mb(watch.pid),
        "final": resident_mb(watch.pid),
        "peak": max(peak, resident_mb(watch.pid, "VmHWM")),
        "expected": expected,
    }


async def main(url: str | None, updates: int, replies: int, minutes: float, every: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{folder}/soak.db"
        upgrade(database)
        engine = make_engine(database)
        log = Path(folder) / "bot.log"
        async with BotApiDouble() as double:
            double.add_chat(GROUP, chat_type="supergroup", title="Soak")
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "REDIS_"))},
                "BOT_TOKEN": double.token,
                "TELEGRAM_API_URL": double.base_url,
                "DATABASE_URL": database,
                "LOG_LEVEL": "WARNING",
                "TELEGRAM_GLOBAL_RATE": "200",  # the double has no global limit; keeps up with replies
            }
            with log.open("wb") as stderr:
                bot = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=stderr
                )
                try:
                    await double.wait_for_poll(timeout=120)
                    watch = Watch(make_sessionmaker(engine), double, bot.pid, log)
                    result = await soak(watch, updates, replies, minutes, every)
                    sent, (logged, refused) = watch.sent(), watch.errors()
                    backlog = await watch.backlog()
                finally:
                    if bot.returncode is None:
                        bot.send_signal(signal.SIGTERM)
                        await asyncio.wait_for(bot.wait(), 120)
        await engine.dispose()
    done, elapsed = int(result["done"]), result["elapsed"]
    print(
        f"{done:,} updates handled in {elapsed / 60:.1f} min ({done / elapsed:.0f}/s"
        f"{'' if done >= updates else f'; stopped at --minutes, {updates:,} asked'}); "
        f"{sent:,} of {int(result['expected']):,} replies sent, {backlog:,} left in the outbox"
    )
    print(f"errors: {logged} logged by the bot, {refused} requests refused by the double")
    print(
        f"resident {result['final']:.1f} MB after the run ÷ {result['baseline']:.1f} MB at the baseline "
        f"= {result['final'] / result['baseline']:.3f} (goal ≤ 1.05); peak {result['peak']:.1f} MB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5, help="stop feeding after this long")
    parser.add_argument("--updates", type=int, default=100_000, help="stop after this many, if sooner")
    parser.add_argument("--replies", type=int, default=20_000, help="of the updates, how many are answered")
    parser.add_argument("--every", type=float, default=30, help="seconds between progress lines")
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    if not 0 < args.replies <= args.updates:
        parser.error("--replies must be between 1 and --updates")
    asyncio.run(main(args.database, args.updates, args.replies, args.minutes, args.every))
