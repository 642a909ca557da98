"""The public tables as open data: CSV (UTF-8 with BOM, so spreadsheet programs keep the accents
of "Contraloría") and JSON carrying a short data dictionary. Field names are stable Spanish
identifiers in every language: a regional portal may link or embed `/cra/CUS/asistencia.csv` and
keep working. The dictionary's titles and descriptions are translatable: the page `/datos` shows
them in the reader's language; the JSON carries the Spanish (the source)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.i18n import Text, msg, pmsg
from bot.workflows.agreements.change import STATUS_TEXT
from bot.workflows.portal.public import PublicPage
from db.models import AgreementStatus

STATUS_LABELS: dict[str, Text] = {s.value: STATUS_TEXT[s] for s in AgreementStatus}
KIND_LABELS: dict[str, Text] = {
    # TRANSLATORS: the type of a column in the open-data dictionary: free text.
    "texto": pmsg("data type", "texto"),
    # TRANSLATORS: the type of a column in the open-data dictionary: a date (YYYY-MM-DD).
    "fecha": pmsg("data type", "fecha"),
    # TRANSLATORS: the type of a column in the open-data dictionary: a whole number.
    "entero": pmsg("data type", "entero"),
    # TRANSLATORS: the type of a column in the open-data dictionary: yes or no.
    "booleano": pmsg("data type", "booleano (sí/no)"),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # texto | fecha | entero | booleano (stable, as the name)
    meaning: Text


@dataclass(frozen=True)
class Table:
    name: str
    title: Text
    fields: tuple[Field, ...]
    rows: Callable[[PublicPage], list[dict[str, Any]]]


def _sessions(page: PublicPage) -> list[dict[str, Any]]:
    return [
        {"sesion": s.id, "fecha": s.day.isoformat(), "tipo": s.kind.value, "quorum": s.quorum}
        for s in page.sessions
    ]


def _attendance(page: PublicPage) -> list[dict[str, Any]]:
    return [
        {
            "sesion": a.session_id,
            "fecha": a.day.isoformat(),
            "tipo": a.kind.value,
            "institucion": a.institution,
            "asistio": a.present,
            "inasistencia": "" if a.present else "justificada" if a.justified else "injustificada",
        }
        for a in page.attendance
    ]


def _agreements(page: PublicPage) -> list[dict[str, Any]]:
    return [
        {
            "codigo": a.code,
            "acuerdo": a.text,
            "instituciones": "; ".join(a.institutions),
            "estado": a.status.value,
            "avance": a.progress,
            "plazo_original": a.original_deadline.isoformat(),
            "plazo_vigente": a.deadline.isoformat(),
            "vencido": a.overdue,
        }
        for a in page.agreements
    ]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sesiones",
            msg("Sesiones celebradas"),
            (
                Field("sesion", "entero", msg("número de la sesión en el sistema (enlaza con «asistencia»)")),
                Field("fecha", "fecha", msg("día de la sesión (AAAA-MM-DD, hora de Lima)")),
                Field("tipo", "texto", msg("ordinaria o extraordinaria")),
                Field("quorum", "booleano", msg("si se alcanzó el quórum y la sesión se instaló")),
            ),
            _sessions,
        ),
        Table(
            "asistencia",
            msg("Asistencia por institución y sesión (art. 30.3)"),
            (
                Field("sesion", "entero", msg("número de la sesión (enlaza con «sesiones»)")),
                Field("fecha", "fecha", msg("día de la sesión (AAAA-MM-DD)")),
                Field("tipo", "texto", msg("ordinaria o extraordinaria")),
                Field("institucion", "texto", msg("institución miembro (nunca una persona)")),
                Field("asistio", "booleano", msg("si la institución estuvo presente al pasar lista")),
                Field("inasistencia", "texto", msg("vacío si asistió; si no, justificada o injustificada")),
            ),
            _attendance,
        ),
        Table(
            "acuerdos",
            msg("Acuerdos y su avance"),
            (
                Field("codigo", "texto", msg("código del acuerdo (comisión-año-número)")),
                Field("acuerdo", "texto", msg("texto del acuerdo")),
                Field("instituciones", "texto", msg("instituciones responsables, separadas por «; »")),
                Field("estado", "texto", msg("pendiente, en_curso, cumplido o cancelado")),
                Field("avance", "entero", msg("avance declarado, de 0 a 100 (%)")),
                Field("plazo_original", "fecha", msg("plazo fijado al adoptarlo (AAAA-MM-DD)")),
                Field("plazo_vigente", "fecha", msg("plazo actual, tras las reprogramaciones acordadas")),
                Field("vencido", "booleano", msg("abierto y con el plazo vigente ya pasado")),
            ),
            _agreements,
        ),
    )
}


def csv_bytes(table: Table, page: PublicPage) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, [f.name for f in table.fields], lineterminator="\r\n")
    writer.writeheader()
    for row in table.rows(page):
        writer.writerow({k: ("sí" if v is True else "no" if v is False else v) for k, v in row.items()})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_bytes(table: Table, page: PublicPage, url: str) -> bytes:
    document = {
        "tabla": table.name,
        "titulo": table.title.msgid,
        "comision": page.code,
        "nombre": page.name,
        "anio": page.year,
        "fuente": url,
        "diccionario": [
            {"campo": f.name, "tipo": f.kind, "descripcion": f.meaning.msgid} for f in table.fields
        ],
        "filas": table.rows(page),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
