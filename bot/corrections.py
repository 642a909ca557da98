"""The reviewers' corrections (/traducir), applied to every Translator without a restart.

Before each update (bot/handlers/translations/overlay.py) and before notices are rendered
(bot/notify.py), `refresh_corrections` reads them again when due: a correction was just made in
this process (`correction_made`), or a minute passed, for those made through another process.
"""

from __future__ import annotations

import time

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.translations.review import load_corrections

# Corrections made through another process reach this one within this many seconds.
REREAD_EVERY_SECONDS = 60.0


async def refresh_corrections(db: AsyncSession, catalogs: Catalogs) -> bool:
    """Apply the newest corrections to `catalogs` if they are due; one comparison when not.
    Returns whether a language's rendering changed."""
    now = time.monotonic()
    if catalogs.corrections_due > now:
        return False
    catalogs.corrections_due = now + REREAD_EVERY_SECONDS
    return catalogs.apply_corrections(await load_corrections(db))


def correction_made(catalogs: Catalogs) -> None:
    """Read the corrections again before the next update or notice (one was just made here; it is
    read once this transaction has committed, so a rolled-back correction is never applied)."""
    catalogs.corrections_due = 0.0
