"""The dashboard's tables beyond the indicators: the sessions behind a cell, the technical-assistance
queue and the directory's coverage. Each is a page and, with `.xlsx`, a workbook of the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.web import params
from bot.web.context import CONTEXT, WebContext
from bot.web.exports import table_xlsx
from bot.web.panel import viewer_of
from bot.workflows.business_days import lima_date
from bot.workflows.portal.dashboard import Viewer
from bot.workflows.portal.queues import assistance_queue, directory_coverage, drill_sessions
from db.models import SessionKind

routes = web.RouteTableDef()

STATUS = {
    "planned": "programada",
    "convened": "convocada",
    "installed": "en curso",
    "failed_quorum": "sin quórum",
    "held": "celebrada",
    "postponed": "postergada",
    "cancelled": "cancelada",
}
TOPICS = {
    "agreements": "acuerdos",
    "sessions": "sesiones",
    "rules": "normas",
    "training": "capacitación",
    "other": "otro",
}
REQUEST_STATUS = {
    "received": "recibida",
    "in_progress": "en atención",
    "answered": "respondida",
    "closed": "cerrada",
}


@dataclass(frozen=True)
class Table:
    title: str
    intro: str
    header: Sequence[str]
    rows: list[list[object]]


def _respond(ctx: WebContext, request: web.Request, viewer: Viewer, table: Table, name: str) -> web.Response:
    if request.path.endswith(".xlsx"):
        return web.Response(
            body=table_xlsx(table.title, table.header, table.rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return ctx.html(
        "table.html", viewer=viewer, table=table, xlsx=f"{request.path}.xlsx?{request.query_string}"
    )


@routes.get("/panel/sesiones")
@routes.get("/panel/sesiones.xlsx")
async def sessions(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    period = params.period(request.query, lima_date(ctx.clock()))
    region = params.region(request.query)
    kind = params.choice(request.query, "tipo", {k.value for k in SessionKind}, "")
    async with ctx.sessionmaker() as db:
        found = await drill_sessions(
            db, viewer, period, region=region, kind=SessionKind(kind) if kind else None
        )
    rows: list[list[object]] = [
        [
            s.commission,
            ctx.fmt_date(s.day),
            s.kind.value,
            STATUS[s.status.value],
            f"{s.present} de {s.called}",
        ]
        for s in found
    ]
    title = f"Sesiones {region or viewer.scope} {period.key}"
    intro = f"{len(rows)} sesiones del {ctx.fmt_date(period.start)} al {ctx.fmt_date(period.end)}."
    table = Table(title, intro, ("Región", "Fecha", "Tipo", "Estado", "Asistencia"), rows)
    return _respond(ctx, request, viewer, table, f"sesiones_{region or viewer.scope}_{period.key}")


@routes.get("/panel/asistencia")
@routes.get("/panel/asistencia.xlsx")
async def assistance(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    async with ctx.sessionmaker() as db:
        found = await assistance_queue(db, viewer, now=ctx.clock())
    rows: list[list[object]] = [
        [q.commission, q.code, TOPICS.get(q.topic.value, q.topic.value), REQUEST_STATUS[q.status.value],
         ctx.fmt_date(q.filed), q.days_waiting]
        for q in found
    ]  # fmt: skip
    intro = f"{len(rows)} solicitudes abiertas, la más antigua primero."
    table = Table(
        "Asistencia técnica",
        intro,
        ("Región", "Código", "Tema", "Estado", "Recibida", "Días de espera"),
        rows,
    )
    return _respond(ctx, request, viewer, table, f"asistencia_tecnica_{viewer.scope}")


@routes.get("/panel/directorio")
@routes.get("/panel/directorio.xlsx")
async def directory(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    async with ctx.sessionmaker() as db:
        found = await directory_coverage(db, viewer)
    rows: list[list[object]] = [
        [c.commission, c.seats, c.with_liaison, c.seats - c.with_liaison, c.with_member,
         "—" if c.liaison_rate is None else f"{c.liaison_rate:.0%}"]
        for c in found
    ]  # fmt: skip
    intro = "Instituciones con asiento en cada comisión; cuántas tienen coordinador(a) de enlace y miembro."
    header = ("Región", "Instituciones", "Con enlace", "Sin enlace", "Con miembro", "Cobertura de enlaces")
    return _respond(
        ctx, request, viewer, Table("Directorio", intro, header, rows), f"directorio_{viewer.scope}"
    )
