"""The public pages (no login, read-only): the national index, one page per commission, and each
of its tables as open data (CSV and JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.i18n import msg
from bot.web import params
from bot.web.context import CONTEXT, WebContext
from bot.web.opendata import KIND_LABELS, STATUS_LABELS, TABLES, csv_bytes, json_bytes
from bot.web.security import BadParameter
from bot.web.svg import Bar, bar_colour, bars
from bot.workflows.business_days import lima_date
from bot.workflows.labels import SESSION_KIND_LABELS
from bot.workflows.portal.public import AttendanceLine, PublicPage, list_regions, public_page
from bot.workflows.reports.lights import THRESHOLDS

routes = web.RouteTableDef()


@dataclass
class InstitutionAttendance:
    name: str
    present: int = 0
    justified: int = 0
    unjustified: int = 0
    by_session: dict[int, str] = field(default_factory=dict)  # session id -> ✓ | J | I

    @property
    def total(self) -> int:
        return self.present + self.justified + self.unjustified

    @property
    def rate(self) -> float | None:
        return self.present / self.total if self.total else None


def summarise(lines: list[AttendanceLine]) -> list[InstitutionAttendance]:
    found: dict[str, InstitutionAttendance] = {}
    for line in lines:
        item = found.setdefault(line.institution, InstitutionAttendance(line.institution))
        if line.present:
            item.present += 1
        elif line.justified:
            item.justified += 1
        else:
            item.unjustified += 1
        item.by_session[line.session_id] = "✓" if line.present else "J" if line.justified else "I"
    return sorted(found.values(), key=lambda i: i.name)


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"alive": True})


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    async with ctx.sessionmaker() as db:
        regions = await list_regions(db)
    return ctx.html(request, "index.html", regions=regions)


async def _page(ctx: WebContext, request: web.Request) -> PublicPage:
    code = request.match_info["code"]
    if not code.isalpha() or len(code) != 3:
        raise BadParameter(
            msg("«{code}» no es un código de comisión: use tres letras, por ejemplo CUS.", code=code[:20])
        )
    today = lima_date(ctx.clock())
    year = params.year(request.query, today)
    async with ctx.sessionmaker() as db:
        return await public_page(db, code, year, now=ctx.clock())


@routes.get("/cra/{code}")
async def commission(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    page = await _page(ctx, request)
    institutions = summarise(page.attendance)
    tr = ctx.tr(request)
    chart = bars(
        tr.gettext("Asistencia por institución"),
        [
            Bar(i.name, i.rate, bar_colour(i.rate, THRESHOLDS.attendance_amber, THRESHOLDS.attendance_red))
            for i in institutions
        ],
        no_data=tr.gettext("sin datos"),
    )
    return ctx.html(
        request,
        "commission.html",
        page=page,
        institutions=institutions,
        chart=chart,
        tables=TABLES,
        statuses=STATUS_LABELS,
        session_kinds=SESSION_KIND_LABELS,
        years=range(lima_date(ctx.clock()).year, params.FIRST_YEAR - 1, -1),
    )


@routes.get("/cra/{code}/{table}.{fmt}")
async def open_data(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    table, fmt = TABLES.get(request.match_info["table"]), request.match_info["fmt"]
    if table is None or fmt not in ("csv", "json"):
        raise web.HTTPNotFound()
    page = await _page(ctx, request)
    name = f"{page.code}_{table.name}_{page.year}.{fmt}"
    headers = {
        # CSV downloads (a click saves the file Excel opens); JSON shows in the browser.
        "Content-Disposition": f'{"attachment" if fmt == "csv" else "inline"}; filename="{name}"',
        "Access-Control-Allow-Origin": "*",  # open data: any portal may fetch it
    }
    if fmt == "csv":
        body = csv_bytes(table, page)
        return web.Response(body=body, content_type="text/csv", charset="utf-8", headers=headers)
    url = f"{ctx.base_url}/cra/{page.code}/{table.name}.json?anio={page.year}"
    body = json_bytes(table, page, url)
    return web.Response(body=body, content_type="application/json", charset="utf-8", headers=headers)


@routes.get("/datos")
async def dictionary(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return ctx.html(request, "datos.html", tables=TABLES, kinds=KIND_LABELS)
