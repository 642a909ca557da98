"""Write bot/workflows/peru_holidays.py: Peru's national holidays as the `holidays` package lists them.

    .venv/bin/python scripts/national_holidays.py

Run it after upgrading `holidays` when tests/workflows/test_business_days.py says the table differs
from the package (a release that follows a new law). Why a table: bot/workflows/business_days.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import holidays

FIRST_YEAR, LAST_YEAR = 2010, 2060
TARGET = Path(__file__).resolve().parent.parent / "bot" / "workflows" / "peru_holidays.py"


def table() -> dict[int, list[str]]:
    """Each year's holidays as MM-DD, in order."""
    listed = holidays.country_holidays("PE", years=range(FIRST_YEAR, LAST_YEAR + 1))
    by_year: dict[int, list[str]] = {year: [] for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    for day in sorted(listed):
        by_year[day.year].append(day.strftime("%m-%d"))
    return by_year


def render() -> str:
    rows = "\n".join(f'    {year}: "{" ".join(days)}",' for year, days in table().items())
    version = holidays.__version__
    return f'''"""Peru's national holidays, {FIRST_YEAR}–{LAST_YEAR}, as holidays {version} lists them.

Written by scripts/national_holidays.py; do not edit by hand.
"""

FIRST_YEAR, LAST_YEAR = {FIRST_YEAR}, {LAST_YEAR}

# Year → its holidays as MM-DD.
BY_YEAR: dict[int, str] = {{
{rows}
}}
'''


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
