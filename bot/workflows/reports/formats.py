"""Indicators as the reader sees them: Telegram text, a PNG chart, an XLSX workbook and CSV.

Everything is rendered with the reader's `Translator`: labels in their language, numbers and
dates in their locale. `COLUMNS` is the one list of indicator columns the tables and the
spreadsheet show; an indicator added in reports_indicators gets one `Column` here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent

from bot.i18n import Catalogs, Text, Translator, msg
from bot.workflows.outbox import split_text
from bot.workflows.periods import Period
from bot.workflows.reports.lights import Light, RegionIndicators
from bot.workflows.reports.worker import report_process

Value = int | float | str | bool | None


@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    get: Callable[[RegionIndicators], Value]
    kind: str = "int"  # int | pct | float | bool | text


COLUMNS: tuple[Column, ...] = (
    Column("code", msg("Código"), lambda r: r.code, "text"),
    Column("name", msg("Comisión"), lambda r: r.name, "text"),
    Column("light", msg("Semáforo"), lambda r: r.light.value, "light"),
    Column("ordinary_held", msg("Sesiones ordinarias en el periodo"), lambda r: r.ordinary_held),
    Column("quarter_held", msg("Sesiones ordinarias del trimestre"), lambda r: r.quarter_held),
    Column("quarter_minimum", msg("Mínimo por trimestre"), lambda r: r.quarter_minimum),
    Column("year_held", msg("Sesiones ordinarias del año"), lambda r: r.year_held),
    Column("year_minimum", msg("Mínimo anual"), lambda r: r.year_minimum),
    Column("failed_quorum", msg("Sesiones sin quórum"), lambda r: r.failed_quorum),
    Column("attendance_rate", msg("Asistencia"), lambda r: r.attendance_rate, "pct"),
    Column("unjustified_absences", msg("Inasistencias injustificadas"), lambda r: r.unjustified_absences),
    Column("adopted", msg("Acuerdos adoptados"), lambda r: r.adopted),
    Column("in_progress", msg("Acuerdos en curso"), lambda r: r.in_progress),
    Column("done", msg("Acuerdos cumplidos"), lambda r: r.done),
    Column("overdue", msg("Acuerdos vencidos"), lambda r: r.overdue),
    Column("cancelled", msg("Acuerdos cancelados"), lambda r: r.cancelled),
    Column("on_time_rate", msg("Cumplidos a tiempo"), lambda r: r.on_time_rate, "pct"),
    Column(
        "median_days_overdue", msg("Mediana de días de retraso"), lambda r: r.median_days_overdue, "float"
    ),
    Column("flagged", msg("Acuerdos escalados a la CAN"), lambda r: r.flagged),
    Column("seats_without_liaison", msg("Instituciones sin enlace"), lambda r: r.seats_without_liaison),
    Column("calendar_set", msg("Calendario anual aprobado"), lambda r: r.calendar_set, "bool"),
    Column("response_rate", msg("Respuesta de los enlaces en las rondas"), lambda r: r.response_rate, "pct"),
    Column(
        "median_response_hours",
        msg("Mediana de horas de respuesta en las rondas"),
        lambda r: r.median_response_hours,
        "float",
    ),
    Column("open_assistance", msg("Solicitudes de asistencia técnica abiertas"), lambda r: r.open_assistance),
)

LIGHT_LABELS: dict[Light, Text] = {
    Light.GREEN: msg("🟢 en regla"),
    Light.AMBER: msg("🟡 requiere atención"),
    Light.RED: msg("🔴 en riesgo"),
}
LIGHT_ICONS = {Light.GREEN: "🟢", Light.AMBER: "🟡", Light.RED: "🔴"}

ATTENTION_LABELS: dict[str, Text] = {
    "sessions_year": msg("no ha celebrado las sesiones ordinarias que exige la norma este año"),
    "sessions_quarter": msg("el trimestre aún no tiene su sesión ordinaria"),
    "failed_quorum": msg("sesiones frustradas por falta de quórum"),
    "attendance": msg("asistencia baja"),
    "overdue": msg("demasiados acuerdos vencidos"),
    "flagged": msg("acuerdos escalados a la CAN"),
    "liaisons": msg("instituciones sin coordinador(a) de enlace"),
    "calendar": msg("sin calendario anual de sesiones"),
}


def number(tr: Translator, value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_decimal(round(value, digits), locale=tr.format_locale)


def percent(tr: Translator, value: float | None) -> str:
    return "—" if value is None else format_percent(value, locale=tr.format_locale)


def cell_text(tr: Translator, column: Column, row: RegionIndicators) -> str:
    value = column.get(row)
    if column.kind == "pct":
        return percent(tr, value if isinstance(value, float) else None)
    if column.kind == "bool":
        return tr.gettext("sí") if value else tr.gettext("no")
    if column.kind == "light":
        return tr.render(LIGHT_LABELS[row.light])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(tr, value)
    return "" if value is None else str(value)


def period_text(period: Period) -> Text:
    return msg("del {start} al {end}", start=period.start, end=period.end)


def attention_text(tr: Translator, row: RegionIndicators) -> str:
    return "; ".join(tr.render(ATTENTION_LABELS[reason]) for reason in row.attention)


# --- Telegram text -----------------------------------------------------------------------------


def region_lines(tr: Translator, row: RegionIndicators) -> list[str]:
    """The compact block of one region's indicators."""
    lines = [
        tr.gettext(
            "<b>{code} · {name}</b> {light}", code=row.code, name=row.name, light=LIGHT_LABELS[row.light]
        ),
        tr.gettext(
            "Sesiones ordinarias: {held} en el periodo; {quarter}/{quarter_min} en el trimestre, "
            "{year}/{year_min} en el año. Sin quórum: {failed}.",
            held=row.ordinary_held,
            quarter=row.quarter_held,
            quarter_min=row.quarter_minimum,
            year=row.year_held,
            year_min=row.year_minimum,
            failed=row.failed_quorum,
        ),
        tr.gettext(
            "Asistencia: {rate} ({present} de {total}); inasistencias injustificadas: {unjustified}.",
            rate=percent(tr, row.attendance_rate),
            present=row.attendance_present,
            total=row.attendance_total,
            unjustified=row.unjustified_absences,
        ),
        tr.gettext(
            "Acuerdos: {adopted} adoptados en el periodo; {in_progress} en curso, {done} cumplidos, "
            "{overdue} vencidos, {cancelled} cancelados.",
            adopted=row.adopted,
            in_progress=row.in_progress,
            done=row.done,
            overdue=row.overdue,
            cancelled=row.cancelled,
        ),
        tr.gettext(
            "Cumplidos a tiempo: {on_time}; mediana de retraso: {median} días.",
            on_time=percent(tr, row.on_time_rate),
            median=number(tr, row.median_days_overdue),
        ),
        tr.gettext(
            "Instituciones sin enlace: {missing} de {seats}. Calendario anual: {calendar}.",
            missing=row.seats_without_liaison,
            seats=row.seats,
            calendar=tr.gettext("sí") if row.calendar_set else tr.gettext("no"),
        ),
    ]
    if row.attention:
        lines.append(tr.gettext("⚠️ Atender: {reasons}.", reasons=attention_text(tr, row)))
    return lines


