"""Updates per second and peak memory of the real bot process, against a bare echo bot.

    .venv/bin/python benchmarks/updates.py [--updates 1000] [--rounds 3] [--people 300]

Both run as real processes, each long-polling its own Bot API test double on 127.0.0.1, and are
fed the same /ayuda messages from `--people` registered people (few enough per person that flood
control, 30 a minute, never turns one away: the figure is for updates handled in full). The full
bot counts as handled when the update's transaction has committed (its reply is in the outbox;
delivery is paced separately, see broadcast.py); the echo bot when its reply reached the double.

The two are measured in alternating rounds, echo then full, and each round's ratio pairs two
measurements taken moments apart: this machine's speed drifts by ±40% between runs, and pairing
cancels most of it. Before the next echo round the full bot's replies are all delivered, so its
sender, still working at 30/s, never competes with the baseline. Prints each round, the median
ratio (goal ≥ 0.5), and each process's peak resident memory (VmHWM; goal < 150 MB for the bot),
the echo bot's being the floor that aiogram itself sets.
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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.middlewares import FloodMiddleware  # noqa: E402
from bot.workflows.membership.commissions import create_commission  # noqa: E402
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import ProcessedUpdate, Role  # noqa: E402
from tests.telegram_double import BotApiDouble  # noqa: E402

FIRST_PERSON = 50_001
WARM_UP = 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start(command: list[str], env: dict[str, str], double: BotApiDouble) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await double.wait_for_poll(timeout=120)
    return process


def feed(double: BotApiDouble, count: int, people: int) -> None:
    for i in range(count):
        double.user_sends(FIRST_PERSON + i % people, "/ayuda")


async def warm_up(double: BotApiDouble, done: Callable[[], Awaitable[int]], people: int) -> None:
    """The first updates build aiogram's types and SQLAlchemy's statement cache: a one-time cost."""
    feed(double, WARM_UP, people)
    await until(done, WARM_UP)


async def measure(
    process: asyncio.subprocess.Process,
    double: BotApiDouble,
    done: Callable[[], Awaitable[int]],
    round_number: int,
    count: int,
    people: int,
) -> tuple[float, float]:
    """Updates/s and CPU ms per update over the `count` updates of one round."""
    started, cpu = time.perf_counter(), cpu_seconds(process.pid)
    feed(double, count, people)
    await until(done, WARM_UP + round_number * count)
    elapsed = time.perf_counter() - started
    return count / elapsed, (cpu_seconds(process.pid) - cpu) / count * 1000


async def until(count: Callable[[], Awaitable[int]], target: int, limit: float = 300) -> None:
    """Wait (bounded) for a count kept by another process to reach `target`."""
    deadline = time.monotonic() + limit
    while await count() < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not reached {target} in {limit}s")
        await asyncio.sleep(0.02)


async def stop(process: asyncio.subprocess.Process) -> float:
    peak = peak_mb(process.pid)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 60)
    return peak


async def main(count: int, people: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        now = datetime.now(UTC)
        async with sessionmaker() as db, db.begin():
            cus, _ = await create_commission(db, "CUS", now=now)
            for n in range(people):
                issued = await issue_invitation(db, cus, Role.OBSERVER, now=now)
                await redeem_invitation(
                    db,
                    issued.token,
                    telegram_id=FIRST_PERSON + n,
                    telegram_name=f"P{n}",
                    language="qu",
                    now=now,
                )

        async def handled() -> int:
            async with sessionmaker() as db:
                return int((await db.exec(select(func.count()).select_from(ProcessedUpdate))).one())

        async with BotApiDouble() as echo_api, BotApiDouble() as bot_api:

            def env(double: BotApiDouble) -> dict[str, str]:
                variables = {**os.environ, "BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.base_url}
                return {**variables, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}

            def sent(double: BotApiDouble) -> Callable[[], Awaitable[int]]:
                async def count_sent() -> int:
                    return sum(1 for r in double.requests if r.method == "sendMessage")

                return count_sent

            echo = await start([sys.executable, "benchmarks/echo_bot.py"], env(echo_api), echo_api)
            bot = await start([sys.executable, "-m", "bot", "run"], env(bot_api), bot_api)
            echoed, delivered = sent(echo_api), sent(bot_api)
            await warm_up(echo_api, echoed, people)
            await warm_up(bot_api, handled, people)
            await until(delivered, WARM_UP)
            ratios: list[float] = []
            for n in range(1, rounds + 1):
                echo_rate, echo_cpu = await measure(echo, echo_api, echoed, n, count, people)
                full_rate, full_cpu = await measure(bot, bot_api, handled, n, count, people)
                await until(delivered, WARM_UP + n * count, limit=count / 10 + 60)
                ratios.append(full_rate / echo_rate)
                print(
                    f"round {n}: echo {echo_rate:6.1f}/s {echo_cpu:4.2f} ms CPU each, "
                    f"full {full_rate:6.1f}/s {full_cpu:4.2f} ms CPU each, ratio {ratios[-1]:.3f}"
                )
            echo_peak, bot_peak = await stop(echo), await stop(bot)
        await engine.dispose()
    ratios.sort()
    print(f"full ÷ echo, median of {rounds} rounds {statistics.median(ratios):8.3f} (goal ≥ 0.5)")
    print(f"  (lowest {ratios[0]:.3f}, highest {ratios[-1]:.3f})")
    print(f"echo bot peak memory  {echo_peak:8.1f} MB")
    print(f"bot peak memory       {bot_peak:8.1f} MB = {bot_peak / echo_peak:.2f} × echo bot (goal < 150 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    if (WARM_UP + args.rounds * args.updates) / args.people > FloodMiddleware().burst:
        parser.error("too many updates per person: flood control would ignore some; add --people")
    asyncio.run(main(args.updates, args.people, args.rounds))
