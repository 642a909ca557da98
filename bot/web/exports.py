"""The dashboard's views as XLSX workbooks (openpyxl, as the chat's reports)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.i18n import Translator, msg
from bot.web.opendata import STATUS_LABELS
from bot.workflows.portal.dashboard import Drill
from bot.workflows.reports.formats import indicator_sheets, xlsx_bytes
from bot.workflows.reports.lights import RegionIndicators

DRILL_HEADER = (
    msg("Comisión"),
    msg("Código"),
    msg("Acuerdo"),
    msg("Instituciones responsables"),
    msg("Estado"),
    msg("Avance (%)"),
    msg("Plazo original"),
    msg("Plazo vigente"),
    msg("Días de retraso"),
)


def indicators_xlsx(tr: Translator, rows: Sequence[RegionIndicators]) -> bytes:
    """The same workbook the chat's `/informe` sends: indicators, attendance, attention."""
    return xlsx_bytes(tr, indicator_sheets(tr, rows))


def table_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """One sheet: a bold, frozen header row and the rows as shown on the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def drill_xlsx(tr: Translator, drill: Drill) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = tr.gettext("Acuerdos")[:31]
    sheet.append([tr.render(h) for h in DRILL_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in drill.rows:
        sheet.append(
            [
                r.commission,
                r.code,
                r.text,
                "; ".join(r.institutions),
                tr.render(STATUS_LABELS[r.status.value]),
                r.progress,
                r.original_deadline,
                r.deadline,
                r.days_overdue,
            ]
        )
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (10, 16, 60, 40, 12, 10, 14, 14, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
