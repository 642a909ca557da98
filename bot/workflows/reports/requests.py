"""`/informe [región] [periodo]` on demand: who may see which report, and its data.

A CRA's secretary or president sees their own commission only; a CAN analyst (a `can_analyst`
membership in the CAN) sees any region or the national comparison. The own commission goes through
the permission gate (`Action.VIEW_AGREEMENTS`); the CAN analyst too (`is_can_analyst`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Text, msg
from bot.workflows.access import Action, access_commission
from bot.workflows.business_days import lima_date
from bot.workflows.errors import AccessDenied, NotFound
from bot.workflows.membership.commissions import CAN_CODE, find_region, is_can_analyst
from bot.workflows.membership.people import active_commission_id
from bot.workflows.periods import Period
from bot.workflows.reports.indicators import compute_indicators
from bot.workflows.reports.lights import RegionIndicators
from bot.workflows.reports.periods import accepted_forms, parse_period, period_words
from db.models import Commission, CommissionKind, Person, Region, Role

NATIONAL_WORDS = frozenset({"nacional", "national", "can", "peru", "perú"})
CSV_WORDS = frozenset({"csv"})
REGIONAL_READERS = frozenset({Role.SECRETARY, Role.PRESIDENT})


@dataclass(frozen=True)
class ReportArgs:
    region: str | None
    national: bool
    period: str | None
    csv: bool


def parse_args(text: str | None, language: str = "es") -> ReportArgs:
    """`PUN 2026`, `nacional 2026-11`, `2026-T3 csv`, `Madre de Dios`, `CUS mes pasado`,
    `diciembre`: in any order; periods also in the reader's language."""
    region: list[str] = []
    national = want_csv = False
    period, rest = period_words((text or "").split(), language)
    for token in rest:
        lowered = token.lower()
        if lowered in NATIONAL_WORDS:
            national = True
        elif lowered in CSV_WORDS:
            want_csv = True
        else:
            region.append(token)
    return ReportArgs(" ".join(region) or None, national, " ".join(period) or None, want_csv)


async def find_report_region(db: AsyncSession, query: str) -> Region:
    """The region a word names; a word that names nothing gets every form `/informe` accepts
    (a near miss such as "cuzco" keeps its "¿Quiso decir…?")."""
    try:
        return await find_region(db, query)
    except NotFound as error:
        if "suggestions" in error.text.params:
            raise
        raise accepted_forms(query) from error


async def _commission_of_region(db: AsyncSession, query: str) -> Commission:
    region = await find_report_region(db, query)
    commission = (await db.exec(select(Commission).where(Commission.region_id == region.id))).first()
    if commission is None:
        raise NotFound(msg("La región {code} aún no tiene comisión en el bot.", code=region.code))
    return commission


async def report_target(db: AsyncSession, person: Person | None, args: ReportArgs) -> Commission | None:
    """The commission whose report the person may see, or None for the national comparison."""
    analyst = await is_can_analyst(db, person)
    if analyst and (args.national or args.region is None):
        active = await active_commission_id(db, person)
        own = await db.get(Commission, active) if active is not None else None
        if args.national or own is None or own.code == CAN_CODE:
            return None
    if analyst and args.region is not None:
        return await _commission_of_region(db, args.region)
    actor = await access_commission(
        db, person, await active_commission_id(db, person), Action.VIEW_AGREEMENTS
    )
    if not actor.roles & REGIONAL_READERS:
        raise AccessDenied(
            msg("Solo la secretaría técnica y la presidencia ven los informes de la comisión.")
        )
    if args.national:
        raise AccessDenied(msg("El informe nacional es solo para los analistas de la CAN."))
    if args.region is not None:
        wanted = await find_report_region(db, args.region)
        if wanted.id != actor.commission.region_id:
            raise AccessDenied(
                msg(
                    "Solo puede ver el informe de su propia comisión ({code}).",
                    code=actor.commission.code,
                )
            )
    return actor.commission


@dataclass(frozen=True)
class ReportPlan:
    """Which report to build, as plain values (it crosses to the report process, so it pickles)."""

    period: Period
    commission_ids: tuple[int, ...]
    code: str | None  # None: national
    csv: bool

    @property
    def title(self) -> Text:
        if self.code is None:
            return msg("📊 Informe nacional {period}", period=self.period.key)
        return msg("📊 Informe de {commission}", commission=self.code)

    @property
    def file_stem(self) -> str:
        return f"informe_{self.code or 'nacional'}_{self.period.key}"


async def plan_report(
    db: AsyncSession, person: Person | None, text: str | None, *, now: datetime
) -> ReportPlan:
    """The report `/informe <text>` asks for, if the person may see it; its data is computed later
    (`bot/workflows/reports/building.py`), off the event loop."""
    language = person.language if person is not None else "es"
    args = parse_args(text, language)
    period = parse_period(args.period, lima_date(now), language)
    commission = await report_target(db, person, args)
    if commission is not None:
        return ReportPlan(
            period, (commission.id,) if commission.id is not None else (), commission.code, args.csv
        )
    query = select(Commission.id).where(Commission.kind == CommissionKind.REGIONAL).order_by(Commission.code)
    ids = tuple(i for i in (await db.exec(query)).all() if i is not None)
    if not ids:
        raise NotFound(msg("Aún no hay comisiones regionales en el bot."))
    return ReportPlan(period, ids, None, args.csv)


@dataclass(frozen=True)
class Report:
    period: Period
    rows: list[RegionIndicators]
    commission: Commission | None  # None: national
    csv: bool


async def request_report(
    db: AsyncSession, person: Person | None, text: str | None, *, now: datetime
) -> Report:
    """The report `/informe <text>` asks for with its data, computed here (tests, the shell)."""
    plan = await plan_report(db, person, text, now=now)
    rows = await compute_indicators(db, plan.period, now, plan.commission_ids)
    commission = None if plan.code is None else await db.get(Commission, plan.commission_ids[0])
    return Report(plan.period, rows, commission, plan.csv)