def trend_lines(tr: Translator, now: RegionIndicators, before: RegionIndicators) -> list[str]:
    """How the key numbers moved against the previous period."""

    def arrow(delta: float) -> str:
        return "▲" if delta > 0 else "▼" if delta < 0 else "="

    lines = [tr.gettext("<b>Frente al periodo anterior</b>")]
    if now.attendance_rate is not None and before.attendance_rate is not None:
        delta = round((now.attendance_rate - before.attendance_rate) * 100)
        lines.append(
            tr.gettext(
                "Asistencia: {arrow} {delta} puntos.", arrow=arrow(delta), delta=number(tr, abs(delta))
            )
        )
    for label, a, b in (
        (msg("Acuerdos vencidos"), now.overdue, before.overdue),
        (msg("Acuerdos cumplidos"), now.done, before.done),
    ):
        lines.append(
            tr.gettext(
                "{label}: {value} ({arrow} {delta}).",
                label=label,
                value=a,
                arrow=arrow(a - b),
                delta=abs(a - b),
            )
        )
    return lines


def region_message(
    tr: Translator,
    row: RegionIndicators,
    period: Period,
    previous: RegionIndicators | None = None,
    *,
    title: Text | None = None,
) -> list[str]:
    heading = title or msg("📊 Informe de {commission}", commission=row.code)
    lines = [f"<b>{tr.render(heading)}</b>", tr.render(period_text(period)), ""]
    lines += region_lines(tr, row)
    if previous is not None:
        lines += ["", *trend_lines(tr, row, previous)]
    return split_text("\n".join(lines))


