"""CSV export and import of a commission's register (bulk entry of an annual work plan).

One row per agreement, Spanish headers, UTF-8 with BOM so spreadsheets open it as it is.
Import is all or nothing: every line is checked first, and the first bad one is reported with its
line number and reason, importing nothing. A row with a known code updates that agreement (a new
deadline is recorded as a rescheduling); a row without a code, or with an unknown code of this
commission, adds an agreement. Exporting and importing the export gives the same register.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg, nmsg
from bot.workflows.access import Action, access_commission
from bot.workflows.agreements.create import (
    AUDITED_FIELDS,
    INDICATOR_MAX,
    ORIGIN_MAX,
    TEXT_MAX,
    TEXT_MIN,
    commission_seats,
    format_code,
    next_code,
    seat_people,
)
from bot.workflows.audit import audited, snapshot
from bot.workflows.business_days import lima_date
from bot.workflows.errors import UserError
from bot.workflows.membership.commissions import normalise, seat_names
from bot.workflows.notices import Notice
from db.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSeat,
    AgreementStatus,
    Person,
    Role,
)

HEADERS = [
    "codigo",
    "texto",
    "instituciones",
    "plazo_original",
    "plazo",
    "estado",
    "avance",
    "indicador",
    "origen",
    "motivo_cancelacion",
]
SEPARATOR = " | "
MAX_BYTES = 2_000_000
STATUS_WORDS = {
    "pendiente": AgreementStatus.PENDING,
    "en curso": AgreementStatus.IN_PROGRESS,
    "en_curso": AgreementStatus.IN_PROGRESS,
    "cumplido": AgreementStatus.DONE,
    "cancelado": AgreementStatus.CANCELLED,
}
STATUS_OUT = {
    AgreementStatus.PENDING: "pendiente",
    AgreementStatus.IN_PROGRESS: "en curso",
    AgreementStatus.DONE: "cumplido",
    AgreementStatus.CANCELLED: "cancelado",
}


@dataclass(frozen=True)
class Exported:
    file_name: str
    content: bytes
    count: int


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    code: str | None
    year: int | None
    seq: int | None
    text: str
    seat_ids: list[int]
    original_deadline: date
    deadline: date
    status: AgreementStatus
    progress: int
    indicator: str | None
    origin: str | None
    cancel_reason: str | None


async def export_csv(
    db: AsyncSession, person: Person | None, commission_id: int, *, now: datetime
) -> Exported:
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    agreements = (
        await db.exec(
            select(Agreement)
            .where(Agreement.commission_id == commission_id)
            .order_by(col(Agreement.year), col(Agreement.seq))
        )
    ).all()
    ids = [a.id for a in agreements]
    links = (await db.exec(select(AgreementSeat).where(col(AgreementSeat.agreement_id).in_(ids)))).all()
    names = await seat_names(db, list({link.seat_id for link in links}))
    seats: dict[int, list[str]] = {}
    for link in links:
        seats.setdefault(link.agreement_id, []).append(names.get(link.seat_id, ""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for a in agreements:
        writer.writerow(
            [
                a.code,
                a.text,
                SEPARATOR.join(sorted(seats.get(a.id or 0, []))),
                a.original_deadline.isoformat(),
                a.deadline.isoformat(),
                STATUS_OUT[a.status],
                a.progress,
                a.indicator or "",
                a.origin_label or "",
                a.cancel_reason or "",
            ]
        )
    await audited(
        db,
        actor,
        commission_id,
        "agreement.exported",
        "commission",
        commission_id,
        now=now,
        after={"count": len(agreements)},
    )
    name = f"acuerdos-{actor.commission.code}-{lima_date(now).isoformat()}.csv"
    return Exported(name, out.getvalue().encode("utf-8-sig"), len(agreements))


def _bad(line: int, reason: Text) -> UserError:
    return UserError(
        msg(
            "El CSV no se importó: línea {line}: {reason} No se registró ningún acuerdo.",
            line=line,
            reason=reason,
        )
    )


def _date(value: str, line: int, column: str) -> date:
    value = value.strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", value) or None
    dmy = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if dmy:
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        pass
    raise _bad(
        line,
        msg(
            "la columna {column} debe ser una fecha como 2026-12-31 («{value}»).",
            column=column,
            value=value[:30],
        ),
    )


def _parse(content: bytes, commission_code: str, seats_by_name: dict[str, int]) -> list[_Row]:
    if len(content) > MAX_BYTES:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            msg("El archivo no está en UTF-8. Guárdelo como «CSV UTF-8» e inténtelo de nuevo.")
        ) from exc
    first = decoded.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(decoded), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise _bad(1, msg("el archivo está vacío.")) from exc
    missing = [h for h in ("texto", "instituciones", "plazo") if h not in header]
    if missing:
        raise _bad(1, msg("faltan las columnas {columns}.", columns=", ".join(missing)))
    code_re = re.compile(rf"^{re.escape(commission_code)}-(\d{{4}})-(\d{{3,}})$")
    rows: list[_Row] = []
    seen: set[str] = set()
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise _bad(line, msg("tiene más columnas que el encabezado."))
            cell = dict(
                zip(header, [v.strip() for v in values] + [""] * (len(header) - len(values)), strict=True)
            )
            rows.append(_row(line, cell, code_re, seats_by_name, seen))
    except csv.Error as exc:
        raise _bad(reader.line_num, msg("el formato CSV está dañado.")) from exc
    return rows


def _row(
    line: int, cell: dict[str, str], code_re: re.Pattern[str], seats_by_name: dict[str, int], seen: set[str]
) -> _Row:
    code = cell.get("codigo", "").upper() or None
    year = seq = None
    if code is not None:
        m = code_re.match(code)
        if m is None:
            raise _bad(line, msg("el código «{code}» no es de esta comisión.", code=code[:30]))
        if code in seen:
            raise _bad(line, msg("el código {code} se repite.", code=code))
        seen.add(code)
        year, seq = int(m.group(1)), int(m.group(2))
    text = " ".join(cell.get("texto", "").split())
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise _bad(
            line, msg("el texto debe tener entre {min} y {max} caracteres.", min=TEXT_MIN, max=TEXT_MAX)
        )
    seat_ids: list[int] = []
    for name in (n for n in cell.get("instituciones", "").split("|") if n.strip()):
        seat_id = seats_by_name.get(normalise(name))
        if seat_id is None:
            raise _bad(
                line,
                msg("la institución «{name}» no tiene asiento en esta comisión.", name=name.strip()[:80]),
            )
        seat_ids.append(seat_id)
    if not seat_ids:
        raise _bad(line, msg("indique al menos una institución responsable."))
    deadline = _date(cell.get("plazo", ""), line, "plazo")
    original = (
        _date(cell["plazo_original"], line, "plazo_original") if cell.get("plazo_original") else deadline
    )
    word = cell.get("estado", "").lower() or "pendiente"
    status = STATUS_WORDS.get(word)
    if status is None:
        raise _bad(
            line,
            msg(
                "el estado «{value}» no existe (pendiente, en curso, cumplido o cancelado).", value=word[:30]
            ),
        )
    try:
        progress = int(cell.get("avance", "") or 0)
    except ValueError:
        progress = -1
    if not 0 <= progress <= 100:
        raise _bad(line, msg("el avance debe ser un número entre 0 y 100."))
    if status == AgreementStatus.DONE and progress != 100:
        raise _bad(line, msg("un acuerdo cumplido tiene avance 100."))
    reason = cell.get("motivo_cancelacion", "") or None
    if status == AgreementStatus.CANCELLED and not reason:
        raise _bad(line, msg("un acuerdo cancelado necesita el motivo de cancelación."))
    indicator, origin = cell.get("indicador", "") or None, cell.get("origen", "") or None
    if (indicator and len(indicator) > INDICATOR_MAX) or (origin and len(origin) > ORIGIN_MAX):
        raise _bad(line, msg("el indicador o el origen es demasiado largo."))
    return _Row(
        line,
        code,
        year,
        seq,
        text,
        list(dict.fromkeys(seat_ids)),
        original,
        deadline,
        status,
        progress,
        indicator,
        origin,
        reason if status == AgreementStatus.CANCELLED else None,
    )


def _apply(agreement: Agreement, row: _Row) -> None:
    agreement.text, agreement.indicator, agreement.origin_label = row.text, row.indicator, row.origin
    agreement.status, agreement.progress, agreement.cancel_reason = (
        row.status,
        row.progress,
        row.cancel_reason,
    )
    agreement.deadline = row.deadline


async def import_csv(
    db: AsyncSession, person: Person | None, commission_id: int, content: bytes, *, now: datetime
) -> Imported:
    """Check every line, then add or update the agreements; nothing at all if a line is bad."""
    actor = await access_commission(db, person, commission_id, Action.MANAGE_AGREEMENTS)
    seats = {
        normalise(i.name): s.id for s, i in await commission_seats(db, commission_id) if s.id is not None
    }
    rows = _parse(content, actor.commission.code, seats)
    existing = {
        a.code: a
        for a in (await db.exec(select(Agreement).where(Agreement.commission_id == commission_id))).all()
    }
    result = Imported()
    new_by_seat: dict[int, int] = {}
    for row in rows:
        agreement = existing.get(row.code) if row.code else None
        if agreement is None:
            if row.code is not None and row.year is not None and row.seq is not None:
                year, seq, code = row.year, row.seq, format_code(actor.commission.code, row.year, row.seq)
            else:
                year, seq, code = await next_code(db, actor.commission, now)
            agreement = Agreement(
                commission_id=commission_id,
                code=code,
                year=year,
                seq=seq,
                text=row.text,
                original_deadline=row.original_deadline,
                deadline=row.deadline,
                created_by_id=actor.person.id,
                created_at=now,
                updated_at=now,
            )
            _apply(agreement, row)
            if row.status in (AgreementStatus.DONE, AgreementStatus.CANCELLED):
                agreement.closed_at = now
            db.add(agreement)
            await db.flush()
            assert agreement.id is not None
            for seat_id in row.seat_ids:
                db.add(AgreementSeat(agreement_id=agreement.id, seat_id=seat_id))
                new_by_seat[seat_id] = new_by_seat.get(seat_id, 0) + 1
            db.add(
                AgreementEvent(
                    agreement_id=agreement.id,
                    at=now,
                    actor_id=actor.person.id,
                    kind=AgreementEventKind.IMPORTED,
                    status=agreement.status,
                    progress=agreement.progress,
                    new_deadline=agreement.deadline,
                )
            )
            await audited(
                db,
                actor,
                commission_id,
                "agreement.imported",
                "agreement",
                agreement.id,
                now=now,
                after=snapshot(agreement, *AUDITED_FIELDS) | {"seat_ids": row.seat_ids},
            )
            result.created += 1
            continue
        if await _update(db, agreement, row, actor.person, now):
            result.updated += 1
        else:
            result.unchanged += 1
    names = await seat_names(db, list(new_by_seat))
    for person_id, seat_id in await seat_people(db, list(new_by_seat), Role.LIAISON):
        result.notices.append(
            Notice(
                person_id,
                nmsg(
                    "Se registró {n} acuerdo nuevo a cargo de {institution}. Véalo con /acuerdos.",
                    "Se registraron {n} acuerdos nuevos a cargo de {institution}. Véalos con /acuerdos.",
                    new_by_seat[seat_id],
                    institution=names.get(seat_id, ""),
                ),
                commission_id,
            )
        )
    return result


async def _update(db: AsyncSession, agreement: Agreement, row: _Row, person: Person, now: datetime) -> bool:
    assert agreement.id is not None
    old_seats = list(
        (await db.exec(select(AgreementSeat.seat_id).where(AgreementSeat.agreement_id == agreement.id))).all()
    )
    before = snapshot(agreement, *AUDITED_FIELDS)
    old_deadline = agreement.deadline
    _apply(agreement, row)
    after = snapshot(agreement, *AUDITED_FIELDS)
    if after == before and sorted(old_seats) == sorted(row.seat_ids):
        return False
    if sorted(old_seats) != sorted(row.seat_ids):
        await db.exec(delete(AgreementSeat).where(col(AgreementSeat.agreement_id) == agreement.id))
        for seat_id in row.seat_ids:
            db.add(AgreementSeat(agreement_id=agreement.id, seat_id=seat_id))
    agreement.updated_at = now
    db.add(agreement)
    rescheduled = old_deadline != agreement.deadline
    db.add(
        AgreementEvent(
            agreement_id=agreement.id,
            at=now,
            actor_id=person.id,
            kind=AgreementEventKind.RESCHEDULED if rescheduled else AgreementEventKind.EDITED,
            status=agreement.status,
            progress=agreement.progress,
            old_deadline=old_deadline if rescheduled else None,
            new_deadline=agreement.deadline if rescheduled else None,
            note=f"importación CSV, línea {row.line}",
            agreed_by="importación CSV" if rescheduled else None,
        )
    )
    await audited(
        db,
        person,
        agreement.commission_id,
        "agreement.imported_update",
        "agreement",
        agreement.id,
        now=now,
        before=before | {"seat_ids": old_seats},
        after=after | {"seat_ids": row.seat_ids},
    )
    return True
