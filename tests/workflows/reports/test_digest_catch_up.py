"""Digests after downtime and for new readers: every missed period once, oldest first, each saying
it comes late (issue 14, item 14); no digest of a period that ended before the reader joined (item 15)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_digests
from bot.workflows.reports.digests import due_monthly_digests, reports_tick
from db.models import OutboxMessage, Role
from tests.conftest import NOW  # Monday 2026-11-23, 10:00 in Lima
from tests.workflows.reports.test_reports import build, member, person, utc

LATE_ES = "⏳ Este resumen llega con retraso"


async def tick(db: AsyncSession, catalogs: Catalogs, now: datetime) -> int:
    queued = await enqueue_digests(db, catalogs, await reports_tick(db, now), now=now)
    await db.commit()
    return queued


async def outbox(db: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    rows = await db.exec(
        select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


def files(rows: list[OutboxMessage]) -> list[str]:
    return [
        r.payload["file_name"]
        for r in rows
        if r.method == "sendDocument" and "xlsx" in r.payload["file_name"]
    ]


async def test_weeks_missed_while_down_are_each_sent_once_oldest_first(
    db: AsyncSession, catalogs: Catalogs
) -> None:
    ids = await build(db)
    rosa = await person(db, "Rosa", "es", telegram_id=601)
    mamani = await person(db, "Mamani", "ay", telegram_id=602)
    await member(db, rosa, ids["cus"], Role.SECRETARY, since=utc(2026, 11, 2))
    await member(db, mamani, ids["cus"], Role.PRESIDENT, since=utc(2026, 11, 2))
    await db.commit()
    assert await tick(db, catalogs, NOW) == 2  # week 47, on time
    first = len(await outbox(db, 601))
    # Down from Tuesday 24 November to Monday 14 December: weeks 48 and 49 were never sent.
    back = NOW + timedelta(days=21)
    assert await tick(db, catalogs, back) == 6
    rosa_rows, mamani_rows = (await outbox(db, 601))[first:], (await outbox(db, 602))[first:]
    assert files(rosa_rows) == [
        "informe_CUS_2026-W48.xlsx",
        "informe_CUS_2026-W49.xlsx",
        "informe_CUS_2026-W50.xlsx",
    ]
    texts = [r.payload["text"] for r in rosa_rows if r.method == "sendMessage"]
    late = [t for t in texts if t.startswith(LATE_ES)]
    assert len(late) == 2  # weeks 48 and 49, not the week due today
    assert texts[0].startswith(LATE_ES) and "Resumen semanal de CUS" in texts[1]
    assert "Esta semana vence" not in texts[1]  # the coming week is the latest digest's news
    aymara_late = catalogs.translator("ay").gettext(
        "⏳ Este resumen llega con retraso: el bot estuvo fuera de servicio cuando correspondía "
        "enviarlo. Le enviamos cada periodo pendiente, del más antiguo al más reciente."
    )
    assert not aymara_late.startswith(LATE_ES)
    mamani_texts = [r.payload["text"] for r in mamani_rows if r.method == "sendMessage"]
    assert [t for t in mamani_texts if t == aymara_late] and not any(LATE_ES in t for t in mamani_texts)
    # Nothing twice.
    assert await tick(db, catalogs, back + timedelta(hours=1)) == 0


async def test_months_missed_while_down_reach_the_can_analyst_oldest_first(db: AsyncSession) -> None:
    ids = await build(db)
    luis = await person(db, "Luis", "es", telegram_id=603)
    await member(db, luis, ids["can"], Role.CAN_ANALYST, since=utc(2026, 9, 1))
    await db.commit()
    from bot.workflows.reports.digests import record_digest

    for due in await due_monthly_digests(db, NOW):
        await record_digest(db, due, now=NOW)
    back = datetime(2027, 2, 1, 15, tzinfo=NOW.tzinfo)  # 1 February 2027, 10:00 Lima
    due = await due_monthly_digests(db, back)
    assert [d.period.key for d in due] == ["2026-11", "2026-12", "2027-01"]
    assert [d.content.late for d in due] == [True, True, False]


async def test_no_digest_for_a_week_before_the_reader_joined(db: AsyncSession, catalogs: Catalogs) -> None:
    ids = await build(db)
    ana = await person(db, "Ana", "qu", telegram_id=604)
    # She joins on Tuesday 24 November (week 48): week 47's digest is not hers.
    await member(db, ana, ids["cus"], Role.SECRETARY, since=NOW + timedelta(days=1))
    await db.commit()
    assert await tick(db, catalogs, NOW + timedelta(days=1, hours=2)) == 0
    assert await outbox(db, 604) == []
    # The week she joined in is hers.
    assert await tick(db, catalogs, NOW + timedelta(days=7)) == 1
    assert files(await outbox(db, 604)) == ["informe_CUS_2026-W48.xlsx"]
