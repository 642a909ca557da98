"""The CAN's dashboard behind a passwordless login: `/panel` in the bot sends a one-time link to
`/entrar/<token>`; a button there (a POST, so link previews cannot spend it) opens a session cookie.

Every view asks the permission gate (`dashboard_viewer`) on each request: an analyst sees every
region, a CRA's secretary or president their own; every view is exportable as XLSX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web

from bot.i18n import msg
from bot.web import language, params
from bot.web.context import CONTEXT, COOKIE, WebContext
from bot.web.exports import drill_xlsx, indicators_xlsx
from bot.web.opendata import STATUS_LABELS
from bot.web.security import NotSignedIn
from bot.web.svg import Bar, bar_colour, bars, sparkline
from bot.workflows.business_days import lima_date
from bot.workflows.periods import Period
from bot.workflows.portal.dashboard import (
    DrillFilter,
    Viewer,
    dashboard_rows,
    dashboard_series,
    dashboard_viewer,
    drill_agreements,
    scope_institutions,
)
from bot.workflows.portal.login import SESSION_HOURS, close_session, open_session, session_person
from bot.workflows.portal.miniapp import open_miniapp_session
from bot.workflows.reports.formats import COLUMNS, Column, cell_text
from bot.workflows.reports.lights import SEVERITY, THRESHOLDS, RegionIndicators

routes = web.RouteTableDef()
DRILL_LIMIT = 500  # rows shown on the page; the XLSX has them all (up to EXPORT_LIMIT)
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class DashColumn:
    column: Column
    drill: str | None = None  # the view behind this cell, and its filters


_DRILLS = {
    "ordinary_held": "sesiones?tipo=ordinaria",
    "year_held": "sesiones?tipo=ordinaria",
    "failed_quorum": "sesiones?",
    "attendance_rate": "sesiones?",
    "unjustified_absences": "sesiones?",
    "adopted": "acuerdos?nuevos=1",
    "in_progress": "acuerdos?",
    "done": "acuerdos?estado=cumplido",
    "overdue": "acuerdos?vencidos=1",
    "cancelled": "acuerdos?estado=cancelado",
    "seats_without_liaison": "directorio?",
    "open_assistance": "asistencia?",
}
_SHOWN = (
    "light",
    "ordinary_held",
    "year_held",
    "failed_quorum",
    "attendance_rate",
    "unjustified_absences",
    "adopted",
    "in_progress",
    "done",
    "overdue",
    "cancelled",
    "on_time_rate",
    "median_days_overdue",
    "seats_without_liaison",
    "open_assistance",
)
BY_KEY = {c.key: c for c in COLUMNS}
DASH_COLUMNS = tuple(DashColumn(BY_KEY[key], _DRILLS.get(key)) for key in _SHOWN)
SORTABLE = {"code", *_SHOWN}
# no emoji: fonts lack them
LIGHTS = {"green": msg("en regla"), "amber": msg("requiere atención"), "red": msg("en riesgo")}


async def viewer_of(ctx: WebContext, request: web.Request) -> Viewer:
    """Who is asking, through the gate: no session → 401 page; the gate refuses → 403 page."""
    async with ctx.sessionmaker() as db:
        person = await session_person(db, request.cookies.get(COOKIE), now=ctx.clock())
        if person is None:
            raise NotSignedIn()
        language.adopt_person_language(ctx.catalogs, request, person.language)
        return await dashboard_viewer(db, person)


def _sort_key(column: Column) -> Callable[[RegionIndicators], tuple[bool, str | float]]:
    def key(row: RegionIndicators) -> tuple[bool, str | float]:
        value = column.get(row)
        if column.kind == "light":
            return (False, SEVERITY[row.light])
        if value is None:
            return (True, 0.0)
        return (False, value if isinstance(value, str) else float(value))

    return key


@routes.get("/entrar/{token}")
async def login_form(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return ctx.html(request, "login.html", token=request.match_info["token"][:64])


@routes.post("/entrar/{token}")
async def login(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    async with ctx.sessionmaker.begin() as db:
        secret = await open_session(db, request.match_info["token"], now=ctx.clock())
    return _signed_in(ctx, request, secret)


@routes.get("/miniapp")
async def miniapp(request: web.Request) -> web.Response:
    """The Mini App's page: its script posts Telegram's signed initData to the route below."""
    ctx = request.app[CONTEXT]
    if ctx.bot_token is None:
        raise web.HTTPNotFound()
    return ctx.html(request, "miniapp.html")


@routes.post("/miniapp")
async def miniapp_login(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    if ctx.bot_token is None:
        raise web.HTTPNotFound()
    form = await request.post()
    init_data = form.get("initData")
    async with ctx.sessionmaker.begin() as db:
        secret = await open_miniapp_session(
            db, init_data if isinstance(init_data, str) else "", ctx.bot_token, now=ctx.clock()
        )
    return _signed_in(ctx, request, secret)


def _signed_in(ctx: WebContext, request: web.Request, secret: str) -> web.Response:
    chosen = request.query.get(language.PARAM, "")
    target = f"/panel?{language.PARAM}={chosen}" if chosen.isalpha() and len(chosen) <= 8 else "/panel"
    response = web.Response(status=303, headers={"Location": target})
    response.set_cookie(
        COOKIE,
        secret,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="Lax",
        path="/",
    )
    return response


@routes.post("/salir")
async def logout(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    async with ctx.sessionmaker.begin() as db:
        await close_session(db, request.cookies.get(COOKIE), now=ctx.clock())
    response = web.Response(status=303, headers={"Location": "/"})
    response.del_cookie(COOKIE, path="/")
    return response


async def _dashboard(
    ctx: WebContext, request: web.Request
) -> tuple[Viewer, Period, list[RegionIndicators], datetime | None]:
    viewer = await viewer_of(ctx, request)
    period = params.period(request.query, lima_date(ctx.clock()))
    async with ctx.sessionmaker() as db:
        found = await dashboard_rows(db, viewer, period, now=ctx.clock())
    rows = found.rows
    order = params.choice(request.query, "orden", SORTABLE, "")
    if order:
        descending = params.choice(request.query, "dir", ("asc", "desc"), "desc") == "desc"
        key = _sort_key(BY_KEY[order])
        known = sorted((r for r in rows if not key(r)[0]), key=key, reverse=descending)
        rows = known + [r for r in rows if key(r)[0]]  # no figure: last either way
    return viewer, period, rows, found.stored_at


@routes.get("/panel")
async def dashboard(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    viewer, period, rows, stored_at = await _dashboard(ctx, request)
    tr = ctx.tr(request)
    chart = bars(
        tr.gettext("Acuerdos vencidos (proporción de los vigentes)"),
        [
            Bar(
                r.code,
                r.overdue_share,
                bar_colour(
                    r.overdue_share, THRESHOLDS.overdue_amber, THRESHOLDS.overdue_red, higher_is_better=False
                ),
            )
            for r in sorted(rows, key=lambda r: -(r.overdue_share or 0.0))  # worst first
        ],
        no_data=tr.gettext("sin datos"),
    )
    return ctx.html(
        request,
        "panel.html",
        viewer=viewer,
        period=period,
        rows=rows,
        columns=DASH_COLUMNS,
        cell=lambda column, row: cell_text(tr, column, row),
        order=request.query.get("orden", ""),
        direction=request.query.get("dir", "desc"),
        chart=chart,
        lights=LIGHTS,
        stored_at=tr.datetime(stored_at, "short") if stored_at else None,
    )


@routes.get("/panel/indicadores.xlsx")
async def dashboard_xlsx(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    viewer, period, rows, _ = await _dashboard(ctx, request)
    name = f"indicadores_{viewer.scope}_{period.key}.xlsx"
    return _xlsx(indicators_xlsx(ctx.tr(request), rows), name)


SERIES = tuple(c for c in DASH_COLUMNS if c.column.kind != "light")


@routes.get("/panel/serie")
async def series(request: web.Request) -> web.StreamResponse:
    """One indicator month by month for each region the viewer sees."""
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    year = params.year(request.query, lima_date(ctx.clock()))
    key = params.choice(request.query, "indicador", {c.column.key for c in SERIES}, "overdue")
    column = BY_KEY[key]
    async with ctx.sessionmaker() as db:
        found = await dashboard_series(db, viewer, year, now=ctx.clock())
    lines = []
    for code, months in found.items():
        values = [None if r is None else column.get(r) for r in months]
        numbers = [v if isinstance(v, int | float) and not isinstance(v, bool) else None for v in values]
        cells = ["" if r is None else cell_text(ctx.tr(request), column, r) for r in months]
        lines.append((code, cells, sparkline([None if n is None else float(n) for n in numbers])))
    tr = ctx.tr(request)
    month_names = [tr.date(date(year, m, 1), "MMM") for m in range(1, 13)]  # the reader's month names
    return ctx.html(
        request,
        "series.html",
        viewer=viewer,
        year=year,
        column=column,
        choices=SERIES,
        lines=lines,
        months=month_names,
    )


def _filters(request: web.Request) -> DrillFilter:
    q = request.query
    return DrillFilter(
        region=params.region(q),
        status=params.status(q),
        institution=params.words(q, "institucion"),
        overdue=params.flag(q, "vencidos"),
        adopted_in_period=params.flag(q, "nuevos"),
    )


@routes.get("/panel/acuerdos")
async def drill(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    period = params.period(request.query, lima_date(ctx.clock()))
    wanted = _filters(request)
    async with ctx.sessionmaker() as db:
        found = await drill_agreements(db, viewer, wanted, period, now=ctx.clock(), limit=DRILL_LIMIT)
        institutions = await scope_institutions(db, viewer)
    return ctx.html(
        request,
        "drill.html",
        viewer=viewer,
        period=period,
        wanted=wanted,
        drill=found,
        institutions=institutions,
        statuses=STATUS_LABELS,
        query=request.query_string,
    )


@routes.get("/panel/acuerdos.xlsx")
async def drill_export(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    viewer = await viewer_of(ctx, request)
    period = params.period(request.query, lima_date(ctx.clock()))
    async with ctx.sessionmaker() as db:
        found = await drill_agreements(
            db, viewer, _filters(request), period, now=ctx.clock(), limit=EXPORT_LIMIT
        )
    return _xlsx(drill_xlsx(ctx.tr(request), found), f"acuerdos_{viewer.scope}_{period.key}.xlsx")


def _xlsx(body: bytes, name: str) -> web.Response:
    return web.Response(
        body=body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
