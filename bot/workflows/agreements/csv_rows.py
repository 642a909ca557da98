"""The register's file (CSV or XLSX, read into lines of cells by sheets.py): its columns, and how
each line is checked.

One row per agreement, Spanish headers; a line is either a whole valid `CsvRow` or the reason, with
its line number, why it is wrong. Every line is checked, so all the bad ones are reported at once,
and a file with any bad line imports nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.i18n import Text, msg
from bot.workflows.agreements.change import STATUS_TEXT
from bot.workflows.agreements.create import INDICATOR_MAX, ORIGIN_MAX, TEXT_MAX, TEXT_MIN
from bot.workflows.errors import UserError
from bot.workflows.labels import typed_choice
from bot.workflows.membership.commissions import normalise
from db.models import Agreement, AgreementStatus

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
class CsvRow:
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


@dataclass(frozen=True)
class LineError:
    line: int
    reason: Text


@dataclass
class Checked:
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, line: int, reason: Text) -> None:
        self.error = LineError(line, reason)


def _bad(line: int, reason: Text) -> _Bad:
    return _Bad(line, reason)


def refusal(error: LineError) -> UserError:
    """One bad line as a refusal (a file-level problem, or the first of the lines)."""
    return UserError(
        msg(
            "El archivo no se importó: línea {line}: {reason} No se registró ningún acuerdo.",
            line=error.line,
            reason=error.reason,
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


def check_rows(
    table: list[tuple[int, list[str]]], commission_code: str, seats_by_name: dict[str, int]
) -> Checked:
    """Every line of the file checked: the valid rows, and each bad line with its reason."""
    if not table:
        raise refusal(LineError(1, msg("el archivo está vacío.")))
    header = [h.strip().lower() for h in table[0][1]]
    missing = [h for h in ("texto", "instituciones", "plazo") if h not in header]
    if missing:
        raise refusal(LineError(1, msg("faltan las columnas {columns}.", columns=", ".join(missing))))
    code_re = re.compile(rf"^{re.escape(commission_code)}-(\d{{4}})-(\d{{3,}})$")
    checked, seen = Checked(), set[str]()
    for line, values in table[1:]:
        values = [v.strip() for v in values]
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        try:
            if len(values) > len(header):
                raise _bad(line, msg("tiene más columnas que el encabezado."))
            cell = dict(zip(header, values + [""] * (len(header) - len(values)), strict=True))
            checked.rows.append(_row(line, cell, code_re, seats_by_name, seen))
        except _Bad as bad:
            checked.errors.append(bad.error)
    return checked


def _row(
    line: int, cell: dict[str, str], code_re: re.Pattern[str], seats_by_name: dict[str, int], seen: set[str]
) -> CsvRow:
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
    status = STATUS_WORDS.get(word) or typed_choice(word, STATUS_TEXT)
    if status is None:
        raise _bad(
            line,
            msg(
                "el estado «{value}» no existe (escriba {pending}, {in_progress}, {done} o {cancelled}).",
                value=word[:30],
                pending=STATUS_TEXT[AgreementStatus.PENDING],
                in_progress=STATUS_TEXT[AgreementStatus.IN_PROGRESS],
                done=STATUS_TEXT[AgreementStatus.DONE],
                cancelled=STATUS_TEXT[AgreementStatus.CANCELLED],
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
    return CsvRow(
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


def apply_row(agreement: Agreement, row: CsvRow) -> None:
    agreement.text, agreement.indicator, agreement.origin_label = row.text, row.indicator, row.origin
    agreement.status, agreement.progress, agreement.cancel_reason = (
        row.status,
        row.progress,
        row.cancel_reason,
    )
    agreement.deadline = row.deadline
