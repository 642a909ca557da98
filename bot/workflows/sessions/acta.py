"""The acta (art. 32.4) as an editable DOCX, the opinions entered for it, and the attendance list.

The acta is written in Spanish, the authoritative language of the commission's records
(L10N.md): date, place, attendees, each matter with the opinions the secretary entered, each
member's vote and the counts, and the agreements adopted.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import msg
from bot.workflows.access import Action
from bot.workflows.audit import audited
from bot.workflows.business_days import LIMA
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import seat_names, tidy
from bot.workflows.sessions.convocation import invitees_of, where_text
from bot.workflows.sessions.meeting import tally, votes_of
from bot.workflows.sessions.rollcall import FINAL_STATUSES
from bot.workflows.sessions.schedule import access_item, access_session, acta_of, agenda
from bot.workflows.sessions.votes import Vote
from db.models import (
    AgendaItem,
    Agreement,
    AgreementSeat,
    Answer,
    MeetingAttendance,
    Person,
    SessionActa,
    SessionInvitee,
    SessionKind,
    SessionStatus,
)

VOTE_WORDS = {Vote.FOR: "a favor", Vote.AGAINST: "en contra", Vote.ABSTAIN: "abstención"}
MAX_OPINIONS = 3000


async def set_opinions(
    db: AsyncSession, person: Person | None, item_id: int, text: str, *, now: datetime
) -> None:
    """The opinions voiced on an item, as the secretary summarises them for the acta."""
    actor, session, item = await access_item(db, person, item_id, Action.MANAGE_SESSIONS)
    text = text.strip()
    if not 3 <= len(text) <= MAX_OPINIONS:
        raise UserError(msg("Las intervenciones deben tener entre 3 y 3000 caracteres."))
    before = {"opinions": item.opinions}
    item.opinions = text
    db.add(item)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.opinions",
        "agenda_item",
        item.id,
        now=now,
        before=before,
        after={"opinions": text},
    )


class Draft:
    """The acta's content as written, turned into a DOCX by `docx()` in a worker thread."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, Any]] = []

    def add_heading(self, text: str, level: int) -> None:
        self.parts.append(("heading", (text, level)))

    def add_paragraph(self, text: str, style: str | None = None) -> None:
        self.parts.append(("paragraph", (text, style)))

    def add_table(self, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        self.parts.append(("table", (header, rows)))

    def docx(self) -> bytes:
        from docx import Document  # imported on use: it costs the bot process ~7 MB at start

        document = Document()
        for kind, part in self.parts:
            if kind == "heading":
                document.add_heading(part[0], level=part[1])
            elif kind == "paragraph":
                document.add_paragraph(part[0], style=part[1])
            else:
                header, rows = part
                table = document.add_table(rows=1, cols=len(header))
                for cell, text in zip(table.rows[0].cells, header, strict=True):
                    cell.text = text
                for row in rows:
                    for cell, text in zip(table.add_row().cells, row, strict=True):
                        cell.text = text
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


@dataclass(frozen=True)
class ActaFile:
    file_name: str
    content: bytes


async def _attendance(db: AsyncSession, session_id: int) -> list[MeetingAttendance]:
    return list(
        (await db.exec(select(MeetingAttendance).where(MeetingAttendance.session_id == session_id))).all()
    )


async def seat_justifications(db: AsyncSession, session_id: int) -> dict[int, str]:
    """Each seat's written reasons for not attending, as its people sent them with their RSVP."""
    out: dict[int, list[str]] = {}
    for invitee, _ in await invitees_of(db, session_id):
        if invitee.seat_id and invitee.answer is Answer.ABSENT and invitee.justification:
            out.setdefault(invitee.seat_id, []).append(invitee.justification)
    return {seat: " / ".join(reasons) for seat, reasons in out.items()}


@dataclass(frozen=True)
class Registered:
    """An agreement as the register holds it: code, owner institutions, deadline as adopted."""

    code: str
    owners: str
    deadline: date


async def agreements_by_item(db: AsyncSession, session_id: int) -> dict[int, Registered]:
    """The agreements this session created, by agenda position (their origin label ends in it)."""
    rows = (await db.exec(select(Agreement).where(Agreement.origin_session_id == session_id))).all()
    out: dict[int, Registered] = {}
    for agreement in rows:
        label = agreement.origin_label or ""
        position = label.rsplit("punto ", 1)[-1]
        if not position.isdigit():
            continue
        seat_ids = (
            await db.exec(select(AgreementSeat.seat_id).where(AgreementSeat.agreement_id == agreement.id))
        ).all()
        names = await seat_names(db, list(seat_ids))
        owners = ", ".join(sorted(names.values()))
        out[int(position)] = Registered(agreement.code, owners, agreement.original_deadline)
    return out


def agreement_line(item: AgendaItem, registered: Registered | None) -> str:
    if registered is None:  # adopted before the register knew it; still in the acta by its point
        return f"Punto {item.position}: {item.title}"
    owner = registered.owners or "sin institución responsable"
    return (
        f"Acuerdo {registered.code}: {item.title}. Responsable: {owner}. "
        f"Plazo: {registered.deadline:%d/%m/%Y}."
    )


Convened = list[tuple[SessionInvitee, Person]]


def people_by_seat(invited: Convened) -> dict[int, Convened]:
    out: dict[int, Convened] = {}
    for invitee, person in invited:
        if invitee.seat_id is not None:
            out.setdefault(invitee.seat_id, []).append((invitee, person))
    return out


def present_names(people: Convened) -> str:
    """Who attended for a seat, as their answers say: those who confirmed, or the accredited
    alternate; if nobody answered, the people convened for it (the roll call counted the seat)."""
    names = [
        f"{i.alternate_name} (alterno/a de {p.name})"
        if i.answer is Answer.ALTERNATE and i.alternate_name
        else p.name
        for i, p in people
        if i.answer in (Answer.ATTENDING, Answer.ALTERNATE)
    ]
    if not names:
        names = [p.name for i, p in people if i.answer is not Answer.ABSENT]
    return ", ".join(names)


def attendance_cells(a: MeetingAttendance, people: Convened) -> tuple[str, str]:
    """(people, status) of one seat's line in the acta, with written justifications."""
    if a.present:
        return present_names(people), "Presente"
    reasons = [i.justification for i, _ in people if i.answer is Answer.ABSENT and i.justification]
    who = ", ".join(p.name for _, p in people)
    if a.justified and reasons:
        return who, "Ausente con justificación: " + " / ".join(reasons)
    return who, "Ausente con justificación" if a.justified else "Ausente sin justificación"


def answer_words(invitee: SessionInvitee) -> str:
    if invitee.answer in (Answer.ATTENDING, Answer.ALTERNATE):
        return "confirmó su asistencia"
    if invitee.answer is Answer.ABSENT:
        reason = f": {invitee.justification}" if invitee.justification else ""
        return "ausente con justificación" + reason
    return "sin respuesta"


async def build_acta(db: AsyncSession, person: Person | None, session_id: int, *, now: datetime) -> ActaFile:
    """Write (or rewrite) the acta draft of a finished session and keep it."""
    actor, session = await access_session(db, person, session_id, Action.MANAGE_SESSIONS)
    if session.status not in FINAL_STATUSES:
        raise UserError(msg("El acta se prepara cuando la sesión se instaló o no alcanzó quórum."))
    assert session.id is not None
    attendance = await _attendance(db, session_id)
    invited = await invitees_of(db, session_id)
    names = await seat_names(
        db, [a.seat_id for a in attendance] + [i.seat_id for i, _ in invited if i.seat_id]
    )
    by_seat = people_by_seat(invited)
    local = session.starts_at.astimezone(LIMA)
    kind = "ordinaria" if session.kind is SessionKind.ORDINARY else "extraordinaria"

    doc = Draft()
    doc.add_heading(f"ACTA DE SESIÓN {kind.upper()}", level=1)
    doc.add_paragraph(actor.commission.name)
    doc.add_paragraph(f"Fecha: {local:%d/%m/%Y}   Hora: {local:%H:%M}")
    doc.add_paragraph(f"Lugar o enlace: {where_text(session)}")
    if session.status is SessionStatus.FAILED_QUORUM:
        doc.add_paragraph("La sesión no se instaló por falta de quórum (art. 31).")

    doc.add_heading("Asistencia", level=2)
    rows: list[tuple[str, ...]] = [
        (names.get(a.seat_id, "?"), *attendance_cells(a, by_seat.get(a.seat_id, [])))
        for a in sorted(attendance, key=lambda a: names.get(a.seat_id, ""))
    ]
    doc.add_table(("Institución", "Personas", "Asistencia"), rows)
    recorded = {a.seat_id for a in attendance}
    voice = [(i, p) for i, p in invited if i.seat_id is None or i.seat_id not in recorded]
    if voice:
        doc.add_paragraph("Observadores y miembros con voz, sin voto:")
        for invitee, person in voice:
            where = f" ({names[invitee.seat_id]})" if invitee.seat_id in names else ""
            doc.add_paragraph(f"{person.name}{where}: {answer_words(invitee)}", style="List Bullet")

    agreements = []
    if session.status is not SessionStatus.FAILED_QUORUM:
        doc.add_heading("Orden del día y acuerdos", level=2)
        for item in await agenda(db, session_id):
            assert item.id is not None
            doc.add_heading(f"{item.position}. {item.title}", level=3)
            if item.opinions:
                doc.add_paragraph(f"Intervenciones: {item.opinions}")
            if not item.needs_decision:
                doc.add_paragraph("Punto informativo.")
                continue
            votes = await votes_of(db, item.id)
            vote_names = await seat_names(db, list(votes))
            for seat_id, vote in sorted(votes.items(), key=lambda kv: vote_names.get(kv[0], "")):
                # The people who held the seat at this session, whoever holds it today.
                who = present_names(by_seat.get(seat_id, []))
                voter = f"{vote_names.get(seat_id, '?')} ({who})" if who else vote_names.get(seat_id, "?")
                doc.add_paragraph(f"{voter}: {VOTE_WORDS[vote]}", style="List Bullet")
            result = await tally(db, session, item)
            line = (
                f"Votos a favor: {result.votes_for}; en contra: {result.votes_against}; "
                f"abstenciones: {result.abstentions}."
            )
            if result.casting_vote_used:
                line += " Se aplicó el voto dirimente de la presidencia."
            doc.add_paragraph(line)
            outcome = "APROBADO" if item.adopted else "NO APROBADO"
            doc.add_paragraph(f"Resultado: {outcome}.")
            if item.adopted and item.approves_acta_of_id is None:
                agreements.append(item)
        registered = await agreements_by_item(db, session_id)
        doc.add_heading("Acuerdos adoptados", level=2)
        for item in agreements:
            doc.add_paragraph(agreement_line(item, registered.get(item.position)))
        if not agreements:
            doc.add_paragraph("No se adoptaron acuerdos.")
    doc.add_paragraph("")
    doc.add_paragraph("Firmas: Presidencia ____________________   Secretaría Técnica ____________________")

    content = await asyncio.to_thread(doc.docx)  # python-docx: off the event loop
    acta = await acta_of(db, session_id) or SessionActa(
        session_id=session_id, content=content, generated_at=now
    )
    acta.content, acta.generated_at = content, now
    db.add(acta)
    await db.flush()
    await audited(
        db,
        actor,
        session.commission_id,
        "sessions.acta_generated",
        "session_acta",
        acta.id,
        now=now,
        after={"session_id": session_id, "bytes": len(content)},
    )
    return ActaFile(f"acta-{actor.commission.code}-{local:%Y-%m-%d}.docx", content)


async def attendance_csv(db: AsyncSession, person: Person | None, session_id: int) -> ActaFile:
    """The attendance list for publication (art. 30.3): institutions, with the reason a seat gave for
    a justified absence; no names of people."""
    actor, session = await access_session(db, person, session_id, Action.VIEW_SESSIONS)
    if session.status not in FINAL_STATUSES:
        raise UserError(msg("La asistencia se publica después de pasar lista."))
    attendance = await _attendance(db, session_id)
    names = await seat_names(db, [a.seat_id for a in attendance])
    local = session.starts_at.astimezone(LIMA)
    out = io.StringIO()
    writer = csv.writer(out)
    justifications = await seat_justifications(db, session_id)
    writer.writerow(["comision", "fecha", "institucion", "asistencia", "justificacion"])
    for a in sorted(attendance, key=lambda a: names.get(a.seat_id, "")):
        status = (
            "presente" if a.present else ("ausente_justificado" if a.justified else "ausente_injustificado")
        )
        reason = tidy(justifications.get(a.seat_id, "")) if a.justified and not a.present else ""
        if reason.startswith(("=", "+", "-", "@")):  # typed by a person: never a spreadsheet formula
            reason = "'" + reason
        writer.writerow(
            [actor.commission.code, f"{local:%Y-%m-%d}", tidy(names.get(a.seat_id, "?")), status, reason]
        )
    return ActaFile(
        f"asistencia-{actor.commission.code}-{local:%Y-%m-%d}.csv", out.getvalue().encode("utf-8")
    )
