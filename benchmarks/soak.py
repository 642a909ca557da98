"""Soak: the real bot process over a long run, to show that its memory does not grow.

    .venv/bin/python benchmarks/soak.py [--updates 100000] [--replies 20000] [--minutes 15]
    .venv/bin/python benchmarks/soak.py --database postgresql+asyncpg://...   # an EMPTY database

About 10 minutes on a quiet machine; not part of the test suite. The bot long-polls a Bot API test
double on 127.0.0.1 and is fed `--updates` updates from ever new people (the flood counter, per
process, once kept a record for everyone it ever saw): `--replies` of them are /ayuda in private
chats, each answered (sent messages), the rest plain text in a group, which the bot handles in a
transaction and leaves unanswered. Updates are fed in batches as the bot keeps up (at most
`BACKLOG` waiting), so the run measures steady state, not a queue.

Prints the resident memory (VmRSS) after the first 10,000 updates and after the run, their ratio
(goal ≤ 1.05: no growth), the peak, and the throughput. Bounded: gives up after `--minutes`.
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
from sqlmodel import select  # noqa: E402

from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import ProcessedUpdate  # noqa: E402
from tests.telegram_double import BotApiDouble  # noqa: E402

FIRST_PERSON = 1_000_001
GROUP = -1_001_234_567
BATCH = 500
BACKLOG = 1_000  # updates fed and not yet handled, at most
BASELINE_AT = 10_000


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


async def main(url: str | None, updates: int, replies: int, minutes: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{folder}/soak.db"
        upgrade(database)
        engine = make_engine(database)
        sessionmaker = make_sessionmaker(engine)

        async def handled() -> int:
            async with sessionmaker() as db:
                return int((await db.exec(select(func.count()).select_from(ProcessedUpdate))).one())

        deadline = time.monotonic() + minutes * 60
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
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=asyncio.subprocess.DEVNULL
            )
            try:
                await double.wait_for_poll(timeout=120)
                started, fed, baseline, peak, reported = time.monotonic(), 0, 0.0, 0.0, 0
                reply_every = max(1, updates // replies)
                while True:
                    done = await handled()
                    if not baseline and done >= BASELINE_AT:
                        baseline = resident_mb(bot.pid)
                        print(f"after {done:>7,} updates: {baseline:6.1f} MB resident", flush=True)
                    peak = max(peak, resident_mb(bot.pid))
                    if done >= reported + 10_000:
                        reported = done - done % 10_000
                        print(f"  {done:>7,} handled, {time.monotonic() - started:5.0f} s", flush=True)
                    if done >= updates:
                        break
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"only {done:,} of {updates:,} updates handled in {minutes} min")
                    if fed < updates and fed - done < BACKLOG:
                        count = min(BATCH, updates - fed)
                        feed(double, fed, count, reply_every)
                        fed += count
                    else:
                        await asyncio.sleep(0.2)  # polling another process's progress, bounded above
                elapsed = time.monotonic() - started
                expected = len(range(0, updates, reply_every))
                while (sent := sum(1 for r in double.requests if r.method == "sendMessage")) < expected:
                    print(f"  {sent:>7,} of {expected:,} replies sent", flush=True)
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"only {sent:,} of {expected:,} replies sent in {minutes} min")
                    await asyncio.sleep(5)
                final = resident_mb(bot.pid)
                peak = max(peak, resident_mb(bot.pid, "VmHWM"))
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(bot.wait(), 120)
        await engine.dispose()
    print(f"after {updates:>7,} updates: {final:6.1f} MB resident ({sent:,} messages sent)")
    print(f"final ÷ after {BASELINE_AT:,}: {final / baseline:.3f} (goal ≤ 1.05)")
    print(f"peak resident {peak:.1f} MB; {updates / elapsed:.0f} updates/s over {elapsed / 60:.1f} min")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=20_000, help="of the updates, how many are answered")
    parser.add_argument("--minutes", type=float, default=15, help="give up after this long")
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    if args.updates < BASELINE_AT or not 0 < args.replies <= args.updates:
        parser.error(f"--updates must be ≥ {BASELINE_AT:,} and --replies between 1 and --updates")
    asyncio.run(main(args.database, args.updates, args.replies, args.minutes))
