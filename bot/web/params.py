"""Query parameters, bounded: each parser accepts a short, known form or raises `BadParameter` with
a sentence (translatable) saying what is accepted (shown on a 400 page)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from multidict import MultiMapping

from bot.i18n import msg
from bot.web.security import BadParameter
from bot.workflows.errors import UserError
from bot.workflows.periods import Period
from bot.workflows.reports.periods import parse_period
from db.models import AgreementStatus

MAX_VALUE = 200  # characters: longer values are refused, not truncated
FIRST_YEAR = 2013  # the regulation of the CRAs (DS 089-2013-PCM)
STATUS_WORDS = {s.value: s for s in AgreementStatus}


def _one(query: MultiMapping[str], name: str) -> str | None:
    values = query.getall(name, [])
    if len(values) > 1:
        raise BadParameter(
            msg("El parámetro «{name}» aparece más de una vez: indíquelo una sola vez.", name=name)
        )
    if not values or values[0] == "":
        return None
    if len(values[0]) > MAX_VALUE:
        raise BadParameter(
            msg(
                "El parámetro «{name}» es demasiado largo (máximo {max} caracteres).",
                name=name,
                max=MAX_VALUE,
            )
        )
    return str(values[0])


def year(query: MultiMapping[str], today: date) -> int:
    raw = _one(query, "anio")
    if raw is None:
        return today.year
    if not re.fullmatch(r"\d{4}", raw) or not FIRST_YEAR <= int(raw) <= today.year + 1:
        raise BadParameter(
            msg(
                "El año «{raw}» no es válido: use un año de cuatro cifras entre {first} y {last}.",
                raw=raw,
                first=FIRST_YEAR,
                last=today.year + 1,
            )
        )
    return int(raw)


def period(query: MultiMapping[str], today: date) -> Period:
    """The period asked for (`periodo`); nothing: this year."""
    raw = _one(query, "periodo") or str(today.year)
    try:
        found = parse_period(raw, today, "es")
    except UserError:
        found = None
    if found is None or not FIRST_YEAR <= found.start.year <= today.year + 1:
        raise BadParameter(
            msg(
                "El periodo «{raw}» no es válido: use por ejemplo 2026, 2026-T3, 2026-11 o 2026-W47.", raw=raw
            )
        )
    return found


def status(query: MultiMapping[str]) -> AgreementStatus | None:
    raw = _one(query, "estado")
    if raw is None:
        return None
    if raw not in STATUS_WORDS:
        raise BadParameter(
            msg("El estado «{raw}» no existe: use {words}.", raw=raw, words=", ".join(STATUS_WORDS))
        )
    return STATUS_WORDS[raw]


def flag(query: MultiMapping[str], name: str) -> bool:
    raw = _one(query, name)
    if raw not in (None, "0", "1"):
        raise BadParameter(msg("El parámetro «{name}» solo admite 1 (sí) o 0 (no).", name=name))
    return raw == "1"


def region(query: MultiMapping[str]) -> str | None:
    raw = _one(query, "region")
    if raw is not None and not re.fullmatch(r"[A-Za-z]{3}", raw):
        raise BadParameter(
            msg("La región «{raw}» no es válida: use su código de tres letras, por ejemplo CUS.", raw=raw)
        )
    return raw.upper() if raw else None


def words(query: MultiMapping[str], name: str) -> str | None:
    raw = _one(query, name)
    return raw.strip() if raw else None


def choice(query: MultiMapping[str], name: str, allowed: Collection[str], default: str) -> str:
    raw = _one(query, name)
    if raw is None:
        return default
    if raw not in allowed:
        raise BadParameter(msg("El valor «{raw}» de «{name}» no es válido.", raw=raw, name=name))
    return raw
