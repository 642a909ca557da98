"""The round and technical-assistance indicators, on a small hand-built data set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.membership.commissions import create_commission, ensure_seat
from bot.workflows.membership.invitations import issue_invitation, redeem_invitation
from bot.workflows.periods import Period
from bot.workflows.reports.indicators import compute_indicators
from db.models import (
    AssistanceRequest,
    AssistanceStatus,
    AssistanceTopic,
    ProgressRound,
    Role,
    RoundTarget,
)
from tests.conftest import NOW

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30), "2026-11")


async def test_response_rate_median_response_time_and_open_requests(db: AsyncSession) -> None:
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    assert cus.id and pun.id
    issued = await issue_invitation(db, cus, Role.LIAISON, now=NOW, institution="Gobierno Regional del Cusco")
    liaison = (
        await redeem_invitation(db, issued.token, telegram_id=1, telegram_name="L", language="es", now=NOW)
    ).person
    seats = [
        await ensure_seat(db, cus, name, now=NOW)
        for name in ("Corte Superior X", "Contraloría X", "Fiscalía X")
    ]

    opened = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    november = ProgressRound(commission_id=cus.id, opened_at=opened, window_end=date(2026, 11, 9))
    october = ProgressRound(
        commission_id=cus.id, opened_at=datetime(2026, 10, 5, 15, tzinfo=UTC), window_end=date(2026, 10, 12)
    )
    db.add_all([november, october])
    await db.flush()
    assert november.id and october.id
    finished = [opened + timedelta(hours=10), opened + timedelta(hours=30), None]  # median of 10 and 30: 20
    for seat, done in zip(seats, finished, strict=True):
        db.add(RoundTarget(round_id=november.id, seat_id=seat.id or 0, agreement_ids=[], finished_at=done))
    db.add(RoundTarget(round_id=october.id, seat_id=seats[0].id or 0, agreement_ids=[]))  # another period

    for seq, status in enumerate(
        [AssistanceStatus.RECEIVED, AssistanceStatus.IN_PROGRESS, AssistanceStatus.CLOSED], 1
    ):
        db.add(
            AssistanceRequest(
                code=f"AT-CUS-2026-{seq:03d}",
                commission_id=cus.id,
                year=2026,
                seq=seq,
                requester_id=liaison.id or 0,
                topic=AssistanceTopic.SESSIONS,
                text="Ayuda con el acta",
                status=status,
                created_at=NOW - timedelta(days=3),
                updated_at=NOW,
            )
        )
    await db.flush()

    rows = {r.code: r for r in await compute_indicators(db, NOVEMBER, NOW)}
    cusco, puno = rows["CUS"], rows["PUN"]
    assert (cusco.round_targets, cusco.round_answered) == (3, 2)
    assert cusco.response_rate == 2 / 3
    assert cusco.median_response_hours == 20.0
    assert cusco.open_assistance == 2
    assert (puno.round_targets, puno.response_rate, puno.median_response_hours, puno.open_assistance) == (
        0,
        None,
        None,
        0,
    )
