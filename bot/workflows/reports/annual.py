"""The annual plan-progress report a CRA's technical secretariat sends to the SIP: sessions,
attendance and agreements with their status for one year, as DOCX and XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, Translator, msg, pmsg
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.labels import SESSION_KIND_LABELS, SESSION_STATUS_LABELS
from bot.workflows.periods import year_period
from bot.workflows.reports.formats import (
    COLUMNS,
    Sheet,
    Value,
    cell_text,
    indicator_sheets,
    percent,
    xlsx_bytes,
)
from bot.workflows.reports.indicators import OPEN, compute_indicators
from bot.workflows.reports.lights import RegionIndicators
from bot.workflows.reports.requests import parse_args, report_target
from db.models import (
    Agreement,
    AgreementSeat,
    AgreementStatus,
    Commission,
    Institution,
    MeetingSession,
    Person,
    Seat,
)

SHOWN_LABELS: dict[str, Text] = {
    AgreementStatus.PENDING.value: msg("pendiente"),
    AgreementStatus.IN_PROGRESS.value: msg("en curso"),
    AgreementStatus.DONE.value: msg("cumplido"),
    AgreementStatus.CANCELLED.value: pmsg("status", "cancelado"),
    "vencido": msg("vencido"),
}


@dataclass(frozen=True)
class AgreementLine:
    code: str
    text: str
    institutions: str
    deadline: date
    status: str  # a SHOWN_LABELS key
    progress: int


@dataclass(frozen=True)
class AnnualData:
    commission: Commission
    year: int
    indicators: RegionIndicators
    sessions: list[MeetingSession]
    agreements: list[AgreementLine]


async def annual_data(
    db: AsyncSession, person: Person | None, text: str | None, *, now: datetime
) -> AnnualData:
    """`/informe_anual [región] [año]`: one commission (never national), the year (default: this one)."""
    args = parse_args(text, person.language if person is not None else "es")
    if args.national:
        raise UserError(msg("El informe anual es por comisión: indique la región, por ejemplo PUN 2026."))
    year = lima_date(now).year
    if args.period is not None:
        if not (args.period.isdigit() and len(args.period) == 4):
            raise UserError(msg("Indique el año con cuatro cifras, por ejemplo 2026."))
        year = int(args.period)
    commission = await report_target(db, person, args)
    if commission is None or commission.id is None:
        raise UserError(msg("El informe anual es por comisión: indique la región, por ejemplo PUN 2026."))
    period = year_period(year)
    rows = await compute_indicators(db, period, now, [commission.id])
    start, end = period.bounds()
    sessions = (
        await db.exec(
            select(MeetingSession)
            .where(
                MeetingSession.commission_id == commission.id,
                col(MeetingSession.starts_at) >= start,
                col(MeetingSession.starts_at) < end,
            )
            .order_by(col(MeetingSession.starts_at))
        )
    ).all()
    agreements = (
        await db.exec(
            select(Agreement)
            .where(Agreement.commission_id == commission.id, Agreement.year == year)
            .order_by(col(Agreement.seq))
        )
    ).all()
    names: dict[int, list[str]] = {}
    ids = [a.id for a in agreements if a.id is not None]
    if ids:
        seat_rows = await db.exec(
            select(AgreementSeat.agreement_id, Institution.name)
            .join(Seat, col(Seat.id) == AgreementSeat.seat_id)
            .join(Institution, col(Institution.id) == Seat.institution_id)
            .where(col(AgreementSeat.agreement_id).in_(ids))
            .order_by(Institution.name)
        )
        for agreement_id, name in seat_rows.all():
            names.setdefault(agreement_id, []).append(name)
    ref_day = min(period.end, lima_date(now))
    lines = [
        AgreementLine(
            a.code,
            a.text,
            ", ".join(names.get(a.id or 0, [])),
            a.deadline,
            "vencido" if a.status in OPEN and a.deadline < ref_day else a.status.value,
            a.progress,
        )
        for a in agreements
    ]
    return AnnualData(commission, year, rows[0], list(sessions), lines)


def _tables(tr: Translator, data: AnnualData) -> list[Sheet]:
    sessions: list[list[Value]] = [
        [
            tr.datetime(s.starts_at, "short"),
            tr.render(SESSION_KIND_LABELS[s.kind]),
            tr.render(SESSION_STATUS_LABELS[s.status]),
        ]
        for s in data.sessions
    ]
    agreements: list[list[Value]] = [
        [
            a.code,
            a.text,
            a.institutions,
            tr.date(a.deadline, "short"),
            tr.render(SHOWN_LABELS[a.status]),
            a.progress,
        ]
        for a in data.agreements
    ]
    return [
        (msg("Sesiones"), [tr.gettext("Fecha"), tr.gettext("Tipo"), tr.gettext("Estado")], sessions),
        (
            msg("Acuerdos"),
            [
                tr.gettext("Código"),
                tr.gettext("Acuerdo"),
                tr.gettext("Responsables"),
                tr.gettext("Plazo"),
                tr.gettext("Estado"),
                tr.gettext("Avance (%)"),
            ],
            agreements,
        ),
    ]


def annual_title(data: AnnualData) -> Text:
    return msg("Informe anual {year} de {commission}", year=data.year, commission=data.commission.name)


def annual_xlsx(tr: Translator, data: AnnualData) -> bytes:
    return xlsx_bytes(tr, indicator_sheets(tr, [data.indicators]) + _tables(tr, data))


def annual_docx(tr: Translator, data: AnnualData) -> bytes:
    """The plan-progress report for the SIP: indicators, sessions, attendance and agreements."""
    from docx import Document

    document = Document()
    document.add_heading(tr.render(annual_title(data)), level=1)
    document.add_heading(tr.gettext("Indicadores"), level=2)
    summary = document.add_table(rows=0, cols=2)
    summary.style = "Table Grid"
    for column in COLUMNS[2:]:
        cells = summary.add_row().cells
        cells[0].text = tr.render(column.label)
        cells[1].text = cell_text(tr, column, data.indicators)
    sheets = indicator_sheets(tr, [data.indicators])[1:2] + _tables(tr, data)
    for title, header, body in sheets:
        document.add_heading(tr.render(title), level=2)
        if not body:
            document.add_paragraph(tr.gettext("Sin registros en el año."))
            continue
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            cell.text = name
        for values in body:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = "" if value is None else _docx_value(tr, value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_value(tr: Translator, value: Value) -> str:
    return percent(tr, value) if isinstance(value, float) else str(value)
