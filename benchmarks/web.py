"""The web side's response times on the national data set at 1×, 4× and 16×, on SQLite.

    .venv/bin/python benchmarks/web.py [--scales 1 4 16] [--requests 40]

For each scale it generates the data set (benchmarks/national_dataset.py: 26 regions, ~5,000
agreements and ~50,000 progress updates at 1×), adds the CAN with an analyst, starts the real web
application (bot/web/app.py) on 127.0.0.1 and times whole HTTP requests, one at a time, after a
warm-up: the national dashboard for the year (`/panel?periodo=2026`, signed in as the analyst), a
drill-down (`/panel/acuerdos?periodo=2026&vencidos=1`), and a public commission page for the year
(`/cra/CUS`). It prints p50 and p95 per page, and each p95 as a ratio to its 1× figure.
Goal: p95 < 300 ms at 1×, growth no worse than linear (ratio ≤ scale).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from benchmarks.national_dataset import NOW, create  # noqa: E402
from bot.web.app import build_app  # noqa: E402
from bot.web.security import RateLimiter  # noqa: E402
from bot.workflows.membership.commissions import create_commission  # noqa: E402
from bot.workflows.portal.login import issue_login_link  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.models import Membership, Person, Role  # noqa: E402

PAGES = {
    "dashboard": "/panel?periodo=2026",
    "drill-down": "/panel/acuerdos?periodo=2026&vencidos=1",
    "public page": "/cra/CUS",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(path: Path, requests: int) -> dict[str, tuple[float, float, int]]:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker.begin() as db:
        can, _ = await create_commission(db, "CAN", now=NOW)
        analyst = Person(name="Analista", telegram_id=1, created_at=NOW, active_commission_id=can.id)
        db.add(analyst)
        await db.flush()
        assert analyst.id is not None and can.id is not None
        db.add(Membership(person_id=analyst.id, commission_id=can.id, role=Role.CAN_ANALYST, created_at=NOW))
        await db.flush()
        token = (await issue_login_link(db, analyst, now=NOW)).token
    app = build_app(
        sessionmaker, base_url="http://127.0.0.1", clock=lambda: NOW, limiter=RateLimiter(burst=1e9)
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    results: dict[str, tuple[float, float, int]] = {}
    try:
        async with ClientSession(base_url=str(server.make_url(""))) as client:
            login = await client.post(f"/entrar/{token}", allow_redirects=False)
            cookies = {"cra_sesion": login.cookies["cra_sesion"].value}
            for name, url in PAGES.items():
                times, size = [], 0
                for i in range(requests + 3):
                    started = time.perf_counter()
                    async with client.get(url, cookies=cookies) as response:
                        body = await response.read()
                        assert response.status == 200, (url, response.status)
                    if i >= 3:  # the first ones warm SQLAlchemy's and Jinja2's caches
                        times.append(time.perf_counter() - started)
                    size = len(body)
                results[name] = (statistics.median(times), percentile(times, 0.95), size)
    finally:
        await server.close()
        await engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    base: dict[str, float] = {}
    print(f"{'scale':>5} {'agreements':>10} {'page':>12} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} {'KB':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            path = Path(tmp) / f"national_{scale}.db"
            counts = create(path, scale)
            for name, (p50, p95, size) in asyncio.run(measure(path, args.requests)).items():
                base.setdefault(name, p95)
                print(
                    f"{scale:>4}× {counts['agreements']:>10} {name:>12} {p50 * 1000:>8.1f} "
                    f"{p95 * 1000:>8.1f} {p95 / base[name]:>6.2f} {size / 1024:>7.0f}",
                    flush=True,
                )
    print("goal: p95 < 300 ms at 1× on SQLite; ratio ≤ scale (no worse than linear)")


if __name__ == "__main__":
    main()
