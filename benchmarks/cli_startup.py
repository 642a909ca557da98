"""How long `cra-bot --help` takes, against baselines measured in the same run.

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]

Prints medians and ratios: the CLI against a bare interpreter (what we pay for the CLI itself) and
against `import aiogram` (what we would pay without the lazy imports). Machines here are noisy, so
only the ratios are comparable between runs. Goal (issue 2): --help well under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    python = sys.executable
    bare = median_seconds([python, "-c", "pass"], runs)
    cli = median_seconds([python, "-m", "bot", "--help"], runs)
    aiogram = median_seconds([python, "-c", "import aiogram, aiogram.types"], runs)
    print(f"python -c pass        {bare:6.3f} s  (baseline)")
    print(f"cra-bot --help        {cli:6.3f} s  = {cli / bare:5.1f} × baseline")
    print(f"import aiogram        {aiogram:6.3f} s  = {aiogram / bare:5.1f} × baseline")
    print(f"--help / import aiogram = {cli / aiogram:.2f} (lazy imports keep this well below 1)")


if __name__ == "__main__":
    main()
