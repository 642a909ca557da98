"""Updates per second and peak memory of the real bot process, against a bare echo bot.

    .venv/bin/python benchmarks/updates.py [--updates 1000] [--people 200]

Both run as real processes long-polling the Bot API test double on 127.0.0.1, fed the same
/ayuda messages from `--people` registered people (few enough per person that flood control,
30 a minute, never turns one away: the figure is for updates handled in full). The full bot
counts as handled when the update's transaction has committed (its reply is in the outbox;
delivery is paced separately, see broadcast.py); the echo bot when its reply reached the
double. Prints full ÷ echo (goal ≥ 0.5) and each process's peak resident memory (VmHWM; goal
< 150 MB for the bot), the echo bot's being the floor that aiogram itself sets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
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
from bot.workflows.onboarding import create_commission, issue_invitation, redeem_invitation  # noqa: E402
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


async def measure(
    process: asyncio.subprocess.Process,
    double: BotApiDouble,
    done: Callable[[], Awaitable[int]],
    count: int,
    people: int,
) -> tuple[float, float]:
    """Updates/s and CPU ms per update over `count` updates, after a warm-up of WARM_UP (the first
    updates build aiogram's types and SQLAlchemy's statement cache: a one-time cost)."""
    feed(double, WARM_UP, people)
    await until(done, WARM_UP)
    started, cpu = time.perf_counter(), cpu_seconds(process.pid)
    feed(double, count, people)
    await until(done, WARM_UP + count)
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


async def main(count: int, people: int) -> None:
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

        async with BotApiDouble() as double:
            env = {**os.environ, "BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.base_url}
            env.update(DATABASE_URL=url, LOG_LEVEL="WARNING")

            echo = await start([sys.executable, "benchmarks/echo_bot.py"], env, double)
            before = len(double.requests)

            async def echoed() -> int:
                return sum(1 for r in double.requests[before:] if r.method == "sendMessage")

            echo_rate, echo_cpu = await measure(echo, double, echoed, count, people)
            echo_peak = await stop(echo)

            bot = await start([sys.executable, "-m", "bot", "run"], env, double)
            full_rate, full_cpu = await measure(bot, double, handled, count, people)
            bot_peak = await stop(bot)
        await engine.dispose()
    for name, rate, cpu, peak in (
        ("echo bot (baseline)", echo_rate, echo_cpu, echo_peak),
        ("full bot", full_rate, full_cpu, bot_peak),
    ):
        print(f"{name:20s}  {rate:8.1f} updates/s   {cpu:5.2f} ms CPU each   peak {peak:6.1f} MB")
    print(f"full ÷ echo           {full_rate / echo_rate:8.3f} (goal ≥ 0.5)")
    print(f"bot peak memory       {bot_peak:8.1f} MB = {bot_peak / echo_peak:.2f} × echo bot (goal < 150 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    if (args.updates + WARM_UP) / args.people > FloodMiddleware().limit:
        parser.error("too many updates per person: flood control would ignore some; add --people")
    asyncio.run(main(args.updates, args.people))
