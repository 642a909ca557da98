"""The CAN's national directory and what the national report and digest say about the regions
they cannot measure (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.workflows.errors import AccessDenied
from bot.workflows.membership.commissions import create_commission
from bot.workflows.membership.contacts import contacts_tick
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.membership.national import national_directory
from bot.workflows.periods import month_period
from bot.workflows.reports.coverage import national_coverage
from bot.workflows.reports.digests import NationalContent
from bot.workflows.reports.indicators import compute_indicators
from db.models import Role
from tests.conftest import NOW
from tests.workflows.world import make_world


def lima(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h + 5, tzinfo=UTC)


async def analyst(db: AsyncSession) -> object:
    can, _ = await create_commission(db, "CAN", now=NOW)
    issued = await issue_invitation(db, can, Role.CAN_ANALYST, now=NOW, invitee_name="Luis Torres")
    done = await redeem_invitation(
        db, issued.token, telegram_id=9001, telegram_name="L", language="es", now=NOW
    )
    return done.person


async def test_every_region_appears_with_its_directory_state(db: AsyncSession) -> None:
    w = await make_world(db)
    luis = await analyst(db)
    with pytest.raises(AccessDenied):
        await national_directory(db, w.secretary, now=NOW)
    rows = await national_directory(db, luis, now=NOW)  # type: ignore[arg-type]
    assert len(rows) == 26
    by_code = {r.code: r for r in rows}
    cus, pun, ama = by_code["CUS"], by_code["PUN"], by_code["AMA"]
    assert (cus.in_bot, cus.secretariat, cus.president, cus.institutions, cus.with_liaison) == (
        True,
        True,
        False,
        3,
        2,
    )
    assert (pun.in_bot, pun.institutions, pun.with_liaison) == (True, 1, 0)
    assert not ama.in_bot and sum(not r.in_bot for r in rows) == 24


async def test_the_national_digest_names_missing_regions_and_unconfirmed_directories(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    w = await make_world(db)
    luis = await analyst(db)
    await contacts_tick(db, lima(2027, 1, 4))
    await contacts_tick(db, lima(2027, 1, 12))  # the requests went unanswered
    now = lima(2027, 2, 1)
    coverage = await national_coverage(db, now)
    assert len(coverage.missing) == 24 and "Amazonas" in coverage.missing
    assert coverage.unconfirmed == (("CUS", 2),)
    period = month_period(2027, 1)
    content = NationalContent(await compute_indicators(db, period, now), period, coverage=coverage)
    for code in ("es", "qu", "ay"):
        tr = catalogs.translator(code)
        text = content.render(tr).texts[-1]
        assert "Amazonas" in text and "CUS 2" in text
        assert (
            tr.ngettext(
                "⚪ {n} región sin secretaría en el bot (sin datos): {regions}",
                "⚪ {n} regiones sin secretaría en el bot (sin datos): {regions}",
                24,
                regions=", ".join(coverage.missing),
            )
            in text
        )
    rows = await national_directory(db, luis, now=now)  # type: ignore[arg-type]
    assert {r.code: r.unconfirmed for r in rows if r.in_bot} == {"CUS": 2, "PUN": 0}
    _ = w
