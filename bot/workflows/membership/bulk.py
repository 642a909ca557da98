"""Onboarding many people at once: the secretary fills a template (CSV or XLSX: institución,
asiento, rol, nombre, idioma) and gets one invitation per row.

All or nothing: every row is checked first and every bad row is reported at once, with its number
and what to fix; nothing is created unless the whole file is right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.access import INVITABLE_ROLES, Action, access_commission
from bot.workflows.audit import audited
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import ensure_seat, normalise, tidy
from bot.workflows.membership.invitations import (
    DEFAULT_INVITATION_DAYS,
    SEATED_ROLES,
    IssuedInvitation,
    issue_invitation,
)
from db.models import Person, Role

HEADERS = ("institucion", "asiento", "rol", "nombre", "idioma")
MAX_ROWS = 200
ROLE_WORDS: dict[str, Role] = {
    "secretaria": Role.SECRETARY,
    "secretaria tecnica": Role.SECRETARY,
    "presidencia": Role.PRESIDENT,
    "presidente": Role.PRESIDENT,
    "presidenta": Role.PRESIDENT,
    "titular": Role.MEMBER,
    "miembro": Role.MEMBER,
    "miembro titular": Role.MEMBER,
    "alterno": Role.ALTERNATE,
    "alterna": Role.ALTERNATE,
    "miembro alterno": Role.ALTERNATE,
    "enlace": Role.LIAISON,
    "coordinador de enlace": Role.LIAISON,
    "coordinadora de enlace": Role.LIAISON,
    "observador": Role.OBSERVER,
    "observadora": Role.OBSERVER,
    "analista": Role.CAN_ANALYST,
} | {role.value: role for role in Role}
SEAT_WORDS = {"voto": True, "con voto": True, "voz": False, "sin voto": False, "observador": False, "": None}


@dataclass(frozen=True)
class Row:
    line: int
    institution: str | None
    voting: bool | None
    role: Role
    name: str
    language: str


@dataclass(frozen=True)
class Invited:
    row: Row
    issued: IssuedInvitation


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerow(["Gobierno Regional del Cusco", "voto", "titular", "Nombre Apellido", "es"])
    writer.writerow(["Gobierno Regional del Cusco", "voto", "enlace", "Nombre Apellido", "qu"])
    writer.writerow(["Defensoría del Pueblo - Oficina Cusco", "voz", "observador", "Nombre Apellido", "ay"])
    return out.getvalue().encode("utf-8-sig")


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The cells of a CSV (comma or semicolon, UTF-8) or of the first sheet of an XLSX."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # on use: only this import needs it

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # any unreadable workbook: tell the person, never a traceback
            raise UserError(
                msg("No puedo leer ese archivo XLSX. Guárdelo de nuevo o envíelo como CSV.")
            ) from exc
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            msg("El archivo debe estar en UTF-8. Guárdelo como «CSV UTF-8» y envíelo de nuevo.")
        ) from exc
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def parse_rows(
    table: Sequence[Sequence[str]], kind: str, languages: Iterable[str]
) -> tuple[list[Row], list[Text]]:
    """The rows, and every problem found (one Text per bad row)."""
    if not table or [normalise(c) for c in table[0][: len(HEADERS)]] != list(HEADERS):
        raise UserError(
            msg("La primera fila debe tener las columnas: {headers}.", headers=", ".join(HEADERS))
        )
    rows: list[Row] = []
    errors: list[Text] = []
    allowed = set(languages)
    for line, cells in enumerate(table[1:], start=2):
        cells = [tidy(c) for c in list(cells) + [""] * (len(HEADERS) - len(cells))]
        if not any(cells):
            continue
        institution, seat, role_word, name, language = cells[: len(HEADERS)]
        problems: list[Text] = []
        role = ROLE_WORDS.get(normalise(role_word))
        if role is None or role not in INVITABLE_ROLES[kind]:
            problems.append(msg("el rol «{value}» (titular, alterno, enlace, observador…)", value=role_word))
        if normalise(seat) not in SEAT_WORDS:
            problems.append(msg("el asiento «{value}» (voto, voz u observador)", value=seat))
        if not 2 <= len(name) <= 120:
            problems.append(msg("el nombre (de 2 a 120 caracteres)"))
        if (institution and not 3 <= len(institution) <= 200) or (role in SEATED_ROLES and not institution):
            problems.append(msg("la institución (de 3 a 200 caracteres; obligatoria para ese rol)"))
        language = language.lower() or "es"
        if language not in allowed:
            problems.append(msg("el idioma «{value}» (es, qu, ay)", value=language))
        if problems:
            errors.append(msg("Fila {line}: revise {what}.", line=line, what=joined(problems, "; ")))
            continue
        assert role is not None
        rows.append(Row(line, institution or None, SEAT_WORDS[normalise(seat)], role, name, language))
    if len(rows) + len(errors) > MAX_ROWS:
        raise UserError(msg("Como máximo {max} filas por archivo.", max=MAX_ROWS))
    if not rows and not errors:
        raise UserError(msg("El archivo no tiene filas con personas."))
    return rows, errors


async def invite_many(
    db: AsyncSession,
    person: Person | None,
    commission_id: int | None,
    content: bytes,
    file_name: str,
    languages: Iterable[str],
    *,
    now: datetime,
    valid_days: int = DEFAULT_INVITATION_DAYS,
) -> list[Invited]:
    actor = await access_commission(db, person, commission_id, Action.INVITE)
    rows, errors = parse_rows(read_table(content, file_name), actor.commission.kind, languages)
    if errors:
        raise UserError(_all_errors(errors))
    out = []
    for row in rows:
        seat = await ensure_seat(db, actor.commission, row.institution, now=now) if row.institution else None
        if seat is not None and row.voting is not None and seat.voting != row.voting:
            seat.voting = row.voting
            db.add(seat)
            await audited(
                db, actor, seat.commission_id, "seat.voting", "seat", seat.id, now=now,
                before={"voting": not row.voting}, after={"voting": row.voting},
            )  # fmt: skip
        issued = await issue_invitation(
            db, actor.commission, row.role, now=now, seat_id=seat.id if seat else None,
            invitee_name=row.name, created_by=actor.person, valid_days=valid_days,
        )  # fmt: skip
        out.append(Invited(row, issued))
    return out


def joined(texts: Sequence[Text], separator: str) -> Text:
    """Several texts as one, each rendered in the reader's language (no msgid of its own)."""
    params = {f"t{n}": t for n, t in enumerate(texts)}
    return Text(separator.join("{" + k + "}" for k in params), params=MappingProxyType(params))


def _all_errors(errors: list[Text]) -> Text:
    """Every bad row in one message (the first 30; the count says if there are more)."""
    return nmsg(
        "No se creó ninguna invitación: {n} fila tiene problemas. Corríjala y envíe el archivo "
        "de nuevo.\n{rows}",
        "No se creó ninguna invitación: {n} filas tienen problemas. Corríjalas y envíe el archivo "
        "de nuevo.\n{rows}",
        len(errors),
        rows=joined(errors[:30], "\n"),
    )


def result_csv(invited: Sequence[tuple[Invited, str]]) -> bytes:
    """The invitations as a file to forward from: one line per person with their link."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nombre", "rol", "institucion", "idioma", "enlace", "vence"])
    for item, link in invited:
        expires = item.issued.invitation.expires_at.date().isoformat()
        row = item.row
        writer.writerow([row.name, row.role.value, row.institution or "", row.language, link, expires])
    return out.getvalue().encode("utf-8-sig")
