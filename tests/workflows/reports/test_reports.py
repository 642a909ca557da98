"""Reports: every indicator on a small hand-built data set, the traffic light, the ranking,
periods in Lima days, the formats, /informe's permissions and the digests' once-only ticks."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.notify import enqueue_digests
from bot.workflows.errors import AccessDenied, UserError
from bot.workflows.membership.commissions import create_commission
from bot.workflows.periods import month_period, week_period
from bot.workflows.reports import digests as reports_digests
from bot.workflows.reports.annual import annual_data, annual_docx, annual_xlsx
from bot.workflows.reports.digests import due_month, due_week, due_weekly_digests, reports_tick
from bot.workflows.reports.formats import csv_bytes, indicator_sheets, national_message, xlsx_bytes
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.lights import Light
from bot.workflows.reports.periods import parse_period
from bot.workflows.reports.requests import request_report
from db.models import (
    Agreement,
    AgreementStatus,
    Institution,
    InstitutionCategory,
    MeetingAttendance,
    MeetingSession,
    Membership,
    OutboxMessage,
    Person,
    PlannedSession,
    ReportDelivery,
    Role,
    Seat,
    SessionKind,
    SessionStatus,
)
from tests.conftest import NOW  # Monday 2026-11-23, 10:00 in Lima

NOVEMBER = month_period(2026, 11)


def utc(y: int, m: int, d: int, h: int = 15, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


async def person(db: AsyncSession, name: str, language: str = "es", telegram_id: int | None = None) -> Person:
    p = Person(name=name, language=language, telegram_id=telegram_id, created_at=NOW)
    db.add(p)
    await db.flush()
    return p


async def member(
    db: AsyncSession,
    p: Person,
    commission_id: int,
    role: Role,
    seat_id: int | None = None,
    since: datetime = NOW,
) -> None:
    assert p.id is not None
    db.add(
        Membership(person_id=p.id, commission_id=commission_id, role=role, seat_id=seat_id, created_at=since)
    )
    await db.flush()


async def seat(db: AsyncSession, commission_id: int, name: str) -> int:
    institution = Institution(name=name, category=InstitutionCategory.OTHER, created_at=NOW)
    db.add(institution)
    await db.flush()
    assert institution.id is not None
    s = Seat(commission_id=commission_id, institution_id=institution.id, created_at=NOW)
    db.add(s)
    await db.flush()
    assert s.id is not None
    return s.id


async def session(
    db: AsyncSession, commission_id: int, starts_at: datetime, status: SessionStatus, kind: SessionKind
) -> int:
    s = MeetingSession(
        commission_id=commission_id, kind=kind, starts_at=starts_at, status=status, created_at=NOW
    )
    db.add(s)
    await db.flush()
    assert s.id is not None
    return s.id


async def attend(
    db: AsyncSession, session_id: int, seat_id: int, present: bool, justified: bool = False
) -> None:
    db.add(
        MeetingAttendance(
            session_id=session_id, seat_id=seat_id, present=present, justified=justified, recorded_at=NOW
        )
    )
    await db.flush()


async def agreement(
    db: AsyncSession,
    commission_id: int,
    seq: int,
    created: datetime,
    deadline: date,
    status: AgreementStatus,
    closed: datetime | None = None,
    flagged: bool = False,
) -> None:
    db.add(
        Agreement(
            commission_id=commission_id,
            code=f"C{commission_id}-2026-{seq:03d}",
            year=2026,
            seq=seq,
            text=f"Acuerdo {seq}",
            status=status,
            original_deadline=deadline,
            deadline=deadline,
            created_at=created,
            updated_at=created,
            closed_at=closed,
            flagged_for_can_at=NOW if flagged else None,
        )
    )
    await db.flush()


async def build(db: AsyncSession) -> dict[str, Any]:
    """CUS: a busy commission with problems; PUN: a commission that never met."""
    cus, _ = await create_commission(db, "CUS", now=NOW)
    pun, _ = await create_commission(db, "PUN", now=NOW)
    can, _ = await create_commission(db, "CAN", now=NOW)
    assert cus.id and pun.id and can.id
    a, b, c = [await seat(db, cus.id, n) for n in ("Corte Cusco", "Fiscalía Cusco", "GORE Cusco")]
    # Only seat A has a liaison officer: 2 institutions without one.
    await member(db, await person(db, "Enlace A"), cus.id, Role.LIAISON, a)
    s1 = await session(db, cus.id, utc(2026, 2, 10), SessionStatus.HELD, SessionKind.ORDINARY)  # Q1
    await session(db, cus.id, utc(2026, 5, 12), SessionStatus.HELD, SessionKind.ORDINARY)  # Q2
    await session(db, cus.id, utc(2026, 8, 11), SessionStatus.HELD, SessionKind.ORDINARY)  # Q3
    s4 = await session(db, cus.id, utc(2026, 11, 10), SessionStatus.HELD, SessionKind.ORDINARY)
    s5 = await session(db, cus.id, utc(2026, 11, 17), SessionStatus.FAILED_QUORUM, SessionKind.EXTRAORDINARY)
    # 31 October 23:30 in Lima is 1 November in UTC: October for the report (Lima days).
    s6 = await session(db, cus.id, utc(2026, 11, 1, 4, 30), SessionStatus.HELD, SessionKind.ORDINARY)
    await session(db, cus.id, utc(2026, 11, 20), SessionStatus.CANCELLED, SessionKind.ORDINARY)
    await attend(db, s4, a, True)
    await attend(db, s4, b, False)  # unjustified
    await attend(db, s4, c, False, justified=True)
    await attend(db, s5, a, True)
    await attend(db, s5, b, False)  # unjustified
    await attend(db, s5, c, True)
    await attend(db, s6, a, False)  # October: not counted
    await attend(db, s1, b, False)  # February: not counted
    for day in (date(2026, 2, 10), date(2026, 5, 12), date(2026, 8, 11), date(2026, 11, 10)):
        db.add(PlannedSession(commission_id=cus.id, planned_on=day))
    D, P, C, Ca = (
        AgreementStatus.DONE,
        AgreementStatus.PENDING,
        AgreementStatus.IN_PROGRESS,
        AgreementStatus.CANCELLED,
    )
    await agreement(db, cus.id, 1, utc(2026, 3, 1), date(2026, 6, 30), D, closed=utc(2026, 11, 5))  # late
    await agreement(
        db, cus.id, 2, utc(2026, 11, 2), date(2026, 12, 15), D, closed=utc(2026, 11, 20)
    )  # on time
    await agreement(db, cus.id, 3, utc(2026, 11, 3), date(2026, 12, 31), C)
    await agreement(db, cus.id, 4, utc(2026, 4, 1), date(2026, 11, 13), P)  # 10 days overdue
    await agreement(db, cus.id, 5, utc(2026, 4, 1), date(2026, 11, 19), C, flagged=True)  # 4 days
    await agreement(db, cus.id, 6, utc(2026, 5, 1), date(2026, 11, 1), P)  # 22 days
    await agreement(db, cus.id, 7, utc(2026, 5, 1), date(2026, 9, 1), Ca)
    await agreement(db, cus.id, 8, utc(2026, 5, 1), date(2026, 11, 23), P)  # due today: still on time
    pun_seat = await seat(db, pun.id, "GORE Puno")
    await member(db, await person(db, "Enlace Puno"), pun.id, Role.LIAISON, pun_seat)
    await db.commit()
    return {"cus": cus.id, "pun": pun.id, "can": can.id, "seats": (a, b, c)}


async def test_every_indicator_on_a_hand_built_data_set(db: AsyncSession) -> None:
    ids = await build(db)
    rows = await compute_indicators(db, NOVEMBER, NOW)
    assert [r.code for r in rows] == ["CUS", "PUN"]  # both red; CUS has more reasons
    cus, pun = rows

    assert cus.ordinary_held == 1  # 10 November (31 October in Lima is not November)
    assert cus.failed_quorum == 1
    assert (cus.quarter_held, cus.quarter_minimum) == (2, 1)
    assert (cus.year_held, cus.year_minimum, cus.quarters_over) == (5, 4, 3)
    assert cus.planned_sessions == 4 and cus.calendar_set
    assert (cus.attendance_present, cus.attendance_total, cus.attendance_rate) == (3, 6, 0.5)
    assert cus.unjustified_absences == 2
    a, b, c = ids["seats"]
    per_seat = {s.seat_id: (s.present, s.total, s.unjustified) for s in cus.seats_attendance}
    assert per_seat == {a: (2, 2, 0), b: (0, 2, 2), c: (1, 2, 0)}
    assert cus.adopted == 2
    assert (cus.in_progress, cus.done, cus.overdue, cus.cancelled) == (2, 2, 3, 1)
    assert cus.flagged == 1
    assert (cus.closed_in_period, cus.closed_on_time, cus.on_time_rate) == (2, 1, 0.5)
    assert cus.median_days_overdue == 10.0  # 4, 10, 22
    assert (cus.seats, cus.seats_without_liaison) == (3, 2)
    assert cus.overdue_share == pytest.approx(3 / 7)
    assert cus.light is Light.RED
    assert cus.attention == ["overdue", "failed_quorum", "attendance", "flagged", "liaisons"]

    assert (pun.ordinary_held, pun.year_held, pun.attendance_rate, pun.median_days_overdue) == (
        0,
        0,
        None,
        None,
    )
    assert (pun.seats, pun.seats_without_liaison, pun.calendar_set) == (1, 0, False)
    assert pun.light is Light.RED and pun.attention == ["sessions_year", "calendar"]


async def test_a_past_period_and_one_commission(db: AsyncSession) -> None:
    ids = await build(db)
    october = month_period(2026, 10)
    [cus] = await compute_indicators(db, october, NOW, [ids["cus"]])
    assert cus.ordinary_held == 1  # the 31 October session, Lima time
    assert (cus.attendance_present, cus.attendance_total, cus.unjustified_absences) == (0, 1, 1)
    assert cus.adopted == 0
    # Measured on 31 October: only the 1 November deadline is not yet passed; none overdue yet.
    assert cus.overdue == 0 and cus.median_days_overdue is None
    assert cus.quarters_over == 3 and cus.year_held == 4


def test_periods_are_lima_days_and_parse() -> None:
    start, end = NOVEMBER.bounds()
    assert start == datetime(2026, 11, 1, 5, tzinfo=UTC) and end == datetime(2026, 12, 1, 5, tzinfo=UTC)
    today = date(2026, 11, 23)
    assert parse_period(None, today).key == "2026-11"
    assert parse_period("2026", today).end == date(2026, 12, 31)
    assert parse_period("2026-T4", today).start == date(2026, 10, 1)
    assert parse_period("2026-W48", today).start == date(2026, 11, 23)
    assert month_period(2026, 1).previous().key == "2025-12"
    assert week_period(date(2026, 11, 29)).key == "2026-W48"
    assert parse_period("noviembre", today).key == "2026-11"  # month names: issue 14, item 16
    with pytest.raises(UserError):
        parse_period("ayer", today)
    # Digests: Monday 08:00 Lima sends the previous week; the 1st at 08:00 the previous month.
    assert due_week(NOW).key == "2026-W47"
    assert due_week(datetime(2026, 11, 23, 12, 59, tzinfo=UTC)).key == "2026-W46"  # 07:59 Lima
    assert due_month(NOW).key == "2026-10"
    assert due_month(datetime(2026, 12, 1, 13, tzinfo=UTC)).key == "2026-11"


async def test_formats_in_the_readers_language(db: AsyncSession, catalogs: Catalogs) -> None:
    await build(db)
    rows = await compute_indicators(db, NOVEMBER, NOW)
    es = catalogs.translator("es")
    text = "\n".join(national_message(es, rows, NOVEMBER))
    assert "1. 🔴 <b>CUS</b>" in text and "2. 🔴 <b>PUN</b>" in text
    assert "asist. 50%" in text and "venc. 3/7" in text
    workbook = load_workbook(io.BytesIO(xlsx_bytes(es, indicator_sheets(es, rows))))
    assert workbook.sheetnames == ["Indicadores", "Asistencia por institución", "Atención"]
    sheet = workbook["Indicadores"]
    assert sheet["A1"].value == "Código" and sheet["A2"].value == "CUS"
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Acuerdos vencidos") + 1).value == 3
    assert csv_bytes(es, rows).decode("utf-8-sig").splitlines()[1].startswith("CUS,")


async def test_report_permissions(db: AsyncSession) -> None:
    ids = await build(db)
    secretary = await person(db, "Rosa")
    await member(db, secretary, ids["cus"], Role.SECRETARY)
    analyst = await person(db, "Luis", "qu")
    await member(db, analyst, ids["can"], Role.CAN_ANALYST)
    liaison = (await db.exec(select(Person).where(Person.name == "Enlace A"))).one()

    own = await request_report(db, secretary, "2026-11", now=NOW)
    assert own.commission is not None and own.commission.code == "CUS" and len(own.rows) == 1
    assert (await request_report(db, secretary, "Cusco", now=NOW)).rows[0].code == "CUS"
    with pytest.raises(AccessDenied) as refused:
        await request_report(db, secretary, "PUN 2026", now=NOW)
    assert "propia comisión" in refused.value.text.msgid
    with pytest.raises(AccessDenied):
        await request_report(db, secretary, "nacional 2026-11", now=NOW)
    with pytest.raises(AccessDenied):
        await request_report(db, liaison, "", now=NOW)

    national = await request_report(db, analyst, "nacional 2026-11", now=NOW)
    assert national.commission is None and [r.code for r in national.rows] == ["CUS", "PUN"]
    assert (await request_report(db, analyst, "", now=NOW)).commission is None
    puno = await request_report(db, analyst, "PUN 2026 csv", now=NOW)
    assert puno.commission is not None and puno.commission.code == "PUN" and puno.csv
    assert puno.period.key == "2026"


async def test_annual_report(db: AsyncSession, catalogs: Catalogs) -> None:
    ids = await build(db)
    secretary = await person(db, "Rosa")
    await member(db, secretary, ids["cus"], Role.SECRETARY)
    data = await annual_data(db, secretary, "2026", now=NOW)
    assert len(data.sessions) == 7 and len(data.agreements) == 8
    shown = {a.code: a.status for a in data.agreements}
    assert shown[f"C{ids['cus']}-2026-004"] == "vencido" and shown[f"C{ids['cus']}-2026-008"] == "pendiente"
    qu = catalogs.translator("qu")
    assert annual_docx(qu, data)[:2] == b"PK"
    workbook = load_workbook(io.BytesIO(annual_xlsx(catalogs.translator("es"), data)))
    assert workbook.sheetnames[-2:] == ["Sesiones", "Acuerdos"]
    assert workbook["Acuerdos"].max_row == 9
    with pytest.raises(UserError):
        await annual_data(db, secretary, "nacional", now=NOW)


async def _outbox(db: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    return list((await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))).all())


async def weekly(db: AsyncSession, catalogs: Catalogs, now: datetime) -> int:
    """The weekly digests due at `now`, rendered and queued as the scheduler does."""
    return await enqueue_digests(db, catalogs, await due_weekly_digests(db, now), now=now)


async def test_weekly_digest_once_per_week_and_retried_after_a_failure(
    db: AsyncSession, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await build(db)
    rosa = await person(db, "Rosa", "es", telegram_id=501)
    wayta = await person(db, "Wayta", "qu", telegram_id=502)
    await member(db, rosa, ids["cus"], Role.SECRETARY, since=utc(2026, 11, 2))  # members in week 47
    await member(db, wayta, ids["cus"], Role.PRESIDENT, since=utc(2026, 11, 2))
    await db.commit()

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(reports_digests, "chart_files", broken)
    with caplog.at_level(logging.ERROR):
        assert await weekly(db, catalogs, NOW) == 0
    assert "weekly digest 2026-W47" in caplog.text
    assert await _outbox(db, 501) == []
    monkeypatch.undo()

    later = NOW + timedelta(minutes=1)
    assert await enqueue_digests(db, catalogs, await reports_tick(db, later), now=later) == 2
    await db.commit()
    rosa_rows, wayta_rows = await _outbox(db, 501), await _outbox(db, 502)
    assert [r.method for r in rosa_rows] == [
        "sendMessage",
        "sendPhoto",
        "sendPhoto",
        "sendDocument",
    ]  # charts: photos
    assert rosa_rows[0].payload["text"].startswith("<b>📊 Resumen semanal de CUS</b>")
    assert "Esta semana vence 1 acuerdo" in rosa_rows[0].payload["text"]  # due 23 November
    assert "Frente al periodo anterior" in rosa_rows[0].payload["text"]
    assert [r.payload["file_name"] for r in rosa_rows[1:]] == [
        "informe_CUS_2026-W47_indicadores.png",
        "informe_CUS_2026-W47_acuerdos.png",
        "informe_CUS_2026-W47.xlsx",
    ]
    assert rosa_rows[1].attachment and rosa_rows[1].attachment[:8] == b"\x89PNG\r\n\x1a\n"
    assert wayta_rows[0].payload["text"] != rosa_rows[0].payload["text"]  # Quechua
    # The same week again, or after a restart later that week: nothing more.
    again = later + timedelta(hours=5)
    assert await enqueue_digests(db, catalogs, await reports_tick(db, again), now=again) == 0
    assert await weekly(db, catalogs, NOW + timedelta(days=6)) == 0
    # Next Monday, 08:00 Lima: the next week.
    assert await weekly(db, catalogs, NOW + timedelta(days=7)) == 2
    keys = (await db.exec(select(ReportDelivery.period).order_by(col(ReportDelivery.id)))).all()
    assert list(keys) == ["2026-W47", "2026-W47", "2026-W48", "2026-W48"]
