"""The national digest's data step at 1×, 4× and 16× the national data set, on SQLite.

    .venv/bin/python benchmarks/digest.py [--scales 1 4 16] [--repeat 3]

For each scale it generates the data set (benchmarks/national_dataset.py) in a temporary SQLite
file, then times `compute_indicators` for a month over every region (the data step of the monthly
national digest; best of `--repeat`), and the rendering of the digest (text, PNG, XLSX) once.
Goal: data step under 1 s at 1×, growth no worse than linear (ratio ≤ scale).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.national_dataset import NOW, create  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.workflows.reports.digests import due_month, national_digest  # noqa: E402
from bot.workflows.reports.indicators import compute_indicators  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402


async def measure(path: Path, repeat: int) -> tuple[float, float, int]:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    period = due_month(NOW)
    try:
        sessionmaker = make_sessionmaker(engine)
        best = float("inf")
        rows = []
        for _ in range(repeat):
            async with sessionmaker() as db:
                started = time.perf_counter()
                rows = await compute_indicators(db, period, NOW)
                best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        national_digest(Catalogs().translator("es"), rows, period)
        render = time.perf_counter() - started
        return best, render, len(rows)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base: float | None = None
    columns = ("scale", "agreements", "updates", "generate s", "data s", "ratio", "render s")
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, (5, 10, 9, 10, 8, 6, 8), strict=True)))
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            path = Path(tmp) / f"national_{scale}.db"
            started = time.perf_counter()
            counts = create(path, scale)
            generated = time.perf_counter() - started
            data, render, regions = asyncio.run(measure(path, args.repeat))
            base = base or data
            ratio = data / base
            print(
                f"{scale:>4}× {counts['agreements']:>10} {counts['updates']:>9} {generated:>10.1f} "
                f"{data:>8.3f} {ratio:>6.2f} {render:>8.2f}   ({regions} regions)",
                flush=True,
            )
    print("goal: data step < 1 s at 1×; ratio ≤ scale (no worse than linear)")


if __name__ == "__main__":
    main()
