"""The public tables as open data: CSV (UTF-8 with BOM, so spreadsheet programs keep the accents
of "Contraloría") and JSON carrying a short data dictionary. Field names are stable: a regional
portal may link or embed `/cra/CUS/asistencia.csv` and keep working."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.workflows.portal.public import PublicPage

STATUS_LABELS = {
    "pendiente": "pendiente",
    "en_curso": "en curso",
    "cumplido": "cumplido",
    "cancelado": "cancelado",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # texto | fecha | entero | booleano
    meaning: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
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
            "Sesiones celebradas",
            (
                Field("sesion", "entero", "número de la sesión en el sistema (enlaza con «asistencia»)"),
                Field("fecha", "fecha", "día de la sesión (AAAA-MM-DD, hora de Lima)"),
                Field("tipo", "texto", "ordinaria o extraordinaria"),
                Field("quorum", "booleano", "si se alcanzó el quórum y la sesión se instaló"),
            ),
            _sessions,
        ),
        Table(
            "asistencia",
            "Asistencia por institución y sesión (art. 30.3)",
            (
                Field("sesion", "entero", "número de la sesión (enlaza con «sesiones»)"),
                Field("fecha", "fecha", "día de la sesión (AAAA-MM-DD)"),
                Field("tipo", "texto", "ordinaria o extraordinaria"),
                Field("institucion", "texto", "institución miembro (nunca una persona)"),
                Field("asistio", "booleano", "si la institución estuvo presente al pasar lista"),
                Field("inasistencia", "texto", "vacío si asistió; si no, justificada o injustificada"),
            ),
            _attendance,
        ),
        Table(
            "acuerdos",
            "Acuerdos y su avance",
            (
                Field("codigo", "texto", "código del acuerdo (comisión-año-número)"),
                Field("acuerdo", "texto", "texto del acuerdo"),
                Field("instituciones", "texto", "instituciones responsables, separadas por «; »"),
                Field("estado", "texto", "pendiente, en_curso, cumplido o cancelado"),
                Field("avance", "entero", "avance declarado, de 0 a 100 (%)"),
                Field("plazo_original", "fecha", "plazo fijado al adoptarlo (AAAA-MM-DD)"),
                Field("plazo_vigente", "fecha", "plazo actual, tras las reprogramaciones acordadas"),
                Field("vencido", "booleano", "abierto y con el plazo vigente ya pasado"),
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
        "titulo": table.title,
        "comision": page.code,
        "nombre": page.name,
        "anio": page.year,
        "fuente": url,
        "diccionario": [{"campo": f.name, "tipo": f.kind, "descripcion": f.meaning} for f in table.fields],
        "filas": table.rows(page),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
