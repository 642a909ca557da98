"""Updates per second and peak memory of the real bot process, against a bare echo bot.

    .venv/bin/python benchmarks/updates.py [--updates 1000] [--rounds 3] [--people 300]
        [--databases sqlite postgres] [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_updates]

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

Each database is measured in turn, each with its own echo baseline, and printed side by side: SQLite
(a temporary file) and PostgreSQL (the national deployment; asyncpg), on a database of its own that
is created for the run and dropped after it (`--postgres-url` names it; the server must trust the
user, as the test server on 127.0.0.1 does).
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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, make_url, text  # noqa: E402
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
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_updates"


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


@dataclass
class Figures:
    ratios: list[float]
    echo_peak: float
    bot_peak: float
    cpu: tuple[float, float]  # ms per update: echo, full (medians)


@asynccontextmanager
async def database(kind: str, postgres_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one measurement: a temporary SQLite file, or a PostgreSQL
    database created for it and dropped after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            upgrade(url)
            yield url
        return
    name = make_url(postgres_url).database
    admin = make_engine(
        make_url(postgres_url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        upgrade(postgres_url)
        yield postgres_url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def register(url: str, people: int) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with make_sessionmaker(engine)() as db, db.begin():
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
    await engine.dispose()


async def measure_database(kind: str, url: str, count: int, people: int, rounds: int) -> Figures:
    await register(url, people)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)

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
        cpu: list[tuple[float, float]] = []
        for n in range(1, rounds + 1):
            echo_rate, echo_cpu = await measure(echo, echo_api, echoed, n, count, people)
            full_rate, full_cpu = await measure(bot, bot_api, handled, n, count, people)
            await until(delivered, WARM_UP + n * count, limit=count / 10 + 60)
            ratios.append(full_rate / echo_rate)
            cpu.append((echo_cpu, full_cpu))
            print(
                f"{kind} round {n}: echo {echo_rate:6.1f}/s {echo_cpu:4.2f} ms CPU each, "
                f"full {full_rate:6.1f}/s {full_cpu:4.2f} ms CPU each, ratio {ratios[-1]:.3f}",
                flush=True,
            )
        echo_peak, bot_peak = await stop(echo), await stop(bot)
    await engine.dispose()
    medians = (statistics.median(c[0] for c in cpu), statistics.median(c[1] for c in cpu))
    return Figures(sorted(ratios), echo_peak, bot_peak, medians)


async def main(count: int, people: int, rounds: int, kinds: list[str], postgres_url: str) -> None:
    figures: dict[str, Figures] = {}
    for kind in kinds:
        async with database(kind, postgres_url) as url:
            figures[kind] = await measure_database(kind, url, count, people, rounds)
    print(f"\n{count} /ayuda updates per round, {rounds} rounds, {people} people (shared, noisy machine)")
    print(f"{'':34}" + "".join(f"{kind:>12}" for kind in figures))
    rows: list[tuple[str, Callable[[Figures], str]]] = [
        ("full ÷ echo, median (goal ≥ 0.5)", lambda f: f"{statistics.median(f.ratios):.3f}"),
        ("  lowest – highest round", lambda f: f"{f.ratios[0]:.2f}–{f.ratios[-1]:.2f}"),
        ("CPU ms per update, echo", lambda f: f"{f.cpu[0]:.2f}"),
        ("CPU ms per update, full", lambda f: f"{f.cpu[1]:.2f}"),
        ("echo bot peak memory MB", lambda f: f"{f.echo_peak:.1f}"),
        ("bot peak memory MB (goal < 150)", lambda f: f"{f.bot_peak:.1f}"),
    ]
    for label, cell in rows:
        print(f"{label:34}" + "".join(f"{cell(f):>12}" for f in figures.values()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"]
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="created for the run, then dropped")
    args = parser.parse_args()
    if (WARM_UP + args.rounds * args.updates) / args.people > FloodMiddleware().burst:
        parser.error("too many updates per person: flood control would ignore some; add --people")
    asyncio.run(main(args.updates, args.people, args.rounds, args.databases, args.postgres_url))
