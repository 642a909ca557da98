"""The dashboard's tables beyond the indicators: the sessions behind a cell, the technical-assistance
queue and the directory's coverage. Each is a page and, with `.xlsx`, a workbook of the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from babel.numbers import format_percent

from bot.i18n import Text, Translator, msg
from bot.web import params
from bot.web.context import CONTEXT, WebContext
from bot.web.exports import table_xlsx
from bot.web.panel import viewer_of
from bot.workflows.business_days import lima_date
from bot.workflows.labels import (
    ASSISTANCE_STATUS_LABELS,
    ASSISTANCE_TOPIC_LABELS,
    SESSION_KIND_LABELS,
    SESSION_STATUS_LABELS,
)
from bot.workflows.portal.dashboard import Viewer
from bot.workflows.portal.queues import assistance_queue, directory_coverage, drill_sessions
from db.models import SessionKind

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Table:
    """A view as the reader sees it: every text already in their language."""

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
        request, "table.html", viewer=viewer, table=table, xlsx=f"{request.path}.xlsx?{request.query_string}"
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
    tr = ctx.tr(request)
    rows: list[list[object]] = [
        [
            s.commission,
            ctx.fmt_date(request, s.day),
            tr.render(SESSION_KIND_LABELS[s.kind]),
            tr.render(SESSION_STATUS_LABELS[s.status]),
            tr.gettext("{present} de {called}", present=s.present, called=s.called),
        ]
        for s in found
    ]
    scope = region or (tr.gettext("de todas las regiones") if viewer.national else viewer.scope)
    title = tr.gettext("Sesiones {scope} {period}", scope=scope, period=period.key)
    intro = tr.ngettext(
        "{n} sesión del {start} al {end}.",
        "{n} sesiones del {start} al {end}.",
        len(rows),
        start=ctx.fmt_date(request, period.start),
        end=ctx.fmt_date(request, period.end),
    )
    header = _header(tr, (msg("Región"), msg("Fecha"), msg("Tipo"), msg("Estado"), msg("Asistencia")))
    table = Table(title, intro, header, rows)
    return _respond(ctx, request, viewer, table, f"sesiones_{region or viewer.scope}_{period.key}")


@routes.get("/panel/asistencia")
@routes.get("/panel/asistencia.xlsx")
async def assistance(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    async with ctx.sessionmaker() as db:
        found = await assistance_queue(db, viewer, now=ctx.clock())
    tr = ctx.tr(request)
    rows: list[list[object]] = [
        [q.commission, q.code, tr.render(ASSISTANCE_TOPIC_LABELS[q.topic]),
         tr.render(ASSISTANCE_STATUS_LABELS[q.status]), ctx.fmt_date(request, q.filed), q.days_waiting]
        for q in found
    ]  # fmt: skip
    intro = tr.ngettext(
        "{n} solicitud abierta, la más antigua primero.",
        "{n} solicitudes abiertas, la más antigua primero.",
        len(rows),
    )
    header = _header(
        tr, (msg("Región"), msg("Código"), msg("Tema"), msg("Estado"), msg("Recibida"), msg("Días de espera"))
    )
    table = Table(tr.gettext("Asistencia técnica"), intro, header, rows)
    return _respond(ctx, request, viewer, table, f"asistencia_tecnica_{viewer.scope}")


@routes.get("/panel/directorio")
@routes.get("/panel/directorio.xlsx")
async def directory(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    async with ctx.sessionmaker() as db:
        found = await directory_coverage(db, viewer)
    tr = ctx.tr(request)
    rows: list[list[object]] = [
        [c.commission, c.seats, c.with_liaison, c.seats - c.with_liaison, c.with_member,
         "—" if c.liaison_rate is None else format_percent(c.liaison_rate, locale=tr.format_locale)]
        for c in found
    ]  # fmt: skip
    intro = tr.gettext(
        "Instituciones con asiento en cada comisión; cuántas tienen coordinador(a) de enlace y miembro."
    )
    header = _header(
        tr,
        (msg("Región"), msg("Instituciones"), msg("Con enlace"), msg("Sin enlace"), msg("Con miembro"),
         msg("Cobertura de enlaces")),
    )  # fmt: skip
    table = Table(tr.gettext("Directorio"), intro, header, rows)
    return _respond(ctx, request, viewer, table, f"directorio_{viewer.scope}")


def _header(tr: Translator, labels: Sequence[Text]) -> tuple[str, ...]:
    return tuple(tr.render(label) for label in labels)
