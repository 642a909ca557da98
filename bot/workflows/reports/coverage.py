"""What the national report and digest say about regions they cannot measure: the jurisdictions
with no commission in the bot (listed, never silently left out) and the institutions whose
directory entry went unconfirmed past its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.workflows.membership.contacts import unconfirmed_by_commission
from bot.workflows.membership.national import regions_not_in_bot
from db.models import Commission


@dataclass(frozen=True)
class Coverage:
    missing: tuple[str, ...] = ()  # names of the jurisdictions with no commission in the bot
    unconfirmed: tuple[tuple[str, int], ...] = ()  # (commission code, institutions unconfirmed)


async def national_coverage(db: AsyncSession, now: datetime) -> Coverage:
    missing = tuple(r.name for r in await regions_not_in_bot(db))
    overdue = await unconfirmed_by_commission(db, now)
    codes = dict((await db.exec(select(Commission.id, Commission.code))).all())
    unconfirmed = tuple(sorted((codes.get(cid, "?"), n) for cid, n in overdue.items()))
    return Coverage(missing, unconfirmed)


def coverage_text(tr: Translator, coverage: Coverage) -> str:
    lines = []
    if coverage.missing:
        lines.append(
            tr.ngettext(
                "⚪ {n} región sin secretaría en el bot (sin datos): {regions}",
                "⚪ {n} regiones sin secretaría en el bot (sin datos): {regions}",
                len(coverage.missing),
                regions=", ".join(coverage.missing),
            )
        )
    if coverage.unconfirmed:
        where = ", ".join(f"{code} {n}" for code, n in coverage.unconfirmed)
        lines.append(tr.gettext("📇 Directorio sin confirmar (instituciones): {where}", where=where))
    return "\n".join(lines)