def national_message(tr: Translator, rows: Sequence[RegionIndicators], period: Period) -> list[str]:
    """Every region side by side, ranked: the ones needing attention first."""
    counts = {light: sum(r.light == light for r in rows) for light in Light}
    lines = [
        tr.gettext("<b>📊 Informe nacional de las comisiones regionales</b>"),
        tr.render(period_text(period)),
        tr.gettext(
            "🔴 {red} · 🟡 {amber} · 🟢 {green}",
            red=counts[Light.RED],
            amber=counts[Light.AMBER],
            green=counts[Light.GREEN],
        ),
        "",
    ]
    for position, row in enumerate(rows, start=1):
        lines.append(
            tr.gettext(
                "{position}. {icon} <b>{code}</b> ses. {year}/{year_min} · asist. {attendance} · "
                "venc. {overdue}/{live} · a tiempo {on_time}",
                position=position,
                icon=LIGHT_ICONS[row.light],
                code=row.code,
                year=row.year_held,
                year_min=row.year_minimum,
                attendance=percent(tr, row.attendance_rate),
                overdue=row.overdue,
                live=row.live_agreements,
                on_time=percent(tr, row.on_time_rate),
            )
        )
        if row.attention:
            lines.append(f"    {attention_text(tr, row)}")
    return split_text("\n".join(lines))


# --- files -------------------------------------------------------------------------------------


def plain_title(text: str) -> str:
    """Without emoji (the chart's font has no glyphs for them)."""
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF and ch != "\ufe0f").strip()


def chart_png(tr: Translator, rows: Sequence[RegionIndicators], title: Text) -> bytes:
    """Agreements by status per region (stacked bars) beside a regions × indicators heat map, drawn
    in the report process (bot/workflows/reports/worker.py). Callers wait for it in a worker thread."""
    heading = plain_title(tr.render(title))  # plain text: a Text's parameters do not pickle
    return report_process().submit(_chart_in_process, tr.code, list(rows), heading).result()


def _chart_in_process(language: str, rows: list[RegionIndicators], heading: str) -> bytes:
    return draw_chart(Catalogs().translator(language), rows, heading)


