"""Agreements: the register's texts (a row, a page, an agreement's detail with its history)."""

from __future__ import annotations

import html

from bot.handlers.agreements.ui import filter_label, shown_label
from bot.i18n import Text, Translator, msg
from bot.workflows.agreements.create import Shown
from bot.workflows.agreements.read import AgreementRow, Detail, EventView, Filter, Page
from bot.workflows.labels import EVIDENCE_LABELS
from db.models import AgreementEventKind, EvidenceKind


def row_line(tr: Translator, row: AgreementRow) -> str:
    if row.original_deadline != row.deadline:  # rescheduled: both, as in the detail and the CSV
        return tr.gettext(
            "<b>{code}</b> · {status} · {progress} % · plazo {deadline} (original: {original})\n{text}",
            code=row.code,
            status=shown_label(tr, row.shown),
            progress=row.progress,
            deadline=row.deadline,
            original=row.original_deadline,
            text=row.text,
        )
    return tr.gettext(
        "<b>{code}</b> · {status} · {progress} % · plazo {deadline}\n{text}",
        code=row.code,
        status=shown_label(tr, row.shown),
        progress=row.progress,
        deadline=row.deadline,
        text=row.text,
    )


def page_text(tr: Translator, page: Page, wanted: Filter) -> str:
    if page.total == 0:
        return tr.gettext("No hay acuerdos con el filtro «{filter}».", filter=filter_label(tr, wanted))
    header = tr.ngettext(
        "{n} acuerdo ({filter}), página {page} de {pages}:",
        "{n} acuerdos ({filter}), página {page} de {pages}:",
        page.total,
        filter=filter_label(tr, wanted),
        page=page.page + 1,
        pages=page.pages,
    )
    return "\n\n".join([header] + [row_line(tr, r) for r in page.rows])


# History lines of the overdue ladder's steps (by step) and of the requests for a new deadline.
STEP_LINES: dict[AgreementEventKind, dict[str, Text]] = {
    AgreementEventKind.ESCALATED: {
        "liaison": msg("vencido: se recordó a los coordinadores de enlace"),
        "secretary": msg("vencido: se avisó a la secretaría técnica"),
        "member": msg("vencido: se avisó a los miembros titulares de las instituciones"),
        "can": msg("vencido: marcado para el reporte a la CAN"),
        "": msg("vencido"),
    },
    AgreementEventKind.DEADLINE_ASKED: {"": msg("pidió un nuevo plazo")},
    AgreementEventKind.DEADLINE_REFUSED: {"": msg("no aceptó el nuevo plazo pedido")},
}


def imported_line(e: EventView) -> Text | None:
    return msg("importación CSV, línea {line}", line=e.import_line) if e.import_line else None


def _event_line(tr: Translator, e: EventView) -> str:
    when = tr.datetime(e.at, "short")
    if e.kind in (AgreementEventKind.CREATED, AgreementEventKind.IMPORTED):
        what = tr.gettext("registrado")
    elif e.kind == AgreementEventKind.RESCHEDULED:
        what = tr.gettext(
            "plazo del {old} al {new}; motivo: {reason}; acordado por: {who}",
            old=e.old_deadline or "",
            new=e.new_deadline or "",
            reason=imported_line(e) or e.note or "",
            who=msg("importación CSV") if e.import_line else e.agreed_by or "",
        )
    elif e.kind == AgreementEventKind.PROGRESS:
        status = shown_label(tr, Shown(e.status.value)) if e.status else ""
        what = tr.gettext(
            "avance {progress} % ({status}) de {institution}",
            progress=e.progress or 0,
            status=status,
            institution=e.institution or "",
        )
        if e.note:
            what += f": «{html.escape(e.note)}»"
        if e.evidence_kind == EvidenceKind.LINK and e.evidence_link:
            what += " · " + tr.gettext("enlace: {link}", link=e.evidence_link)
        elif e.evidence_kind:
            name = e.evidence_name or tr.render(EVIDENCE_LABELS[e.evidence_kind])
            what += " · " + tr.gettext("evidencia: {name}", name=name)
    elif e.kind in STEP_LINES:
        what = tr.render(STEP_LINES[e.kind].get(e.note or "", STEP_LINES[e.kind][""]))
        if e.kind != AgreementEventKind.ESCALATED:
            what += " " + tr.gettext(
                "(del {old} al {new})", old=e.old_deadline or "", new=e.new_deadline or ""
            )
            if e.note:
                what += "; " + tr.gettext("motivo: {reason}", reason=e.note)
    elif e.kind == AgreementEventKind.CLOSED:
        what = tr.gettext("declarado cumplido")
    elif e.kind == AgreementEventKind.CANCELLED:
        what = tr.gettext("cancelado; motivo: {reason}", reason=e.note or "")
    else:
        what = tr.gettext("editado ({what})", what=imported_line(e) or e.note or "")
    who = html.escape(e.who) if e.who else ("🤖" if e.kind == AgreementEventKind.ESCALATED else "—")
    return f"• {when} · {who}: {what}"


def detail_text(tr: Translator, detail: Detail, history_limit: int = 15) -> str:
    row, a = detail.row, detail.agreement
    lines = [
        f"<b>{html.escape(row.code)}</b> · {shown_label(tr, row.shown)} · {row.progress} %",
        html.escape(row.text),
        tr.gettext("Responsables: {institutions}", institutions=", ".join(row.institutions)),
    ]
    if row.original_deadline != row.deadline:
        lines.append(
            tr.gettext(
                "Plazo: {deadline} (original: {original})",
                deadline=row.deadline,
                original=row.original_deadline,
            )
        )
    else:
        lines.append(tr.gettext("Plazo: {deadline}", deadline=row.deadline))
    if a.indicator:
        lines.append(tr.gettext("Indicador: {indicator}", indicator=a.indicator))
    if detail.origin:
        lines.append(tr.gettext("Origen: {origin}", origin=detail.origin))
    if a.cancel_reason:
        lines.append(tr.gettext("Motivo de cancelación: {reason}", reason=a.cancel_reason))
    lines.append("")
    lines.append(tr.gettext("<b>Historial</b>"))
    events = detail.events[-history_limit:]
    lines += [_event_line(tr, e) for e in events]
    text = "\n".join(lines)
    return text[:4000]