def draw_chart(tr: Translator, rows: Sequence[RegionIndicators], heading: str) -> bytes:
    from matplotlib.figure import Figure  # the object API only: no pyplot and its global figures

    ordered = list(reversed(rows))  # the first ranked at the top
    names = [r.code for r in ordered]
    height = 1.8 + 0.32 * max(len(rows), 3)
    fig = Figure(figsize=(11, height), dpi=100)
    bars, heat = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    left: list[float] = [0.0] * len(ordered)
    series = (
        (msg("en curso"), [r.in_progress for r in ordered], "#4C78A8"),
        (msg("cumplidos"), [r.done for r in ordered], "#54A24B"),
        (msg("vencidos"), [r.overdue for r in ordered], "#E45756"),
        (msg("cancelados"), [r.cancelled for r in ordered], "#BAB0AC"),
    )
    for label, values, color in series:
        bars.barh(names, values, left=left, color=color, label=tr.render(label))
        left = [a + float(b) for a, b in zip(left, values, strict=True)]
    bars.set_title(tr.gettext("Acuerdos por estado"))
    bars.legend(loc="lower right", fontsize=8)
    metrics: tuple[tuple[Text, Callable[[RegionIndicators], float | None]], ...] = (
        (msg("Sesiones"), lambda r: min(1.0, r.year_held / r.year_minimum) if r.year_minimum else None),
        (msg("Asistencia"), lambda r: r.attendance_rate),
        (msg("A tiempo"), lambda r: r.on_time_rate),
        (msg("Sin vencer"), lambda r: None if r.overdue_share is None else 1 - r.overdue_share),
        (msg("Enlaces"), lambda r: 1 - r.seats_without_liaison / r.seats if r.seats else None),
    )
    grid = [[float("nan") if (v := get(r)) is None else v for _, get in metrics] for r in ordered]
    heat.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto", origin="lower")
    heat.set_xticks(range(len(metrics)), [tr.render(label) for label, _ in metrics], fontsize=8)
    heat.set_yticks(range(len(names)), names)
    for y, cells in enumerate(grid):
        for x, value in enumerate(cells):
            if value == value:  # not NaN
                heat.text(x, y, percent(tr, value), ha="center", va="center", fontsize=7)
    heat.set_title(tr.gettext("Indicadores (0-100 %)"))
    fig.suptitle(heading)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _sheet_title(tr: Translator, text: Text) -> str:
    title = tr.render(text)
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def _raw(column: Column, row: RegionIndicators, tr: Translator) -> Value:
    value = column.get(row)
    if column.kind == "light":
        return tr.render(LIGHT_LABELS[row.light])
    if column.kind == "bool":
        return tr.gettext("sí") if value else tr.gettext("no")
    return value


Sheet = tuple[Text, list[str], list[list[Value]]]


def indicator_sheets(tr: Translator, rows: Sequence[RegionIndicators]) -> list[Sheet]:
    """The tables of a report: indicators per region, attendance per seat, what needs attention."""
    indicators: list[list[Value]] = [[_raw(c, r, tr) for c in COLUMNS] for r in rows]
    seats: list[list[Value]] = [
        [r.code, s.institution, s.present, s.total, s.unjustified, s.rate]
        for r in rows
        for s in r.seats_attendance
    ]
    attention: list[list[Value]] = [
        [r.code, tr.render(ATTENTION_LABELS[reason])] for r in rows for reason in r.attention
    ]
    return [
        (msg("Indicadores"), [tr.render(c.label) for c in COLUMNS], indicators),
        (
            msg("Asistencia por institución"),
            [
                tr.gettext("Código"),
                tr.gettext("Institución"),
                tr.gettext("Presente"),
                tr.gettext("Convocatorias"),
                tr.gettext("Inasistencias injustificadas"),
                tr.gettext("Asistencia"),
            ],
            seats,
        ),
        (msg("Atención"), [tr.gettext("Código"), tr.gettext("Motivo")], attention),
    ]


def xlsx_bytes(tr: Translator, sheets: Sequence[Sheet]) -> bytes:
    """One worksheet per table, bold header, frozen first row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, body in sheets:
        sheet = workbook.create_sheet(_sheet_title(tr, title))
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in body:
            sheet.append(list(values))
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
                10, min(40, len(name) + 2)
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(tr: Translator, rows: Sequence[RegionIndicators]) -> bytes:
    """The indicators table as CSV (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([tr.render(c.label) for c in COLUMNS])
    for row in rows:
        writer.writerow(["" if (v := _raw(c, row, tr)) is None else v for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
